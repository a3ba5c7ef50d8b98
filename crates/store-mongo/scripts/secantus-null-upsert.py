#!/usr/bin/env python3
"""Reproduces the SecantusDB bug documented in ../README.md ("SecantusDB").

find_one_and_update with upsert and returnDocument=after sometimes replies without the
document, although the update was applied, when concurrent upserts create the same new
document. Usage (pymongo comes with SecantusDB):  python3 secantus-null-upsert.py mongodb://127.0.0.1:PORT
"""
import sys
import threading

import pymongo
from pymongo import ReturnDocument

THREADS, TRIALS = 20, 20
client = pymongo.MongoClient(sys.argv[1], maxPoolSize=THREADS * 2)
print("server reports", client.server_info()["version"])
coll = client["secantus_probe"]["counters"]


def trial(label, create_first, upsert):
    null_replies = 0
    for run in range(TRIALS):
        key = f"{label}:{run}"
        if create_first:
            coll.update_one({"_id": key}, {"$setOnInsert": {"seq": 0}}, upsert=True)
        replies = []

        def increment():
            replies.append(coll.find_one_and_update(
                {"_id": key}, {"$inc": {"seq": 1}}, upsert=upsert,
                return_document=ReturnDocument.AFTER))

        threads = [threading.Thread(target=increment) for _ in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        null_replies += sum(r is None for r in replies)
        assert coll.find_one({"_id": key})["seq"] == THREADS, "an increment was lost"
    print(f"{label}: {null_replies} of {THREADS * TRIALS} replies without the document")


trial("new counter, upsert", create_first=False, upsert=True)
trial("counter created first, upsert", create_first=True, upsert=True)
trial("counter created first, no upsert", create_first=True, upsert=False)
client.drop_database("secantus_probe")

#!/usr/bin/env python3
"""Trims Discord's OpenAPI description to what the sandbox serves.

Usage (from this folder):

    python3 trim.py PATH/TO/openapi.json > discord-openapi.json

Keeps, for each `METHOD /path` line of `operations.txt`, that operation of that path (path-level
`parameters` too), then every `#/components/...` entry those operations reference, transitively.
Everything else (other paths, other methods, unreferenced schemas, `securitySchemes`) is dropped.
The output is deterministic (sorted keys, two-space indent) so a re-run shows a clean diff.
"""

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def operations():
    for line in (HERE / "operations.txt").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            method, path = line.split(maxsplit=1)
            yield method.lower(), path


def refs(node):
    """Every `$ref` string anywhere below `node`."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs(item)


def resolve(doc, ref):
    node = doc
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: trim.py PATH/TO/openapi.json > discord-openapi.json")
    doc = json.loads(Path(sys.argv[1]).read_text())
    paths = {}
    for method, path in operations():
        item = doc["paths"].get(path)
        if item is None or method not in item:
            sys.exit(f"{method.upper()} {path} is not in the description")
        kept = paths.setdefault(path, {})
        if "parameters" in item:
            kept["parameters"] = item["parameters"]
        kept[method] = item[method]
    components = {}
    pending = list(refs(paths))
    seen = set()
    while pending:
        ref = pending.pop()
        if ref in seen:
            continue
        seen.add(ref)
        if not ref.startswith("#/components/"):
            sys.exit(f"unexpected reference {ref}")
        _, _, kind, name = ref.split("/", 3)
        target = resolve(doc, ref)
        components.setdefault(kind, {})[name] = target
        pending.extend(refs(target))
    out = {
        "openapi": doc["openapi"],
        "info": doc["info"],
        "externalDocs": doc.get("externalDocs"),
        "servers": doc.get("servers"),
        "paths": paths,
        "components": components,
    }
    out = {k: v for k, v in out.items() if v is not None}
    json.dump(out, sys.stdout, indent=2, sort_keys=True, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

//! The earlier bot's `warnings` documents with each problem issue 14 lists, built as that bot
//! wrote them (pymongo: Python ints as Int32 or Int64, floats as Double), against a server.

use mongodb::bson::{Bson, DateTime, Document, doc};

use super::*;

const MODERATOR: &str = "333333333333333333";

fn entry(id: impl Into<Bson>, reason: &str) -> Bson {
    Bson::Document(doc! {
        "id": id.into(), "reason": reason, "moderator_id": MODERATOR,
        "timestamp": DateTime::from_millis(1_705_400_000_000),
    })
}

fn member_document(guild: impl Into<Bson>, user: impl Into<Bson>, warnings: Vec<Bson>) -> Document {
    let total = i32::try_from(warnings.len()).unwrap();
    doc! {
        "guild_id": guild.into(), "user_id": user.into(),
        "warnings": warnings, "total_warnings": total,
    }
}

fn reasons(list: &WarningList) -> Vec<&str> {
    let mut reasons: Vec<&str> = list.warnings.iter().map(|w| w.reason.as_str()).collect();
    reasons.sort_unstable();
    reasons
}

/// A test database holding `documents` in `warnings`, prepared as at a restart (which adopts
/// their case numbers).
async fn seeded(documents: Vec<Document>) -> Option<TestDatabase> {
    let db = TestDatabase::create().await?;
    db.0.warnings_collection()
        .insert_many(documents)
        .await
        .unwrap();
    db.0.prepare().await.unwrap();
    Some(db)
}

#[tokio::test]
async fn unreadable_elements_are_skipped_and_counted_never_hiding_the_others() {
    let Some(db) = seeded(vec![member_document(
        GUILD.to_string(),
        USER.to_string(),
        vec![
            entry(1_i32, "spam"),
            Bson::Document(doc! { "id": 2_i32, "reason": "no moderator" }),
            Bson::String("garbage".into()),
            Bson::Null,
            entry(3_i64, "caps"),
        ],
    )])
    .await
    else {
        return;
    };
    let raw = db.0.warnings_collection();
    let list = db.0.warnings(GUILD, USER).await.unwrap();
    assert_eq!(reasons(&list), ["caps", "spam"]);
    assert_eq!(list.unreadable, 3);

    // A new warning is stored; its history is the readable warnings.
    let added =
        db.0.add_warning(new_warning(GUILD, USER, 90))
            .await
            .unwrap();
    assert_eq!(added.warning.case, CaseNumber(4));
    assert_eq!(added.history.len(), 3);
    // Removing a readable one works and leaves the unreadable ones alone.
    let removed =
        db.0.remove_warning(GUILD, USER, CaseNumber(1))
            .await
            .unwrap();
    assert_eq!(removed.unwrap().reason, "spam");
    // The unreadable element with id 2 is not removed by number (it cannot be shown).
    assert_eq!(
        db.0.remove_warning(GUILD, USER, CaseNumber(2))
            .await
            .unwrap(),
        None
    );
    let list = db.0.warnings(GUILD, USER).await.unwrap();
    assert_eq!((reasons(&list), list.unreadable), (vec!["caps", "new"], 3));
    let doc = raw
        .find_one(member_filter(GUILD, USER))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(doc.get("total_warnings"), Some(&Bson::Int32(5)));
    // Clearing removes everything the document held, unreadable entries included.
    assert_eq!(db.0.clear_warnings(GUILD, USER).await.unwrap(), 5);
    db.teardown().await;
}

#[tokio::test]
async fn removing_one_warning_never_removes_another_sharing_its_id() {
    // Three elements with id 5 (two identical), as a buggy counter of the earlier bot left them.
    let Some(db) = seeded(vec![member_document(
        GUILD.to_string(),
        USER.to_string(),
        vec![
            entry(5_i32, "twin"),
            entry(4_i32, "other"),
            entry("5", "string id"),
            entry(5_i32, "twin"),
        ],
    )])
    .await
    else {
        return;
    };
    let raw = db.0.warnings_collection();
    let stored = || async {
        let doc = raw
            .find_one(member_filter(GUILD, USER))
            .await
            .unwrap()
            .unwrap();
        let list = read_warnings(&doc, GUILD, USER).unwrap();
        (reasons(&list).join(","), doc.get("total_warnings").cloned())
    };
    // Each removal takes the first readable element with the id, and only it.
    for (removed, left, total) in [
        (Some("twin"), "other,string id,twin", 3),
        (Some("string id"), "other,twin", 2),
        (Some("twin"), "other", 1),
        (None, "other", 1),
    ] {
        let warning = db.0.remove_warning(GUILD, USER, CaseNumber(5)).await;
        assert_eq!(
            warning.unwrap().map(|w| w.reason),
            removed.map(str::to_owned)
        );
        assert_eq!(stored().await, (left.to_owned(), Some(Bson::Int32(total))));
    }
    db.teardown().await;
}

/// Concurrent removals of a shared id and concurrent warnings, through two clients: each
/// removal takes exactly one element, and no warning is lost.
#[tokio::test]
async fn concurrent_removals_and_warnings_each_change_exactly_one_element() {
    let mut seed: Vec<Bson> = (0..6).map(|_| entry(5_i32, "twin")).collect();
    seed.push(entry(6_i32, "kept"));
    let Some(db) = seeded(vec![member_document(
        GUILD.to_string(),
        USER.to_string(),
        seed,
    )])
    .await
    else {
        return;
    };
    let second = db.second_handle().await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..4_u64 {
        let store = if i % 2 == 0 {
            db.0.clone()
        } else {
            second.clone()
        };
        tasks.spawn(async move {
            store
                .remove_warning(GUILD, USER, CaseNumber(5))
                .await
                .unwrap()
                .is_some()
        });
        let store = if i % 2 == 0 {
            second.clone()
        } else {
            db.0.clone()
        };
        tasks.spawn(async move {
            store
                .add_warning(new_warning(GUILD, USER, 200 + i))
                .await
                .unwrap();
            false
        });
    }
    let mut removed = 0;
    while let Some(done) = tasks.join_next().await {
        removed += usize::from(done.unwrap());
    }
    assert_eq!(removed, 4);
    let list = db.0.warnings(GUILD, USER).await.unwrap();
    assert_eq!(
        reasons(&list),
        ["kept", "new", "new", "new", "new", "twin", "twin"]
    );
    db.teardown().await;
}

#[tokio::test]
async fn numeric_id_documents_are_found_and_never_shadowed() {
    // Small ids as Int32, 18-digit ids as Int64, and one member's ids as Doubles (rounded).
    let small = (GuildId::new(7), UserId::new(8));
    let double_user = UserId::new(444_444_444_444_444_444);
    #[allow(clippy::cast_precision_loss)]
    let as_double = |id: u64| Bson::Double(id as f64);
    let Some(db) = seeded(vec![
        member_document(7_i32, 8_i32, vec![entry(1_i32, "int32")]),
        member_document(
            111_111_111_111_111_111_i64,
            222_222_222_222_222_222_i64,
            vec![entry(2_i32, "int64")],
        ),
        member_document(
            as_double(GUILD.get()),
            as_double(double_user.get()),
            vec![entry(3_i32, "double")],
        ),
    ])
    .await
    else {
        return;
    };
    let raw = db.0.warnings_collection();
    for ((guild, user), reason) in [
        (small, "int32"),
        ((GUILD, USER), "int64"),
        ((GUILD, double_user), "double"),
    ] {
        let list = db.0.warnings(guild, user).await.unwrap();
        assert_eq!(reasons(&list), [reason], "found by the numeric ids");
        // A new warning goes into that document (converted to string ids), not a new one.
        let added =
            db.0.add_warning(new_warning(guild, user, 300 + user.get() % 1_000))
                .await
                .unwrap();
        assert!(!added.replayed, "{reason}");
        assert_eq!(
            added.history.len(),
            2,
            "{reason}: the old warning is its history"
        );
        let count = raw
            .count_documents(member_filter(guild, user))
            .await
            .unwrap();
        assert_eq!(count, 1, "{reason}: one document for the member");
        let doc = raw
            .find_one(member_filter(guild, user))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            doc.get_str("guild_id").ok(),
            Some(guild.to_string().as_str()),
            "{doc:?}"
        );
        assert_eq!(doc.get_str("user_id").unwrap(), user.to_string());
        assert_eq!(
            reasons(&db.0.warnings(guild, user).await.unwrap()),
            [reason, "new"]
        );
    }
    // Removing, clearing and a data-deletion request find numeric documents too.
    raw.insert_many([
        member_document(9_i64, 8_i64, vec![entry(1_i32, "a"), entry(2_i32, "b")]),
        member_document(10.0, 8.0, vec![entry(1_i32, "c")]),
        member_document(11_i32, 8_i32, vec![entry(1_i32, "d")]),
    ])
    .await
    .unwrap();
    let (nine, ten) = (GuildId::new(9), GuildId::new(10));
    let removed =
        db.0.remove_warning(nine, small.1, CaseNumber(2))
            .await
            .unwrap();
    assert_eq!(removed.unwrap().reason, "b");
    assert_eq!(db.0.clear_warnings(ten, small.1).await.unwrap(), 1);
    // User 8: guild 7 (two warnings), guild 9 (one), guild 11 (one).
    assert_eq!(db.0.delete_user_data(small.1).await.unwrap(), 4);
    db.teardown().await;
}

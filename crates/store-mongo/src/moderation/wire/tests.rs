//! The moderation collections' BSON, checked without a server: each filter, update, pipeline,
//! index and document, and the readers on seed, partial and unreadable documents.

use std::time::Duration;

use hearth_moderation::{EscalationStep, NewWarning, Punishment, Reason};
use mongodb::bson::oid::ObjectId;

use super::*;

const GUILD: GuildId = GuildId::new(111_111_111_111_111_111);
const USER: UserId = UserId::new(222_222_222_222_222_222);
const MODERATOR: UserId = UserId::new(333_333_333_333_333_333);
/// 2024-01-15T10:30:00Z.
const AT_MILLIS: i64 = 1_705_314_600_000;

fn warning(case: u64, reason: &str, millis: i64) -> Warning {
    NewWarning {
        guild: GUILD,
        user: USER,
        moderator: MODERATOR,
        reason: Reason::parse(reason).unwrap(),
        created_at: Timestamp::from_unix_millis(millis),
        request: RequestId(1),
    }
    .with_case(CaseNumber(case))
}

fn index_document(model: &IndexModel) -> Document {
    bson::to_document(model).unwrap()
}

#[test]
fn case_counter_is_one_document_per_guild() {
    assert_eq!(
        case_counter_filter(GUILD),
        doc! { "_id": "cases:111111111111111111" }
    );
    assert_eq!(next_case_update(), doc! { "$inc": { "seq": 1_i64 } });
    assert_eq!(
        create_case_counter_update(GUILD),
        doc! { "$setOnInsert": { "guild_id": "111111111111111111", "seq": 0_i64 } }
    );
    assert_eq!(
        raise_case_counter_update(GUILD, 41),
        doc! {
            "$max": { "seq": 41_i64 },
            "$setOnInsert": { "guild_id": "111111111111111111" },
        }
    );
}

#[test]
#[allow(clippy::cast_precision_loss)] // the Double an 18-digit id is stored as
fn member_filters_match_string_and_numeric_ids() {
    // 18-digit ids have no exact Double: the nearest one is matched as well.
    let guild = doc! { "$in": ["111111111111111111", 111_111_111_111_111_111_i64,
    111_111_111_111_111_111_u64 as f64] };
    let user = doc! { "$in": ["222222222222222222", 222_222_222_222_222_222_i64,
    222_222_222_222_222_222_u64 as f64] };
    assert_eq!(
        member_filter(GUILD, USER),
        doc! { "guild_id": guild.clone(), "user_id": user.clone() }
    );
    // A small id is its own Double: no third form.
    assert_eq!(
        crate::store::id_forms(42),
        Bson::Document(doc! { "$in": ["42", 42_i64] })
    );
    assert_eq!(
        member_case_filter(GUILD, USER, 7),
        doc! {
            "guild_id": guild.clone(),
            "user_id": user.clone(),
            "warnings.id": { "$in": [7_i64, "7"] },
        }
    );
    assert_eq!(user_filter(USER), doc! { "user_id": user.clone() });
    assert_eq!(
        crate::store::numeric_ids_filter(&member_ids(GUILD, USER)),
        doc! {
            "guild_id": guild.clone(),
            "user_id": user,
            "$or": [
                { "guild_id": { "$not": { "$type": "string" } } },
                { "user_id": { "$not": { "$type": "string" } } },
            ],
        }
    );
    assert_eq!(
        crate::store::string_ids_update(&member_ids(GUILD, USER)),
        doc! { "$set": {
            "guild_id": "111111111111111111", "user_id": "222222222222222222",
        } }
    );
    assert_eq!(
        member_without_request_filter(GUILD, USER, RequestId(55)),
        doc! {
            "guild_id": "111111111111111111",
            "user_id": "222222222222222222",
            "warnings.request_id": { "$ne": "55" },
        }
    );
    assert_eq!(
        request_filter(GUILD, RequestId(55)),
        doc! { "guild_id": guild, "warnings.request_id": "55" }
    );
    assert_eq!(
        guild_filter(GUILD),
        doc! { "guild_id": "111111111111111111" }
    );
}

#[test]
fn warning_entry_has_the_seed_shape() {
    let entry = warning_entry(&warning(3, "spamming", AT_MILLIS)).unwrap();
    assert_eq!(
        entry,
        doc! {
            "id": 3_i64,
            "reason": "spamming",
            "moderator_id": "333333333333333333",
            "timestamp": DateTime::from_millis(AT_MILLIS),
        }
    );
    let too_big = warning(u64::MAX, "x", 0);
    assert!(warning_entry(&too_big).is_err());
}

#[test]
fn adding_pushes_the_entry_with_its_request_and_counts_it() {
    let w = warning(3, "spamming", AT_MILLIS);
    assert_eq!(
        add_warning_update(&w, RequestId(1_234)).unwrap(),
        doc! {
            "$push": { "warnings": {
                "id": 3_i64,
                "reason": "spamming",
                "moderator_id": "333333333333333333",
                "timestamp": DateTime::from_millis(AT_MILLIS),
                "request_id": "1234",
            } },
            "$inc": { "total_warnings": 1_i32 },
        }
    );
}

#[test]
fn the_history_of_a_request_is_the_array_up_to_it() {
    let mut doc = stored_document(&[
        warning(1, "seed, no request", AT_MILLIS),
        warning(2, "second", AT_MILLIS + 5),
        warning(3, "third, stamped earlier", AT_MILLIS + 1),
    ]);
    let entries = doc.get_array_mut("warnings").unwrap();
    for (i, entry) in entries.iter_mut().enumerate().skip(1) {
        if let Bson::Document(e) = entry {
            e.insert("request_id", format!("{}", 100 + i));
        }
    }
    let added = added_through(&doc, RequestId(101), true).unwrap().unwrap();
    assert_eq!(added.warning.case, CaseNumber(2));
    assert!(added.replayed);
    let cases: Vec<u64> = added.history.iter().map(|w| w.case.0).collect();
    assert_eq!(cases, [2, 1]);
    let third = added_through(&doc, RequestId(102), false).unwrap().unwrap();
    let cases: Vec<u64> = third.history.iter().map(|w| w.case.0).collect();
    assert_eq!(cases, [2, 3, 1]);
    assert_eq!(added_through(&doc, RequestId(7), false).unwrap(), None);
}

#[test]
fn removing_takes_one_element_by_position_and_content() {
    let entry = Bson::Document(doc! { "id": 7_i32, "moderator_id": "3" });
    let id = Bson::ObjectId(ObjectId::from_bytes([1; 12]));
    assert_eq!(
        element_at_filter(&id, 2, &entry),
        doc! { "_id": id.clone(), "warnings.2": entry.clone() }
    );
    let count = doc! { "$set": { "total_warnings": { "$size": "$warnings" } } };
    assert_eq!(
        remove_element_update(2),
        [
            doc! { "$set": { "warnings": { "$concatArrays": [
                { "$slice": ["$warnings", 2_i64] },
                { "$slice": ["$warnings", 3_i64, i64::from(i32::MAX)] },
            ] } } },
            count.clone(),
        ]
    );
    assert_eq!(
        remove_element_update(0),
        [
            doc! { "$set": { "warnings":
            { "$slice": ["$warnings", 1_i64, i64::from(i32::MAX)] } } },
            count,
        ]
    );
    // The ids the filter matches, and only those.
    for (stored, matches) in [
        (Bson::Int32(7), true),
        (Bson::Int64(7), true),
        (Bson::Double(7.0), true),
        (Bson::String("7".into()), true),
        (Bson::Double(7.5), false),
        (Bson::String("07".into()), false),
        (Bson::Int64(8), false),
    ] {
        let entry = Bson::Document(doc! { "id": stored.clone() });
        assert_eq!(entry_has_id(&entry, 7), matches, "{stored:?}");
    }
    assert!(!entry_has_id(&Bson::Int32(7), 7));
}

#[test]
fn indexes_are_unique_per_member_and_guild_plus_one_per_user() {
    let warnings: Vec<Document> = warnings_indexes().iter().map(index_document).collect();
    assert_eq!(
        warnings,
        [
            doc! { "key": { "guild_id": 1, "user_id": 1 }, "unique": true },
            doc! { "key": { "user_id": 1 } },
            doc! { "key": { "guild_id": 1, "warnings.request_id": 1 } },
        ]
    );
    let settings: Vec<Document> = settings_indexes().iter().map(index_document).collect();
    assert_eq!(
        settings,
        [doc! { "key": { "guild_id": 1 }, "unique": true }]
    );
}

#[test]
fn legacy_case_pipeline_finds_ids_above_the_counter() {
    let pipeline = legacy_cases_pipeline();
    assert_eq!(pipeline.len(), 6);
    assert_eq!(pipeline[0], doc! { "$unwind": "$warnings" });
    assert_eq!(
        pipeline[1],
        doc! { "$group": {
            "_id": "$guild_id",
            "max_case": { "$max": { "$convert": {
                "input": "$warnings.id", "to": "long", "onError": 0_i64, "onNull": 0_i64,
            } } },
        } }
    );
    assert_eq!(
        pipeline[2],
        doc! { "$addFields": { "counter_id": { "$concat": ["cases:", { "$toString": "$_id" }] } } }
    );
    assert_eq!(
        pipeline[3],
        doc! { "$lookup": {
            "from": "counters", "localField": "counter_id", "foreignField": "_id", "as": "counter",
        } }
    );
    assert_eq!(
        pipeline[4],
        doc! { "$match": { "$expr": { "$gt": [
            "$max_case",
            { "$ifNull": [{ "$arrayElemAt": ["$counter.seq", 0] }, 0_i64] },
        ] } } }
    );
    assert_eq!(pipeline[5], doc! { "$project": { "max_case": 1 } });
    // The counter id built on the server must equal the one the store uses.
    assert_eq!(case_counter_id(GUILD), format!("cases:{}", GUILD.get()));
}

/// The member's document as the upsert of `add_warning` leaves it after two warnings.
fn stored_document(warnings: &[Warning]) -> Document {
    let entries: Vec<Document> = warnings.iter().map(|w| warning_entry(w).unwrap()).collect();
    doc! {
        "_id": ObjectId::new(),
        "guild_id": GUILD.to_string(),
        "user_id": USER.to_string(),
        "warnings": entries,
        "total_warnings": i32::try_from(warnings.len()).unwrap(),
    }
}

#[test]
fn written_warnings_read_back_equal() {
    let list = [
        warning(1, "first", AT_MILLIS),
        warning(2, "Ωж😀 second", AT_MILLIS + 1),
    ];
    let read = read_warnings(&stored_document(&list), GUILD, USER).unwrap();
    assert_eq!((read.warnings, read.unreadable), (list.to_vec(), 0));
    assert_eq!(count_entries(&stored_document(&list)), 2);
}

#[test]
fn seed_documents_with_int32_ids_double_counts_and_iso_times_read() {
    // As pymongo wrote them: Python ints as Int32, a float count, datetimes as BSON dates or
    // isoformat() strings, seconds from time.time().
    let doc = doc! {
        "_id": ObjectId::new(),
        "user_id": "222222222222222222",
        "guild_id": "111111111111111111",
        "warnings": [
            { "id": 1_i32, "reason": "spam", "moderator_id": "333333333333333333",
              "timestamp": DateTime::from_millis(AT_MILLIS) },
            { "id": 2.0, "reason": "caps", "moderator_id": "333333333333333333",
              "timestamp": "2024-01-15T10:30:00.500000" },
            { "id": 3_i64, "reason": "links", "moderator_id": 333_333_333_333_333_333_i64,
              "timestamp": 1_705_314_601.0 },
        ],
        "total_warnings": 3.0,
    };
    let mut expected = vec![
        warning(1, "spam", AT_MILLIS),
        warning(2, "caps", AT_MILLIS + 500),
        warning(3, "links", AT_MILLIS + 1_000),
    ];
    assert_eq!(read_warnings(&doc, GUILD, USER).unwrap().warnings, expected);
    // And the store's order on top of it.
    let mut listed = read_warnings(&doc, GUILD, USER).unwrap().warnings;
    sort_newest_first(&mut listed);
    expected.reverse();
    assert_eq!(listed, expected);
}

#[test]
fn missing_optional_fields_get_documented_defaults() {
    let doc = doc! {
        "user_id": "222222222222222222",
        "guild_id": "111111111111111111",
        "warnings": [
            { "id": 4, "moderator_id": "333333333333333333" },
            { "id": 5, "moderator_id": "333333333333333333", "reason": null,
              "timestamp": null },
        ],
        // total_warnings missing: it is never read.
    };
    let read = read_warnings(&doc, GUILD, USER).unwrap().warnings;
    assert_eq!(read.len(), 2);
    assert!(read.iter().all(|w| w.reason.is_empty()));
    assert!(read.iter().all(|w| w.created_at == Timestamp::UNIX_EPOCH));
    let no_array = doc! { "user_id": "222222222222222222", "guild_id": "111111111111111111" };
    assert_eq!(
        read_warnings(&no_array, GUILD, USER).unwrap(),
        WarningList::default()
    );
    assert_eq!(count_entries(&no_array), 0);
}

#[test]
fn unreadable_warning_documents_name_the_field() {
    let base = || {
        doc! {
            "user_id": "222222222222222222",
            "guild_id": "111111111111111111",
            "warnings": [
                { "id": 1, "moderator_id": "333333333333333333", "reason": "ok" },
            ],
        }
    };
    let problem = |edit: &dyn Fn(&mut Document)| {
        let mut doc = base();
        edit(&mut doc);
        read_warnings(&doc, GUILD, USER).unwrap_err().to_string()
    };
    assert!(read_warnings(&base(), GUILD, USER).is_ok());
    // The ids are the ones the document was found by, whatever the document stores.
    let mut doubles = base();
    doubles.insert("guild_id", 1.1e17);
    doubles.remove("user_id");
    assert_eq!(
        read_warnings(&doubles, GUILD, USER).unwrap().warnings[0].guild,
        GUILD
    );
    assert_eq!(
        problem(&|d| {
            d.insert("warnings", "none");
        }),
        "field `warnings`: expected an array"
    );
    // An unreadable element names its field, and is skipped and counted when the list is
    // read: the member's other warnings still show.
    let element = |entry: Bson| {
        let list = read_warnings(
            &doc! {
                "user_id": "2", "guild_id": "1",
                "warnings": [entry.clone(), { "id": 9, "moderator_id": "3", "reason": "ok" }],
            },
            GUILD,
            USER,
        )
        .unwrap();
        assert_eq!(list.unreadable, 1, "{entry:?}");
        assert_eq!(cases_of(&list.warnings), [9], "{entry:?}");
        read_entry(GuildId::new(1), UserId::new(2), &entry)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(element(Bson::Int32(1)), "field ``: expected a document");
    assert_eq!(
        element(doc! { "id": 1, "reason": "r" }.into()),
        "field `moderator_id`: missing"
    );
    assert_eq!(
        element(doc! { "moderator_id": "3" }.into()),
        "field `id`: missing"
    );
    assert_eq!(
        element(doc! { "id": 1.5, "moderator_id": "3" }.into()),
        "field `id`: expected a whole number, found Double"
    );
    assert_eq!(
        element(doc! { "id": "two", "moderator_id": "3" }.into()),
        "field `id`: `two` is not a warning id"
    );
    assert_eq!(
        element(doc! { "id": 1, "moderator_id": "3", "reason": 5 }.into()),
        "field `reason`: expected a string, found Int32"
    );
    assert_eq!(
        element(doc! { "id": 1, "moderator_id": "3", "timestamp": "soon" }.into()),
        "field `timestamp`: `soon` is not an ISO-8601 date and time"
    );
    assert_eq!(element(Bson::Null), "field ``: expected a document");
    let err = corrupt("listing warnings")(ReadError::new("x", "y"));
    assert_eq!(err.kind(), StoreErrorKind::Corrupt);
}

fn full_policy() -> EscalationPolicy {
    EscalationPolicy::new(vec![
        EscalationStep {
            warnings: 3,
            within: None,
            action: Punishment::Timeout {
                duration: Duration::from_secs(3_600),
            },
        },
        EscalationStep {
            warnings: 5,
            within: Some(Duration::from_secs(604_800)),
            action: Punishment::Kick,
        },
        EscalationStep {
            warnings: 7,
            within: None,
            action: Punishment::Ban { duration: None },
        },
    ])
    .unwrap()
}

fn full_change() -> SettingsChange {
    let mut change = SettingsChange::escalation(full_policy());
    change.mod_log_channel = Some(Some(ChannelId::new(444_444_444_444_444_444)));
    change
}

/// The document an upsert with `update` creates for a new guild.
fn inserted(update: &Document) -> Document {
    let mut doc = doc! { "guild_id": "111111111111111111" };
    for operator in ["$set", "$setOnInsert"] {
        if let Ok(fields) = update.get_document(operator) {
            doc.extend(fields.clone());
        }
    }
    doc
}

#[test]
fn a_settings_change_sets_only_its_fields_and_defaults_the_rest_on_insert() {
    let policy = doc! { "escalation": [
        { "warnings": 3_i64, "within_secs": null,
          "action": { "kind": "timeout", "duration_secs": 3_600_i64 } },
        { "warnings": 5_i64, "within_secs": 604_800_i64,
          "action": { "kind": "kick" } },
        { "warnings": 7_i64, "within_secs": null,
          "action": { "kind": "ban", "duration_secs": null } },
    ] };
    assert_eq!(
        settings_update(&full_change()).unwrap(),
        doc! { "$set": {
            "mod_log_channel_id": "444444444444444444",
            "escalation": policy.get("escalation").unwrap().clone(),
        } }
    );
    let default_policy = bson::to_bson(&EscalationPolicy::default()).unwrap();
    assert_eq!(
        settings_update(&SettingsChange::mod_log_channel(None)).unwrap(),
        doc! {
            "$set": { "mod_log_channel_id": null },
            "$setOnInsert": { "escalation": default_policy },
        }
    );
    assert_eq!(
        settings_update(&SettingsChange::escalation(EscalationPolicy::none())).unwrap(),
        doc! {
            "$set": { "escalation": [] },
            "$setOnInsert": { "mod_log_channel_id": null },
        }
    );
}

#[test]
fn settings_read_back_equal_and_fill_in_defaults() {
    for change in [full_change(), SettingsChange::default()] {
        let doc = inserted(&settings_update(&change).unwrap());
        assert_eq!(
            read_settings(&doc).unwrap(),
            change.apply(ModerationSettings::default())
        );
    }
    // Numbers as Int32 or whole Doubles, as a hand edit in a shell might leave them.
    let edited = doc! {
        "guild_id": "111111111111111111",
        "escalation": [
            { "warnings": 3_i32, "action": { "kind": "timeout", "duration_secs": 60_i32 } },
            { "warnings": 5.0, "within_secs": 86_400.0, "action": { "kind": "kick" } },
        ],
    };
    let read = read_settings(&edited).unwrap();
    assert_eq!(read.mod_log_channel, None);
    let steps = read.escalation.steps();
    assert_eq!(
        (steps[0].warnings, steps[0].action),
        (
            3,
            Punishment::Timeout {
                duration: Duration::from_secs(60)
            }
        )
    );
    assert_eq!(
        (steps[1].warnings, steps[1].within),
        (5, Some(Duration::from_secs(86_400)))
    );
    assert_eq!(
        read_settings(&doc! { "guild_id": "1" }).unwrap(),
        ModerationSettings::default()
    );
}

#[test]
fn invalid_settings_are_corrupt_not_silently_fixed() {
    let zero_threshold = doc! {
        "guild_id": "1",
        "escalation": [{ "warnings": 0, "action": { "kind": "kick" } }],
    };
    let err = read_settings(&zero_threshold).unwrap_err().to_string();
    assert!(err.starts_with("field `escalation`: "), "{err}");
    let bad_channel = doc! { "guild_id": "1", "mod_log_channel_id": "general" };
    assert!(read_settings(&bad_channel).is_err());
}

#[test]
fn a_bad_legacy_total_is_repaired_only_while_it_is_not_a_number() {
    let guild = GuildId::new(1);
    let user = UserId::new(2);
    assert_eq!(
        member_with_bad_total_filter(guild, user),
        doc! {
            "guild_id": { "$in": ["1", 1_i64] }, "user_id": { "$in": ["2", 2_i64] },
            "total_warnings": { "$not": { "$type": "number" } },
        }
    );
    assert_eq!(
        set_total_update(3),
        doc! { "$set": { "total_warnings": 3_i32 } }
    );
}

fn cases_of(list: &[Warning]) -> Vec<u64> {
    list.iter().map(|w| w.case.0).collect()
}

#[test]
fn the_history_leaves_out_unreadable_elements() {
    let mut doc = stored_document(&[warning(1, "first", AT_MILLIS)]);
    let entries = doc.get_array_mut("warnings").unwrap();
    entries.insert(0, Bson::String("garbage".into()));
    let mut added = warning_entry(&warning(2, "second", AT_MILLIS + 1)).unwrap();
    added.insert("request_id", "55");
    entries.push(Bson::Document(added));
    let through = added_through(&doc, RequestId(55), false).unwrap().unwrap();
    assert_eq!(through.warning.case, CaseNumber(2));
    assert_eq!(cases_of(&through.history), [2, 1]);
}

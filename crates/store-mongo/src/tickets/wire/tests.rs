use mongodb::bson::{Bson, Regex, doc};

use super::*;

#[test]
fn the_guard_requires_a_free_position_in_both_arrays() {
    assert_eq!(
        room_filter("1:2", 2, 3),
        doc! { "_id": "1:2", "open.1": { "$exists": false }, "opened.2": { "$exists": false } }
    );
}

#[test]
fn a_revision_of_zero_also_matches_the_earlier_bots_documents() {
    let g = GuildId::new(5);
    assert_eq!(
        revision_filter(g, TicketNumber(3), 0),
        doc! {
            "guild_id": { "$in": ["5", 5_i64] }, "ticket_id": { "$in": [3_i64, Bson::RegularExpression(Regex { pattern: "^(.*\\D)?0*3$".into(), options: String::new() })] },
            "$or": [{ "revision": 0_i64 }, { "revision": { "$exists": false } }],
        }
    );
    assert_eq!(
        revision_filter(g, TicketNumber(3), 4).get_i64("revision"),
        Ok(4)
    );
}

#[test]
fn numbers_read_from_integers_doubles_and_strings() {
    for (value, number) in [
        (Bson::Int32(7), 7),
        (Bson::Int64(8), 8),
        (Bson::Double(9.0), 9),
        (Bson::String("10".into()), 10),
        (Bson::String("ticket-0011".into()), 11),
        (Bson::String("abc".into()), 0),
        (Bson::Double(1.5), 0),
        (Bson::Int32(-3), 0),
    ] {
        assert_eq!(
            read_number(&doc! { "ticket_id": value.clone() }),
            TicketNumber(number),
            "{value}"
        );
    }
    assert_eq!(read_number(&doc! {}), TicketNumber(0));
}

#[test]
fn a_new_ticket_is_stored_in_the_seeds_shape() {
    let ticket = Ticket::from_new(
        hearth_tickets::NewTicket {
            guild: GuildId::new(1),
            opener: UserId::new(2),
            category: "support".into(),
            reason: Some("help".into()),
            answers: Vec::new(),
            created_at: Timestamp::from_unix_secs(10),
        },
        TicketNumber(4),
    );
    let slot = ObjectId::new();
    let document = ticket_document(slot, &ticket);
    for key in [
        "ticket_id",
        "guild_id",
        "user_id",
        "channel_id",
        "category",
        "status",
        "claimed_by",
        "created_at",
        "closed_at",
        "rating",
    ] {
        assert!(document.contains_key(key), "{key}");
    }
    assert_eq!(document.get_i64("ticket_id"), Ok(4));
    assert_eq!(document.get_str("status"), Ok("open"));
    assert_eq!(document.get_i64("revision"), Ok(0));
    assert_eq!(read_ticket(&document).unwrap(), ticket);
}

#[test]
fn a_document_without_an_opener_is_nobodys_ticket() {
    let err = read_ticket(&doc! { "guild_id": "1", "ticket_id": 1 }).unwrap_err();
    assert_eq!(err.to_string(), "field `user_id`: missing");
}

use super::*;
use crate::file_fixture::{FileFixture, fixture};

hearth_tickets::ticket_store_suite!(fixture);

#[tokio::test]
async fn an_unreadable_row_is_reported_as_corrupt() {
    let FileFixture { store, dir: _dir } = fixture().await;
    store
        .call("planting a bad row", |c| {
            c.execute(
                &format!(
                    "INSERT INTO tickets ({COLUMNS}) VALUES (1, 1, 2, 'x', NULL, 'archived', NULL,
                     NULL, '[]', 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL)"
                ),
                [],
            )
            .map_err(sql_error("x"))
        })
        .await
        .unwrap();
    let err = store
        .ticket(GuildId::new(1), TicketNumber(1))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::Corrupt);
    assert_eq!(
        std::error::Error::source(&err).unwrap().to_string(),
        "bad status"
    );
}

#[tokio::test]
async fn every_query_a_message_or_open_runs_uses_an_index() {
    let FileFixture { store, dir: _dir } = fixture().await;
    let plans = store
        .call("explaining", |c| {
            let mut plans = Vec::new();
            for sql in [
                "SELECT count(*) FROM tickets WHERE guild_id = 1 AND opener_id = 2 AND status <> 'closed'",
                "SELECT created_at FROM tickets WHERE guild_id = 1 AND opener_id = 2 AND created_at > 5",
                "SELECT * FROM tickets WHERE guild_id = 1 AND channel_id = 2 ORDER BY number DESC LIMIT 1",
            ] {
                let mut stmt = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
                let detail: Vec<String> = stmt
                    .query_map([], |r| r.get::<_, String>(3))
                    .unwrap()
                    .collect::<rusqlite::Result<_>>()
                    .unwrap();
                plans.push(detail.join("; "));
            }
            Ok(plans)
        })
        .await
        .unwrap();
    for plan in plans {
        assert!(
            plan.contains("USING INDEX") || plan.contains("USING COVERING INDEX"),
            "{plan}"
        );
    }
}

//! `TicketStore` and `TicketSettingsStore` of hearth-tickets on SQLite: the `tickets`
//! migration domain.
//!
//! - Opening is one `IMMEDIATE` transaction: the member's active count and recent openings
//!   (served by `tickets_by_opener`), [`MemberLimits::check`], the guild's counter
//!   (`UPDATE … RETURNING`) and the insert. The write lock is held from the first statement,
//!   so of concurrent opens by a member at the limit — from this or another process — exactly
//!   one passes.
//! - Every other change is one `UPDATE … WHERE revision = ? RETURNING`: a compare-and-set
//!   on the revision the caller's decision was made on.
//! - Settings are one JSON document per guild; panel categories and answers are JSON arrays.

use std::future::Future;

use hearth_core::{ChannelId, GuildId, MessageId, StoreError, StoreErrorKind, Timestamp, UserId};
use hearth_tickets::{
    Answer, CloseRequest, LimitHit, MemberLimits, NewTicket, Rating, RatingScore, Ticket,
    TicketNumber, TicketStatus, TicketStore, TranscriptRecord,
};
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};

use crate::{
    SqliteStore,
    connection::{id_from_sql, id_to_sql, sql_error},
    migrations::Domain,
};

/// The ticket tables, migration by migration (see [`crate::migrations`]).
pub(crate) const SCHEMA: Domain = Domain {
    name: "tickets",
    migrations: &[
        // 1: tickets, per-guild counters, settings, panels, transcript records.
        "
    CREATE TABLE ticket_counters (
        guild_id    INTEGER PRIMARY KEY,
        last_number INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE tickets (
        guild_id           INTEGER NOT NULL,
        number             INTEGER NOT NULL,
        opener_id          INTEGER NOT NULL,
        category           TEXT    NOT NULL,
        channel_id         INTEGER,
        status             TEXT    NOT NULL,
        claimed_by         INTEGER,
        reason             TEXT,
        answers            TEXT    NOT NULL,
        created_at         INTEGER NOT NULL,
        last_activity_at   INTEGER NOT NULL,
        first_response_at  INTEGER,
        first_responder    INTEGER,
        warned_at          INTEGER,
        close_requested_by INTEGER,
        closed_at          INTEGER,
        closed_by          INTEGER,
        close_reason       TEXT,
        rating             INTEGER,
        rating_comment     TEXT,
        revision           INTEGER NOT NULL,
        PRIMARY KEY (guild_id, number)
    ) STRICT;
    -- Serves the limits on every open: a member's tickets by opening time.
    CREATE INDEX tickets_by_opener ON tickets (guild_id, opener_id, created_at);
    -- Serves every message in a ticket channel.
    CREATE INDEX tickets_by_channel ON tickets (guild_id, channel_id) WHERE channel_id IS NOT NULL;
    -- Serves the auto-close sweep and the queue.
    CREATE INDEX tickets_active ON tickets (guild_id, number) WHERE status <> 'closed';
    -- Serves statistics.
    CREATE INDEX tickets_by_created ON tickets (guild_id, created_at);
    -- Serves data-deletion requests.
    CREATE INDEX tickets_by_user ON tickets (opener_id);

    CREATE TABLE ticket_settings (
        guild_id INTEGER PRIMARY KEY,
        settings TEXT    NOT NULL
    ) STRICT;

    CREATE TABLE ticket_panels (
        guild_id   INTEGER NOT NULL,
        message_id INTEGER NOT NULL,
        channel_id INTEGER NOT NULL,
        categories TEXT    NOT NULL,
        PRIMARY KEY (guild_id, message_id)
    ) STRICT;

    CREATE TABLE ticket_transcripts (
        guild_id       INTEGER NOT NULL,
        number         INTEGER NOT NULL,
        created_at     INTEGER NOT NULL,
        messages       INTEGER NOT NULL,
        omitted        INTEGER NOT NULL,
        log_channel_id INTEGER,
        log_message_id INTEGER
    ) STRICT;
    CREATE INDEX ticket_transcripts_by_ticket ON ticket_transcripts (guild_id, number, created_at);
    ",
        // 2: a close request's reason and the time it closes the ticket unanswered.
        "
    ALTER TABLE tickets ADD COLUMN close_request_reason TEXT;
    ALTER TABLE tickets ADD COLUMN close_request_due    INTEGER;
    ",
    ],
};

const COLUMNS: &str = "guild_id, number, opener_id, category, channel_id, status, claimed_by, \
    reason, answers, created_at, last_activity_at, first_response_at, first_responder, \
    warned_at, close_requested_by, closed_at, closed_by, close_reason, rating, rating_comment, \
    revision, close_request_reason, close_request_due";

fn corrupt(what: &str) -> StoreError {
    StoreError::new(
        StoreErrorKind::Corrupt,
        "reading a ticket",
        format!("bad {what}"),
    )
}

fn id<T>(value: i64, what: &str, make: fn(u64) -> Option<T>) -> Result<T, StoreError> {
    make(id_from_sql(value)).ok_or_else(|| corrupt(what))
}

fn opt_id<T>(
    value: Option<i64>,
    what: &str,
    make: fn(u64) -> Option<T>,
) -> Result<Option<T>, StoreError> {
    value.map(|v| id(v, what, make)).transpose()
}

/// A `tickets` row as SQLite holds it: read by position in [`COLUMNS`] order, then cooked.
fn read_row(row: &Row<'_>) -> rusqlite::Result<Result<Ticket, StoreError>> {
    let status: String = row.get(5)?;
    let answers: String = row.get(8)?;
    let rating: Option<i64> = row.get(18)?;
    let comment: Option<String> = row.get(19)?;
    let revision: i64 = row.get(20)?;
    let number: i64 = row.get(1)?;
    let time = |i: usize| row.get::<_, i64>(i).map(Timestamp::from_unix_millis);
    let opt_time = |i: usize| {
        row.get::<_, Option<i64>>(i)
            .map(|t| t.map(Timestamp::from_unix_millis))
    };
    let (created_at, last_activity_at) = (time(9)?, time(10)?);
    let (first_response_at, warned_at, closed_at) = (opt_time(11)?, opt_time(13)?, opt_time(15)?);
    let (request_reason, request_due) = (row.get::<_, Option<String>>(21)?, opt_time(22)?);
    let raw = (
        row.get::<_, i64>(0)?,
        row.get::<_, i64>(2)?,
        row.get::<_, String>(3)?,
        row.get::<_, Option<i64>>(4)?,
        row.get::<_, Option<i64>>(6)?,
        row.get::<_, Option<String>>(7)?,
        row.get::<_, Option<i64>>(12)?,
        row.get::<_, Option<i64>>(14)?,
        row.get::<_, Option<i64>>(16)?,
        row.get::<_, Option<String>>(17)?,
    );
    let (guild, opener, category, channel, claimed_by, reason, responder, requester, closer, why) =
        raw;
    Ok((|| {
        let rating = rating
            .map(|score| {
                let score = u8::try_from(score)
                    .ok()
                    .and_then(|s| RatingScore::new(s).ok())
                    .ok_or_else(|| corrupt("rating"))?;
                Ok::<_, StoreError>(Rating { score, comment })
            })
            .transpose()?;
        Ok(Ticket {
            guild: id(guild, "guild id", GuildId::new_checked)?,
            number: TicketNumber(u64::try_from(number).map_err(|_| corrupt("number"))?),
            opener: id(opener, "opener id", UserId::new_checked)?,
            category,
            channel: opt_id(channel, "channel id", ChannelId::new_checked)?,
            status: TicketStatus::parse(&status).ok_or_else(|| corrupt("status"))?,
            claimed_by: opt_id(claimed_by, "claimer id", UserId::new_checked)?,
            reason,
            answers: serde_json::from_str::<Vec<Answer>>(&answers)
                .map_err(|_| corrupt("answers"))?,
            created_at,
            last_activity_at,
            first_response_at,
            first_responder: opt_id(responder, "responder id", UserId::new_checked)?,
            inactivity_warned_at: warned_at,
            close_request: opt_id(requester, "requester id", UserId::new_checked)?.map(|by| {
                CloseRequest {
                    by,
                    reason: request_reason,
                    closes_at: request_due,
                }
            }),
            closed_at,
            closed_by: opt_id(closer, "closer id", UserId::new_checked)?,
            close_reason: why,
            rating,
            revision: u64::try_from(revision).map_err(|_| corrupt("revision"))?,
        })
    })())
}

fn query_tickets(
    conn: &Connection,
    context: &'static str,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<Ticket>, StoreError> {
    let mut stmt = conn.prepare_cached(sql).map_err(sql_error(context))?;
    let rows = stmt
        .query_map(params, read_row)
        .map_err(sql_error(context))?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(sql_error(context))?;
    rows.into_iter().collect()
}

fn sql_time(t: Option<Timestamp>) -> Option<i64> {
    t.map(Timestamp::unix_millis)
}

fn sql_id(id: Option<u64>) -> Option<i64> {
    id.map(id_to_sql)
}

fn to_json<T: serde::Serialize>(value: &T, context: &'static str) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::new(StoreErrorKind::Other, context, e))
}

/// The member's active count and opening times in the window, then the check.
fn check_limits(
    conn: &Connection,
    new: &NewTicket,
    limits: MemberLimits,
) -> Result<Result<(), LimitHit>, StoreError> {
    const CONTEXT: &str = "opening a ticket";
    let (guild, opener) = (id_to_sql(new.guild.get()), id_to_sql(new.opener.get()));
    let open: i64 = conn
        .prepare_cached(
            "SELECT count(*) FROM tickets
             WHERE guild_id = ?1 AND opener_id = ?2 AND status <> 'closed'",
        )
        .and_then(|mut s| s.query_row(params![guild, opener], |r| r.get(0)))
        .map_err(sql_error(CONTEXT))?;
    let start = limits.window_start(new.created_at).unix_millis();
    let opening_times = conn
        .prepare_cached(
            "SELECT created_at FROM tickets
             WHERE guild_id = ?1 AND opener_id = ?2 AND created_at > ?3",
        )
        .and_then(|mut s| {
            s.query_map(params![guild, opener, start], |r| {
                r.get::<_, i64>(0).map(Timestamp::from_unix_millis)
            })?
            .collect::<rusqlite::Result<Vec<_>>>()
        })
        .map_err(sql_error(CONTEXT))?;
    let open = u32::try_from(open).unwrap_or(u32::MAX);
    Ok(limits.check(open, &opening_times, new.created_at))
}

impl TicketStore for SqliteStore {
    fn open_ticket(
        &self,
        new: NewTicket,
        limits: MemberLimits,
    ) -> impl Future<Output = Result<Result<Ticket, LimitHit>, StoreError>> + Send {
        const CONTEXT: &str = "opening a ticket";
        self.call(CONTEXT, move |conn| {
            // IMMEDIATE: the write lock from the first read, so no other open by this member
            // (in this process or another) falls between the count and the insert.
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(sql_error(CONTEXT))?;
            if let Err(hit) = check_limits(&tx, &new, limits)? {
                return Ok(Err(hit));
            }
            let guild = id_to_sql(new.guild.get());
            let number: i64 = tx
                .prepare_cached(
                    "INSERT INTO ticket_counters (guild_id, last_number) VALUES (?1, 1)
                     ON CONFLICT (guild_id) DO UPDATE SET last_number = last_number + 1
                     RETURNING last_number",
                )
                .and_then(|mut s| s.query_row(params![guild], |r| r.get(0)))
                .map_err(sql_error(CONTEXT))?;
            let number = TicketNumber(u64::try_from(number).map_err(|_| corrupt("counter"))?);
            let ticket = Ticket::from_new(new, number);
            let answers = to_json(&ticket.answers, CONTEXT)?;
            tx.prepare_cached(&format!(
                "INSERT INTO tickets ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, NULL, ?5, NULL, ?6, ?7,
                 ?8, ?8, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL)"
            ))
            .and_then(|mut s| {
                s.execute(params![
                    guild,
                    i64::try_from(number.0).unwrap_or(i64::MAX),
                    id_to_sql(ticket.opener.get()),
                    ticket.category,
                    ticket.status.as_str(),
                    ticket.reason,
                    answers,
                    ticket.created_at.unix_millis(),
                ])
            })
            .map_err(sql_error(CONTEXT))?;
            tx.commit().map_err(sql_error(CONTEXT))?;
            Ok(Ok(ticket))
        })
    }

    fn abandon_ticket(
        &self,
        guild: GuildId,
        number: TicketNumber,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        const CONTEXT: &str = "abandoning a ticket";
        self.call(CONTEXT, move |conn| {
            conn.prepare_cached("DELETE FROM tickets WHERE guild_id = ?1 AND number = ?2")
                .and_then(|mut s| s.execute(params![id_to_sql(guild.get()), sql_number(number)]))
                .map(|n| n > 0)
                .map_err(sql_error(CONTEXT))
        })
    }

    fn ticket(
        &self,
        guild: GuildId,
        number: TicketNumber,
    ) -> impl Future<Output = Result<Option<Ticket>, StoreError>> + Send {
        self.call("reading a ticket", move |conn| {
            query_tickets(
                conn,
                "reading a ticket",
                &format!("SELECT {COLUMNS} FROM tickets WHERE guild_id = ?1 AND number = ?2"),
                params![id_to_sql(guild.get()), sql_number(number)],
            )
            .map(|mut list| list.pop())
        })
    }

    fn ticket_in_channel(
        &self,
        guild: GuildId,
        channel: ChannelId,
    ) -> impl Future<Output = Result<Option<Ticket>, StoreError>> + Send {
        const CONTEXT: &str = "finding a channel's ticket";
        self.call(CONTEXT, move |conn| {
            query_tickets(
                conn,
                CONTEXT,
                &format!(
                    "SELECT {COLUMNS} FROM tickets WHERE guild_id = ?1 AND channel_id = ?2
                     ORDER BY number DESC LIMIT 1"
                ),
                params![id_to_sql(guild.get()), id_to_sql(channel.get())],
            )
            .map(|mut list| list.pop())
        })
    }

    fn update_ticket(
        &self,
        ticket: &Ticket,
    ) -> impl Future<Output = Result<Option<Ticket>, StoreError>> + Send {
        const CONTEXT: &str = "updating a ticket";
        let t = ticket.clone();
        self.call(CONTEXT, move |conn| {
            let revision = i64::try_from(t.revision).map_err(|_| corrupt("revision"))?;
            let mut stmt = conn
                .prepare_cached(&format!(
                    "UPDATE tickets SET channel_id = ?3, status = ?4, claimed_by = ?5,
                         last_activity_at = ?6, first_response_at = ?7, first_responder = ?8,
                         warned_at = ?9, close_requested_by = ?10, closed_at = ?11,
                         closed_by = ?12, close_reason = ?13, rating = ?14,
                         rating_comment = ?15, close_request_reason = ?17,
                         close_request_due = ?18, revision = revision + 1
                     WHERE guild_id = ?1 AND number = ?2 AND revision = ?16
                     RETURNING {COLUMNS}"
                ))
                .map_err(sql_error(CONTEXT))?;
            let row = stmt
                .query_row(
                    params![
                        id_to_sql(t.guild.get()),
                        sql_number(t.number),
                        sql_id(t.channel.map(ChannelId::get)),
                        t.status.as_str(),
                        sql_id(t.claimed_by.map(UserId::get)),
                        t.last_activity_at.unix_millis(),
                        sql_time(t.first_response_at),
                        sql_id(t.first_responder.map(UserId::get)),
                        sql_time(t.inactivity_warned_at),
                        sql_id(t.close_request.as_ref().map(|r| r.by.get())),
                        sql_time(t.closed_at),
                        sql_id(t.closed_by.map(UserId::get)),
                        t.close_reason,
                        t.rating.as_ref().map(|r| i64::from(r.score.get())),
                        t.rating.as_ref().and_then(|r| r.comment.clone()),
                        revision,
                        t.close_request.as_ref().and_then(|r| r.reason.clone()),
                        sql_time(t.close_request.as_ref().and_then(|r| r.closes_at)),
                    ],
                    read_row,
                )
                .optional()
                .map_err(sql_error(CONTEXT))?;
            row.transpose()
        })
    }

    fn active_tickets(
        &self,
        guild: GuildId,
    ) -> impl Future<Output = Result<Vec<Ticket>, StoreError>> + Send {
        const CONTEXT: &str = "listing active tickets";
        self.call(CONTEXT, move |conn| {
            query_tickets(
                conn,
                CONTEXT,
                &format!(
                    "SELECT {COLUMNS} FROM tickets WHERE guild_id = ?1 AND status <> 'closed'
                     ORDER BY number"
                ),
                params![id_to_sql(guild.get())],
            )
        })
    }

    fn tickets_since(
        &self,
        guild: GuildId,
        since: Timestamp,
    ) -> impl Future<Output = Result<Vec<Ticket>, StoreError>> + Send {
        const CONTEXT: &str = "listing tickets";
        self.call(CONTEXT, move |conn| {
            query_tickets(
                conn,
                CONTEXT,
                &format!(
                    "SELECT {COLUMNS} FROM tickets WHERE guild_id = ?1 AND created_at >= ?2
                     ORDER BY number"
                ),
                params![id_to_sql(guild.get()), since.unix_millis()],
            )
        })
    }

    fn record_transcript(
        &self,
        record: TranscriptRecord,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        const CONTEXT: &str = "recording a transcript";
        self.call(CONTEXT, move |conn| {
            let (channel, message) = record
                .log_message
                .map_or((None, None), |(c, m)| (Some(c.get()), Some(m.get())));
            conn.prepare_cached(
                "INSERT INTO ticket_transcripts VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    id_to_sql(record.guild.get()),
                    sql_number(record.ticket),
                    record.created_at.unix_millis(),
                    i64::try_from(record.messages).unwrap_or(i64::MAX),
                    i64::try_from(record.omitted).unwrap_or(i64::MAX),
                    sql_id(channel),
                    sql_id(message),
                ])
            })
            .map(drop)
            .map_err(sql_error(CONTEXT))
        })
    }

    fn transcripts(
        &self,
        guild: GuildId,
        number: TicketNumber,
    ) -> impl Future<Output = Result<Vec<TranscriptRecord>, StoreError>> + Send {
        const CONTEXT: &str = "listing transcripts";
        self.call(CONTEXT, move |conn| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT created_at, messages, omitted, log_channel_id, log_message_id
                     FROM ticket_transcripts WHERE guild_id = ?1 AND number = ?2
                     ORDER BY created_at, rowid",
                )
                .map_err(sql_error(CONTEXT))?;
            let rows = stmt
                .query_map(params![id_to_sql(guild.get()), sql_number(number)], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, Option<i64>>(3)?,
                        r.get::<_, Option<i64>>(4)?,
                    ))
                })
                .and_then(Iterator::collect::<rusqlite::Result<Vec<_>>>)
                .map_err(sql_error(CONTEXT))?;
            rows.into_iter()
                .map(|(at, messages, omitted, channel, message)| {
                    let log = match (channel, message) {
                        (Some(c), Some(m)) => Some((
                            id(c, "log channel", ChannelId::new_checked)?,
                            id(m, "log message", MessageId::new_checked)?,
                        )),
                        _ => None,
                    };
                    Ok(TranscriptRecord {
                        guild,
                        ticket: number,
                        created_at: Timestamp::from_unix_millis(at),
                        messages: u64::try_from(messages).map_err(|_| corrupt("count"))?,
                        omitted: u64::try_from(omitted).map_err(|_| corrupt("count"))?,
                        log_message: log,
                    })
                })
                .collect()
        })
    }

    fn delete_user_data(
        &self,
        user: UserId,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send {
        const CONTEXT: &str = "deleting a user's tickets";
        self.call(CONTEXT, move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(sql_error(CONTEXT))?;
            let user = id_to_sql(user.get());
            tx.execute(
                "DELETE FROM ticket_transcripts WHERE (guild_id, number) IN
                 (SELECT guild_id, number FROM tickets WHERE opener_id = ?1)",
                params![user],
            )
            .map_err(sql_error(CONTEXT))?;
            let removed = tx
                .execute("DELETE FROM tickets WHERE opener_id = ?1", params![user])
                .map_err(sql_error(CONTEXT))?;
            tx.commit().map_err(sql_error(CONTEXT))?;
            Ok(removed as u64)
        })
    }
}

fn sql_number(number: TicketNumber) -> i64 {
    i64::try_from(number.0).unwrap_or(i64::MAX)
}

mod settings;
#[cfg(test)]
mod tests;

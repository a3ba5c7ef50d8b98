//! `RoleMenuStore` and `AutoroleStore` on SQLite: the `roles` migration domain.
//!
//! A menu is one row keyed by its message id, its body as JSON beside the columns queries use
//! (`guild_id`, `version`); an edit is one `UPDATE … WHERE version = ? RETURNING`. A pending
//! grant is one row keyed by `(guild, user, role)`; `due_at` is NULL while the member is in
//! membership screening, and a claim moves it to the lease's end in the same transaction that
//! reads it, so pending autoroles survive restarts and two processes never claim one twice.

use std::{future::Future, time::Duration};

use hearth_core::{GuildId, MessageId, RoleId, StoreError, StoreErrorKind, Timestamp, UserId};
use hearth_roles::{
    Autorole, AutoroleStore, AutoroleTarget, PendingGrant, RoleMenu, RoleMenuStore,
};
use rusqlite::{OptionalExtension, Row, TransactionBehavior, params};

use crate::{
    SqliteStore,
    connection::{id_from_sql, id_to_sql, sql_error},
    migrations::Domain,
};

/// The roles tables, migration by migration (see [`crate::migrations`]).
pub(crate) const SCHEMA: Domain = Domain {
    name: "roles",
    migrations: &[
        // 1: menus by message, autoroles by (guild, role), grants by (guild, user, role).
        "
    CREATE TABLE role_menus (
        message_id INTEGER PRIMARY KEY,
        guild_id   INTEGER NOT NULL,
        version    INTEGER NOT NULL,
        body       TEXT    NOT NULL
    ) STRICT;
    CREATE INDEX role_menus_by_guild ON role_menus (guild_id, message_id);
    CREATE TABLE role_autoroles (
        guild_id INTEGER NOT NULL,
        role_id  INTEGER NOT NULL,
        delay_ms INTEGER NOT NULL,
        target   TEXT    NOT NULL,
        PRIMARY KEY (guild_id, role_id)
    ) STRICT;
    CREATE TABLE role_grants (
        guild_id INTEGER NOT NULL,
        user_id  INTEGER NOT NULL,
        role_id  INTEGER NOT NULL,
        delay_ms INTEGER NOT NULL,
        due_at   INTEGER,
        PRIMARY KEY (guild_id, user_id, role_id)
    ) STRICT;
    -- Serves claims and next_grant_due.
    CREATE INDEX role_grants_by_due ON role_grants (due_at) WHERE due_at IS NOT NULL;
    ",
    ],
};

fn corrupt(context: &'static str, what: impl std::fmt::Display) -> StoreError {
    StoreError::new(StoreErrorKind::Corrupt, context, what.to_string())
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// A menu row into a domain value: the body, with the row's key and version.
fn read_menu(row: &Row<'_>) -> rusqlite::Result<(i64, i64, String)> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?))
}

fn cook_menu((message, version, body): (i64, i64, String)) -> Result<RoleMenu, StoreError> {
    const CONTEXT: &str = "reading a role menu";
    let mut menu: RoleMenu = serde_json::from_str(&body).map_err(|e| corrupt(CONTEXT, e))?;
    if menu.message.get() != id_from_sql(message) {
        return Err(corrupt(CONTEXT, "the body names another message"));
    }
    menu.version = u64::try_from(version).map_err(|_| corrupt(CONTEXT, "bad version"))?;
    Ok(menu)
}

fn body(menu: &RoleMenu) -> Result<String, StoreError> {
    serde_json::to_string(&RoleMenu {
        version: 0,
        ..menu.clone()
    })
    .map_err(|e| StoreError::new(StoreErrorKind::Other, "writing a role menu", e))
}

fn id<T>(value: i64, make: fn(u64) -> Option<T>, what: &'static str) -> Result<T, StoreError> {
    make(id_from_sql(value)).ok_or_else(|| corrupt("reading a role row", format!("bad {what} id")))
}

fn read_grant(row: &Row<'_>) -> rusqlite::Result<(i64, i64, i64, i64, Option<i64>)> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
    ))
}

fn cook_grant(
    (guild, user, role, delay, due): (i64, i64, i64, i64, Option<i64>),
) -> Result<PendingGrant, StoreError> {
    Ok(PendingGrant {
        guild: id(guild, GuildId::new_checked, "guild")?,
        user: id(user, UserId::new_checked, "user")?,
        role: id(role, RoleId::new_checked, "role")?,
        delay: Duration::from_millis(
            u64::try_from(delay).map_err(|_| corrupt("reading a grant", "bad delay"))?,
        ),
        due: due.map(Timestamp::from_unix_millis),
    })
}

const GRANT_COLUMNS: &str = "guild_id, user_id, role_id, delay_ms, due_at";

impl RoleMenuStore for SqliteStore {
    fn insert_menu(
        &self,
        menu: &RoleMenu,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        const CONTEXT: &str = "storing a role menu";
        let (message, guild, body) = (menu.message.get(), menu.guild.get(), body(menu));
        self.call(CONTEXT, move |conn| {
            let body = body?;
            let inserted = conn
                .prepare_cached(
                    "INSERT INTO role_menus (message_id, guild_id, version, body)
                     VALUES (?1, ?2, 0, ?3) ON CONFLICT (message_id) DO NOTHING",
                )
                .and_then(|mut s| s.execute(params![id_to_sql(message), id_to_sql(guild), body]))
                .map_err(sql_error(CONTEXT))?;
            Ok(inserted == 1)
        })
    }

    fn menu(
        &self,
        message: MessageId,
    ) -> impl Future<Output = Result<Option<RoleMenu>, StoreError>> + Send {
        const CONTEXT: &str = "reading a role menu";
        self.call(CONTEXT, move |conn| {
            conn.prepare_cached(
                "SELECT message_id, version, body FROM role_menus WHERE message_id = ?1",
            )
            .and_then(|mut s| {
                s.query_row([id_to_sql(message.get())], read_menu)
                    .optional()
            })
            .map_err(sql_error(CONTEXT))?
            .map(cook_menu)
            .transpose()
        })
    }

    fn guild_menus(
        &self,
        guild: GuildId,
    ) -> impl Future<Output = Result<Vec<RoleMenu>, StoreError>> + Send {
        const CONTEXT: &str = "listing role menus";
        self.call(CONTEXT, move |conn| {
            let rows = conn
                .prepare_cached(
                    "SELECT message_id, version, body FROM role_menus WHERE guild_id = ?1
                     ORDER BY message_id",
                )
                .and_then(|mut s| {
                    s.query_map([id_to_sql(guild.get())], read_menu)?
                        .collect::<Result<Vec<_>, _>>()
                })
                .map_err(sql_error(CONTEXT))?;
            rows.into_iter().map(cook_menu).collect()
        })
    }

    fn replace_menu(
        &self,
        menu: &RoleMenu,
    ) -> impl Future<Output = Result<Option<RoleMenu>, StoreError>> + Send {
        const CONTEXT: &str = "changing a role menu";
        let (message, version, body) = (menu.message.get(), menu.version, body(menu));
        self.call(CONTEXT, move |conn| {
            let body = body?;
            let version =
                i64::try_from(version).map_err(|_| corrupt(CONTEXT, "version overflow"))?;
            conn.prepare_cached(
                "UPDATE role_menus SET version = version + 1, body = ?3
                 WHERE message_id = ?1 AND version = ?2
                 RETURNING message_id, version, body",
            )
            .and_then(|mut s| {
                s.query_row(params![id_to_sql(message), version, body], read_menu)
                    .optional()
            })
            .map_err(sql_error(CONTEXT))?
            .map(cook_menu)
            .transpose()
        })
    }

    fn delete_menu(
        &self,
        guild: GuildId,
        message: MessageId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        const CONTEXT: &str = "deleting a role menu";
        self.call(CONTEXT, move |conn| {
            let deleted = conn
                .prepare_cached("DELETE FROM role_menus WHERE message_id = ?1 AND guild_id = ?2")
                .and_then(|mut s| s.execute([id_to_sql(message.get()), id_to_sql(guild.get())]))
                .map_err(sql_error(CONTEXT))?;
            Ok(deleted == 1)
        })
    }
}

impl AutoroleStore for SqliteStore {
    fn put_autorole(
        &self,
        autorole: Autorole,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        const CONTEXT: &str = "storing an autorole";
        self.call(CONTEXT, move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(sql_error(CONTEXT))?;
            let key = (id_to_sql(autorole.guild.get()), id_to_sql(autorole.role.get()));
            let existed: bool = tx
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM role_autoroles WHERE guild_id = ?1 AND role_id = ?2)",
                    [key.0, key.1],
                    |r| r.get(0),
                )
                .map_err(sql_error(CONTEXT))?;
            tx.execute(
                "INSERT OR REPLACE INTO role_autoroles (guild_id, role_id, delay_ms, target)
                 VALUES (?1, ?2, ?3, ?4)",
                params![key.0, key.1, millis(autorole.delay), autorole.target.name()],
            )
            .map_err(sql_error(CONTEXT))?;
            tx.commit().map_err(sql_error(CONTEXT))?;
            Ok(!existed)
        })
    }

    fn remove_autorole(
        &self,
        guild: GuildId,
        role: RoleId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        const CONTEXT: &str = "removing an autorole";
        self.call(CONTEXT, move |conn| {
            conn.execute(
                "DELETE FROM role_autoroles WHERE guild_id = ?1 AND role_id = ?2",
                [id_to_sql(guild.get()), id_to_sql(role.get())],
            )
            .map(|n| n == 1)
            .map_err(sql_error(CONTEXT))
        })
    }

    fn autoroles(
        &self,
        guild: GuildId,
    ) -> impl Future<Output = Result<Vec<Autorole>, StoreError>> + Send {
        const CONTEXT: &str = "listing autoroles";
        self.call(CONTEXT, move |conn| {
            let rows = conn
                .prepare_cached(
                    "SELECT role_id, delay_ms, target FROM role_autoroles WHERE guild_id = ?1
                     ORDER BY role_id",
                )
                .and_then(|mut s| {
                    s.query_map([id_to_sql(guild.get())], |r| {
                        Ok((
                            r.get::<_, i64>(0)?,
                            r.get::<_, i64>(1)?,
                            r.get::<_, String>(2)?,
                        ))
                    })?
                    .collect::<Result<Vec<_>, _>>()
                })
                .map_err(sql_error(CONTEXT))?;
            rows.into_iter()
                .map(|(role, delay, target)| {
                    Ok(Autorole {
                        guild,
                        role: id(role, RoleId::new_checked, "role")?,
                        delay: Duration::from_millis(
                            u64::try_from(delay).map_err(|_| corrupt(CONTEXT, "bad delay"))?,
                        ),
                        target: AutoroleTarget::from_name(&target).ok_or_else(|| {
                            corrupt(CONTEXT, format!("unknown target {target:?}"))
                        })?,
                    })
                })
                .collect()
        })
    }

    fn schedule_grants(
        &self,
        grants: Vec<PendingGrant>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        const CONTEXT: &str = "scheduling autoroles";
        self.call(CONTEXT, move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(sql_error(CONTEXT))?;
            {
                let mut insert = tx
                    .prepare_cached(
                        "INSERT INTO role_grants (guild_id, user_id, role_id, delay_ms, due_at)
                         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
                    )
                    .map_err(sql_error(CONTEXT))?;
                for g in &grants {
                    insert
                        .execute(params![
                            id_to_sql(g.guild.get()),
                            id_to_sql(g.user.get()),
                            id_to_sql(g.role.get()),
                            millis(g.delay),
                            g.due.map(Timestamp::unix_millis),
                        ])
                        .map_err(sql_error(CONTEXT))?;
                }
            }
            tx.commit().map_err(sql_error(CONTEXT))
        })
    }

    fn release_grants(
        &self,
        guild: GuildId,
        user: UserId,
        now: Timestamp,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send {
        const CONTEXT: &str = "releasing autoroles after screening";
        self.call(CONTEXT, move |conn| {
            conn.execute(
                "UPDATE role_grants SET due_at = ?3 + delay_ms
                 WHERE guild_id = ?1 AND user_id = ?2 AND due_at IS NULL",
                params![
                    id_to_sql(guild.get()),
                    id_to_sql(user.get()),
                    now.unix_millis()
                ],
            )
            .map(|n| n as u64)
            .map_err(sql_error(CONTEXT))
        })
    }

    fn claim_grants(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<PendingGrant>, StoreError>> + Send {
        const CONTEXT: &str = "claiming due autoroles";
        self.call(CONTEXT, move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(sql_error(CONTEXT))?;
            let rows = tx
                .prepare_cached(&format!(
                    "SELECT {GRANT_COLUMNS} FROM role_grants WHERE due_at <= ?1
                     ORDER BY due_at, guild_id, user_id, role_id LIMIT ?2"
                ))
                .and_then(|mut s| {
                    s.query_map(
                        params![now.unix_millis(), i64::try_from(limit).unwrap_or(i64::MAX)],
                        read_grant,
                    )?
                    .collect::<Result<Vec<_>, _>>()
                })
                .map_err(sql_error(CONTEXT))?;
            {
                let mut lease = tx
                    .prepare_cached(
                        "UPDATE role_grants SET due_at = ?4
                         WHERE guild_id = ?1 AND user_id = ?2 AND role_id = ?3",
                    )
                    .map_err(sql_error(CONTEXT))?;
                for (guild, user, role, ..) in &rows {
                    lease
                        .execute(params![guild, user, role, lease_until.unix_millis()])
                        .map_err(sql_error(CONTEXT))?;
                }
            }
            tx.commit().map_err(sql_error(CONTEXT))?;
            rows.into_iter().map(cook_grant).collect()
        })
    }

    fn finish_grant(
        &self,
        guild: GuildId,
        user: UserId,
        role: RoleId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        const CONTEXT: &str = "finishing an autorole";
        self.call(CONTEXT, move |conn| {
            conn.execute(
                "DELETE FROM role_grants WHERE guild_id = ?1 AND user_id = ?2 AND role_id = ?3",
                [
                    id_to_sql(guild.get()),
                    id_to_sql(user.get()),
                    id_to_sql(role.get()),
                ],
            )
            .map(|n| n == 1)
            .map_err(sql_error(CONTEXT))
        })
    }

    fn cancel_grants(
        &self,
        guild: GuildId,
        user: UserId,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send {
        const CONTEXT: &str = "cancelling autoroles";
        self.call(CONTEXT, move |conn| {
            conn.execute(
                "DELETE FROM role_grants WHERE guild_id = ?1 AND user_id = ?2",
                [id_to_sql(guild.get()), id_to_sql(user.get())],
            )
            .map(|n| n as u64)
            .map_err(sql_error(CONTEXT))
        })
    }

    fn next_grant_due(&self) -> impl Future<Output = Result<Option<Timestamp>, StoreError>> + Send {
        const CONTEXT: &str = "reading the next autorole";
        self.call(CONTEXT, move |conn| {
            conn.query_row(
                "SELECT MIN(due_at) FROM role_grants WHERE due_at IS NOT NULL",
                [],
                |r| r.get::<_, Option<i64>>(0),
            )
            .map(|due| due.map(Timestamp::from_unix_millis))
            .map_err(sql_error(CONTEXT))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_fixture::{FileFixture, fixture};

    hearth_roles::roles_store_suite!(fixture);

    /// A delayed autorole scheduled before a restart is still given after it.
    #[tokio::test]
    async fn pending_autoroles_survive_reopening_the_file() {
        let FileFixture { store, dir } = fixture().await;
        let grant = PendingGrant {
            guild: GuildId::new(1),
            user: UserId::new(2),
            role: RoleId::new(3),
            delay: Duration::from_secs(600),
            due: Some(Timestamp::from_unix_secs(600)),
        };
        store.schedule_grants(vec![grant]).await.unwrap();
        drop(store);
        let reopened = SqliteStore::open(dir.path().join("hearth.db"))
            .await
            .unwrap();
        let claimed = reopened
            .claim_grants(
                Timestamp::from_unix_secs(601),
                Timestamp::from_unix_secs(700),
                10,
            )
            .await
            .unwrap();
        assert_eq!(claimed, [grant]);
    }
}

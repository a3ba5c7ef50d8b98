//! `LevelSettingsStore` and `BoostStore` on SQLite.

use std::future::Future;

use hearth_core::{GuildId, RoleId, StoreError, StoreErrorKind, Timestamp};
use hearth_xp_engine::{
    Boost, BoostId, BoostStore, LevelRoles, LevelSettings, LevelSettingsStore, Multiplier,
    SettingsChange, Template, XpRate,
};
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};
use serde::{Serialize, de::DeserializeOwned};

use crate::{
    SqliteStore,
    connection::{id_from_sql, id_to_sql, sql_error},
};

const SETTINGS_COLUMNS: &str =
    "rate, announce, template, no_xp_channels, no_xp_roles, role_mode, global_leaderboard";

/// A value as the JSON text a column holds.
fn to_json(value: &impl Serialize, context: &'static str) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::new(StoreErrorKind::Other, context, e))
}

/// A column's JSON text as a value, checked by the value's own deserializer.
fn from_json<T: DeserializeOwned>(text: &str, context: &'static str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::new(StoreErrorKind::Corrupt, context, e))
}

/// A `level_settings` row as SQLite holds it.
struct SettingsRow {
    rate: i64,
    announce: String,
    template: String,
    no_xp_channels: String,
    no_xp_roles: String,
    role_mode: String,
    global_leaderboard: bool,
}

impl SettingsRow {
    fn read(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            rate: row.get(0)?,
            announce: row.get(1)?,
            template: row.get(2)?,
            no_xp_channels: row.get(3)?,
            no_xp_roles: row.get(4)?,
            role_mode: row.get(5)?,
            global_leaderboard: row.get(6)?,
        })
    }

    /// Settings as a change would leave them; the level roles are filled in from their table.
    fn from_settings(settings: &LevelSettings) -> Result<Self, StoreError> {
        const CONTEXT: &str = "saving level settings";
        Ok(Self {
            rate: i64::from(settings.rate.multiplier().percent()),
            announce: to_json(&settings.announce, CONTEXT)?,
            template: settings.template.as_str().to_owned(),
            no_xp_channels: to_json(&settings.no_xp_channels, CONTEXT)?,
            no_xp_roles: to_json(&settings.no_xp_roles, CONTEXT)?,
            role_mode: to_json(&settings.role_mode, CONTEXT)?,
            global_leaderboard: settings.global_leaderboard,
        })
    }

    /// Turns the row and the guild's level roles into settings, refusing what no Hearth could
    /// have written.
    fn cook(self, level_roles: LevelRoles) -> Result<LevelSettings, StoreError> {
        const CONTEXT: &str = "reading level settings";
        let rate = u32::try_from(self.rate)
            .ok()
            .and_then(|p| XpRate::new(Multiplier::from_percent(p)).ok())
            .ok_or_else(|| StoreError::new(StoreErrorKind::Corrupt, CONTEXT, "bad rate"))?;
        let mut settings = LevelSettings::default();
        settings.rate = rate;
        settings.announce = from_json(&self.announce, CONTEXT)?;
        settings.template = Template::try_from(self.template)
            .map_err(|e| StoreError::new(StoreErrorKind::Corrupt, CONTEXT, e))?;
        settings.no_xp_channels = from_json(&self.no_xp_channels, CONTEXT)?;
        settings.no_xp_roles = from_json(&self.no_xp_roles, CONTEXT)?;
        settings.role_mode = from_json(&self.role_mode, CONTEXT)?;
        settings.global_leaderboard = self.global_leaderboard;
        settings.level_roles = level_roles;
        Ok(settings)
    }
}

/// The guild's level roles, by level.
fn level_roles(
    conn: &Connection,
    guild: i64,
    context: &'static str,
) -> Result<LevelRoles, StoreError> {
    let rows: Vec<(i64, i64)> = conn
        .prepare_cached("SELECT level, role_id FROM level_roles WHERE guild_id = ?1")
        .and_then(|mut s| {
            s.query_map(params![guild], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect()
        })
        .map_err(sql_error(context))?;
    let pairs = rows
        .into_iter()
        .map(|(level, role)| {
            let level = u32::try_from(level).ok();
            let role = RoleId::new_checked(id_from_sql(role));
            level
                .zip(role)
                .ok_or_else(|| StoreError::new(StoreErrorKind::Corrupt, context, "bad level role"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(LevelRoles::new(pairs))
}

/// The guild's settings, or `None` when it never saved any.
fn settings_of(
    conn: &Connection,
    guild: i64,
    context: &'static str,
) -> Result<Option<LevelSettings>, StoreError> {
    let row = conn
        .prepare_cached(&format!(
            "SELECT {SETTINGS_COLUMNS} FROM level_settings WHERE guild_id = ?1"
        ))
        .and_then(|mut s| s.query_row(params![guild], SettingsRow::read).optional())
        .map_err(sql_error(context))?;
    row.map(|row| row.cook(level_roles(conn, guild, context)?))
        .transpose()
}

impl LevelSettingsStore for SqliteStore {
    fn level_settings(
        &self,
        guild: GuildId,
    ) -> impl Future<Output = Result<Option<LevelSettings>, StoreError>> + Send {
        const CONTEXT: &str = "reading level settings";
        self.call(CONTEXT, move |conn| {
            // One read transaction: the row and the level roles from one snapshot.
            let tx = conn.transaction().map_err(sql_error(CONTEXT))?;
            settings_of(&tx, id_to_sql(guild.get()), CONTEXT)
        })
    }

    /// One `IMMEDIATE` transaction: an upsert that writes only the columns the change names
    /// (a first change starts from the defaults), the level role's row if it names one, and
    /// the settings read back.
    fn update_level_settings(
        &self,
        guild: GuildId,
        change: &SettingsChange,
    ) -> impl Future<Output = Result<LevelSettings, StoreError>> + Send {
        const CONTEXT: &str = "saving level settings";
        let start = SettingsRow::from_settings(&change.apply(LevelSettings::default()));
        let set = [
            change.rate.is_some(),
            change.announce.is_some(),
            change.template.is_some(),
            change.no_xp_channels.is_some(),
            change.no_xp_roles.is_some(),
            change.role_mode.is_some(),
            change.global_leaderboard.is_some(),
        ];
        let level_role = change.level_role;
        self.call(CONTEXT, move |conn| {
            let start = start?;
            let guild = id_to_sql(guild.get());
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(sql_error(CONTEXT))?;
            let keep = |column: &str, flag: usize| {
                format!("{column} = CASE WHEN ?{flag} THEN excluded.{column} ELSE {column} END")
            };
            let assignments: Vec<String> = SETTINGS_COLUMNS
                .split(", ")
                .zip(9..)
                .map(|(column, flag)| keep(column, flag))
                .collect();
            tx.prepare_cached(&format!(
                "INSERT INTO level_settings (guild_id, {SETTINGS_COLUMNS})
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (guild_id) DO UPDATE SET {}",
                assignments.join(", ")
            ))
            .and_then(|mut s| {
                s.execute(params![
                    guild,
                    start.rate,
                    start.announce,
                    start.template,
                    start.no_xp_channels,
                    start.no_xp_roles,
                    start.role_mode,
                    start.global_leaderboard,
                    set[0],
                    set[1],
                    set[2],
                    set[3],
                    set[4],
                    set[5],
                    set[6],
                ])
            })
            .map_err(sql_error(CONTEXT))?;
            match level_role {
                Some((level, Some(role))) => tx
                    .prepare_cached(
                        "INSERT INTO level_roles (guild_id, level, role_id) VALUES (?1, ?2, ?3)
                         ON CONFLICT (guild_id, level) DO UPDATE SET role_id = excluded.role_id",
                    )
                    .and_then(|mut s| s.execute(params![guild, level, id_to_sql(role.get())])),
                Some((level, None)) => tx
                    .prepare_cached("DELETE FROM level_roles WHERE guild_id = ?1 AND level = ?2")
                    .and_then(|mut s| s.execute(params![guild, level])),
                None => Ok(0),
            }
            .map_err(sql_error(CONTEXT))?;
            let settings = settings_of(&tx, guild, CONTEXT)?.ok_or_else(|| {
                StoreError::bare(StoreErrorKind::Other, "reading back level settings")
            })?;
            tx.commit().map_err(sql_error(CONTEXT))?;
            Ok(settings)
        })
    }
}

const BOOST_COLUMNS: &str = "guild_id, id, multiplier, starts_at, ends_at, scope";

/// An `xp_boosts` row as SQLite holds it.
struct BoostRow {
    guild_id: i64,
    id: i64,
    multiplier: i64,
    starts_at: i64,
    ends_at: i64,
    scope: String,
}

impl BoostRow {
    fn read(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            guild_id: row.get(0)?,
            id: row.get(1)?,
            multiplier: row.get(2)?,
            starts_at: row.get(3)?,
            ends_at: row.get(4)?,
            scope: row.get(5)?,
        })
    }

    /// Turns the row into a domain value, refusing what no Hearth could have written.
    fn cook(self) -> Result<Boost, StoreError> {
        const CONTEXT: &str = "reading an XP boost";
        let corrupt =
            |what: &str| StoreError::new(StoreErrorKind::Corrupt, CONTEXT, format!("bad {what}"));
        Ok(Boost {
            id: BoostId(id_from_sql(self.id)),
            guild: GuildId::new_checked(id_from_sql(self.guild_id))
                .ok_or_else(|| corrupt("guild id"))?,
            multiplier: Multiplier::from_percent(
                u32::try_from(self.multiplier).map_err(|_| corrupt("multiplier"))?,
            ),
            starts_at: Timestamp::from_unix_millis(self.starts_at),
            ends_at: Timestamp::from_unix_millis(self.ends_at),
            scope: from_json(&self.scope, CONTEXT)?,
        })
    }
}

impl BoostStore for SqliteStore {
    /// One `IMMEDIATE` transaction: insert unless the guild holds the id, then read back the
    /// stored boost.
    fn add_boost(&self, boost: Boost) -> impl Future<Output = Result<Boost, StoreError>> + Send {
        const CONTEXT: &str = "saving an XP boost";
        let scope = to_json(&boost.scope, CONTEXT);
        self.call(CONTEXT, move |conn| {
            let scope = scope?;
            let (guild, id) = (id_to_sql(boost.guild.get()), id_to_sql(boost.id.0));
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(sql_error(CONTEXT))?;
            tx.prepare_cached(&format!(
                "INSERT INTO xp_boosts ({BOOST_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (guild_id, id) DO NOTHING"
            ))
            .and_then(|mut s| {
                s.execute(params![
                    guild,
                    id,
                    boost.multiplier.percent(),
                    boost.starts_at.unix_millis(),
                    boost.ends_at.unix_millis(),
                    scope
                ])
            })
            .map_err(sql_error(CONTEXT))?;
            let stored = tx
                .prepare_cached(&format!(
                    "SELECT {BOOST_COLUMNS} FROM xp_boosts WHERE guild_id = ?1 AND id = ?2"
                ))
                .and_then(|mut s| s.query_row(params![guild, id], BoostRow::read))
                .map_err(sql_error(CONTEXT))?
                .cook()?;
            tx.commit().map_err(sql_error(CONTEXT))?;
            Ok(stored)
        })
    }

    fn boosts(
        &self,
        guild: GuildId,
        now: Timestamp,
    ) -> impl Future<Output = Result<Vec<Boost>, StoreError>> + Send {
        const CONTEXT: &str = "listing XP boosts";
        self.call(CONTEXT, move |conn| {
            let rows: Vec<BoostRow> = conn
                .prepare_cached(&format!(
                    "SELECT {BOOST_COLUMNS} FROM xp_boosts WHERE guild_id = ?1 AND ends_at > ?2"
                ))
                .and_then(|mut s| {
                    s.query_map(params![id_to_sql(guild.get()), now.unix_millis()], |r| {
                        BoostRow::read(r)
                    })?
                    .collect()
                })
                .map_err(sql_error(CONTEXT))?;
            let mut boosts = rows
                .into_iter()
                .map(BoostRow::cook)
                .collect::<Result<Vec<_>, _>>()?;
            // Sorted here: ids are stored bit for bit, so SQL would order ids above 2⁶³ first.
            boosts.sort_unstable_by_key(|b| (b.starts_at, b.id));
            Ok(boosts)
        })
    }

    fn remove_boost(
        &self,
        guild: GuildId,
        id: BoostId,
    ) -> impl Future<Output = Result<Option<Boost>, StoreError>> + Send {
        const CONTEXT: &str = "removing an XP boost";
        self.call(CONTEXT, move |conn| {
            conn.prepare_cached(&format!(
                "DELETE FROM xp_boosts WHERE guild_id = ?1 AND id = ?2 RETURNING {BOOST_COLUMNS}"
            ))
            .and_then(|mut s| {
                s.query_row(
                    params![id_to_sql(guild.get()), id_to_sql(id.0)],
                    BoostRow::read,
                )
                .optional()
            })
            .map_err(sql_error(CONTEXT))?
            .map(BoostRow::cook)
            .transpose()
        })
    }
}

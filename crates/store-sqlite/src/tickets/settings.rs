//! `TicketSettingsStore` on SQLite: settings as one JSON document per guild, panels as rows.

use std::future::Future;

use hearth_core::{ChannelId, GuildId, MessageId, StoreError, StoreErrorKind};
use hearth_tickets::{Panel, TicketSettings, TicketSettingsStore};
use rusqlite::{OptionalExtension, params};

use super::{corrupt, id, to_json};
use crate::{
    SqliteStore,
    connection::{id_to_sql, sql_error},
};

impl TicketSettingsStore for SqliteStore {
    fn ticket_settings(
        &self,
        guild: GuildId,
    ) -> impl Future<Output = Result<Option<TicketSettings>, StoreError>> + Send {
        const CONTEXT: &str = "reading ticket settings";
        self.call(CONTEXT, move |conn| {
            let json: Option<String> = conn
                .prepare_cached("SELECT settings FROM ticket_settings WHERE guild_id = ?1")
                .and_then(|mut s| {
                    s.query_row(params![id_to_sql(guild.get())], |r| r.get(0))
                        .optional()
                })
                .map_err(sql_error(CONTEXT))?;
            json.map(|j| {
                serde_json::from_str(&j)
                    .map_err(|e| StoreError::new(StoreErrorKind::Corrupt, CONTEXT, e))
            })
            .transpose()
        })
    }

    fn save_ticket_settings(
        &self,
        guild: GuildId,
        settings: &TicketSettings,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        const CONTEXT: &str = "saving ticket settings";
        let json = to_json(settings, CONTEXT);
        self.call(CONTEXT, move |conn| {
            let json = json?;
            conn.prepare_cached(
                "INSERT INTO ticket_settings (guild_id, settings) VALUES (?1, ?2)
                 ON CONFLICT (guild_id) DO UPDATE SET settings = excluded.settings",
            )
            .and_then(|mut s| s.execute(params![id_to_sql(guild.get()), json]))
            .map(drop)
            .map_err(sql_error(CONTEXT))
        })
    }

    fn save_panel(&self, panel: &Panel) -> impl Future<Output = Result<(), StoreError>> + Send {
        const CONTEXT: &str = "saving a panel";
        let categories = to_json(&panel.categories, CONTEXT);
        let panel = panel.clone();
        self.call(CONTEXT, move |conn| {
            let categories = categories?;
            conn.prepare_cached(
                "INSERT INTO ticket_panels VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (guild_id, message_id) DO UPDATE
                 SET channel_id = excluded.channel_id, categories = excluded.categories",
            )
            .and_then(|mut s| {
                s.execute(params![
                    id_to_sql(panel.guild.get()),
                    id_to_sql(panel.message.get()),
                    id_to_sql(panel.channel.get()),
                    categories,
                ])
            })
            .map(drop)
            .map_err(sql_error(CONTEXT))
        })
    }

    fn panels(
        &self,
        guild: GuildId,
    ) -> impl Future<Output = Result<Vec<Panel>, StoreError>> + Send {
        const CONTEXT: &str = "listing panels";
        self.call(CONTEXT, move |conn| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT message_id, channel_id, categories FROM ticket_panels
                     WHERE guild_id = ?1 ORDER BY message_id",
                )
                .map_err(sql_error(CONTEXT))?;
            let rows = stmt
                .query_map(params![id_to_sql(guild.get())], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, String>(2)?,
                    ))
                })
                .and_then(Iterator::collect::<rusqlite::Result<Vec<_>>>)
                .map_err(sql_error(CONTEXT))?;
            rows.into_iter()
                .map(|(message, channel, categories)| {
                    Ok(Panel {
                        guild,
                        channel: id(channel, "panel channel", ChannelId::new_checked)?,
                        message: id(message, "panel message", MessageId::new_checked)?,
                        categories: serde_json::from_str(&categories)
                            .map_err(|_| corrupt("panel categories"))?,
                    })
                })
                .collect()
        })
    }

    fn delete_panel(
        &self,
        guild: GuildId,
        message: MessageId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        const CONTEXT: &str = "deleting a panel";
        self.call(CONTEXT, move |conn| {
            conn.prepare_cached("DELETE FROM ticket_panels WHERE guild_id = ?1 AND message_id = ?2")
                .and_then(|mut s| {
                    s.execute(params![id_to_sql(guild.get()), id_to_sql(message.get())])
                })
                .map(|n| n > 0)
                .map_err(sql_error(CONTEXT))
        })
    }
}

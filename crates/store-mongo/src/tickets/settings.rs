//! `TicketSettingsStore` on MongoDB: `ticket_settings` (one document per guild, replaced whole)
//! and `ticket_panels`.

use hearth_core::{GuildId, MessageId, StoreError, StoreErrorKind};
use hearth_tickets::{Panel, TicketSettings, TicketSettingsStore};
use mongodb::bson::{self, Bson, doc};

use super::{
    PANELS, RETRIES, SETTINGS, corrupt,
    wire::{id_forms, panel_document, read_panel},
};
use crate::{
    MongoStore, read,
    store::{all, driver_error, is_duplicate_key},
};

impl TicketSettingsStore for MongoStore {
    async fn ticket_settings(&self, guild: GuildId) -> Result<Option<TicketSettings>, StoreError> {
        let context = "reading ticket settings";
        let Some(doc) = self
            .collection(SETTINGS)
            .find_one(doc! { "_id": guild.to_string() })
            .await
            .map_err(driver_error(context))?
        else {
            return Ok(None);
        };
        let settings = read::field(&doc, "settings").cloned().unwrap_or_default();
        bson::from_bson(read::whole_doubles_as_integers(settings))
            .map(Some)
            .map_err(|e| StoreError::new(StoreErrorKind::Corrupt, context, e))
    }

    async fn save_ticket_settings(
        &self,
        guild: GuildId,
        settings: &TicketSettings,
    ) -> Result<(), StoreError> {
        let context = "saving ticket settings";
        let settings = bson::to_bson(settings)
            .map_err(|e| StoreError::new(StoreErrorKind::Other, context, e))?;
        let document =
            doc! { "_id": guild.to_string(), "guild_id": guild.to_string(), "settings": settings };
        retrying_upsert!(
            self.collection(SETTINGS)
                .replace_one(doc! { "_id": guild.to_string() }, document.clone())
                .upsert(true)
        )
        .map(drop)
        .map_err(driver_error(context))
    }

    async fn save_panel(&self, panel: &Panel) -> Result<(), StoreError> {
        let document = panel_document(panel);
        let id = document.get("_id").cloned().unwrap_or(Bson::Null);
        retrying_upsert!(
            self.collection(PANELS)
                .replace_one(doc! { "_id": id.clone() }, document.clone())
                .upsert(true)
        )
        .map(drop)
        .map_err(driver_error("saving a panel"))
    }

    async fn panels(&self, guild: GuildId) -> Result<Vec<Panel>, StoreError> {
        let context = "listing panels";
        let cursor = self
            .collection(PANELS)
            .find(doc! { "guild_id": id_forms(guild.get()) })
            .await
            .map_err(driver_error(context))?;
        let mut panels = all(cursor, context)
            .await?
            .iter()
            .map(|d| read_panel(d).map_err(corrupt(context)))
            .collect::<Result<Vec<_>, _>>()?;
        panels.sort_by_key(|p| p.message);
        Ok(panels)
    }

    async fn delete_panel(&self, guild: GuildId, message: MessageId) -> Result<bool, StoreError> {
        self.collection(PANELS)
            .delete_one(doc! { "_id": format!("{guild}:{message}") })
            .await
            .map(|r| r.deleted_count > 0)
            .map_err(driver_error("deleting a panel"))
    }
}

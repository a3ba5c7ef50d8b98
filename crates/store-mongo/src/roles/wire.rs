//! The wire format of the roles collections: documents, ids and indexes as small pure
//! functions (tested without a server below), and the readers of stored documents.

use std::time::Duration;

use hearth_core::{GuildId, RoleId, Timestamp, UserId};
use hearth_roles::{Autorole, AutoroleTarget, PendingGrant, RoleMenu};
use mongodb::{
    IndexModel,
    bson::{self, Bson, DateTime, Document, doc},
};

use crate::read;

/// A point in time as stored: a BSON date.
pub(super) fn date(at: Timestamp) -> DateTime {
    DateTime::from_millis(at.unix_millis())
}

fn delay_ms(delay: Duration) -> i64 {
    i64::try_from(delay.as_millis()).unwrap_or(i64::MAX)
}

/// A menu's document: its fields as the domain serialises them (ids as strings), `_id` the
/// message id, and `version` as an Int64.
pub(super) fn menu_document(menu: &RoleMenu, version: i64) -> Result<Document, String> {
    let mut document = bson::to_document(&RoleMenu {
        version: 0,
        ..menu.clone()
    })
    .map_err(|e| e.to_string())?;
    document.insert("_id", menu.message.to_string());
    document.insert("version", version);
    Ok(document)
}

/// Reads a menu document (whole Doubles, as a hand edit in the `mongo` shell leaves them,
/// are read as integers).
pub(super) fn read_menu(mut document: Document) -> Result<RoleMenu, String> {
    document.remove("_id");
    let value = read::whole_doubles_as_integers(Bson::Document(document));
    bson::from_bson(value).map_err(|e| e.to_string())
}

/// An autorole's `_id`.
pub(super) fn autorole_id(guild: GuildId, role: RoleId) -> String {
    format!("{guild}:{role}")
}

/// An autorole's document.
pub(super) fn autorole_document(autorole: &Autorole) -> Document {
    doc! {
        "_id": autorole_id(autorole.guild, autorole.role),
        "guild_id": autorole.guild.to_string(),
        "role_id": autorole.role.to_string(),
        "delay_ms": delay_ms(autorole.delay),
        "target": autorole.target.name(),
    }
}

/// Reads an autorole document.
pub(super) fn read_autorole(document: &Document) -> Result<Autorole, String> {
    let target = read::optional_string(document, "target")
        .map_err(|e| e.to_string())?
        .unwrap_or_default();
    Ok(Autorole {
        guild: read::required_id(document, "guild_id").map_err(|e| e.to_string())?,
        role: read::required_id(document, "role_id").map_err(|e| e.to_string())?,
        delay: Duration::from_millis(
            read::required_u64(document, "delay_ms").map_err(|e| e.to_string())?,
        ),
        target: AutoroleTarget::from_name(&target)
            .ok_or_else(|| format!("target: unknown {target:?}"))?,
    })
}

/// A pending grant's `_id`.
pub(super) fn grant_id(guild: GuildId, user: UserId, role: RoleId) -> String {
    format!("{guild}:{user}:{role}")
}

/// A pending grant's fields (sent under `$setOnInsert`, its `_id` in the filter).
pub(super) fn grant_document(grant: &PendingGrant) -> Document {
    doc! {
        "guild_id": grant.guild.to_string(),
        "user_id": grant.user.to_string(),
        "role_id": grant.role.to_string(),
        "delay_ms": delay_ms(grant.delay),
        "due_at": grant.due.map(date),
    }
}

/// Reads a pending grant.
pub(super) fn read_grant(document: &Document) -> Result<PendingGrant, String> {
    let due = read::field(document, "due_at")
        .map(|v| read::timestamp("due_at", v))
        .transpose()
        .map_err(|e| e.to_string())?;
    Ok(PendingGrant {
        guild: read::required_id(document, "guild_id").map_err(|e| e.to_string())?,
        user: read::required_id(document, "user_id").map_err(|e| e.to_string())?,
        role: read::required_id(document, "role_id").map_err(|e| e.to_string())?,
        delay: Duration::from_millis(
            read::required_u64(document, "delay_ms").map_err(|e| e.to_string())?,
        ),
        due,
    })
}

/// `{guild_id: 1}`: a guild's menus or autoroles.
pub(super) fn guild_indexes() -> Vec<IndexModel> {
    vec![IndexModel::builder().keys(doc! { "guild_id": 1 }).build()]
}

/// `{due_at: 1, _id: 1}` for claims, `{guild_id: 1, user_id: 1}` for a member's grants.
pub(super) fn grants_indexes() -> Vec<IndexModel> {
    vec![
        IndexModel::builder()
            .keys(doc! { "due_at": 1, "_id": 1 })
            .build(),
        IndexModel::builder()
            .keys(doc! { "guild_id": 1, "user_id": 1 })
            .build(),
    ]
}

#[cfg(test)]
mod tests {
    use hearth_core::{ChannelId, MessageId};
    use hearth_roles::{MenuEmoji, MenuKind, MenuMode, MenuOption};

    use super::*;

    #[test]
    fn a_menu_is_stored_with_string_ids_and_reads_back() {
        let menu = RoleMenu {
            message: MessageId::new(u64::MAX),
            guild: GuildId::new(1),
            channel: ChannelId::new(2),
            kind: MenuKind::Reactions,
            mode: MenuMode::Verify,
            limit: Some(3),
            required: vec![RoleId::new(7)],
            title: "Rules".to_owned(),
            options: vec![MenuOption {
                role: RoleId::new(8),
                emoji: Some(MenuEmoji::Custom {
                    id: u64::MAX,
                    name: "ok".to_owned(),
                    animated: false,
                }),
                label: "Accept".to_owned(),
            }],
            version: 4,
        };
        let document = menu_document(&menu, 5).unwrap();
        assert_eq!(document.get_str("_id").unwrap(), u64::MAX.to_string());
        assert_eq!(document.get_str("guild_id").unwrap(), "1");
        assert_eq!(document.get_str("mode").unwrap(), "verify");
        assert_eq!(document.get_i64("version").unwrap(), 5);
        let option = document.get_array("options").unwrap()[0]
            .as_document()
            .unwrap();
        assert_eq!(option.get_str("role_id").unwrap(), "8");
        let emoji = option.get_document("emoji").unwrap();
        assert_eq!(emoji.get_str("id").unwrap(), u64::MAX.to_string());
        let read = read_menu(document).unwrap();
        assert_eq!(read, RoleMenu { version: 5, ..menu });
    }

    #[test]
    fn a_grant_waiting_for_screening_has_a_null_due_date() {
        let grant = PendingGrant {
            guild: GuildId::new(1),
            user: UserId::new(2),
            role: RoleId::new(3),
            delay: Duration::from_secs(60),
            due: None,
        };
        let document = grant_document(&grant);
        assert_eq!(document.get("due_at"), Some(&Bson::Null));
        assert_eq!(grant_id(grant.guild, grant.user, grant.role), "1:2:3");
        assert_eq!(read_grant(&document).unwrap(), grant);
        let due = PendingGrant {
            due: Some(Timestamp::from_unix_secs(90)),
            ..grant
        };
        assert_eq!(read_grant(&grant_document(&due)).unwrap(), due);
    }
}

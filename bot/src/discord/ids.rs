//! Typed ids at the boundary: one conversion per kind of id, each way, so a guild id can
//! never become a user id by accident (twilight's `Id<M>` is generic over its marker; Hearth's
//! ids are distinct types).

use hearth_core::{ChannelId, GuildId, MessageId, RoleId, UserId};
use twilight_model::id::{
    Id,
    marker::{ChannelMarker, GuildMarker, MessageMarker, RoleMarker, UserMarker},
};

/// A guild id as twilight's.
pub fn guild(id: GuildId) -> Id<GuildMarker> {
    Id::new(id.get())
}

/// A user id as twilight's.
pub fn user(id: UserId) -> Id<UserMarker> {
    Id::new(id.get())
}

/// A role id as twilight's.
pub fn role(id: RoleId) -> Id<RoleMarker> {
    Id::new(id.get())
}

/// A channel id as twilight's.
pub fn channel(id: ChannelId) -> Id<ChannelMarker> {
    Id::new(id.get())
}

/// A message id as twilight's.
pub fn message(id: MessageId) -> Id<MessageMarker> {
    Id::new(id.get())
}

/// A twilight guild id as Hearth's.
pub fn guild_id(id: Id<GuildMarker>) -> GuildId {
    GuildId::new(id.get())
}

/// A twilight user id as Hearth's.
pub fn user_id(id: Id<UserMarker>) -> UserId {
    UserId::new(id.get())
}

/// A twilight role id as Hearth's.
pub fn role_id(id: Id<RoleMarker>) -> RoleId {
    RoleId::new(id.get())
}

/// A twilight channel id as Hearth's.
pub fn channel_id(id: Id<ChannelMarker>) -> ChannelId {
    ChannelId::new(id.get())
}

/// A twilight message id as Hearth's.
pub fn message_id(id: Id<MessageMarker>) -> MessageId {
    MessageId::new(id.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_id_keeps_its_number_both_ways() {
        let n = 1_234_567_890_123_456_789;
        assert_eq!(guild_id(guild(GuildId::new(n))), GuildId::new(n));
        assert_eq!(user_id(user(UserId::new(n))), UserId::new(n));
        assert_eq!(role_id(role(RoleId::new(n))), RoleId::new(n));
        assert_eq!(channel_id(channel(ChannelId::new(n))), ChannelId::new(n));
        assert_eq!(message_id(message(MessageId::new(n))), MessageId::new(n));
        assert_eq!(guild(GuildId::new(n)).get(), n);
    }
}

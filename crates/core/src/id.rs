//! Discord ids as distinct types.
//!
//! Every id is a [snowflake](https://discord.com/developers/docs/reference#snowflakes): a
//! non-zero 64-bit number whose top 42 bits are milliseconds since 2015-01-01. Each kind of id
//! is its own type so a user id cannot be passed where a role id belongs.
//!
//! Ids serialise as decimal strings, as Discord's JSON and the MongoDB documents of the earlier
//! Python bot hold them (a `u64` above `i64::MAX` does not fit BSON's Int64). They deserialise
//! leniently from a string or a non-negative integer, because old documents hold both.

use std::{fmt, num::NonZeroU64, str::FromStr};

use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

use crate::Timestamp;

/// Why a text is not a Discord id.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// The text is empty.
    #[error("an id can't be empty")]
    Empty,
    /// The text holds something other than decimal digits, or a number too big for 64 bits.
    #[error("`{0}` is not a Discord id (ids are numbers like 80351110224678912)")]
    NotANumber(String),
    /// Discord never hands out the id 0.
    #[error("0 is not a Discord id")]
    Zero,
}

macro_rules! ids {
    ($($(#[$meta:meta])* $name:ident => $what:literal;)+) => {$(
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(NonZeroU64);

        impl $name {
            #[doc = concat!("A ", $what, " id from its number.")]
            ///
            /// # Panics
            ///
            /// Panics if `id` is 0, which Discord never hands out; use
            #[doc = concat!("[`", stringify!($name), "::new_checked`]")]
            /// for numbers from untrusted input.
            #[track_caller]
            pub const fn new(id: u64) -> Self {
                match NonZeroU64::new(id) {
                    Some(id) => Self(id),
                    None => panic!("Discord ids are never 0"),
                }
            }

            #[doc = concat!("A ", $what, " id from its number, or `None` for 0.")]
            pub const fn new_checked(id: u64) -> Option<Self> {
                match NonZeroU64::new(id) {
                    Some(id) => Some(Self(id)),
                    None => None,
                }
            }

            /// The id's number.
            pub const fn get(self) -> u64 {
                self.0.get()
            }

            /// When Discord created the object, read from the snowflake's timestamp bits.
            pub const fn created_at(self) -> Timestamp {
                // The top 42 bits always fit an i64.
                #[allow(clippy::cast_possible_wrap)]
                let since_discord_epoch = (self.0.get() >> 22) as i64;
                Timestamp::from_unix_millis(
                    Timestamp::DISCORD_EPOCH.unix_millis() + since_discord_epoch,
                )
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl FromStr for $name {
            type Err = IdError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                parse_id(s).map(Self)
            }
        }

        impl From<$name> for u64 {
            fn from(id: $name) -> Self {
                id.get()
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_any(IdVisitor).map(Self)
            }
        }
    )+};
}

ids! {
    /// A server ("guild" in Discord's API). Its `@everyone` role has the same number.
    GuildId => "guild";
    /// A user account, member of any number of guilds.
    UserId => "user";
    /// A role in a guild.
    RoleId => "role";
    /// A channel: text, voice, category, thread or DM.
    ChannelId => "channel";
    /// A message in a channel.
    MessageId => "message";
}

impl GuildId {
    /// The guild's `@everyone` role, which shares the guild's id.
    pub const fn everyone_role(self) -> RoleId {
        RoleId(self.0)
    }
}

fn parse_id(s: &str) -> Result<NonZeroU64, IdError> {
    if s.is_empty() {
        return Err(IdError::Empty);
    }
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(IdError::NotANumber(s.to_owned()));
    }
    let n: u64 = s.parse().map_err(|_| IdError::NotANumber(s.to_owned()))?;
    NonZeroU64::new(n).ok_or(IdError::Zero)
}

struct IdVisitor;

impl de::Visitor<'_> for IdVisitor {
    type Value = NonZeroU64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Discord id as a string or a positive integer")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        parse_id(v).map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        NonZeroU64::new(v).ok_or_else(|| E::custom(IdError::Zero))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        let v = u64::try_from(v).map_err(|_| E::custom(format!("{v} is not a Discord id")))?;
        self.visit_u64(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_serialise_as_strings_and_read_strings_or_integers() {
        let id = UserId::new(80_351_110_224_678_912);
        assert_eq!(
            serde_json::to_string(&id).unwrap(),
            r#""80351110224678912""#
        );
        assert_eq!(
            serde_json::from_str::<UserId>(r#""80351110224678912""#).unwrap(),
            id
        );
        assert_eq!(
            serde_json::from_str::<UserId>("80351110224678912").unwrap(),
            id
        );
        // Above i64::MAX still round-trips as a string.
        let big = GuildId::new(u64::MAX);
        assert_eq!(
            serde_json::from_str::<GuildId>(&serde_json::to_string(&big).unwrap()).unwrap(),
            big
        );
    }

    #[test]
    fn bad_ids_are_refused_with_a_reason() {
        assert_eq!("".parse::<RoleId>(), Err(IdError::Empty));
        assert_eq!("0".parse::<RoleId>(), Err(IdError::Zero));
        assert_eq!(
            "-5".parse::<RoleId>(),
            Err(IdError::NotANumber("-5".into()))
        );
        assert_eq!(
            "12a".parse::<RoleId>(),
            Err(IdError::NotANumber("12a".into()))
        );
        assert_eq!(
            "99999999999999999999".parse::<RoleId>(),
            Err(IdError::NotANumber("99999999999999999999".into()))
        );
        assert!(serde_json::from_str::<UserId>("0").is_err());
        assert!(serde_json::from_str::<UserId>("-3").is_err());
        assert!(serde_json::from_str::<UserId>("1.5").is_err());
    }

    #[test]
    fn snowflake_creation_time_comes_from_its_top_bits() {
        // The example from Discord's reference: 175928847299117063 → 2016-04-30T11:18:25.796Z.
        let id = MessageId::new(175_928_847_299_117_063);
        assert_eq!(
            id.created_at(),
            Timestamp::from_unix_millis(1_462_015_105_796)
        );
        assert_eq!(UserId::new(1).created_at(), Timestamp::DISCORD_EPOCH);
    }

    #[test]
    fn everyone_role_shares_the_guild_id() {
        assert_eq!(GuildId::new(42).everyone_role(), RoleId::new(42));
    }

    #[test]
    #[should_panic(expected = "never 0")]
    fn zero_is_not_an_id() {
        let _ = ChannelId::new(0);
    }
}

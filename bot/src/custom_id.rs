//! The one `custom_id` codec: `feature:action:version[:arg…]`, typed per action and parsed as
//! untrusted input.
//!
//! A button or menu carries everything its handler needs in its `custom_id`, so it keeps
//! working after a restart and on a message the bot never cached. Anyone can craft an
//! interaction with any `custom_id`, so parsing is strict: known characters only, numbers as
//! plain digits, ids nonzero, the length Discord allows. The version lets an action change its
//! arguments later while old messages still answer with a clear sentence.

use std::fmt::{self, Display, Write as _};

/// The longest `custom_id` Discord accepts. See Discord Docs/Message Components, "Custom ID".
pub const CUSTOM_ID_MAX: usize = 100;

/// The most arguments one id carries.
pub const ARGS_MAX: usize = 8;

/// Why a `custom_id` was not understood. Every variant means "this button is not ours or no
/// longer valid"; the detail goes to the debug log.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CustomIdError {
    /// Empty, too long, or a character outside `[a-z0-9_-]` and `:`.
    #[error("malformed custom_id")]
    Malformed,
    /// It names another feature or action than the one decoding it.
    #[error("custom_id is for another action")]
    OtherAction,
    /// It was made by another version of the action.
    #[error("custom_id has version {found}, expected {expected}")]
    Version {
        /// The version in the id.
        found: u8,
        /// The version this build writes.
        expected: u8,
    },
    /// An argument is missing, extra, or not of its type.
    #[error("custom_id argument {index} is missing or invalid")]
    Argument {
        /// Which argument (from 0).
        index: usize,
    },
}

/// A parsed `custom_id`: which feature and action it is for, and its raw arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomId<'a> {
    /// The feature that made it (its [`crate::feature::Needs::name`]).
    pub feature: &'a str,
    /// The action within the feature.
    pub action: &'a str,
    /// The action's version.
    pub version: u8,
    args: Vec<&'a str>,
}

fn is_word(part: &str) -> bool {
    !part.is_empty()
        && part
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

impl<'a> CustomId<'a> {
    /// Parses an untrusted `custom_id`.
    ///
    /// # Errors
    ///
    /// [`CustomIdError::Malformed`] when it is not of the form `feature:action:version[:arg…]`.
    pub fn parse(raw: &'a str) -> Result<Self, CustomIdError> {
        if raw.len() > CUSTOM_ID_MAX {
            return Err(CustomIdError::Malformed);
        }
        let mut parts = raw.split(':');
        let (Some(feature), Some(action), Some(version)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(CustomIdError::Malformed);
        };
        let args: Vec<&str> = parts.collect();
        if !is_word(feature)
            || !is_word(action)
            || args.len() > ARGS_MAX
            || !args.iter().all(|a| is_word(a))
        {
            return Err(CustomIdError::Malformed);
        }
        let version = parse_digits(version).ok_or(CustomIdError::Malformed)?;
        Ok(Self {
            feature,
            action,
            version: u8::try_from(version).map_err(|_| CustomIdError::Malformed)?,
            args,
        })
    }

    /// Decodes it as action `A`.
    ///
    /// # Errors
    ///
    /// [`CustomIdError::OtherAction`], [`CustomIdError::Version`] or
    /// [`CustomIdError::Argument`].
    pub fn decode<A: Action>(&self) -> Result<A, CustomIdError> {
        if self.feature != A::FEATURE || self.action != A::ACTION {
            return Err(CustomIdError::OtherAction);
        }
        if self.version != A::VERSION {
            return Err(CustomIdError::Version {
                found: self.version,
                expected: A::VERSION,
            });
        }
        let mut reader = Args {
            args: &self.args,
            next: 0,
        };
        let action = A::read(&mut reader)?;
        if reader.next != self.args.len() {
            return Err(CustomIdError::Argument { index: reader.next });
        }
        Ok(action)
    }
}

/// Digits only (no sign, no spaces), as `u64`; `None` on anything else or on overflow.
fn parse_digits(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// The arguments of an id being decoded, read in order.
#[derive(Debug)]
pub struct Args<'a, 'b> {
    args: &'b [&'a str],
    next: usize,
}

impl Args<'_, '_> {
    fn raw(&mut self) -> Result<&str, CustomIdError> {
        let index = self.next;
        let arg = self
            .args
            .get(index)
            .ok_or(CustomIdError::Argument { index })?;
        self.next += 1;
        Ok(arg)
    }

    /// The next argument as a number.
    ///
    /// # Errors
    ///
    /// [`CustomIdError::Argument`] when it is missing or not plain digits in range.
    pub fn number<T: TryFrom<u64>>(&mut self) -> Result<T, CustomIdError> {
        let index = self.next;
        parse_digits(self.raw()?)
            .and_then(|n| T::try_from(n).ok())
            .ok_or(CustomIdError::Argument { index })
    }

    /// The next argument as a Discord id (a nonzero snowflake) of our id types.
    ///
    /// # Errors
    ///
    /// [`CustomIdError::Argument`] when it is missing, zero or not plain digits.
    pub fn id<T: Snowflake>(&mut self) -> Result<T, CustomIdError> {
        let index = self.next;
        T::from_number(self.number::<u64>()?).ok_or(CustomIdError::Argument { index })
    }

    /// The next argument, which must be one of `words`.
    ///
    /// # Errors
    ///
    /// [`CustomIdError::Argument`] when it is missing or not one of them.
    pub fn word(&mut self, words: &[&'static str]) -> Result<&'static str, CustomIdError> {
        let index = self.next;
        let raw = self.raw()?;
        words
            .iter()
            .find(|w| **w == raw)
            .copied()
            .ok_or(CustomIdError::Argument { index })
    }
}

/// Our id types, as they come out of a `custom_id`.
pub trait Snowflake: Sized {
    /// The id for this number; `None` for 0.
    fn from_number(n: u64) -> Option<Self>;
}

macro_rules! snowflakes {
    ($($id:ident),+) => {$(
        impl Snowflake for hearth_core::$id {
            fn from_number(n: u64) -> Option<Self> {
                Self::new_checked(n)
            }
        }
    )+};
}

snowflakes!(GuildId, UserId, RoleId, ChannelId, MessageId);

/// One kind of button or menu: which feature and action it belongs to, and its arguments.
pub trait Action: Sized {
    /// The feature's name.
    const FEATURE: &'static str;
    /// The action's name within the feature.
    const ACTION: &'static str;
    /// Bumped whenever the arguments change meaning.
    const VERSION: u8;

    /// Writes the arguments, in order.
    fn write(&self, args: &mut Vec<String>);

    /// Reads the arguments back, in the same order.
    ///
    /// # Errors
    ///
    /// [`CustomIdError::Argument`] for a missing or invalid one.
    fn read(args: &mut Args<'_, '_>) -> Result<Self, CustomIdError>;

    /// The `custom_id` for this action.
    ///
    /// # Panics
    ///
    /// When it would be longer than [`CUSTOM_ID_MAX`]: a programming error, caught by the
    /// action's round-trip test.
    fn custom_id(&self) -> String {
        let mut args = Vec::new();
        self.write(&mut args);
        let mut out = format!("{}:{}:{}", Self::FEATURE, Self::ACTION, Self::VERSION);
        for arg in args {
            let _ = write!(out, ":{arg}");
        }
        assert!(out.len() <= CUSTOM_ID_MAX, "custom_id too long: {out}");
        out
    }
}

impl Display for CustomId<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.feature, self.action, self.version)?;
        for arg in &self.args {
            write!(f, ":{arg}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use hearth_core::UserId;

    use super::*;

    #[derive(Debug, PartialEq)]
    struct Page {
        user: UserId,
        page: u32,
    }

    impl Action for Page {
        const FEATURE: &'static str = "test";
        const ACTION: &'static str = "page";
        const VERSION: u8 = 2;

        fn write(&self, args: &mut Vec<String>) {
            args.push(self.user.to_string());
            args.push(self.page.to_string());
        }

        fn read(args: &mut Args<'_, '_>) -> Result<Self, CustomIdError> {
            Ok(Self {
                user: args.id()?,
                page: args.number()?,
            })
        }
    }

    #[test]
    fn an_action_round_trips_through_its_custom_id() {
        let page = Page {
            user: UserId::new(u64::MAX),
            page: 3,
        };
        let id = page.custom_id();
        assert_eq!(id, "test:page:2:18446744073709551615:3");
        assert_eq!(
            CustomId::parse(&id).unwrap().decode::<Page>().unwrap(),
            page
        );
    }

    #[test]
    fn crafted_ids_are_refused() {
        let decode = |raw: &str| CustomId::parse(raw).and_then(|id| id.decode::<Page>());
        assert_eq!(decode(""), Err(CustomIdError::Malformed));
        assert_eq!(decode("test:page"), Err(CustomIdError::Malformed));
        assert_eq!(decode("test:page:x:1:1"), Err(CustomIdError::Malformed));
        assert_eq!(decode("test:page:2:1\n:1"), Err(CustomIdError::Malformed));
        assert_eq!(decode("Test:page:2:1:1"), Err(CustomIdError::Malformed));
        assert_eq!(
            decode(&format!("test:page:2:1:{}", "1".repeat(100))),
            Err(CustomIdError::Malformed)
        );
        assert_eq!(decode("test:other:2:1:1"), Err(CustomIdError::OtherAction));
        assert_eq!(
            decode("test:page:1:1:1"),
            Err(CustomIdError::Version {
                found: 1,
                expected: 2
            })
        );
        assert_eq!(
            decode("test:page:2:0:1"),
            Err(CustomIdError::Argument { index: 0 })
        );
        assert_eq!(decode("test:page:2:+1:1"), Err(CustomIdError::Malformed));
        assert_eq!(
            decode("test:page:2:1:-1"),
            Err(CustomIdError::Argument { index: 1 })
        );
        assert_eq!(
            decode("test:page:2:1:99999999999"),
            Err(CustomIdError::Argument { index: 1 })
        );
        assert_eq!(
            decode("test:page:2:18446744073709551616:1"),
            Err(CustomIdError::Argument { index: 0 })
        );
        assert_eq!(
            decode("test:page:2:1"),
            Err(CustomIdError::Argument { index: 1 })
        );
        assert_eq!(
            decode("test:page:2:1:1:1"),
            Err(CustomIdError::Argument { index: 2 })
        );
    }
}

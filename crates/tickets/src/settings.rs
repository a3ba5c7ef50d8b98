//! A guild's ticket settings: categories with their support roles and questions, the member
//! limits, auto-close, and where transcripts go.

use std::time::Duration;

use hearth_core::{ChannelId, RoleId};
use serde::{Deserialize, Serialize};

use crate::{AutoClosePolicy, MemberLimits, SettingsError};

/// The most categories a guild can have: a panel message holds 5 rows of 5 buttons.
pub const CATEGORIES_MAX: usize = 25;
/// The longest category key, in characters (it travels in a button's `custom_id`).
pub const CATEGORY_KEY_MAX_CHARS: usize = 32;
/// The longest category label: Discord's limit on a button label.
pub const CATEGORY_LABEL_MAX_CHARS: usize = 80;
/// The most questions a category asks: a Discord modal holds five inputs.
pub const QUESTIONS_MAX: usize = 5;
/// The longest question: Discord's limit on a text input's label.
pub const QUESTION_MAX_CHARS: usize = 45;

/// One question the opener answers in the modal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// The question (the input's label).
    pub label: String,
    /// Whether an answer is required.
    pub required: bool,
}

/// A kind of ticket, with its own team and questions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    /// Its key: `a-z`, `0-9`, `-`, `_`, up to [`CATEGORY_KEY_MAX_CHARS`].
    pub key: String,
    /// What the panel's button says.
    pub label: String,
    /// The Discord category its channels go under.
    pub parent: ChannelId,
    /// Where tickets go, in order, once `parent` holds 50 channels; when these are full too,
    /// new tickets wait in the queue.
    #[serde(default)]
    pub overflow: Vec<ChannelId>,
    /// The roles that answer these tickets.
    #[serde(default)]
    pub support_roles: Vec<RoleId>,
    /// What the modal asks, besides the reason.
    #[serde(default)]
    pub questions: Vec<Question>,
    /// Whether other support members can still write in a ticket someone claimed (they can
    /// always read it).
    #[serde(default)]
    pub others_reply_when_claimed: bool,
}

impl Category {
    /// Checks the category against Discord's limits.
    ///
    /// # Errors
    ///
    /// [`SettingsError::BadCategoryKey`], [`SettingsError::Empty`], [`SettingsError::TooLong`],
    /// [`SettingsError::TooManyQuestions`].
    pub fn validate(&self) -> Result<(), SettingsError> {
        let key_ok = !self.key.is_empty()
            && self.key.chars().count() <= CATEGORY_KEY_MAX_CHARS
            && self
                .key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if !key_ok {
            return Err(SettingsError::BadCategoryKey {
                key: self.key.clone(),
                max: CATEGORY_KEY_MAX_CHARS,
            });
        }
        text("a category label", &self.label, CATEGORY_LABEL_MAX_CHARS)?;
        if self.questions.len() > QUESTIONS_MAX {
            return Err(SettingsError::TooManyQuestions { max: QUESTIONS_MAX });
        }
        for q in &self.questions {
            text("a question", &q.label, QUESTION_MAX_CHARS)?;
        }
        Ok(())
    }
}

fn text(what: &'static str, value: &str, max: usize) -> Result<(), SettingsError> {
    let len = value.trim().chars().count();
    if len == 0 {
        return Err(SettingsError::Empty { what });
    }
    if len > max {
        return Err(SettingsError::TooLong { what, max, len });
    }
    Ok(())
}

/// A guild's ticket settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketSettings {
    /// The categories, in panel order.
    #[serde(default)]
    pub categories: Vec<Category>,
    /// How many tickets one member may have and open.
    #[serde(default)]
    pub limits: MemberLimits,
    /// Closing inactive tickets; `None` leaves them open.
    #[serde(default)]
    pub auto_close: Option<AutoClosePolicy>,
    /// Where transcripts and the ticket log go.
    #[serde(default)]
    pub log_channel: Option<ChannelId>,
}

impl TicketSettings {
    /// The category with this key.
    pub fn category(&self, key: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.key == key)
    }

    /// Checks every part.
    ///
    /// # Errors
    ///
    /// [`SettingsError::TooManyCategories`], [`SettingsError::DuplicateCategory`], and the
    /// errors of [`Category::validate`], [`MemberLimits::validate`] and
    /// [`AutoClosePolicy::validate`].
    pub fn validate(&self) -> Result<(), SettingsError> {
        if self.categories.len() > CATEGORIES_MAX {
            return Err(SettingsError::TooManyCategories {
                max: CATEGORIES_MAX,
            });
        }
        for (i, c) in self.categories.iter().enumerate() {
            c.validate()?;
            if self.categories[..i].iter().any(|o| o.key == c.key) {
                return Err(SettingsError::DuplicateCategory { key: c.key.clone() });
            }
        }
        self.limits.validate()?;
        if let Some(policy) = &self.auto_close {
            policy.validate()?;
        }
        Ok(())
    }
}

/// Checks `value` (in seconds) against `min..=max` for a duration setting.
pub(crate) fn duration_in(
    what: &'static str,
    value: Duration,
    min: Duration,
    max: Duration,
) -> Result<(), SettingsError> {
    if value < min || value > max {
        return Err(SettingsError::OutOfRange {
            what,
            min: min.as_secs(),
            max: max.as_secs(),
            given: value.as_secs(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::category;

    #[test]
    fn categories_are_checked_against_discord_limits() {
        assert_eq!(category("support").validate(), Ok(()));
        for key in [
            "",
            "Support",
            "a b",
            &"k".repeat(CATEGORY_KEY_MAX_CHARS + 1),
        ] {
            assert!(
                matches!(
                    category(key).validate(),
                    Err(SettingsError::BadCategoryKey { .. })
                ),
                "{key}"
            );
        }
        assert_eq!(
            category(&"k".repeat(CATEGORY_KEY_MAX_CHARS)).validate(),
            Ok(())
        );
        let mut c = category("support");
        c.questions = vec![
            Question {
                label: "q".repeat(QUESTION_MAX_CHARS),
                required: true
            };
            QUESTIONS_MAX
        ];
        assert_eq!(c.validate(), Ok(()));
        c.questions.push(c.questions[0].clone());
        assert_eq!(
            c.validate(),
            Err(SettingsError::TooManyQuestions { max: 5 })
        );
        c.questions = vec![Question {
            label: "q".repeat(QUESTION_MAX_CHARS + 1),
            required: true,
        }];
        assert_eq!(
            c.validate().unwrap_err().to_string(),
            "a question can be at most 45 characters; this one has 46"
        );
    }

    #[test]
    fn settings_refuse_duplicate_and_too_many_categories() {
        let mut s = TicketSettings {
            categories: vec![category("a"), category("a")],
            ..TicketSettings::default()
        };
        assert_eq!(
            s.validate(),
            Err(SettingsError::DuplicateCategory { key: "a".into() })
        );
        s.categories = (0..=CATEGORIES_MAX)
            .map(|i| category(&format!("c{i}")))
            .collect();
        assert_eq!(
            s.validate(),
            Err(SettingsError::TooManyCategories { max: 25 })
        );
        s.categories.pop();
        assert_eq!(s.validate(), Ok(()));
        assert_eq!(s.category("c3").map(|c| c.key.as_str()), Some("c3"));
    }
}

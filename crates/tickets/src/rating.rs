//! Ratings: 1 to 5 stars from the opener after close, with an optional comment.

use serde::{Deserialize, Serialize};

use crate::Error;

/// The lowest score.
pub const RATING_MIN: u8 = 1;
/// The highest score.
pub const RATING_MAX: u8 = 5;
/// The longest comment kept, in characters (a modal's paragraph input allows 4,000; a rating
/// comment is meant to be short).
pub const RATING_COMMENT_MAX_CHARS: usize = 1_000;

/// A score from [`RATING_MIN`] to [`RATING_MAX`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct RatingScore(u8);

impl RatingScore {
    /// The score `stars`.
    ///
    /// # Errors
    ///
    /// [`Error::RatingOutOfRange`] outside 1–5.
    pub fn new(stars: u8) -> Result<Self, Error> {
        if (RATING_MIN..=RATING_MAX).contains(&stars) {
            Ok(Self(stars))
        } else {
            Err(Error::RatingOutOfRange {
                min: RATING_MIN,
                max: RATING_MAX,
                given: i64::from(stars),
            })
        }
    }

    /// The number of stars.
    pub const fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for RatingScore {
    type Error = Error;
    fn try_from(stars: u8) -> Result<Self, Error> {
        Self::new(stars)
    }
}

impl From<RatingScore> for u8 {
    fn from(score: RatingScore) -> u8 {
        score.0
    }
}

/// The opener's verdict on a closed ticket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    /// The stars.
    pub score: RatingScore,
    /// What they wrote, trimmed; `None` when nothing.
    pub comment: Option<String>,
}

impl Rating {
    /// A rating with `comment` trimmed (empty is none).
    ///
    /// # Errors
    ///
    /// [`Error::CommentTooLong`] beyond [`RATING_COMMENT_MAX_CHARS`].
    pub fn new(score: RatingScore, comment: Option<&str>) -> Result<Self, Error> {
        let comment = comment.map(str::trim).filter(|c| !c.is_empty());
        if let Some(text) = comment {
            let len = text.chars().count();
            if len > RATING_COMMENT_MAX_CHARS {
                return Err(Error::CommentTooLong {
                    max: RATING_COMMENT_MAX_CHARS,
                    len,
                });
            }
        }
        Ok(Self {
            score,
            comment: comment.map(str::to_owned),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_are_probed_at_their_edges() {
        assert!(matches!(
            RatingScore::new(0),
            Err(Error::RatingOutOfRange { given: 0, .. })
        ));
        assert_eq!(RatingScore::new(1).unwrap().get(), 1);
        assert_eq!(RatingScore::new(5).unwrap().get(), 5);
        let err = RatingScore::new(6).unwrap_err();
        assert_eq!(err.to_string(), "a rating is 1 to 5 stars, not 6");
    }

    #[test]
    fn comments_are_trimmed_and_probed_at_their_limit() {
        let five = RatingScore::new(5).unwrap();
        assert_eq!(Rating::new(five, Some("  ")).unwrap().comment, None);
        let max = "ß".repeat(RATING_COMMENT_MAX_CHARS);
        assert_eq!(Rating::new(five, Some(&max)).unwrap().comment, Some(max));
        let over = "ß".repeat(RATING_COMMENT_MAX_CHARS + 1);
        assert_eq!(
            Rating::new(five, Some(&over)).unwrap_err().to_string(),
            "a comment can be at most 1000 characters; this one has 1001"
        );
    }
}

//! What can go wrong while rendering.

use std::error::Error as StdError;

/// Why an image could not be produced or an option could not be read.
///
/// Bad avatar or background bytes are not an error: the card draws a default avatar or the
/// plain design instead, because a member cannot fix the image Discord serves for them.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// A colour option was not written as `#RRGGBB`.
    #[error("{input:?} is not a colour like #5865F2")]
    InvalidColour {
        /// What was typed, cut to 32 characters.
        input: String,
    },
    /// The PNG encoder failed; with an in-memory buffer this points at a bug, not at the input.
    #[error("could not encode the PNG")]
    Encode(#[source] Box<dyn StdError + Send + Sync>),
}

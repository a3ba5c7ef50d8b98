//! The one error every store returns.

use std::{error::Error as StdError, fmt};

/// What kind of trouble a store ran into: enough for a caller to decide what to do next,
/// without seeing the driver's own error type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StoreErrorKind {
    /// The database could not be reached or timed out; retrying later may work. The bot answers
    /// that the service is degraded.
    Unavailable,
    /// A stored record could not be read back (wrong shape, bad value): a data problem that
    /// retrying will not fix.
    Corrupt,
    /// Anything else the backend reported.
    Other,
}

/// A store failed: the database, not the caller's input, is the problem.
///
/// The backend's own error (rusqlite, mongodb, …) is kept as the boxed [`source`](StdError::source),
/// so logs show the whole chain while no driver type appears in a public API.
#[derive(Debug)]
pub struct StoreError {
    kind: StoreErrorKind,
    context: &'static str,
    source: Option<Box<dyn StdError + Send + Sync>>,
}

impl StoreError {
    /// A store error of `kind` while doing `context` (e.g. `"listing warnings"`), caused by `source`.
    pub fn new(
        kind: StoreErrorKind,
        context: &'static str,
        source: impl Into<Box<dyn StdError + Send + Sync>>,
    ) -> Self {
        Self {
            kind,
            context,
            source: Some(source.into()),
        }
    }

    /// A store error with no underlying cause (e.g. a worker thread that is gone).
    pub fn bare(kind: StoreErrorKind, context: &'static str) -> Self {
        Self {
            kind,
            context,
            source: None,
        }
    }

    /// What kind of trouble this is.
    pub fn kind(&self) -> StoreErrorKind {
        self.kind
    }

    /// What the store was doing.
    pub fn context(&self) -> &'static str {
        self.context
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            StoreErrorKind::Unavailable => "database unavailable",
            StoreErrorKind::Corrupt => "stored data unreadable",
            StoreErrorKind::Other => "database error",
        };
        write!(f, "{kind} while {}", self.context)
    }
}

impl StdError for StoreError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_names_kind_and_context_and_keeps_the_source() {
        let io = std::io::Error::new(std::io::ErrorKind::TimedOut, "connect timed out");
        let err = StoreError::new(StoreErrorKind::Unavailable, "listing warnings", io);
        assert_eq!(
            err.to_string(),
            "database unavailable while listing warnings"
        );
        assert_eq!(err.source().unwrap().to_string(), "connect timed out");
        assert_eq!(err.kind(), StoreErrorKind::Unavailable);
    }
}

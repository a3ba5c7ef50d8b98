//! Choosing and opening the database from `HEARTH_DATABASE`.

use std::{fmt, path::PathBuf};

/// The variable that names the database.
pub const DATABASE_VAR: &str = "HEARTH_DATABASE";

/// The variable the earlier bot used for MongoDB, read when `HEARTH_DATABASE` is unset.
pub const MONGODB_URI_VAR: &str = "MONGODB_URI";

/// The database used when neither variable is set: a SQLite file beside the working directory.
pub const DEFAULT_DATABASE: &str = "sqlite://data/hearth.db";

/// Where the data lives, parsed from a database URL.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// `sqlite://PATH`: an embedded SQLite file (created with its folder on first run).
    /// `sqlite://:memory:` keeps everything in memory until the process ends.
    Sqlite(Option<PathBuf>),
    /// `mongodb://…` or `mongodb+srv://…`, passed to the driver unchanged.
    Mongo(String),
}

/// Why a database URL was refused. Messages name the variable and the accepted forms, and
/// never echo the URL itself, which may hold a password.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DatabaseUrlError {
    /// A scheme other than `sqlite`, `mongodb` or `mongodb+srv`.
    #[error("{var} must be sqlite://PATH, mongodb://… or mongodb+srv://…, not a `{scheme}` URL")]
    UnknownScheme {
        /// The variable the URL came from.
        var: &'static str,
        /// The scheme given (everything before `://`, or the whole value if it has none).
        scheme: String,
    },
    /// `sqlite://` with nothing after it.
    #[error("{var} is sqlite:// without a path; write it like sqlite://data/hearth.db")]
    MissingPath {
        /// The variable the URL came from.
        var: &'static str,
    },
}

impl DatabaseUrl {
    /// Parses a URL given in variable `var`.
    ///
    /// `sqlite://data/hearth.db` is a path relative to the working directory;
    /// `sqlite:///var/lib/hearth.db` an absolute one.
    ///
    /// # Errors
    ///
    /// [`DatabaseUrlError::UnknownScheme`] for any other scheme (or no scheme at all),
    /// [`DatabaseUrlError::MissingPath`] for a `sqlite://` URL without a path.
    pub fn parse(value: &str, var: &'static str) -> Result<Self, DatabaseUrlError> {
        let value = value.trim();
        let Some((scheme, rest)) = value.split_once("://") else {
            let scheme = if value.contains(['@', ':', '/']) {
                "schemeless"
            } else {
                value
            };
            return Err(DatabaseUrlError::UnknownScheme {
                var,
                scheme: scheme.to_owned(),
            });
        };
        match scheme.to_ascii_lowercase().as_str() {
            "sqlite" if rest.is_empty() => Err(DatabaseUrlError::MissingPath { var }),
            "sqlite" if rest == ":memory:" => Ok(Self::Sqlite(None)),
            "sqlite" => Ok(Self::Sqlite(Some(PathBuf::from(rest)))),
            "mongodb" | "mongodb+srv" => Ok(Self::Mongo(value.to_owned())),
            _ => Err(DatabaseUrlError::UnknownScheme {
                var,
                scheme: scheme.to_owned(),
            }),
        }
    }

    /// The URL from the environment: `HEARTH_DATABASE`, else `MONGODB_URI`, else
    /// [`DEFAULT_DATABASE`]. `lookup` reads one variable (`std::env::var` in the bot).
    ///
    /// # Errors
    ///
    /// As [`DatabaseUrl::parse`], naming the variable the bad value came from.
    pub fn from_env(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, DatabaseUrlError> {
        let set = |var: &str| lookup(var).filter(|v| !v.trim().is_empty());
        if let Some(value) = set(DATABASE_VAR) {
            Self::parse(&value, DATABASE_VAR)
        } else if let Some(value) = set(MONGODB_URI_VAR) {
            Self::parse(&value, MONGODB_URI_VAR)
        } else {
            Self::parse(DEFAULT_DATABASE, DATABASE_VAR)
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    /// Shows the backend and, for SQLite, the path; never a MongoDB URL's credentials.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(Some(path)) => write!(f, "sqlite://{}", path.display()),
            Self::Sqlite(None) => f.write_str("sqlite://:memory:"),
            Self::Mongo(url) => {
                let host = url.split_once("://").map_or("", |(_, r)| r);
                let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
                let host = host.split(['/', '?']).next().unwrap_or_default();
                write!(f, "mongodb://{host}")
            }
        }
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        let pairs = pairs.to_vec();
        move |var| {
            pairs
                .iter()
                .find(|(k, _)| *k == var)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn sqlite_urls_name_a_file_or_memory() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/hearth.db", DATABASE_VAR),
            Ok(DatabaseUrl::Sqlite(Some("data/hearth.db".into())))
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///var/lib/hearth.db", DATABASE_VAR),
            Ok(DatabaseUrl::Sqlite(Some("/var/lib/hearth.db".into())))
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite://:memory:", DATABASE_VAR),
            Ok(DatabaseUrl::Sqlite(None))
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite://", DATABASE_VAR)
                .unwrap_err()
                .to_string(),
            "HEARTH_DATABASE is sqlite:// without a path; write it like sqlite://data/hearth.db"
        );
    }

    #[test]
    fn mongodb_urls_pass_through() {
        for url in [
            "mongodb://localhost:27017/hearth",
            "mongodb+srv://u:p@cluster0.example.net/",
        ] {
            assert_eq!(
                DatabaseUrl::parse(url, DATABASE_VAR),
                Ok(DatabaseUrl::Mongo(url.into()))
            );
        }
    }

    #[test]
    fn other_schemes_are_refused_without_echoing_secrets() {
        let err = DatabaseUrl::parse("postgres://user:secret@db/hearth", DATABASE_VAR).unwrap_err();
        assert_eq!(
            err.to_string(),
            "HEARTH_DATABASE must be sqlite://PATH, mongodb://… or mongodb+srv://…, not a \
             `postgres` URL"
        );
        let err = DatabaseUrl::parse("user:secret@db", MONGODB_URI_VAR).unwrap_err();
        assert!(!err.to_string().contains("secret"), "{err}");
        assert!(err.to_string().starts_with("MONGODB_URI must be"), "{err}");
        assert!(DatabaseUrl::parse("data/hearth.db", DATABASE_VAR).is_err());
    }

    #[test]
    fn environment_prefers_hearth_database_then_mongodb_uri_then_the_default() {
        assert_eq!(
            DatabaseUrl::from_env(env(&[])),
            Ok(DatabaseUrl::Sqlite(Some("data/hearth.db".into())))
        );
        assert_eq!(
            DatabaseUrl::from_env(env(&[(MONGODB_URI_VAR, "mongodb://m")])),
            Ok(DatabaseUrl::Mongo("mongodb://m".into()))
        );
        assert_eq!(
            DatabaseUrl::from_env(env(&[
                (MONGODB_URI_VAR, "mongodb://m"),
                (DATABASE_VAR, "sqlite://x.db")
            ])),
            Ok(DatabaseUrl::Sqlite(Some("x.db".into())))
        );
        // An empty variable counts as unset.
        assert_eq!(
            DatabaseUrl::from_env(env(&[(DATABASE_VAR, " ")])),
            Ok(DatabaseUrl::Sqlite(Some("data/hearth.db".into())))
        );
    }

    #[test]
    fn display_hides_mongodb_credentials() {
        let url =
            DatabaseUrl::Mongo("mongodb+srv://user:pw@cluster0.example.net/hearth?x=1".into());
        assert_eq!(url.to_string(), "mongodb://cluster0.example.net");
    }
}

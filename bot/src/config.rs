//! Configuration from the environment, in two layers: raw strings, then a checked [`Config`].
//!
//! Every error names the variable and the form it expects; none echoes a secret.

use std::{net::SocketAddr, ops::RangeInclusive};

use hearth_core::GuildId;

use crate::database::{DatabaseUrl, DatabaseUrlError};

/// The listener used when `HEARTH_HTTP_ADDR` is unset.
pub const DEFAULT_HTTP_ADDR: &str = "127.0.0.1:8080";

/// Every variable Hearth reads, for documentation and `--help`.
pub const VARIABLES: &[&str] = &[
    "DISCORD_TOKEN",
    "DISCORD_PUBLIC_KEY",
    "HEARTH_DATABASE",
    "MONGODB_URI",
    "REDIS_URL",
    "HEARTH_DISCORD_API",
    "HEARTH_GATEWAY_URL",
    "HEARTH_HTTP_ADDR",
    "HEARTH_SHARDS",
    "HEARTH_DEV_GUILD",
    "HEARTH_TIMED_LEASE",
    "RUST_LOG",
];

/// The checked configuration the bot runs with.
#[derive(Clone, PartialEq, Eq)]
pub struct Config {
    /// The bot token, without a `Bot ` prefix.
    pub token: String,
    /// Where data lives.
    pub database: DatabaseUrl,
    /// The shared cache tier, if any.
    pub redis_url: Option<String>,
    /// Where Discord's REST API is; `None` is Discord itself.
    pub discord_api: Option<ApiBase>,
    /// Where Discord's gateway is (`ws://` or `wss://`, no trailing slash); `None` is the URL
    /// Discord hands out in `GET /gateway/bot`.
    pub gateway_url: Option<String>,
    /// The HTTP listener for `/interactions`, `/healthz` and `/metrics`.
    pub http_addr: SocketAddr,
    /// The application's Ed25519 public key, which makes `/interactions` available.
    pub public_key: Option<[u8; 32]>,
    /// Which shards this process runs; `None` runs all of them.
    pub shards: Option<ShardRange>,
    /// Register commands in this guild only (instant updates while developing).
    pub dev_guild: Option<GuildId>,
    /// How long the scheduler holds a claimed timed action
    /// ([`DEFAULT_LEASE`](hearth_core::timed::DEFAULT_LEASE) unless set): after a crash, the
    /// actions a dead process held run again this long after it claimed them.
    pub timed_lease: std::time::Duration,
}

/// The shortest and longest `HEARTH_TIMED_LEASE`, in seconds.
pub const TIMED_LEASE_SECS: std::ops::RangeInclusive<u64> = 2..=3_600;

/// A REST API base: `host[:port]` and whether it is plain HTTP, as twilight-http's proxy
/// setting takes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiBase {
    /// `host[:port]`, no scheme, no path.
    pub host: String,
    /// `true` for `http://`, `false` for `https://`.
    pub plain_http: bool,
}

/// A contiguous range of shard ids out of a total, written `0-15/64` (or `3/64` for one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShardRange {
    /// The shard ids this process runs.
    pub ids: RangeInclusive<u32>,
    /// How many shards the bot has in all.
    pub total: u32,
}

/// Why the configuration was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A required variable is unset or empty.
    #[error("{var} is not set; {hint}")]
    Missing {
        /// The variable.
        var: &'static str,
        /// What to put there.
        hint: &'static str,
    },
    /// A variable holds something of the wrong form.
    #[error("{var} must be {expected}")]
    Invalid {
        /// The variable.
        var: &'static str,
        /// The form expected, with an example.
        expected: &'static str,
    },
    /// The database URL is wrong.
    #[error(transparent)]
    Database(#[from] DatabaseUrlError),
}

impl Config {
    /// Reads and checks the configuration; `lookup` reads one variable (`std::env::var` in
    /// the bot). With `token_required` false (for `hearth try`), a missing token is allowed.
    ///
    /// # Errors
    ///
    /// The first [`ConfigError`] found, naming its variable.
    pub fn from_env(
        lookup: impl Fn(&str) -> Option<String>,
        token_required: bool,
    ) -> Result<Self, ConfigError> {
        let get = |var: &str| {
            lookup(var)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let token = match get("DISCORD_TOKEN") {
            Some(token) => parse_token(&token)?,
            None if token_required => {
                return Err(ConfigError::Missing {
                    var: "DISCORD_TOKEN",
                    hint: "copy the bot token from the Developer Portal (Bot → Reset Token); \
                           see docs/setup.md, or try Hearth without one with `hearth try`",
                });
            }
            None => String::new(),
        };
        Ok(Self {
            token,
            database: DatabaseUrl::from_env(&lookup)?,
            redis_url: get("REDIS_URL").map(|v| parse_redis_url(&v)).transpose()?,
            discord_api: get("HEARTH_DISCORD_API").map(|v| parse_api_base(&v)).transpose()?,
            gateway_url: get("HEARTH_GATEWAY_URL").map(|v| parse_gateway_url(&v)).transpose()?,
            http_addr: get("HEARTH_HTTP_ADDR")
                .as_deref()
                .unwrap_or(DEFAULT_HTTP_ADDR)
                .parse()
                .map_err(|_| ConfigError::Invalid {
                    var: "HEARTH_HTTP_ADDR",
                    expected: "an address and port to listen on, like 127.0.0.1:8080 or 0.0.0.0:8080",
                })?,
            public_key: get("DISCORD_PUBLIC_KEY").map(|v| parse_public_key(&v)).transpose()?,
            shards: get("HEARTH_SHARDS").map(|v| parse_shards(&v)).transpose()?,
            dev_guild: get("HEARTH_DEV_GUILD")
                .map(|v| {
                    v.parse().map_err(|_| ConfigError::Invalid {
                        var: "HEARTH_DEV_GUILD",
                        expected: "a guild id, like 80351110224678912",
                    })
                })
                .transpose()?,
            timed_lease: get("HEARTH_TIMED_LEASE")
                .map(|v| {
                    v.parse::<u64>()
                        .ok()
                        .filter(|secs| TIMED_LEASE_SECS.contains(secs))
                        .map(std::time::Duration::from_secs)
                        .ok_or(ConfigError::Invalid {
                            var: "HEARTH_TIMED_LEASE",
                            expected: "a number of seconds from 2 to 3600, like 60",
                        })
                })
                .transpose()?
                .unwrap_or(hearth_core::timed::DEFAULT_LEASE),
        })
    }
}

impl std::fmt::Debug for Config {
    /// Everything but the token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field(
                "token",
                &if self.token.is_empty() {
                    "(none)"
                } else {
                    "(set)"
                },
            )
            .field("database", &self.database)
            .field("redis_url", &self.redis_url.as_ref().map(|_| "(set)"))
            .field("discord_api", &self.discord_api)
            .field("gateway_url", &self.gateway_url)
            .field("http_addr", &self.http_addr)
            .field("public_key", &self.public_key.map(|_| "(set)"))
            .field("shards", &self.shards)
            .field("dev_guild", &self.dev_guild)
            .field("timed_lease", &self.timed_lease)
            .finish()
    }
}

fn parse_token(value: &str) -> Result<String, ConfigError> {
    let token = value.strip_prefix("Bot ").unwrap_or(value);
    if token.is_empty() || token.chars().any(char::is_whitespace) {
        return Err(ConfigError::Invalid {
            var: "DISCORD_TOKEN",
            expected: "the bot token from the Developer Portal, one word without spaces",
        });
    }
    Ok(token.to_owned())
}

fn parse_redis_url(value: &str) -> Result<String, ConfigError> {
    if value.starts_with("redis://") || value.starts_with("rediss://") {
        Ok(value.to_owned())
    } else {
        Err(ConfigError::Invalid {
            var: "REDIS_URL",
            expected: "redis://HOST:PORT or rediss://USER:PASSWORD@HOST:PORT (TLS)",
        })
    }
}

fn parse_api_base(value: &str) -> Result<ApiBase, ConfigError> {
    let invalid = ConfigError::Invalid {
        var: "HEARTH_DISCORD_API",
        expected: "a base URL without a path, like http://127.0.0.1:3000 or https://discord.com",
    };
    let (plain_http, rest) = if let Some(rest) = value.strip_prefix("http://") {
        (true, rest)
    } else if let Some(rest) = value.strip_prefix("https://") {
        (false, rest)
    } else {
        return Err(invalid);
    };
    let host = rest.strip_suffix('/').unwrap_or(rest);
    if host.is_empty() || host.contains(['/', '?', '#', '@']) {
        return Err(invalid);
    }
    Ok(ApiBase {
        host: host.to_owned(),
        plain_http,
    })
}

fn parse_gateway_url(value: &str) -> Result<String, ConfigError> {
    let rest = value
        .strip_prefix("ws://")
        .or_else(|| value.strip_prefix("wss://"));
    match rest {
        Some(rest) if !rest.trim_end_matches('/').is_empty() && !rest.contains(['?', '#']) => {
            Ok(value.trim_end_matches('/').to_owned())
        }
        _ => Err(ConfigError::Invalid {
            var: "HEARTH_GATEWAY_URL",
            expected: "a WebSocket URL without a query, like ws://127.0.0.1:3001 or wss://gateway.discord.gg",
        }),
    }
}

fn parse_public_key(value: &str) -> Result<[u8; 32], ConfigError> {
    let invalid = ConfigError::Invalid {
        var: "DISCORD_PUBLIC_KEY",
        expected: "the application's public key from the Developer Portal: 64 hexadecimal digits",
    };
    crate::http::decode_hex::<32>(value).ok_or(invalid)
}

fn parse_shards(value: &str) -> Result<ShardRange, ConfigError> {
    let invalid = ConfigError::Invalid {
        var: "HEARTH_SHARDS",
        expected: "FIRST-LAST/TOTAL with FIRST ≤ LAST < TOTAL, like 0-15/64 (or 3/64 for one shard)",
    };
    let (range, total) = value.split_once('/').ok_or_else(|| invalid.clone())?;
    let total: u32 = total.trim().parse().map_err(|_| invalid.clone())?;
    let (first, last) = match range.split_once('-') {
        Some((a, b)) => (a.trim().parse(), b.trim().parse()),
        None => (range.trim().parse(), range.trim().parse()),
    };
    let (Ok(first), Ok(last)) = (first, last) else {
        return Err(invalid);
    };
    if total == 0 || first > last || last >= total {
        return Err(invalid);
    }
    Ok(ShardRange {
        ids: first..=last,
        total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_env(
            move |var| pairs.iter().find(|(k, _)| k == var).map(|(_, v)| v.clone()),
            true,
        )
    }

    fn invalid_var(result: Result<Config, ConfigError>) -> &'static str {
        match result {
            Err(ConfigError::Invalid { var, .. } | ConfigError::Missing { var, .. }) => var,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn a_token_alone_is_enough() {
        let config = config(&[("DISCORD_TOKEN", "Bot abc.def")]).unwrap();
        assert_eq!(config.token, "abc.def");
        assert_eq!(
            config.database,
            DatabaseUrl::Sqlite(Some("data/hearth.db".into()))
        );
        assert_eq!(config.http_addr, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(config.discord_api, None);
        assert_eq!(config.shards, None);
        assert!(
            !format!("{config:?}").contains("abc.def"),
            "Debug hides the token"
        );
    }

    #[test]
    fn a_missing_token_says_where_to_get_one() {
        let err = config(&[]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("DISCORD_TOKEN is not set; copy the bot token")
        );
        let try_mode = Config::from_env(|_| None, false).unwrap();
        assert_eq!(try_mode.token, "");
    }

    #[test]
    fn sandbox_endpoints_are_taken_from_urls() {
        let config = config(&[
            ("DISCORD_TOKEN", "t"),
            ("HEARTH_DISCORD_API", "http://127.0.0.1:3000/"),
            ("HEARTH_GATEWAY_URL", "ws://127.0.0.1:3001/"),
        ])
        .unwrap();
        assert_eq!(
            config.discord_api,
            Some(ApiBase {
                host: "127.0.0.1:3000".into(),
                plain_http: true
            })
        );
        assert_eq!(config.gateway_url.as_deref(), Some("ws://127.0.0.1:3001"));
    }

    #[test]
    fn each_bad_value_names_its_variable() {
        let t = ("DISCORD_TOKEN", "t");
        assert_eq!(
            invalid_var(config(&[("DISCORD_TOKEN", "two words")])),
            "DISCORD_TOKEN"
        );
        assert_eq!(
            invalid_var(config(&[t, ("REDIS_URL", "localhost:6379")])),
            "REDIS_URL"
        );
        assert_eq!(
            invalid_var(config(&[t, ("HEARTH_DISCORD_API", "127.0.0.1:3000")])),
            "HEARTH_DISCORD_API"
        );
        assert_eq!(
            invalid_var(config(&[t, ("HEARTH_DISCORD_API", "http://h/api/v10")])),
            "HEARTH_DISCORD_API"
        );
        assert_eq!(
            invalid_var(config(&[t, ("HEARTH_GATEWAY_URL", "http://h")])),
            "HEARTH_GATEWAY_URL"
        );
        assert_eq!(
            invalid_var(config(&[t, ("HEARTH_HTTP_ADDR", "8080")])),
            "HEARTH_HTTP_ADDR"
        );
        assert_eq!(
            invalid_var(config(&[t, ("DISCORD_PUBLIC_KEY", "abcd")])),
            "DISCORD_PUBLIC_KEY"
        );
        assert_eq!(
            invalid_var(config(&[t, ("DISCORD_PUBLIC_KEY", &"zz".repeat(32))])),
            "DISCORD_PUBLIC_KEY"
        );
        // `u8::from_str_radix` alone would read "+f" as 15.
        assert_eq!(
            invalid_var(config(&[
                t,
                ("DISCORD_PUBLIC_KEY", &format!("+f{}", "0f".repeat(31)))
            ])),
            "DISCORD_PUBLIC_KEY"
        );
        assert_eq!(
            invalid_var(config(&[t, ("HEARTH_DEV_GUILD", "0")])),
            "HEARTH_DEV_GUILD"
        );
        assert!(matches!(
            config(&[t, ("HEARTH_DATABASE", "postgres://x")]),
            Err(ConfigError::Database(_))
        ));
    }

    #[test]
    fn public_key_is_read_from_hex() {
        let hex = "0f".repeat(32);
        let config = config(&[("DISCORD_TOKEN", "t"), ("DISCORD_PUBLIC_KEY", &hex)]).unwrap();
        assert_eq!(config.public_key, Some([0x0f; 32]));
    }

    #[test]
    fn shard_ranges_are_checked() {
        assert_eq!(
            parse_shards("0-15/64"),
            Ok(ShardRange {
                ids: 0..=15,
                total: 64
            })
        );
        assert_eq!(
            parse_shards("3/64"),
            Ok(ShardRange {
                ids: 3..=3,
                total: 64
            })
        );
        assert_eq!(
            parse_shards("0-0/1"),
            Ok(ShardRange {
                ids: 0..=0,
                total: 1
            })
        );
        for bad in ["0-64/64", "5-4/64", "0-3/0", "0-3", "a-b/4", "-1-3/4", ""] {
            assert!(parse_shards(bad).is_err(), "{bad}");
        }
    }
}

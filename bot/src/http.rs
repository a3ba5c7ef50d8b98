//! The HTTP endpoint: `POST /interactions` (Ed25519-verified), `GET /healthz`, `GET /metrics`.

use std::{
    fmt::Write as _,
    sync::Arc,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use axum::{
    Json, Router,
    body::Bytes,
    extract::State as AxumState,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use ed25519_dalek::{Signature, VerifyingKey};
use tokio_util::task::TaskTracker;
use twilight_model::{
    application::interaction::Interaction,
    http::interaction::{InteractionResponse, InteractionResponseType},
};

use crate::{
    ack,
    context::Backend,
    interaction::{self, App},
    run::ShardHealth,
};

/// Signatures older than this (by their timestamp) are refused, so a captured request cannot
/// be replayed later.
pub const SIGNATURE_MAX_AGE: Duration = Duration::from_secs(300);

/// How long `/interactions` waits for a handler's first response before answering with a
/// deferred one itself: Discord's 3 seconds, less a margin for the trip back. The handler's
/// watchdog ([`ack::ACK_WATCHDOG`]) normally defers earlier; this holds when a loaded machine
/// ran it late.
pub const INLINE_DEADLINE: Duration = Duration::from_millis(2_500);

/// The interaction type of Discord's endpoint check. See Discord Docs/Interactions/Receiving
/// and Responding, "Interaction Type".
const PING_TYPE: u8 = 1;

/// Just the `type` of an interaction body.
#[derive(serde::Deserialize)]
struct Kind {
    #[serde(rename = "type")]
    kind: u8,
}

/// What the endpoint's handlers share.
#[derive(Clone, Debug)]
pub struct State<S: Backend> {
    app: Arc<App<S>>,
    key: Option<VerifyingKey>,
    health: Arc<ShardHealth>,
    tasks: TaskTracker,
}

impl<S: Backend> State<S> {
    /// The endpoint's state; `public_key` enables `/interactions` (an invalid key disables it
    /// with a log line).
    pub fn new(
        app: Arc<App<S>>,
        public_key: Option<[u8; 32]>,
        health: Arc<ShardHealth>,
        tasks: TaskTracker,
    ) -> Self {
        let key = public_key.and_then(|bytes| {
            let key = VerifyingKey::from_bytes(&bytes).ok();
            if key.is_none() {
                tracing::error!(
                    "DISCORD_PUBLIC_KEY is not a valid Ed25519 key; /interactions is off"
                );
            }
            key
        });
        Self {
            app,
            key,
            health,
            tasks,
        }
    }
}

/// The endpoint's routes.
pub fn router<S: Backend>(state: State<S>) -> Router {
    Router::new()
        .route("/interactions", post(interactions::<S>))
        .route("/healthz", get(healthz::<S>))
        .route("/metrics", get(metrics::<S>))
        .with_state(state)
}

/// Checks Discord's signature over `timestamp ‖ body`. See Discord Docs/Interactions/Overview,
/// "Security and Authorization".
fn verified(key: &VerifyingKey, headers: &HeaderMap, body: &[u8], now: SystemTime) -> bool {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let (Some(signature), Some(timestamp)) = (
        header("x-signature-ed25519"),
        header("x-signature-timestamp"),
    ) else {
        return false;
    };
    let Some(signature) = decode_hex::<64>(signature).map(|b| Signature::from_bytes(&b)) else {
        return false;
    };
    let Ok(sent) = timestamp.parse::<u64>() else {
        return false;
    };
    let now = now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    if now.abs_diff(sent) > SIGNATURE_MAX_AGE.as_secs() {
        return false;
    }
    let mut message = Vec::with_capacity(timestamp.len() + body.len());
    message.extend_from_slice(timestamp.as_bytes());
    message.extend_from_slice(body);
    key.verify_strict(&message, &signature).is_ok()
}

/// Exactly `N` bytes from `2·N` hexadecimal digits (signatures here, the public key in config).
pub(crate) fn decode_hex<const N: usize>(text: &str) -> Option<[u8; N]> {
    if text.len() != 2 * N || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut out = [0u8; N];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

async fn interactions<S: Backend>(
    AxumState(state): AxumState<State<S>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(key) = &state.key else {
        return (
            StatusCode::NOT_FOUND,
            "interactions endpoint is off: set DISCORD_PUBLIC_KEY",
        )
            .into_response();
    };
    let now = UNIX_EPOCH
        + Duration::from_millis(u64::try_from(state.app.ctx.now().unix_millis()).unwrap_or(0));
    if !verified(key, &headers, &body, now) {
        return (StatusCode::UNAUTHORIZED, "invalid request signature").into_response();
    }
    // Answer PING from its `type` alone: the portal's check must not depend on every field a
    // full interaction model requires.
    if serde_json::from_slice::<Kind>(&body).is_ok_and(|k| k.kind == PING_TYPE) {
        return Json(InteractionResponse {
            kind: InteractionResponseType::Pong,
            data: None,
        })
        .into_response();
    }
    let interaction: Interaction = match serde_json::from_slice(&body) {
        Ok(interaction) => interaction,
        Err(err) => {
            tracing::debug!(%err, "unreadable interaction");
            return (StatusCode::BAD_REQUEST, "unreadable interaction").into_response();
        }
    };
    let (inline, answer) = ack::inline();
    state.tasks.spawn(interaction::handle(
        Arc::clone(&state.app),
        interaction,
        Some(inline),
    ));
    // At the deadline the answer is a deferred response, and the handler's reply edits it.
    if let Some(response) = answer.by(INLINE_DEADLINE).await {
        Json(response).into_response()
    } else {
        tracing::warn!("the handler ended without answering the interaction");
        StatusCode::INTERNAL_SERVER_ERROR.into_response()
    }
}

async fn healthz<S: Backend>(AxumState(state): AxumState<State<S>>) -> Response {
    let (connected, shards) = state.health.counts();
    let store = tokio::time::timeout(Duration::from_secs(2), state.app.store.ping())
        .await
        .map_err(|_| "timed out")
        .and_then(|r| r.map_err(|_| "unreachable"));
    let cache = &state.app.ctx.cache;
    let redis = if !cache.has_redis() {
        "not configured"
    } else if cache.stats().redis_up {
        "up"
    } else {
        "down"
    };
    let healthy = connected == shards && store.is_ok();
    let body = serde_json::json!({
        "status": if healthy { "ok" } else { "degraded" },
        "shards": { "connected": connected, "total": shards },
        "store": store.err().unwrap_or("ok"),
        "redis": redis,
    });
    let status = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

async fn metrics<S: Backend>(AxumState(state): AxumState<State<S>>) -> Response {
    let cache = state.app.ctx.cache.stats();
    let mut extra = String::from(
        "# HELP hearth_cache_reads_total Cache reads by namespace and result.\n\
         # TYPE hearth_cache_reads_total counter\n",
    );
    for (namespace, ns) in &cache.namespaces {
        for (result, n) in [
            ("tier1_hit", ns.tier1_hits),
            ("redis_hit", ns.redis_hits),
            ("load", ns.loads),
            ("load_error", ns.load_errors),
        ] {
            let _ = writeln!(
                extra,
                "hearth_cache_reads_total{{namespace=\"{namespace}\",result=\"{result}\"}} {n}"
            );
        }
    }
    let _ = writeln!(
        extra,
        "# HELP hearth_cache_redis_errors_total Redis commands that failed.\n\
         # TYPE hearth_cache_redis_errors_total counter\nhearth_cache_redis_errors_total {}",
        cache.redis_errors
    );
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.app.ctx.metrics.render(&extra),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use ed25519_dalek::{Signer, SigningKey};

    use super::*;

    fn signed(key: &SigningKey, timestamp: &str, body: &[u8]) -> HeaderMap {
        let mut message = timestamp.as_bytes().to_vec();
        message.extend_from_slice(body);
        let signature = key.sign(&message);
        let hex = signature
            .to_bytes()
            .iter()
            .fold(String::new(), |mut hex, b| {
                let _ = write!(hex, "{b:02x}");
                hex
            });
        let mut headers = HeaderMap::new();
        headers.insert("x-signature-ed25519", hex.parse().unwrap());
        headers.insert("x-signature-timestamp", timestamp.parse().unwrap());
        headers
    }

    #[test]
    fn only_fresh_correct_signatures_pass() {
        let signing = SigningKey::from_bytes(&[7; 32]);
        let key = signing.verifying_key();
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let body = br#"{"type":1}"#;
        let headers = signed(&signing, "1700000000", body);
        assert!(verified(&key, &headers, body, now));
        assert!(
            !verified(&key, &headers, br#"{"type":2}"#, now),
            "another body"
        );
        assert!(!verified(&key, &HeaderMap::new(), body, now), "no headers");
        let stale = signed(&signing, "1699999000", body);
        assert!(
            !verified(&key, &stale, body, now),
            "older than five minutes"
        );
        let other = SigningKey::from_bytes(&[8; 32]);
        assert!(
            !verified(&key, &signed(&other, "1700000000", body), body, now),
            "another key"
        );
    }
}

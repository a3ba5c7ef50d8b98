//! Helpers shared by the integration tests: real twilight clients pointed at a sandbox.

#![allow(dead_code, unreachable_pub)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hearth_sandbox::Sandbox;
use twilight_gateway::queue::InMemoryQueue;
use twilight_gateway::{ConfigBuilder, Event, EventTypeFlags, Intents, Shard, ShardId, StreamExt};
use twilight_http::Client;
use twilight_http::api_error::ApiError;
use twilight_http::error::ErrorType;

/// A 1×1 transparent PNG.
pub const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

/// Generous: these waits normally take milliseconds, but CI machines are loaded.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// Seconds since the Unix epoch, for timestamps relative to now (timeouts, far-future dates).
pub fn now_secs() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

/// twilight 0.18 builds a rustls config even for plain `ws://`/`http://` (gotcha 1).
pub fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The real twilight HTTP client, pointed at the sandbox.
pub fn http(sandbox: &Sandbox) -> Client {
    Client::builder()
        .token(sandbox.token())
        .proxy(sandbox.http_proxy().to_owned(), true)
        .ratelimiter(None)
        .timeout(TIMEOUT)
        .remember_invalid_token(false)
        .build()
}

/// The real twilight shard, pointed at the sandbox.
pub fn shard(sandbox: &Sandbox, id: ShardId, intents: Intents) -> Shard {
    let config = ConfigBuilder::new(sandbox.token(), intents)
        .proxy_url(sandbox.gateway_url().to_owned())
        .queue(InMemoryQueue::new(0, 0, Duration::ZERO, 0))
        .build();
    Shard::with_config(id, config)
}

/// Waits for the next event matching `pred`, failing on payloads twilight cannot parse.
pub async fn next_event(
    shard: &mut Shard,
    what: &str,
    mut pred: impl FnMut(&Event) -> bool,
) -> Event {
    let wait = async {
        loop {
            match shard.next_event(EventTypeFlags::all()).await {
                Some(Ok(event)) if pred(&event) => return event,
                Some(Ok(_)) => {}
                Some(Err(e)) => {
                    if matches!(
                        e.kind(),
                        twilight_gateway::error::ReceiveMessageErrorType::Deserializing { .. }
                    ) {
                        panic!("twilight could not parse a sandbox payload: {e:?}");
                    }
                }
                None => panic!("the shard closed while waiting for {what}"),
            }
        }
    };
    tokio::time::timeout(TIMEOUT, wait)
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}

/// The status and Discord error code of a twilight HTTP error.
pub fn api_error(error: &twilight_http::Error) -> (u16, u64) {
    match error.kind() {
        ErrorType::Response {
            status,
            error: ApiError::General(general),
            ..
        } => (status.get(), general.code),
        other => panic!("expected a Discord error response, got {other:?}"),
    }
}

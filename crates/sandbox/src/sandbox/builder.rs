//! Options for starting a sandbox and starting it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::TcpListener;
use twilight_model::gateway::Intents;

use super::Sandbox;
use crate::gateway::{self};
use crate::state::{Config, State};
use crate::{Shared, Spec, rest};

/// Options for starting a [`Sandbox`].
#[derive(Debug)]
pub struct SandboxBuilder {
    pub(super) token: String,
    pub(super) shards: u32,
    pub(super) privileged: Intents,
    pub(super) heartbeat: Duration,
    pub(super) attachment_size_limit: u64,
    pub(super) spec: Option<Arc<Spec>>,
}

impl SandboxBuilder {
    /// The bot token the sandbox accepts (default `sandbox-token`).
    #[must_use]
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = token.into();
        self
    }

    /// The shard count `/gateway/bot` recommends (default 1).
    #[must_use]
    pub fn shards(mut self, shards: u32) -> Self {
        self.shards = shards.max(1);
        self
    }

    /// The privileged intents enabled for the application (default: all three). Asking for
    /// another one in IDENTIFY closes the shard with 4014.
    #[must_use]
    pub fn privileged_intents(mut self, intents: Intents) -> Self {
        self.privileged = intents;
        self
    }

    /// The heartbeat interval sent in HELLO (default 41.25 s, as Discord).
    #[must_use]
    pub fn heartbeat_interval(mut self, interval: Duration) -> Self {
        self.heartbeat = interval;
        self
    }

    /// `attachment_size_limit` of interactions and the upload limit (default 10 MiB).
    #[must_use]
    pub fn attachment_size_limit(mut self, bytes: u64) -> Self {
        self.attachment_size_limit = bytes;
        self
    }

    /// Validate request bodies and answers against this description (`None` turns validation
    /// off). By default the description embedded in the crate ([`Spec::embedded`]) is used.
    #[must_use]
    pub fn spec(mut self, spec: Option<Arc<Spec>>) -> Self {
        self.spec = spec;
        self
    }

    /// Binds the gateway and REST servers on `127.0.0.1:0` and starts them.
    ///
    /// # Errors
    ///
    /// An I/O error when a socket cannot be bound.
    pub async fn start(self) -> std::io::Result<Sandbox> {
        let gateway_listener = TcpListener::bind("127.0.0.1:0").await?;
        let rest_listener = TcpListener::bind("127.0.0.1:0").await?;
        let gateway_url = format!("ws://{}", gateway_listener.local_addr()?);
        let rest_addr = rest_listener.local_addr()?.to_string();
        let ids = crate::time::Snowflakes::default();
        let config = Config {
            token: self.token,
            application_id: ids.next(),
            bot_id: ids.next(),
            shards: self.shards,
            privileged_intents: self.privileged.bits(),
            heartbeat_interval_ms: u64::try_from(self.heartbeat.as_millis()).unwrap_or(41_250),
            attachment_size_limit: self.attachment_size_limit,
            gateway_url: gateway_url.clone(),
            rest_base: format!("http://{rest_addr}"),
        };
        let mut state = State::new(config);
        state.ids = ids;
        let shared = Arc::new(Shared {
            state: std::sync::Mutex::new(state),
            changed: tokio::sync::Notify::new(),
            spec: self.spec,
        });
        let router =
            rest::router(Arc::clone(&shared)).merge(crate::cdn::router(Arc::clone(&shared)));
        let tasks = vec![
            tokio::spawn(gateway::serve(gateway_listener, Arc::clone(&shared))),
            tokio::spawn(async move {
                let _ = axum::serve(rest_listener, router).await;
            }),
        ];
        Ok(Sandbox {
            shared,
            gateway_url,
            rest_addr,
            tasks: Arc::new(Mutex::new(tasks)),
        })
    }
}

//! Faults a test injects: shard faults, failing, rate-limited and slow routes, and the
//! Interactions Endpoint URL that takes interactions off the gateway.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use twilight_model::id::{Id, marker::MessageMarker};

use super::Sandbox;
use crate::endpoint::{self, Endpoint, EndpointRefused};
use crate::gateway::{self, ShardFault};
use crate::state::{FaultKind, RouteFault};

impl Sandbox {
    /// Applies a fault to a shard's live connection; returns how many connections it hit.
    pub fn shard_fault(&self, shard: u32, fault: ShardFault) -> usize {
        self.shared.with(|s| gateway::fault(s, shard, fault))
    }

    /// Makes a route answer with `status` (e.g. 500) the next `times` times (`None` = always).
    /// The CDN's routes ([`crate::cdn::ROUTES`]) take faults too.
    pub fn fail_route(&self, method: &str, route: &str, status: u16, times: Option<u32>) {
        self.add_fault(method, route, FaultKind::Status(status), times);
    }

    /// Makes a route answer 429 with `retry_after` (seconds) and the global flag.
    pub fn rate_limit_route(
        &self,
        method: &str,
        route: &str,
        retry_after: f64,
        global: bool,
        times: Option<u32>,
    ) {
        self.add_fault(
            method,
            route,
            FaultKind::RateLimited {
                retry_after,
                global,
            },
            times,
        );
    }

    /// Delays a route's answers by `delay`.
    pub fn delay_route(&self, method: &str, route: &str, delay: Duration, times: Option<u32>) {
        self.add_fault(method, route, FaultKind::Delay(delay), times);
    }

    /// Acts on a route's requests at once but answers them `delay` later, as when Discord's
    /// answer is slow to come back: the state (and the events) change before the client
    /// hears what happened, a refusal included.
    pub fn answer_route_late(
        &self,
        method: &str,
        route: &str,
        delay: Duration,
        times: Option<u32>,
    ) {
        self.add_fault(method, route, FaultKind::AnswerLate(delay), times);
    }

    /// Sets the application's Interactions Endpoint URL, as a developer does in the portal:
    /// Discord first checks it (a signed PING must get a PONG, a request with a bad signature
    /// must get 401) and refuses to save it otherwise. From then on every interaction is
    /// POSTed to `url`, signed with `key`, instead of going over the gateway, and the HTTP
    /// answer is taken as its initial response (an answer that is not 200 within 3 s is noted
    /// in [`crate::state::Interaction::endpoint_failure`]).
    ///
    /// See Discord Docs/Interactions/Overview ("Setting Up an Endpoint").
    ///
    /// # Errors
    ///
    /// Why Discord would refuse the URL; then nothing changes.
    pub async fn set_interactions_endpoint(
        &self,
        url: &str,
        key: ed25519_dalek::SigningKey,
    ) -> Result<(), EndpointRefused> {
        let endpoint = Endpoint {
            url: url.to_owned(),
            key,
        };
        endpoint::verify(&endpoint, &self.ping_interaction()).await?;
        let (queue, mut deliveries) = tokio::sync::mpsc::unbounded_channel::<(u64, Value)>();
        let shared = Arc::clone(&self.shared);
        let to = endpoint.clone();
        let task = tokio::spawn(async move {
            while let Some((iid, payload)) = deliveries.recv().await {
                tokio::spawn(endpoint::deliver(
                    Arc::clone(&shared),
                    to.clone(),
                    iid,
                    payload,
                ));
            }
        });
        self.tasks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(task);
        self.shared.with(|s| s.endpoint = Some((endpoint, queue)));
        Ok(())
    }

    /// A PING interaction (type 1) as Discord sends to an Interactions Endpoint URL, with a
    /// fresh id and token.
    pub fn ping_interaction(&self) -> Value {
        self.shared.with(|s| {
            endpoint::ping(
                s.config.application_id,
                s.ids.next(),
                s.config.attachment_size_limit,
            )
        })
    }

    /// Removes the Interactions Endpoint URL: interactions go over the gateway again.
    pub fn clear_interactions_endpoint(&self) {
        self.shared.with(|s| s.endpoint = None);
    }

    /// Removes every route fault.
    pub fn clear_faults(&self) {
        self.shared.with(|s| s.faults.clear());
    }

    pub(super) fn add_fault(
        &self,
        method: &str,
        route: &str,
        kind: FaultKind,
        remaining: Option<u32>,
    ) {
        assert!(
            crate::routes()
                .chain(crate::cdn::ROUTES.iter().map(|r| ("GET", *r)))
                .any(|(m, r)| m == method && r == route),
            "the sandbox has no route {method} {route}"
        );
        self.shared.with(|s| {
            s.faults.push(RouteFault {
                method: method.to_owned(),
                route: route.to_owned(),
                kind,
                remaining,
            });
        });
    }

    /// Sends a message's `MESSAGE_CREATE` again, as Discord may: dispatches are delivered at
    /// least once (a resume replays what the client had not acknowledged).
    pub fn redeliver_message(&self, message: Id<MessageMarker>) {
        self.shared
            .with(|s| crate::events::message(s, message.get(), "MESSAGE_CREATE"));
    }
}

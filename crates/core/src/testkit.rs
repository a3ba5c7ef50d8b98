//! What every domain crate's conformance suite shares (feature `testkit`): the [`Fixture`] a
//! store crate hands the suite, the [`Spawn`] the parallel behaviours run tasks with, and the
//! test generator behind each crate's `…_store_suite!` macro.
//!
//! A domain crate writes its behaviours as `pub async fn`s in its own `testkit` module —
//! `fn name(store: &impl TheStore)` for the ordinary ones, `fn name(first: S, second: S, spawn:
//! &impl Spawn)` for the parallel ones — re-exports [`Fixture`] and [`Spawn`] there, and lists
//! the behaviours in a macro that calls [`__store_suite!`](crate::__store_suite) with `$crate`.
//! See `hearth_moderation::moderation_store_suite!`.
//!
//! The timed-action suite ([`crate::timed::TimedActionStore`]) lives here too, since timed
//! actions are shared vocabulary: a store runs it with [`timed_action_store_suite!`](crate::timed_action_store_suite).

// Panicking is what the behaviours are for.
#![allow(clippy::missing_panics_doc)]

mod timed;

use std::future::Future;

pub use self::timed::{
    a_completed_action_never_reappears, a_retried_action_is_due_again_at_the_retry_time,
    actions_not_yet_due_are_never_claimed, an_action_whose_lease_ended_is_claimable_again,
    cancelling_removes_the_pending_action, claims_take_at_most_their_limit,
    concurrent_claims_take_every_due_action_exactly_once,
    concurrent_rescheduling_of_one_key_leaves_one_action, due_actions_are_claimed_in_due_order,
    only_the_lease_owner_can_complete_or_retry, rescheduling_replaces_the_pending_action,
    scheduled_actions_are_pending_with_all_fields,
};

/// A store under test, with whatever must live as long as it (a temp dir, a database to drop).
pub trait Fixture: Send + Sized {
    /// The store type; cloned into spawned tasks by the parallel behaviours.
    type Store: Clone + Send + Sync + 'static;

    /// The store.
    fn store(&self) -> &Self::Store;

    /// Another handle on the same data, as a second bot process would open it (a second
    /// connection to the same file or server); a clone where there is no such thing.
    fn second_handle(&self) -> impl Future<Output = Self::Store> + Send;

    /// Cleans up after a test that passed (a test that panicked leaves its data behind).
    fn teardown(self) -> impl Future<Output = ()> + Send;
}

/// A `(store, guard)` pair: the guard (a temp dir, or `()`) lives as long as the test, and the
/// second handle is a clone of the store.
impl<S, G> Fixture for (S, G)
where
    S: Clone + Send + Sync + 'static,
    G: Send,
{
    type Store = S;

    fn store(&self) -> &S {
        &self.0
    }

    fn second_handle(&self) -> impl Future<Output = S> + Send {
        std::future::ready(self.0.clone())
    }

    async fn teardown(self) {}
}

/// Runs a future as a task of its own on the test's runtime, so tasks truly run in parallel on
/// the multi-threaded runtime. The generated tests pass one backed by `tokio::spawn`.
pub trait Spawn: Sync {
    /// Starts `task` and returns a future of its output; a panic in the task is re-raised.
    fn spawn<T: Send + 'static>(
        &self,
        task: impl Future<Output = T> + Send + 'static,
    ) -> impl Future<Output = T> + Send;
}

/// Expands behaviours of a domain crate's `testkit` module into `#[tokio::test]`s on four
/// worker threads. `[$krate]` is the domain crate (`$crate` from its own macro); the factory is
/// `(required f)` (every test runs) or `(optional f)` (`f` returns an `Option` and a `None`
/// skips the test body, for servers that may be absent outside CI).
///
/// ```text
/// __store_suite! { [$crate] [#[attr]…] (required factory); behaviour_a, behaviour_b, }
/// __store_suite! { @parallel [$crate] [#[attr]…] (required factory); parallel_behaviour, }
/// ```
#[doc(hidden)]
#[macro_export]
macro_rules! __store_suite {
    (@fixture (required $factory:expr)) => {
        ::std::option::Option::Some(($factory)().await)
    };
    (@fixture (optional $factory:expr)) => {
        ($factory)().await
    };
    ([$krate:tt] [$($attr:tt)*] $factory:tt;) => {};
    ([$krate:tt] [$($attr:tt)*] $factory:tt; $name:ident, $($rest:ident,)*) => {
        #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
        $($attr)*
        async fn $name() {
            let ::std::option::Option::Some(fixture) =
                $crate::__store_suite!(@fixture $factory)
            else {
                return;
            };
            $krate::testkit::$name($crate::testkit::Fixture::store(&fixture)).await;
            $crate::testkit::Fixture::teardown(fixture).await;
        }
        $crate::__store_suite! { [$krate] [$($attr)*] $factory; $($rest,)* }
    };
    (@parallel [$krate:tt] [$($attr:tt)*] $factory:tt;) => {};
    (@parallel [$krate:tt] [$($attr:tt)*] $factory:tt; $name:ident, $($rest:ident,)*) => {
        #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
        $($attr)*
        async fn $name() {
            struct TokioSpawn;
            impl $crate::testkit::Spawn for TokioSpawn {
                fn spawn<T: Send + 'static>(
                    &self,
                    task: impl ::std::future::Future<Output = T> + Send + 'static,
                ) -> impl ::std::future::Future<Output = T> + Send {
                    let handle = ::tokio::spawn(task);
                    async move {
                        match handle.await {
                            Ok(output) => output,
                            Err(err) => ::std::panic::resume_unwind(err.into_panic()),
                        }
                    }
                }
            }
            let ::std::option::Option::Some(fixture) =
                $crate::__store_suite!(@fixture $factory)
            else {
                return;
            };
            let first = ::std::clone::Clone::clone($crate::testkit::Fixture::store(&fixture));
            let second = $crate::testkit::Fixture::second_handle(&fixture).await;
            $krate::testkit::$name(first, second, &TokioSpawn).await;
            $crate::testkit::Fixture::teardown(fixture).await;
        }
        $crate::__store_suite! { @parallel [$krate] [$($attr)*] $factory; $($rest,)* }
    };
}

/// Runs the timed-action conformance suite ([`TimedActionStore`](crate::timed::TimedActionStore))
/// as `#[tokio::test]`s. The factory is an async closure returning a [`Fixture`] (a
/// `(store, guard)` pair will do); `optional` before it means the closure returns an `Option`
/// and `None` skips the test body (a server absent outside CI); attributes in brackets before
/// it go on every test.
///
/// ```ignore
/// hearth_core::timed_action_store_suite!(|| async { (MyStore::new(), ()) });
/// ```
#[macro_export]
macro_rules! timed_action_store_suite {
    ([$(#[$attr:meta])*] optional $factory:expr) => {
        $crate::__timed_action_store_suite! { [$(#[$attr])*] (optional $factory) }
    };
    ([$(#[$attr:meta])*] $factory:expr) => {
        $crate::__timed_action_store_suite! { [$(#[$attr])*] (required $factory) }
    };
    ($factory:expr) => {
        $crate::timed_action_store_suite!([] $factory);
    };
}

/// The timed suite's list of behaviours, expanded by [`__store_suite!`](crate::__store_suite).
#[doc(hidden)]
#[macro_export]
macro_rules! __timed_action_store_suite {
    ([$($attr:tt)*] $factory:tt) => {
        $crate::__store_suite! {
            [$crate] [$($attr)*] $factory;
            scheduled_actions_are_pending_with_all_fields,
            due_actions_are_claimed_in_due_order,
            actions_not_yet_due_are_never_claimed,
            claims_take_at_most_their_limit,
            an_action_whose_lease_ended_is_claimable_again,
            a_completed_action_never_reappears,
            cancelling_removes_the_pending_action,
            rescheduling_replaces_the_pending_action,
            only_the_lease_owner_can_complete_or_retry,
            a_retried_action_is_due_again_at_the_retry_time,
        }
        $crate::__store_suite! {
            @parallel [$crate] [$($attr)*] $factory;
            concurrent_claims_take_every_due_action_exactly_once,
            concurrent_rescheduling_of_one_key_leaves_one_action,
        }
    };
}

//! Timed actions across crashes: the bot runs as real child processes (this test binary
//! re-run with [`CHILD_VAR`] set, which runs `hearth::run` — the run loop the `hearth` binary
//! runs — configured from the environment only), one is killed with SIGKILL mid-way through
//! a hundred due unbans, and a restart lifts every ban exactly once; two processes on one
//! database share the work without doing any of it twice.

use std::{
    collections::{BTreeMap, BTreeSet},
    process::{Child, Command, Stdio},
    time::Duration,
};

use hearth::Config;
use hearth_core::{
    ChannelId, Clock, GuildId, SystemClock, UserId,
    timed::{ActionKind, NewTimedAction, TimedActionStore},
};
use hearth_moderation::Moderation;

use crate::harness::{Store, World, on_every_store, with_store};

/// Set in a child process: [`child_process_entry`] runs the bot instead of returning.
const CHILD_VAR: &str = "HEARTH_E2E_CHILD";

/// The route a timed unban calls.
const UNBAN: &str = "/guilds/{guild_id}/bans/{user_id}";

/// How many bans the scenarios lift.
const BANS: usize = 100;

/// The body of the child processes: the bot, configured from the environment, until killed.
#[test]
#[ignore = "run by the restart scenarios as a child process, not on its own"]
fn child_process_entry() {
    if std::env::var(CHILD_VAR).is_err() {
        return;
    }
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        let config = Config::from_env(|var| std::env::var(var).ok(), true).expect("configured");
        hearth::run(config, std::future::pending())
            .await
            .expect("the bot runs");
    });
}

/// A bot process, killed with SIGKILL when dropped (a scenario that fails leaves none behind).
struct BotProcess(Child);

impl Drop for BotProcess {
    fn drop(&mut self) {
        // `Child::kill` is SIGKILL on Unix: no shutdown code runs.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts a bot process against the world (lease 3 s, so a dead process's claims run again
/// soon).
fn spawn_bot(world: &World) -> BotProcess {
    let exe = std::env::current_exe().expect("the test binary");
    let child = Command::new(exe)
        .args([
            "--ignored",
            "--exact",
            "restarts::child_process_entry",
            "--nocapture",
            "--test-threads=1",
        ])
        .envs(world.config_env())
        .env(CHILD_VAR, "1")
        .env("HEARTH_TIMED_LEASE", "3")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the bot process starts");
    BotProcess(child)
}

/// A hundred users banned by hand, each with a timed unban that came due while no bot ran,
/// and the mod log set.
async fn hundred_due_unbans(world: &World) -> BTreeSet<u64> {
    let guild = GuildId::new(world.guild.id().get());
    let now = SystemClock.now();
    let mut users = BTreeSet::new();
    for i in 0..BANS {
        let member = world.guild.add_member(&format!("raider{i}"));
        world.guild.ban_by_hand(member.id(), Some("raid"));
        users.insert(member.id().get());
    }
    let mod_log = ChannelId::new(world.mod_log.get());
    with_store!(world, |store| {
        Moderation::new(store.clone())
            .set_mod_log_channel(guild, Some(mod_log))
            .await
            .expect("mod log set");
        for user in &users {
            store
                .schedule(NewTimedAction {
                    guild,
                    kind: ActionKind::Unban {
                        user: UserId::new(*user),
                    },
                    due_at: now,
                    case: None,
                    scheduled_at: now,
                })
                .await
                .expect("scheduled");
        }
    });
    users
}

/// Successful unbans per user, from the sandbox's request log.
fn lifted(world: &World) -> BTreeMap<u64, usize> {
    let mut per_user = BTreeMap::new();
    for request in world.sandbox.requests() {
        if request.method == "DELETE"
            && request.route.as_deref() == Some(UNBAN)
            && (200..300).contains(&request.status)
        {
            let user = request
                .path
                .rsplit('/')
                .next()
                .and_then(|id| id.parse().ok())
                .expect("a user id in the path");
            *per_user.entry(user).or_default() += 1;
        }
    }
    per_user
}

/// Waits (up to 30 s) until every ban is lifted and no action is pending.
async fn all_done(world: &World) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let pending = with_store!(world, |store| store.next_due().await.expect("read"));
        let bans = world.guild.bans().len();
        if bans == 0 && pending.is_none() {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{bans} bans left, an action pending: {}",
            pending.is_some()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Kills a bot process with SIGKILL.
fn kill(bot: BotProcess) {
    drop(bot);
}

async fn a_hundred_timed_unbans_survive_sigkill_and_run_exactly_once(store: Store) {
    let world = World::setup(store).without_bot().start().await;
    let users = hundred_due_unbans(&world).await;
    // Slow unbans, so the kill lands while many are claimed and some are in flight.
    world
        .sandbox
        .delay_route("DELETE", UNBAN, Duration::from_millis(20), None);

    let first = spawn_bot(&world);
    world
        .sandbox
        .wait_for("the first unbans", || {
            (world.sandbox.request_count("DELETE", UNBAN) >= 10).then_some(())
        })
        .await;
    kill(first);
    let before = lifted(&world).len();
    assert!(
        before < BANS,
        "the kill came too late to test anything ({before} lifted)"
    );

    let second = spawn_bot(&world);
    all_done(&world).await;
    kill(second);

    let per_user = lifted(&world);
    assert_eq!(per_user.keys().copied().collect::<BTreeSet<_>>(), users);
    assert!(
        per_user.values().all(|n| *n == 1),
        "a ban was lifted twice: {per_user:?}"
    );
    assert_eq!(
        world.sandbox.global_rate_limited(),
        0,
        "one process at a time keeps under Discord's global limit"
    );
    world.finish().await;
}

async fn two_bot_processes_on_one_database_lift_each_ban_once(store: Store) {
    let world = World::setup(store).without_bot().start().await;
    let users = hundred_due_unbans(&world).await;
    world
        .sandbox
        .delay_route("DELETE", UNBAN, Duration::from_millis(20), None);
    let a = spawn_bot(&world);
    let b = spawn_bot(&world);
    all_done(&world).await;
    kill(a);
    kill(b);
    let per_user = lifted(&world);
    assert_eq!(per_user.keys().copied().collect::<BTreeSet<_>>(), users);
    // Not one unban sent twice: every one succeeded at its first try (a repeat would have
    // found no ban, 404). Twilight paces each process under Discord's global limit of 50
    // requests a second, but two processes on one token share it without knowing of each
    // other: the 429s they meet are retried, and never repeat an unban that went through.
    let repeats = world
        .sandbox
        .requests()
        .iter()
        .filter(|r| r.method == "DELETE" && r.route.as_deref() == Some(UNBAN))
        .filter(|r| r.status != 429 && !(200..300).contains(&r.status))
        .count();
    assert_eq!(repeats, 0, "unbans sent again after one went through");
    assert!(per_user.values().all(|n| *n == 1), "{per_user:?}");
    world.finish().await;
}

on_every_store!(
    a_hundred_timed_unbans_survive_sigkill_and_run_exactly_once,
    two_bot_processes_on_one_database_lift_each_ban_once,
);

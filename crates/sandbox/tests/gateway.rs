//! The real twilight `Shard` against the sandbox's gateway.

// Each test is one scenario read top to bottom, like a member's story.
#![allow(clippy::too_many_lines)]

mod common;

use common::{install_crypto, next_event, shard};
use hearth_sandbox::{Sandbox, ShardFault, close_code};
use twilight_gateway::{CloseFrame, Event, Intents, ShardId};

const INTENTS: Intents = Intents::GUILDS
    .union(Intents::GUILD_MESSAGES)
    .union(Intents::MESSAGE_CONTENT)
    .union(Intents::GUILD_MEMBERS)
    .union(Intents::GUILD_MODERATION)
    .union(Intents::GUILD_MESSAGE_REACTIONS);

#[tokio::test]
async fn shard_identifies_gets_ready_and_guild_create_then_resumes_after_drop_and_op7() {
    install_crypto();
    let sandbox = Sandbox::start().await.unwrap();
    let guild = sandbox.create_guild("Resume test");
    let general = guild.text_channel("general");
    let alice = guild.add_member("alice");
    let mut shard = shard(&sandbox, ShardId::ONE, INTENTS);

    let ready = next_event(&mut shard, "READY", |e| matches!(e, Event::Ready(_))).await;
    let Event::Ready(ready) = ready else {
        unreachable!()
    };
    assert_eq!(ready.resume_gateway_url, sandbox.gateway_url());
    assert_eq!(ready.user.id, sandbox.bot_id());
    assert_eq!(ready.guilds.len(), 1);
    let created = next_event(&mut shard, "GUILD_CREATE", |e| {
        matches!(e, Event::GuildCreate(_))
    })
    .await;
    let Event::GuildCreate(created) = created else {
        unreachable!()
    };
    assert_eq!(created.id(), guild.id());

    // A dropped connection: the shard reconnects to resume_gateway_url and resumes. A message
    // sent meanwhile arrives live or is replayed, in both cases before RESUMED, as Discord does.
    assert_eq!(sandbox.shard_fault(0, ShardFault::Drop), 1);
    alice.send(general, "while you were away");
    let mut seen = Vec::new();
    next_event(&mut shard, "RESUMED after a drop", |e| {
        if let Event::MessageCreate(m) = e {
            seen.push((m.content.clone(), m.author.id));
        }
        matches!(e, Event::Resumed)
    })
    .await;
    assert_eq!(seen, [("while you were away".to_owned(), alice.id())]);

    // Op 7 RECONNECT: the shard closes and resumes.
    assert_eq!(sandbox.shard_fault(0, ShardFault::Reconnect), 1);
    next_event(&mut shard, "RESUMED after op 7", |e| {
        matches!(e, Event::Resumed)
    })
    .await;
    alice.send(general, "after op 7");
    next_event(
        &mut shard,
        "a live MESSAGE_CREATE",
        |e| matches!(e, Event::MessageCreate(m) if m.content == "after op 7"),
    )
    .await;

    // Op 9 with d=false: the session is gone, so the shard identifies again.
    sandbox.shard_fault(0, ShardFault::InvalidSession { resumable: false });
    next_event(&mut shard, "READY after op 9", |e| {
        matches!(e, Event::Ready(_))
    })
    .await;
    assert_eq!(sandbox.gateway_counts(), (2, 2));

    // Member, reaction and ban events reach the bot as twilight models.
    let bob = guild.add_member("bob");
    next_event(
        &mut shard,
        "GUILD_MEMBER_ADD",
        |e| matches!(e, Event::MemberAdd(m) if m.user.id == bob.id()),
    )
    .await;
    let hello = bob.send(general, "hello");
    bob.react(hello, "👍");
    next_event(
        &mut shard,
        "MESSAGE_REACTION_ADD",
        |e| matches!(e, Event::ReactionAdd(r) if r.user_id == bob.id()),
    )
    .await;
    bob.unreact(hello, "👍");
    next_event(&mut shard, "MESSAGE_REACTION_REMOVE", |e| {
        matches!(e, Event::ReactionRemove(_))
    })
    .await;
    bob.leave();
    next_event(&mut shard, "GUILD_MEMBER_REMOVE", |e| {
        matches!(e, Event::MemberRemove(_))
    })
    .await;
}

#[tokio::test]
async fn a_privileged_intent_not_enabled_for_the_app_closes_with_4014() {
    install_crypto();
    let sandbox = Sandbox::builder()
        .privileged_intents(Intents::GUILD_MEMBERS)
        .start()
        .await
        .unwrap();
    let mut shard = shard(
        &sandbox,
        ShardId::ONE,
        Intents::GUILDS | Intents::MESSAGE_CONTENT,
    );
    let closed = next_event(&mut shard, "the 4014 close", |e| {
        matches!(e, Event::GatewayClose(_))
    })
    .await;
    let Event::GatewayClose(Some(CloseFrame { code, .. })) = closed else {
        panic!("expected a close frame, got {closed:?}");
    };
    assert_eq!(code, close_code::DISALLOWED_INTENTS);
}

#[tokio::test]
async fn a_wrong_token_closes_with_4004() {
    install_crypto();
    let sandbox = Sandbox::start().await.unwrap();
    let config = twilight_gateway::ConfigBuilder::new("wrong".to_owned(), Intents::GUILDS)
        .proxy_url(sandbox.gateway_url().to_owned())
        .queue(twilight_gateway::queue::InMemoryQueue::new(
            0,
            0,
            std::time::Duration::ZERO,
            0,
        ))
        .build();
    let mut shard = twilight_gateway::Shard::with_config(ShardId::ONE, config);
    let closed = next_event(&mut shard, "the 4004 close", |e| {
        matches!(e, Event::GatewayClose(_))
    })
    .await;
    assert!(
        matches!(
            closed,
            Event::GatewayClose(Some(CloseFrame { code: 4004, .. }))
        ),
        "{closed:?}"
    );
}

#[tokio::test]
async fn guilds_are_routed_to_shards_by_the_sharding_formula() {
    install_crypto();
    let sandbox = Sandbox::builder().shards(2).start().await.unwrap();
    let guilds: Vec<_> = (0..6)
        .map(|i| sandbox.create_guild(&format!("g{i}")))
        .collect();
    let http = common::http(&sandbox);
    let info = http
        .gateway()
        .authed()
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(info.shards, 2);
    for id in 0..2u32 {
        let mut shard = shard(&sandbox, ShardId::new(id, 2), Intents::GUILDS);
        let Event::Ready(ready) =
            next_event(&mut shard, "READY", |e| matches!(e, Event::Ready(_))).await
        else {
            unreachable!()
        };
        let expected: Vec<_> = guilds
            .iter()
            .map(hearth_sandbox::Guild::id)
            .filter(|g| (g.get() >> 22) % 2 == u64::from(id))
            .collect();
        let mut got: Vec<_> = ready.guilds.iter().map(|g| g.id).collect();
        got.sort();
        assert_eq!(got, expected);
    }
}

#[tokio::test]
async fn request_guild_members_is_answered_with_a_chunk() {
    use twilight_model::gateway::payload::outgoing::RequestGuildMembers;
    install_crypto();
    let sandbox = Sandbox::start().await.unwrap();
    let guild = sandbox.create_guild("Chunks");
    let alice = guild.add_member("alice");
    guild.add_member("bob");
    let mut shard = shard(&sandbox, ShardId::ONE, INTENTS);
    next_event(&mut shard, "GUILD_CREATE", |e| {
        matches!(e, Event::GuildCreate(_))
    })
    .await;
    let request = RequestGuildMembers::builder(guild.id())
        .nonce("n1")
        .query("ali", None);
    shard.command(&request);
    let Event::MemberChunk(chunk) = next_event(&mut shard, "GUILD_MEMBERS_CHUNK", |e| {
        matches!(e, Event::MemberChunk(_))
    })
    .await
    else {
        unreachable!()
    };
    assert_eq!(chunk.nonce.as_deref(), Some("n1"));
    assert_eq!(chunk.members.len(), 1);
    assert_eq!(chunk.members[0].user.id, alice.id());
}

#[tokio::test]
async fn a_resumable_invalid_session_and_a_4000_close_are_resumed() {
    install_crypto();
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.create_guild("Resumable");
    let mut shard = shard(&sandbox, ShardId::ONE, INTENTS);
    next_event(&mut shard, "GUILD_CREATE", |e| {
        matches!(e, Event::GuildCreate(_))
    })
    .await;
    sandbox.shard_fault(0, ShardFault::InvalidSession { resumable: true });
    next_event(&mut shard, "RESUMED after op 9 true", |e| {
        matches!(e, Event::Resumed)
    })
    .await;
    sandbox.shard_fault(0, ShardFault::Close(4000));
    next_event(&mut shard, "RESUMED after close 4000", |e| {
        matches!(e, Event::Resumed)
    })
    .await;
    assert_eq!(sandbox.gateway_counts(), (1, 2));
    assert_eq!(sandbox.connected_shards(), [0]);
}

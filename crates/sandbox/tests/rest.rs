//! The real twilight HTTP client (and shard, for interactions) against the sandbox's REST API:
//! each success and each refusal comes back as Discord's would.

// Each test is one scenario read top to bottom, like a member's story.
#![allow(clippy::too_many_lines)]

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{PNG, api_error, http, install_crypto, next_event, shard};
use hearth_sandbox::{CommandValue, ResponseKind, Sandbox};
use twilight_gateway::{Event, Intents, ShardId};
use twilight_http::request::AuditLogReason;
use twilight_model::application::command::CommandType;
use twilight_model::application::interaction::InteractionData;
use twilight_model::channel::message::MessageFlags;
use twilight_model::guild::Permissions;
use twilight_model::http::attachment::Attachment;
use twilight_model::http::interaction::{
    InteractionResponse, InteractionResponseData, InteractionResponseType,
};
use twilight_model::id::Id;
use twilight_model::util::Timestamp;
use twilight_util::builder::command::{CommandBuilder, StringBuilder, UserBuilder};
use twilight_util::builder::embed::{EmbedBuilder, ImageSource};

fn now_secs() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

#[tokio::test]
async fn a_slash_command_arrives_as_interaction_create_and_is_answered_through_the_callback() {
    install_crypto();
    let sandbox = Sandbox::start().await.unwrap();
    let guild = sandbox.create_guild("Interactions");
    let general = guild.text_channel("general");
    let moderator = guild.add_member("mod");
    let target = guild.add_member("target");
    let http = http(&sandbox);
    let app = http.interaction(sandbox.application_id());
    let warn = CommandBuilder::new("warn", "Warn a member", CommandType::ChatInput)
        .option(UserBuilder::new("member", "Who").required(true))
        .option(StringBuilder::new("reason", "Why"))
        .build();
    let registered = app
        .set_global_commands(&[warn])
        .await
        .unwrap()
        .models()
        .await
        .unwrap();
    assert_eq!(registered[0].name, "warn");
    assert!(registered[0].id.is_some());

    let mut shard = shard(
        &sandbox,
        ShardId::ONE,
        Intents::GUILDS | Intents::GUILD_MESSAGES,
    );
    next_event(&mut shard, "GUILD_CREATE", |e| {
        matches!(e, Event::GuildCreate(_))
    })
    .await;
    let run = moderator.run_command(
        general,
        "warn",
        &[
            ("member", CommandValue::User(target.id())),
            ("reason", CommandValue::String("spam".to_owned())),
        ],
    );
    let Event::InteractionCreate(interaction) = next_event(&mut shard, "INTERACTION_CREATE", |e| {
        matches!(e, Event::InteractionCreate(_))
    })
    .await
    else {
        unreachable!()
    };
    assert_eq!(interaction.attachment_size_limit, 10 << 20);
    assert_eq!(interaction.author_id(), Some(moderator.id()));
    let Some(InteractionData::ApplicationCommand(data)) = &interaction.data else {
        panic!("expected command data");
    };
    assert_eq!(data.name, "warn");
    let resolved = data.resolved.as_ref().expect("resolved data");
    assert!(resolved.users.contains_key(&target.id()));
    assert!(resolved.members.contains_key(&target.id()));
    assert!(interaction.member.as_ref().unwrap().permissions.is_some());

    // The answer: an embed showing an attached PNG.
    let embed = EmbedBuilder::new()
        .title("Warned")
        .description("target was warned: spam")
        .image(ImageSource::attachment("rank.png").unwrap())
        .build();
    let response = InteractionResponse {
        kind: InteractionResponseType::ChannelMessageWithSource,
        data: Some(InteractionResponseData {
            embeds: Some(vec![embed]),
            attachments: Some(vec![Attachment::from_bytes(
                "rank.png".to_owned(),
                PNG.to_vec(),
                1,
            )]),
            ..Default::default()
        }),
    };
    app.create_response(interaction.id, &interaction.token, &response)
        .await
        .unwrap();
    assert_eq!(run.wait_for_response().await, ResponseKind::Message);
    let original = run.wait_for_original(|m| !m.embeds.is_empty()).await;
    assert_eq!(original.embeds[0]["title"], "Warned");
    assert_eq!(original.attachments[0].filename, "rank.png");
    assert_eq!(original.attachments[0].bytes, PNG);
    next_event(
        &mut shard,
        "the response's MESSAGE_CREATE",
        |e| matches!(e, Event::MessageCreate(m) if m.attachments.len() == 1),
    )
    .await;

    // A second initial response is 40060; edits and follow-ups work.
    let again = app
        .create_response(interaction.id, &interaction.token, &response)
        .await
        .unwrap_err();
    assert_eq!(api_error(&again), (400, 40060));
    app.update_response(&interaction.token)
        .content(Some("edited"))
        .await
        .unwrap();
    assert_eq!(run.original_message().unwrap().content, "edited");
    let followup = app
        .create_followup(&interaction.token)
        .content("only you can see this")
        .flags(MessageFlags::EPHEMERAL)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(followup.content, "only you can see this");
    assert!(run.followups()[0].is_ephemeral());
    assert!(
        guild
            .messages(general)
            .iter()
            .all(|m| m.content != "only you can see this")
    );

    // Too late: an interaction older than 3 s is unknown (10062).
    let late = moderator.run_command(
        general,
        "warn",
        &[("member", CommandValue::User(target.id()))],
    );
    late.age_by(Duration::from_secs(4));
    let Event::InteractionCreate(late_interaction) =
        next_event(&mut shard, "the late INTERACTION_CREATE", |e| {
            matches!(e, Event::InteractionCreate(_))
        })
        .await
    else {
        unreachable!()
    };
    let err = app
        .create_response(late_interaction.id, &late_interaction.token, &response)
        .await
        .unwrap_err();
    assert_eq!(api_error(&err), (404, 10062));

    // A deferred response, then the edit that creates the message.
    let deferred = moderator.run_command(
        general,
        "warn",
        &[("member", CommandValue::User(target.id()))],
    );
    let Event::InteractionCreate(third) =
        next_event(&mut shard, "a third INTERACTION_CREATE", |e| {
            matches!(e, Event::InteractionCreate(_))
        })
        .await
    else {
        unreachable!()
    };
    let defer = InteractionResponse {
        kind: InteractionResponseType::DeferredChannelMessageWithSource,
        data: Some(InteractionResponseData {
            flags: Some(MessageFlags::EPHEMERAL),
            ..Default::default()
        }),
    };
    app.create_response(third.id, &third.token, &defer)
        .await
        .unwrap();
    app.update_response(&third.token)
        .content(Some("done"))
        .await
        .unwrap();
    let done = deferred.wait_for_original(|m| m.content == "done").await;
    assert!(done.is_ephemeral());

    // After 15 minutes the token no longer edits or follows up (401, Invalid Webhook Token).
    deferred.age_by(Duration::from_secs(15 * 60 + 1));
    let err = app
        .update_response(&third.token)
        .content(Some("too late"))
        .await
        .unwrap_err();
    assert_eq!(api_error(&err), (401, 50027));
    assert!(
        sandbox.spec_violations().is_empty(),
        "{:?}",
        sandbox.spec_violations()
    );
}

#[tokio::test]
async fn buttons_and_select_menus_arrive_as_component_interactions() {
    install_crypto();
    let sandbox = Sandbox::start().await.unwrap();
    let guild = sandbox.create_guild("Components");
    let general = guild.text_channel("general");
    let member = guild.add_member("clicker");
    let http = http(&sandbox);
    let components = serde_json::from_value::<Vec<twilight_model::channel::message::Component>>(serde_json::json!([
        {"type": 1, "components": [{"type": 2, "style": 1, "label": "Claim", "custom_id": "claim"}]},
        {"type": 1, "components": [{"type": 3, "custom_id": "colour", "options": [
            {"label": "Red", "value": "red"}, {"label": "Blue", "value": "blue"}]}]}
    ]))
    .unwrap();
    let panel = http
        .create_message(general)
        .content("Pick")
        .components(&components)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    let mut shard = shard(&sandbox, ShardId::ONE, Intents::GUILDS);
    next_event(&mut shard, "GUILD_CREATE", |e| {
        matches!(e, Event::GuildCreate(_))
    })
    .await;
    let click = member.click(panel.id, "claim");
    let Event::InteractionCreate(i) = next_event(&mut shard, "the click", |e| {
        matches!(e, Event::InteractionCreate(_))
    })
    .await
    else {
        unreachable!()
    };
    let Some(InteractionData::MessageComponent(data)) = &i.data else {
        panic!("component data")
    };
    assert_eq!(data.custom_id, "claim");
    let update = InteractionResponse {
        kind: InteractionResponseType::UpdateMessage,
        data: Some(InteractionResponseData {
            content: Some("Claimed".to_owned()),
            ..Default::default()
        }),
    };
    http.interaction(sandbox.application_id())
        .create_response(i.id, &i.token, &update)
        .await
        .unwrap();
    assert_eq!(click.wait_for_response().await, ResponseKind::UpdateMessage);
    assert_eq!(guild.messages(general)[0].content, "Claimed");

    member.select(panel.id, "colour", &["blue"]);
    let Event::InteractionCreate(i) = next_event(&mut shard, "the selection", |e| {
        matches!(e, Event::InteractionCreate(_))
    })
    .await
    else {
        unreachable!()
    };
    let Some(InteractionData::MessageComponent(data)) = &i.data else {
        panic!("component data")
    };
    assert_eq!(data.values, ["blue"]);
    assert!(
        sandbox.spec_violations().is_empty(),
        "{:?}",
        sandbox.spec_violations()
    );
}

#[tokio::test]
async fn messages_with_embeds_and_png_attachments_are_stored_with_their_bytes() {
    install_crypto();
    let sandbox = Sandbox::start().await.unwrap();
    let guild = sandbox.create_guild("Messages");
    let general = guild.text_channel("general");
    let http = http(&sandbox);
    let embed = EmbedBuilder::new()
        .title("Rank")
        .image(ImageSource::attachment("rank.png").unwrap())
        .build();
    let sent = http
        .create_message(general)
        .content("your rank")
        .embeds(&[embed])
        .attachments(&[Attachment::from_bytes(
            "rank.png".to_owned(),
            PNG.to_vec(),
            1,
        )])
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(sent.attachments[0].filename, "rank.png");
    assert_eq!(sent.attachments[0].size, PNG.len() as u64);
    let stored = guild
        .wait_for_message(general, |m| m.id == sent.id.get())
        .await;
    assert_eq!(stored.attachments[0].bytes, PNG);
    assert_eq!(stored.embeds[0]["image"]["url"], "attachment://rank.png");
    // The attachment URL serves the bytes, as Discord's CDN does.
    let url = sent.attachments[0]
        .url
        .strip_prefix("http://")
        .unwrap()
        .to_owned();
    let (host, path) = url.split_once('/').unwrap();
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let request = format!("GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    tokio::io::AsyncWriteExt::write_all(&mut stream, request.as_bytes())
        .await
        .unwrap();
    let mut response = Vec::new();
    tokio::io::AsyncReadExt::read_to_end(&mut stream, &mut response)
        .await
        .unwrap();
    assert!(response.starts_with(b"HTTP/1.1 200"));
    assert!(response.ends_with(PNG));

    // Unknown ids, as Discord answers them.
    let unknown_channel = http
        .create_message(Id::new(1))
        .content("x")
        .await
        .unwrap_err();
    assert_eq!(api_error(&unknown_channel), (404, 10003));
    let unknown_message = http.message(general, Id::new(1)).await.unwrap_err();
    assert_eq!(api_error(&unknown_message), (404, 10008));
    let unknown_guild = http.guild(Id::new(1)).await.unwrap_err();
    assert_eq!(api_error(&unknown_guild), (404, 10004));

    // Without SEND_MESSAGES in the channel: 50013; without VIEW_CHANNEL: 50001.
    guild.set_overwrite(
        general,
        guild.everyone_role().get(),
        0,
        Permissions::empty(),
        Permissions::SEND_MESSAGES,
    );
    guild.set_role_permissions(guild.bot_role(), Permissions::VIEW_CHANNEL);
    let refused = http
        .create_message(general)
        .content("hi")
        .await
        .unwrap_err();
    assert_eq!(api_error(&refused), (403, 50013));
    guild.set_overwrite(
        general,
        guild.everyone_role().get(),
        0,
        Permissions::empty(),
        Permissions::VIEW_CHANNEL,
    );
    guild.set_role_permissions(guild.bot_role(), Permissions::SEND_MESSAGES);
    let hidden = http
        .create_message(general)
        .content("hi")
        .await
        .unwrap_err();
    assert_eq!(api_error(&hidden), (403, 50001));
    assert!(
        sandbox.spec_violations().is_empty(),
        "{:?}",
        sandbox.spec_violations()
    );
}

#[tokio::test]
async fn field_limits_come_back_as_50035_with_an_errors_object() {
    install_crypto();
    let sandbox = Sandbox::start().await.unwrap();
    let guild = sandbox.create_guild("Limits");
    let general = guild.text_channel("general");
    let member = guild.add_member("m");
    let http = http(&sandbox);
    // twilight validates these locally too, so send them raw, as a client without checks would.
    let raw = |route: &twilight_http::routing::Route<'_>, body: serde_json::Value| {
        twilight_http::request::Request::builder(route)
            .body(serde_json::to_vec(&body).unwrap())
            .build()
            .unwrap()
    };
    let long = raw(
        &twilight_http::routing::Route::CreateMessage {
            channel_id: general.get(),
        },
        serde_json::json!({"content": "x".repeat(2001)}),
    );
    let err = http
        .request::<twilight_model::channel::Message>(long)
        .await
        .unwrap_err();
    assert_eq!(api_error(&err), (400, 50035));
    let twilight_http::error::ErrorType::Response { body, .. } = err.kind() else {
        unreachable!()
    };
    let body: serde_json::Value = serde_json::from_slice(body).unwrap();
    assert_eq!(
        body["errors"]["content"]["_errors"][0]["code"],
        "BASE_TYPE_MAX_LENGTH"
    );

    let far = Timestamp::from_secs(now_secs() + 29 * 86_400).unwrap();
    let too_far = raw(
        &twilight_http::routing::Route::UpdateMember {
            guild_id: guild.id().get(),
            user_id: member.id().get(),
        },
        serde_json::json!({"communication_disabled_until": far.iso_8601().to_string()}),
    );
    let err = http
        .request::<twilight_model::guild::Member>(too_far)
        .await
        .unwrap_err();
    assert_eq!(api_error(&err), (400, 50035));
    assert!(!member.is_timed_out());

    let slow = raw(
        &twilight_http::routing::Route::UpdateChannel {
            channel_id: general.get(),
        },
        serde_json::json!({"rate_limit_per_user": 21_601}),
    );
    let err = http
        .request::<twilight_model::channel::Channel>(slow)
        .await
        .unwrap_err();
    assert_eq!(api_error(&err), (400, 50035));
    // A body the API description does not allow is refused and recorded.
    let bogus = raw(
        &twilight_http::routing::Route::UpdateChannel {
            channel_id: general.get(),
        },
        serde_json::json!({"name": 12}),
    );
    let err = http
        .request::<twilight_model::channel::Channel>(bogus)
        .await
        .unwrap_err();
    assert_eq!(api_error(&err), (400, 50035));
    assert_eq!(
        sandbox.spec_violations().len(),
        1,
        "{:?}",
        sandbox.spec_violations()
    );
}

#[tokio::test]
async fn timeouts_bans_kicks_and_roles_follow_permissions_and_hierarchy() {
    install_crypto();
    let sandbox = Sandbox::start().await.unwrap();
    let guild = sandbox.create_guild("Moderation");
    let general = guild.text_channel("general");
    let member = guild.add_member("member");
    let admin = guild.add_member("admin");
    let admin_role = guild.create_role("Admin", Permissions::ADMINISTRATOR);
    guild.grant(&admin, admin_role);
    let senior = guild.add_member("senior");
    let senior_role = guild.create_role("Senior", Permissions::empty());
    guild.set_role_position(senior_role, 10);
    guild.grant(&senior, senior_role);
    let low_role = guild.create_role("Low", Permissions::empty());
    let http = http(&sandbox);
    let (g, soon) = (guild.id(), Timestamp::from_secs(now_secs() + 600).unwrap());
    let all = Intents::GUILDS
        | Intents::GUILD_MEMBERS
        | Intents::GUILD_MODERATION
        | Intents::GUILD_MESSAGES
        | Intents::MESSAGE_CONTENT;
    let mut shard = shard(&sandbox, ShardId::ONE, all);
    next_event(&mut shard, "GUILD_CREATE", |e| {
        matches!(e, Event::GuildCreate(_))
    })
    .await;

    // Time out, with a percent-encoded reason that the sandbox decodes.
    http.update_guild_member(g, member.id())
        .communication_disabled_until(Some(soon))
        .reason("spam: 👍 / ok")
        .await
        .unwrap();
    assert!(member.is_timed_out());
    assert_eq!(
        guild.audit_log().last().unwrap().reason.as_deref(),
        Some("spam: 👍 / ok")
    );
    http.update_guild_member(g, member.id())
        .communication_disabled_until(None)
        .await
        .unwrap();
    assert!(!member.is_timed_out());

    // An administrator cannot be timed out; a member above the bot cannot be acted on.
    let err = http
        .update_guild_member(g, admin.id())
        .communication_disabled_until(Some(soon))
        .await
        .unwrap_err();
    assert_eq!(api_error(&err), (403, 50013));
    let err = http.remove_guild_member(g, senior.id()).await.unwrap_err();
    assert_eq!(api_error(&err), (403, 50013));
    let err = http.create_ban(g, guild.owner().id()).await.unwrap_err();
    assert_eq!(api_error(&err), (403, 50013));
    // Roles: below the bot's highest role only.
    http.add_guild_member_role(g, member.id(), low_role)
        .reason("verified")
        .await
        .unwrap();
    assert!(member.info().unwrap().roles.contains(&low_role.get()));
    guild.revoke(&member, low_role);
    assert!(member.info().unwrap().roles.is_empty());
    let err = http
        .add_guild_member_role(g, member.id(), senior_role)
        .await
        .unwrap_err();
    assert_eq!(api_error(&err), (403, 50013));
    let err = http
        .add_guild_member_role(g, member.id(), Id::new(1))
        .await
        .unwrap_err();
    assert_eq!(api_error(&err), (404, 10011));
    let err = http.guild_member(g, Id::new(1)).await.unwrap_err();
    assert_eq!(api_error(&err), (404, 10013));

    // Ban (deleting the last hour of messages) and unban.
    let spam = member.send(general, "buy cheap stuff");
    http.create_ban(g, member.id())
        .delete_message_seconds(3600)
        .reason("raid")
        .await
        .unwrap();
    let bans = guild.bans();
    assert_eq!(
        (bans[0].user_id, bans[0].reason.as_deref()),
        (member.id().get(), Some("raid"))
    );
    assert!(member.info().is_none());
    assert!(guild.messages(general).iter().all(|m| m.id != spam.get()));
    next_event(
        &mut shard,
        "MESSAGE_DELETE of the spam",
        |e| matches!(e, Event::MessageDelete(m) if m.id == spam),
    )
    .await;
    next_event(
        &mut shard,
        "GUILD_BAN_ADD",
        |e| matches!(e, Event::BanAdd(b) if b.user.id == member.id()),
    )
    .await;
    http.delete_ban(g, member.id()).await.unwrap();
    assert!(guild.bans().is_empty());
    next_event(&mut shard, "GUILD_BAN_REMOVE", |e| {
        matches!(e, Event::BanRemove(_))
    })
    .await;
    let err = http.delete_ban(g, member.id()).await.unwrap_err();
    assert_eq!(api_error(&err), (404, 10026));
    let err = http.guild_member(g, member.id()).await.unwrap_err();
    assert_eq!(api_error(&err), (404, 10007));

    // Without BAN_MEMBERS: 50013.
    guild.set_role_permissions(guild.bot_role(), Permissions::KICK_MEMBERS);
    let err = http.create_ban(g, admin.id()).await.unwrap_err();
    assert_eq!(api_error(&err), (403, 50013));
    assert!(
        sandbox.spec_violations().is_empty(),
        "{:?}",
        sandbox.spec_violations()
    );
}

#[tokio::test]
async fn faults_return_500_and_429_and_every_request_is_recorded() {
    install_crypto();
    let sandbox = Sandbox::start().await.unwrap();
    let guild = sandbox.create_guild("Faults");
    let general = guild.text_channel("general");
    let http = http(&sandbox);
    let route = "/channels/{channel_id}/messages";
    sandbox.fail_route("POST", route, 500, Some(1));
    let err = http.create_message(general).content("a").await.unwrap_err();
    assert!(
        matches!(err.kind(), twilight_http::error::ErrorType::Response { status, .. } if status.get() == 500)
    );
    http.create_message(general).content("b").await.unwrap();

    // A 429 is retried by twilight; the sandbox sees both attempts.
    sandbox.rate_limit_route("POST", route, 0.01, true, Some(1));
    http.create_message(general).content("c").await.unwrap();
    assert_eq!(sandbox.request_count("POST", route), 4);
    assert_eq!(
        sandbox
            .requests()
            .iter()
            .filter(|r| r.status == 429)
            .count(),
        1
    );
    assert!(sandbox.max_requests_per_second() <= hearth_sandbox::GLOBAL_RATE_LIMIT_PER_SECOND);
    assert_eq!(sandbox.global_rate_limited(), 0);

    // A wrong token is 401.
    let stranger = twilight_http::Client::builder()
        .token("wrong".to_owned())
        .proxy(sandbox.http_proxy().to_owned(), true)
        .ratelimiter(None)
        .remember_invalid_token(false)
        .build();
    let err = stranger.current_user().await.unwrap_err();
    assert!(
        matches!(err.kind(), twilight_http::error::ErrorType::Response { status, .. } if status.get() == 401)
    );
    let me = http.current_user().await.unwrap().model().await.unwrap();
    assert_eq!(me.id, sandbox.bot_id());
    let app = http
        .current_user_application()
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(app.id, sandbox.application_id());
}

#[tokio::test]
async fn channels_overwrites_slowmode_and_roles_are_managed_through_twilight() {
    use twilight_model::channel::ChannelType;
    use twilight_model::channel::permission_overwrite::{
        PermissionOverwrite, PermissionOverwriteType,
    };
    install_crypto();
    let sandbox = Sandbox::start().await.unwrap();
    let guild = sandbox.create_guild("Channels");
    let tickets = guild.category("tickets");
    let opener = guild.add_member("opener");
    let http = http(&sandbox);
    let everyone = guild.everyone_role();
    let mut shard = shard(&sandbox, ShardId::ONE, Intents::GUILDS);
    next_event(&mut shard, "GUILD_CREATE", |e| {
        matches!(e, Event::GuildCreate(_))
    })
    .await;
    let overwrites = [
        PermissionOverwrite {
            allow: Permissions::empty(),
            deny: Permissions::VIEW_CHANNEL,
            id: everyone.cast(),
            kind: PermissionOverwriteType::Role,
        },
        PermissionOverwrite {
            allow: Permissions::VIEW_CHANNEL | Permissions::SEND_MESSAGES,
            deny: Permissions::empty(),
            id: opener.id().cast(),
            kind: PermissionOverwriteType::Member,
        },
    ];
    let ticket = http
        .create_guild_channel(guild.id(), "ticket-0001")
        .kind(ChannelType::GuildText)
        .parent_id(tickets)
        .permission_overwrites(&overwrites[..])
        .reason("ticket opened")
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    next_event(
        &mut shard,
        "CHANNEL_CREATE",
        |e| matches!(e, Event::ChannelCreate(c) if c.id == ticket.id),
    )
    .await;
    let stored = guild.channel(ticket.id).unwrap();
    assert_eq!(stored.parent_id, Some(tickets.get()));
    assert_eq!(stored.overwrites.len(), 2);

    // Lockdown and slowmode on a public channel.
    let general = guild.text_channel("general");
    let lock = twilight_model::http::permission_overwrite::PermissionOverwrite {
        allow: None,
        deny: Some(Permissions::SEND_MESSAGES),
        id: everyone.cast(),
        kind: twilight_model::http::permission_overwrite::PermissionOverwriteType::Role,
    };
    http.update_channel_permission(general, &lock)
        .reason("lockdown")
        .await
        .unwrap();
    let locked = guild.channel(general).unwrap();
    assert_eq!(locked.overwrites[0].deny, Permissions::SEND_MESSAGES);
    next_event(
        &mut shard,
        "CHANNEL_UPDATE",
        |e| matches!(e, Event::ChannelUpdate(c) if c.id == general),
    )
    .await;
    http.update_channel(general)
        .rate_limit_per_user(30)
        .await
        .unwrap();
    assert_eq!(guild.channel(general).unwrap().rate_limit_per_user, 30);
    http.delete_channel_permission(general)
        .role(everyone)
        .await
        .unwrap();
    assert!(guild.channel(general).unwrap().overwrites.is_empty());

    // A role the bot creates lands at the bottom; it cannot grant what it does not have.
    let role = http
        .create_role(guild.id())
        .name("Muted")
        .permissions(Permissions::empty())
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(role.position, 1);
    next_event(
        &mut shard,
        "GUILD_ROLE_CREATE",
        |e| matches!(e, Event::RoleCreate(r) if r.role.id == role.id),
    )
    .await;
    let err = http
        .create_role(guild.id())
        .permissions(Permissions::ADMINISTRATOR)
        .await
        .unwrap_err();
    assert_eq!(api_error(&err), (403, 50013));
    let audit: Vec<_> = guild
        .audit_log()
        .into_iter()
        .filter_map(|e| e.reason)
        .collect();
    assert_eq!(audit, ["ticket opened", "lockdown"]);
    assert!(
        sandbox.spec_violations().is_empty(),
        "{:?}",
        sandbox.spec_violations()
    );
}

#[tokio::test]
async fn a_modal_opened_by_a_command_is_submitted_by_the_member() {
    install_crypto();
    let sandbox = Sandbox::start().await.unwrap();
    let guild = sandbox.create_guild("Modals");
    let general = guild.text_channel("general");
    let member = guild.add_member("writer");
    let http = http(&sandbox);
    let app = http.interaction(sandbox.application_id());
    let report = CommandBuilder::new("report", "Report something", CommandType::ChatInput).build();
    app.set_guild_commands(guild.id(), &[report]).await.unwrap();
    let mut shard = shard(&sandbox, ShardId::ONE, Intents::GUILDS);
    next_event(&mut shard, "GUILD_CREATE", |e| {
        matches!(e, Event::GuildCreate(_))
    })
    .await;
    let opened = member.run_command(general, "report", &[]);
    let Event::InteractionCreate(i) = next_event(&mut shard, "the command", |e| {
        matches!(e, Event::InteractionCreate(_))
    })
    .await
    else {
        unreachable!()
    };
    let modal: InteractionResponse = serde_json::from_value(serde_json::json!({
        "type": 9,
        "data": {"custom_id": "report-modal", "title": "Report", "components": [
            {"type": 1, "components": [{"type": 4, "custom_id": "what", "style": 1, "label": "What happened?"}]}
        ]}
    }))
    .unwrap();
    app.create_response(i.id, &i.token, &modal).await.unwrap();
    assert_eq!(opened.wait_for_response().await, ResponseKind::Modal);
    member.submit_modal(&opened, &[("what", "spam in #general")]);
    let Event::InteractionCreate(submitted) = next_event(&mut shard, "the modal submit", |e| {
        matches!(e, Event::InteractionCreate(_))
    })
    .await
    else {
        unreachable!()
    };
    let Some(InteractionData::ModalSubmit(data)) = &submitted.data else {
        panic!("modal data")
    };
    assert_eq!(data.custom_id, "report-modal");
    assert!(
        sandbox.spec_violations().is_empty(),
        "{:?}",
        sandbox.spec_violations()
    );
}

#[tokio::test]
async fn the_bot_can_dm_a_member_unless_they_closed_their_dms() {
    install_crypto();
    let sandbox = Sandbox::start().await.unwrap();
    let guild = sandbox.create_guild("DMs");
    let member = guild.add_member("warned");
    let http = http(&sandbox);
    let dm = http
        .create_private_channel(member.id())
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    http.create_message(dm.id)
        .content("You were warned: spam")
        .await
        .unwrap();
    assert_eq!(member.dms()[0].content, "You were warned: spam");
    member.close_dms();
    let err = http
        .create_message(dm.id)
        .content("again")
        .await
        .unwrap_err();
    assert_eq!(api_error(&err), (403, 50007));
    let err = http.update_channel(dm.id).name("x").await.unwrap_err();
    assert_eq!(api_error(&err), (403, 50003));
    assert!(
        sandbox.spec_violations().is_empty(),
        "{:?}",
        sandbox.spec_violations()
    );
}

#[tokio::test]
async fn autocomplete_interactions_carry_the_focused_option_and_take_choices() {
    install_crypto();
    let sandbox = Sandbox::start().await.unwrap();
    let guild = sandbox.create_guild("Autocomplete");
    let general = guild.text_channel("general");
    let member = guild.add_member("typist");
    let http = http(&sandbox);
    let app = http.interaction(sandbox.application_id());
    let ticket = CommandBuilder::new("ticket", "Open a ticket", CommandType::ChatInput)
        .option(StringBuilder::new("panel", "Which panel").autocomplete(true))
        .build();
    app.set_global_commands(&[ticket]).await.unwrap();
    let mut shard = shard(&sandbox, ShardId::ONE, Intents::GUILDS);
    next_event(&mut shard, "GUILD_CREATE", |e| {
        matches!(e, Event::GuildCreate(_))
    })
    .await;
    let typing = member.autocomplete(
        general,
        "ticket",
        &[("panel", CommandValue::Focused("sup".to_owned()))],
    );
    let Event::InteractionCreate(i) = next_event(&mut shard, "the autocomplete", |e| {
        matches!(e, Event::InteractionCreate(_))
    })
    .await
    else {
        unreachable!()
    };
    assert_eq!(
        i.kind,
        twilight_model::application::interaction::InteractionType::ApplicationCommandAutocomplete
    );
    let choices: InteractionResponse = serde_json::from_value(serde_json::json!({
        "type": 8, "data": {"choices": [{"name": "Support", "value": "support"}]}
    }))
    .unwrap();
    app.create_response(i.id, &i.token, &choices).await.unwrap();
    assert_eq!(typing.wait_for_response().await, ResponseKind::Autocomplete);
    assert_eq!(typing.autocomplete_choices()[0]["value"], "support");
    assert!(
        sandbox.spec_violations().is_empty(),
        "{:?}",
        sandbox.spec_violations()
    );
}

#[tokio::test]
async fn a_delayed_route_answers_late_but_answers() {
    install_crypto();
    let sandbox = Sandbox::start().await.unwrap();
    let http = http(&sandbox);
    sandbox.delay_route("GET", "/users/@me", Duration::from_millis(300), Some(1));
    let started = std::time::Instant::now();
    http.current_user().await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(sandbox.request_count("GET", "/users/@me"), 1);
}

#[tokio::test]
async fn reactions_by_members_and_the_bot_are_listed_and_removed() {
    use twilight_http::request::channel::reaction::RequestReactionType;
    install_crypto();
    let sandbox = Sandbox::start().await.unwrap();
    let guild = sandbox.create_guild("Reactions");
    let roles = guild.text_channel("roles");
    let member = guild.add_member("reactor");
    let http = http(&sandbox);
    let menu = http
        .create_message(roles)
        .content("React for roles")
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    let thumbs = RequestReactionType::Unicode { name: "👍" };
    http.create_reaction(roles, menu.id, &thumbs).await.unwrap();
    member.react(menu.id, "👍");
    let users = http
        .reactions(roles, menu.id, &thumbs)
        .await
        .unwrap()
        .models()
        .await
        .unwrap();
    assert_eq!(users.len(), 2);
    http.delete_reaction(roles, menu.id, &thumbs, member.id())
        .await
        .unwrap();
    let users = http
        .reactions(roles, menu.id, &thumbs)
        .await
        .unwrap()
        .models()
        .await
        .unwrap();
    assert_eq!(
        users.iter().map(|u| u.id).collect::<Vec<_>>(),
        [sandbox.bot_id()]
    );
    let stored = guild.messages(roles);
    assert_eq!(stored[0].reactions[0].users, [sandbox.bot_id().get()]);
    assert!(
        sandbox.spec_violations().is_empty(),
        "{:?}",
        sandbox.spec_violations()
    );
}

#[tokio::test]
async fn members_cannot_send_through_lockdown_slowmode_or_a_timeout() {
    use hearth_sandbox::SendRefused;
    install_crypto();
    let sandbox = Sandbox::start().await.unwrap();
    let guild = sandbox.create_guild("Refusals");
    let general = guild.text_channel("general");
    let member = guild.add_member("chatty");
    let http = http(&sandbox);
    http.update_channel(general)
        .rate_limit_per_user(60)
        .await
        .unwrap();
    member.send(general, "first");
    assert!(matches!(
        member.try_send(general, "second"),
        Err(SendRefused::Slowmode { .. })
    ));
    let lock = twilight_model::http::permission_overwrite::PermissionOverwrite {
        allow: None,
        deny: Some(Permissions::SEND_MESSAGES),
        id: guild.everyone_role().cast(),
        kind: twilight_model::http::permission_overwrite::PermissionOverwriteType::Role,
    };
    let other = guild.text_channel("other");
    http.update_channel_permission(other, &lock).await.unwrap();
    assert_eq!(
        member.try_send(other, "hi"),
        Err(SendRefused::MissingPermissions)
    );
    http.delete_channel_permission(other)
        .role(guild.everyone_role())
        .await
        .unwrap();
    member.send(other, "hi again");
    let soon = Timestamp::from_secs(now_secs() + 600).unwrap();
    http.update_guild_member(guild.id(), member.id())
        .communication_disabled_until(Some(soon))
        .await
        .unwrap();
    assert_eq!(member.try_send(other, "muted?"), Err(SendRefused::TimedOut));
    let names: Vec<String> = sandbox
        .dispatches()
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert!(names.contains(&"GUILD_MEMBER_UPDATE".to_owned()));
}

#[tokio::test]
async fn buttons_in_a_dm_and_role_selects_arrive_with_their_context() {
    install_crypto();
    let sandbox = Sandbox::start().await.unwrap();
    let guild = sandbox.create_guild("DM buttons");
    let member = guild.add_member("rater");
    let menu_channel = guild.text_channel("roles");
    let red = guild.create_role("Red", Permissions::empty());
    let http = http(&sandbox);
    let rate: Vec<twilight_model::channel::message::Component> = serde_json::from_value(serde_json::json!([
        {"type": 1, "components": [{"type": 2, "style": 1, "label": "5 stars", "custom_id": "rate:5"}]}
    ]))
    .unwrap();
    let dm = http
        .create_private_channel(member.id())
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    let ask = http
        .create_message(dm.id)
        .content("Rate us")
        .components(&rate)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    let picker: Vec<twilight_model::channel::message::Component> =
        serde_json::from_value(serde_json::json!([
            {"type": 1, "components": [{"type": 6, "custom_id": "roles"}]}
        ]))
        .unwrap();
    let menu = http
        .create_message(menu_channel)
        .components(&picker)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    let mut shard = shard(
        &sandbox,
        ShardId::ONE,
        Intents::GUILDS | Intents::DIRECT_MESSAGES,
    );
    next_event(&mut shard, "GUILD_CREATE", |e| {
        matches!(e, Event::GuildCreate(_))
    })
    .await;

    let click = member.click(ask.id, "rate:5");
    let Event::InteractionCreate(i) = next_event(&mut shard, "the DM click", |e| {
        matches!(e, Event::InteractionCreate(_))
    })
    .await
    else {
        unreachable!()
    };
    assert!(i.guild_id.is_none());
    assert_eq!(i.author_id(), Some(member.id()));
    let thanks = InteractionResponse {
        kind: InteractionResponseType::UpdateMessage,
        data: Some(InteractionResponseData {
            content: Some("Thanks!".to_owned()),
            ..Default::default()
        }),
    };
    http.interaction(sandbox.application_id())
        .create_response(i.id, &i.token, &thanks)
        .await
        .unwrap();
    click.wait_for_response().await;
    assert_eq!(member.dms()[0].content, "Thanks!");

    member.select_roles(menu.id, "roles", &[red]);
    let Event::InteractionCreate(i) = next_event(&mut shard, "the role select", |e| {
        matches!(e, Event::InteractionCreate(_))
    })
    .await
    else {
        unreachable!()
    };
    let Some(InteractionData::MessageComponent(data)) = &i.data else {
        panic!("component data")
    };
    assert_eq!(data.values, [red.to_string()]);
    assert!(data.resolved.as_ref().unwrap().roles.contains_key(&red));
    assert!(
        sandbox.spec_violations().is_empty(),
        "{:?}",
        sandbox.spec_violations()
    );
    assert!(
        sandbox.response_violations().is_empty(),
        "{:?}",
        sandbox.response_violations()
    );
}

#[tokio::test]
async fn more_than_50_requests_in_a_second_are_refused_with_a_global_429() {
    install_crypto();
    let sandbox = Sandbox::start().await.unwrap();
    // With twilight's own limiter (50 per second) the sandbox never refuses anything.
    let limited = twilight_http::Client::builder()
        .token(sandbox.token())
        .proxy(sandbox.http_proxy().to_owned(), true)
        .timeout(common::TIMEOUT)
        .build();
    let calls = (0..60).map(|_| std::future::IntoFuture::into_future(limited.current_user()));
    for result in futures_util::future::join_all(calls).await {
        result.unwrap();
    }
    assert_eq!(sandbox.global_rate_limited(), 0);
    assert_eq!(sandbox.request_count("GET", "/users/@me"), 60);

    // Without a limiter, requests past the 50th within a window get a global 429 (which twilight
    // then retries on its own).
    let sandbox = Sandbox::start().await.unwrap();
    let unlimited = http(&sandbox);
    let calls = (0..100).map(|_| std::future::IntoFuture::into_future(unlimited.current_user()));
    for result in futures_util::future::join_all(calls).await {
        result.unwrap();
    }
    assert!(sandbox.global_rate_limited() >= 1);
    let refused = sandbox
        .requests()
        .into_iter()
        .find(|r| r.status == 429)
        .unwrap();
    assert_eq!(refused.route.as_deref(), Some("/users/@me"));
}

//! Moderation through the real twilight HTTP client and shard: timeouts, bans, kicks and roles
//! under permissions and hierarchy; channels, overwrites, lockdown and slowmode.

// Each test is one scenario read top to bottom, like a member's story.
#![allow(clippy::too_many_lines)]

mod common;

use common::{api_error, http, install_crypto, next_event, now_secs, shard};
use hearth_sandbox::Sandbox;
use twilight_gateway::{Event, Intents, ShardId};
use twilight_http::request::AuditLogReason;
use twilight_model::guild::Permissions;
use twilight_model::id::Id;
use twilight_model::util::Timestamp;

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
    let created = http
        .create_guild_channel(guild.id(), "ticket-0001")
        .kind(ChannelType::GuildText)
        .parent_id(tickets)
        .permission_overwrites(&overwrites[..])
        .reason("ticket opened")
        .await
        .unwrap();
    // As Discord: 201 Created, and a body that Discord's description of that answer accepts.
    assert_eq!(created.status().get(), 201);
    let ticket = created.model().await.unwrap();
    assert_eq!(sandbox.response_violations(), Vec::<String>::new());
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

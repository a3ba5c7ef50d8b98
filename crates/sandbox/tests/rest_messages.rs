//! Messages through the real twilight HTTP client: embeds and attachments, unknown ids and
//! missing permissions, DMs, and reactions.

mod common;

use common::{PNG, api_error, http, install_crypto};
use hearth_sandbox::Sandbox;
use twilight_model::guild::Permissions;
use twilight_model::http::attachment::Attachment;
use twilight_model::id::Id;
use twilight_util::builder::embed::{EmbedBuilder, ImageSource};

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

//! Message components through the real twilight HTTP client and shard: buttons and selects in a
//! guild and in the bot's DMs arrive as interactions with their context.

mod common;

use common::{http, install_crypto, next_event, shard};
use hearth_sandbox::{ResponseKind, Sandbox};
use twilight_gateway::{Event, Intents, ShardId};
use twilight_model::application::interaction::InteractionData;
use twilight_model::guild::Permissions;
use twilight_model::http::interaction::{
    InteractionResponse, InteractionResponseData, InteractionResponseType,
};

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

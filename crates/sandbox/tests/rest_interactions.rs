//! Interactions through the real twilight HTTP client and shard: slash commands answered through
//! the callback (late, deferred, edited, followed up), modals and autocomplete.

// Each test is one scenario read top to bottom, like a member's story.
#![allow(clippy::too_many_lines)]

mod common;

use std::time::Duration;

use common::{PNG, api_error, http, install_crypto, next_event, shard};
use hearth_sandbox::{CommandValue, ResponseKind, Sandbox};
use twilight_gateway::{Event, Intents, ShardId};
use twilight_model::application::command::CommandType;
use twilight_model::application::interaction::InteractionData;
use twilight_model::channel::message::MessageFlags;
use twilight_model::http::attachment::Attachment;
use twilight_model::http::interaction::{
    InteractionResponse, InteractionResponseData, InteractionResponseType,
};
use twilight_util::builder::command::{CommandBuilder, StringBuilder, UserBuilder};
use twilight_util::builder::embed::{EmbedBuilder, ImageSource};

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

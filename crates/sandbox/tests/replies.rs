//! The reply surface with the real twilight client: files on messages, interaction responses,
//! follow-ups and edits of the original; modals and autocomplete results; and the limits
//! Discord puts on each.

mod common;

use common::{PNG, api_error, http, install_crypto};
use hearth_sandbox::{InteractionHandle, Member, ResponseKind, Sandbox, limits};
use twilight_http::Client;
use twilight_model::application::command::CommandType;
use twilight_model::application::interaction::modal::ModalInteractionComponent;
use twilight_model::application::interaction::{Interaction, InteractionData};
use twilight_model::channel::message::MessageFlags;
use twilight_model::http::attachment::Attachment;
use twilight_model::http::interaction::{
    InteractionResponse, InteractionResponseData, InteractionResponseType,
};
use twilight_model::id::Id;
use twilight_model::id::marker::{ChannelMarker, GuildMarker};
use twilight_util::builder::command::{CommandBuilder, StringBuilder};

fn png(name: &str, id: u64) -> Attachment {
    Attachment::from_bytes(name.to_owned(), PNG.to_vec(), id)
}

/// Registers `/rank` (with an autocompleted `panel` option) in the guild.
async fn register(http: &Client, sandbox: &Sandbox, guild: Id<GuildMarker>) {
    let rank = CommandBuilder::new("rank", "Show a rank card", CommandType::ChatInput)
        .option(StringBuilder::new("panel", "Which panel").autocomplete(true))
        .build();
    http.interaction(sandbox.application_id())
        .set_guild_commands(guild, &[rank])
        .await
        .unwrap();
}

fn run(member: &Member, channel: Id<ChannelMarker>) -> (InteractionHandle, String) {
    let handle = member.run_command(channel, "rank", &[]);
    let token = handle.info().token;
    (handle, token)
}

fn response(kind: u8, data: &serde_json::Value) -> InteractionResponse {
    serde_json::from_value(serde_json::json!({"type": kind, "data": data})).unwrap()
}

#[tokio::test]
async fn files_reach_the_response_the_follow_ups_and_the_edited_original_byte_for_byte() {
    install_crypto();
    let sandbox = Sandbox::start().await.unwrap();
    let guild = sandbox.create_guild("Files");
    let general = guild.text_channel("general");
    let member = guild.add_member("alice");
    let http = http(&sandbox);
    register(&http, &sandbox, guild.id()).await;
    let app = http.interaction(sandbox.application_id());

    let (rank, token) = run(&member, general);
    let answer = InteractionResponse {
        kind: InteractionResponseType::ChannelMessageWithSource,
        data: Some(InteractionResponseData {
            content: Some("your card".to_owned()),
            attachments: Some(vec![png("rank.png", 0)]),
            ..InteractionResponseData::default()
        }),
    };
    app.create_response(Id::new(rank.id()), &token, &answer)
        .await
        .unwrap();
    let original = rank.wait_for_original(|m| !m.attachments.is_empty()).await;
    assert_eq!(original.attachments[0].filename, "rank.png");
    assert_eq!(original.attachments[0].bytes, PNG);
    assert_eq!(original.attachments[0].size(), PNG.len());
    assert_eq!(
        original.attachments[0].content_type.as_deref(),
        Some("image/png")
    );

    // A follow-up with a file appears in the channel and on the interaction.
    let followup = app
        .create_followup(&token)
        .content("and the leaderboard")
        .attachments(&[png("top.png", 0)])
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    let followups = rank.wait_for_followups(1).await;
    assert_eq!(followups[0].id, followup.id.get());
    assert_eq!(followups[0].attachments[0].filename, "top.png");
    assert_eq!(followups[0].attachments[0].bytes, PNG);
    assert!(
        guild
            .messages(general)
            .iter()
            .any(|m| m.id == followup.id.get())
    );

    // Editing the original with a new file, keeping none of the old ones.
    app.update_response(&token)
        .attachments(&[png("rank-v2.png", 0)])
        .await
        .unwrap();
    let edited = rank
        .wait_for_original(|m| m.attachments.iter().any(|a| a.filename == "rank-v2.png"))
        .await;
    assert_eq!(edited.attachments.len(), 1);
    assert_eq!(edited.attachments[0].bytes, PNG);
    assert!(
        sandbox.spec_violations().is_empty(),
        "{:?}",
        sandbox.spec_violations()
    );
}

#[tokio::test]
async fn ten_files_pass_and_an_eleventh_or_an_oversized_one_is_refused() {
    const LIMIT: usize = 1000;
    install_crypto();
    let sandbox = Sandbox::builder()
        .attachment_size_limit(LIMIT as u64)
        .start()
        .await
        .unwrap();
    let guild = sandbox.create_guild("Limits");
    let general = guild.text_channel("general");
    let http = http(&sandbox);
    let files = |n: u64| {
        (0..n)
            .map(|i| png(&format!("f{i}.png"), i))
            .collect::<Vec<_>>()
    };

    let ten = http
        .create_message(general)
        .attachments(&files(limits::ATTACHMENTS as u64))
        .await;
    assert!(ten.is_ok(), "{ten:?}");
    let eleven = http
        .create_message(general)
        .attachments(&files(limits::ATTACHMENTS as u64 + 1))
        .await
        .unwrap_err();
    assert_eq!(api_error(&eleven), (400, 50035));

    let at_limit = Attachment::from_bytes("a.bin".to_owned(), vec![7; LIMIT], 0);
    assert!(
        http.create_message(general)
            .attachments(&[at_limit])
            .await
            .is_ok()
    );
    let over = Attachment::from_bytes("b.bin".to_owned(), vec![7; LIMIT + 1], 0);
    let err = http
        .create_message(general)
        .attachments(&[over])
        .await
        .unwrap_err();
    assert_eq!(api_error(&err), (413, 40005));
    assert_eq!(guild.messages(general).len(), 2);

    // Without the description the sandbox still enforces the documented count itself.
    let unchecked = Sandbox::builder().spec(None).start().await.unwrap();
    let guild = unchecked.create_guild("Unchecked");
    let general = guild.text_channel("general");
    let err = common::http(&unchecked)
        .create_message(general)
        .attachments(&files(limits::ATTACHMENTS as u64 + 1))
        .await
        .unwrap_err();
    assert_eq!(api_error(&err), (400, 50035));
    assert!(guild.messages(general).is_empty());
}

#[tokio::test]
async fn a_modal_is_recorded_with_its_inputs_and_submitted_with_the_members_values() {
    install_crypto();
    let sandbox = Sandbox::start().await.unwrap();
    let guild = sandbox.create_guild("Modals");
    let general = guild.text_channel("general");
    let member = guild.add_member("bob");
    let http = http(&sandbox);
    register(&http, &sandbox, guild.id()).await;
    let app = http.interaction(sandbox.application_id());
    let modal = |title: &str| {
        response(
            9,
            &serde_json::json!({"custom_id": "appeal", "title": title, "components": [
                {"type": 1, "components": [{"type": 4, "custom_id": "why", "style": 2,
                    "label": "Why should we lift it?", "max_length": 1000}]},
                {"type": 18, "label": "Your age", "component":
                    {"type": 4, "custom_id": "age", "style": 1, "required": false}},
            ]}),
        )
    };

    let (opened, token) = run(&member, general);
    let id = Id::new(opened.id());
    let long = "t".repeat(limits::MODAL_TITLE + 1);
    let err = app
        .create_response(id, &token, &modal(&long))
        .await
        .unwrap_err();
    assert_eq!(api_error(&err), (400, 50035));
    assert!(opened.modal().is_none());

    app.create_response(id, &token, &modal(&"t".repeat(limits::MODAL_TITLE)))
        .await
        .unwrap();
    let shown = opened.wait_for_modal().await;
    assert_eq!(shown.custom_id, "appeal");
    assert_eq!(shown.title.chars().count(), limits::MODAL_TITLE);
    let ids: Vec<&str> = shown.inputs.iter().map(|i| i.custom_id.as_str()).collect();
    assert_eq!(ids, ["why", "age"]);
    let why = shown.input("why").unwrap();
    assert_eq!(
        (why.style, why.required, why.max_length),
        (2, true, Some(1000))
    );
    assert_eq!(
        shown.input("age").unwrap().label.as_deref(),
        Some("Your age")
    );

    let submit = member.submit_modal(&opened, &[("why", "I said sorry"), ("age", "30")]);
    let info = submit.info();
    assert_eq!(info.kind, 5);
    // The submit mirrors the modal's layout (a row, then a label) and twilight reads it.
    let (_, payload) = sandbox
        .dispatches()
        .into_iter()
        .rfind(|(name, d)| {
            name == "INTERACTION_CREATE" && d["id"] == submit.id().to_string().as_str()
        })
        .expect("the submit was dispatched");
    let parsed: Interaction = serde_json::from_value(payload).unwrap();
    let Some(InteractionData::ModalSubmit(data)) = parsed.data else {
        panic!("a modal submit")
    };
    assert_eq!(data.custom_id, "appeal");
    let values: Vec<(String, String)> = data
        .components
        .iter()
        .filter_map(|c| match c {
            ModalInteractionComponent::ActionRow(row) => row.components.first().cloned(),
            ModalInteractionComponent::Label(label) => Some(*label.component.clone()),
            _ => None,
        })
        .filter_map(|c| match c {
            ModalInteractionComponent::TextInput(t) => Some((t.custom_id, t.value)),
            _ => None,
        })
        .collect();
    assert_eq!(
        values,
        [
            ("why".to_owned(), "I said sorry".to_owned()),
            ("age".to_owned(), "30".to_owned())
        ]
    );
    // The submit is answered like any interaction; here with an ephemeral follow-up flow.
    app.create_response(
        Id::new(submit.id()),
        &info.token,
        &response(
            5,
            &serde_json::json!({"flags": MessageFlags::EPHEMERAL.bits()}),
        ),
    )
    .await
    .unwrap();
    assert_eq!(submit.wait_for_response().await, ResponseKind::Deferred);
    assert!(
        sandbox.spec_violations().len() == 1,
        "only the over-long title is a violation: {:?}",
        sandbox.spec_violations()
    );
}

#[tokio::test]
async fn autocomplete_offers_up_to_25_choices_and_no_more() {
    install_crypto();
    let sandbox = Sandbox::start().await.unwrap();
    let guild = sandbox.create_guild("Autocomplete");
    let general = guild.text_channel("general");
    let member = guild.add_member("carol");
    let http = http(&sandbox);
    register(&http, &sandbox, guild.id()).await;
    let app = http.interaction(sandbox.application_id());
    let choices = |n: usize| {
        let list: Vec<_> = (0..n)
            .map(|i| serde_json::json!({"name": format!("Panel {i}"), "value": format!("p{i}")}))
            .collect();
        response(8, &serde_json::json!({"choices": list}))
    };
    let typing = member.autocomplete(
        general,
        "rank",
        &[(
            "panel",
            hearth_sandbox::CommandValue::Focused("pa".to_owned()),
        )],
    );
    let (id, token) = (Id::new(typing.id()), typing.info().token);
    let err = app
        .create_response(id, &token, &choices(limits::AUTOCOMPLETE_CHOICES + 1))
        .await
        .unwrap_err();
    assert_eq!(api_error(&err), (400, 50035));
    app.create_response(id, &token, &choices(limits::AUTOCOMPLETE_CHOICES))
        .await
        .unwrap();
    let offered = typing.wait_for_choices().await;
    assert_eq!(offered.len(), limits::AUTOCOMPLETE_CHOICES);
    assert_eq!(offered[0]["value"], "p0");
}

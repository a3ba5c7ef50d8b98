//! The bot's Discord handle over the real twilight HTTP client, against the sandbox: files,
//! follow-ups, modals and autocomplete arrive as sent, and limits come back as clear errors.

use std::{error::Error as _, sync::Arc};

use hearth::{
    discord::{Discord, ids},
    metrics::Metrics,
    reply::{self, Modal, ModalInput, Reply},
};
use hearth_core::{ChannelId, GuildId};
use hearth_sandbox::{Guild, InteractionHandle, Member, ResponseKind, Sandbox};
use twilight_model::{
    application::command::{CommandOptionChoice, CommandOptionChoiceValue, CommandType},
    id::{Id, marker::InteractionMarker},
};
use twilight_util::builder::command::{CommandBuilder, StringBuilder};

/// A 1×1 transparent PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

struct World {
    sandbox: Sandbox,
    discord: Discord,
    guild: Guild,
    general: ChannelId,
    alice: Member,
}

impl World {
    async fn start(builder: hearth_sandbox::SandboxBuilder) -> Self {
        // twilight builds a rustls config even for plain http.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let sandbox = builder.start().await.expect("the sandbox starts");
        let http = twilight_http::Client::builder()
            .token(sandbox.token())
            .proxy(sandbox.http_proxy().to_owned(), true)
            .ratelimiter(None)
            .build();
        let discord = Discord::new(
            Arc::new(http),
            sandbox.application_id(),
            Arc::new(Metrics::default()),
        );
        let guild = sandbox.create_guild("Replies");
        let general = ChannelId::new(guild.text_channel("general").get());
        let alice = guild.add_member("alice");
        let rank = CommandBuilder::new("rank", "Show a rank card", CommandType::ChatInput)
            .option(StringBuilder::new("board", "Which board").autocomplete(true))
            .build();
        discord
            .register_commands(&[rank], Some(GuildId::new(guild.id().get())))
            .await
            .expect("commands register");
        Self {
            sandbox,
            discord,
            guild,
            general,
            alice,
        }
    }

    /// Alice runs `/rank`; the id and token the bot would read from the interaction.
    fn rank(&self) -> (InteractionHandle, Id<InteractionMarker>, String) {
        let handle = self
            .alice
            .run_command(ids::channel(self.general), "rank", &[]);
        let (id, token) = (Id::new(handle.id()), handle.info().token);
        (handle, id, token)
    }

    fn assert_nothing_refused(&self) {
        let violations = self.sandbox.spec_violations();
        assert!(violations.is_empty(), "{violations:?}");
    }
}

#[tokio::test]
async fn a_png_sent_with_a_message_arrives_byte_identical_with_its_filename() {
    let world = World::start(Sandbox::builder()).await;
    let reply = Reply::text("your card").with_file("rank.png", PNG);
    let id = world
        .discord
        .post(world.general, &reply)
        .await
        .expect("posted");
    let messages = world.guild.messages(ids::channel(world.general));
    let posted = messages
        .iter()
        .find(|m| m.id == id.get())
        .expect("in the channel");
    assert_eq!(posted.content, "your card");
    assert_eq!(posted.attachments.len(), 1);
    assert_eq!(posted.attachments[0].filename, "rank.png");
    assert_eq!(posted.attachments[0].bytes, PNG);
    assert_eq!(
        posted.attachments[0].content_type.as_deref(),
        Some("image/png")
    );
    world.assert_nothing_refused();
}

#[tokio::test]
async fn an_answer_with_a_file_and_a_follow_up_with_another_both_reach_the_channel() {
    let world = World::start(Sandbox::builder()).await;
    let (handle, id, token) = world.rank();
    world
        .discord
        .respond_with(id, &token, &Reply::text("card").with_file("rank.png", PNG))
        .await
        .expect("answered");
    let original = handle
        .wait_for_original(|m| !m.attachments.is_empty())
        .await;
    assert_eq!(original.attachments[0].bytes, PNG);

    let transcript = b"alice: hi\nbob: hello\n".to_vec();
    let followup = world
        .discord
        .followup(
            &token,
            &Reply::text("the transcript").with_file("transcript.txt", transcript.clone()),
        )
        .await
        .expect("followed up");
    let followups = handle.wait_for_followups(1).await;
    assert_eq!(followups[0].id, followup.get());
    assert_eq!(followups[0].content, "the transcript");
    assert_eq!(followups[0].attachments[0].filename, "transcript.txt");
    assert_eq!(followups[0].attachments[0].bytes, transcript);
    let channel = world.guild.messages(ids::channel(world.general));
    assert!(
        channel.iter().any(|m| m.id == followup.get()),
        "the follow-up is in the channel"
    );

    // An ephemeral follow-up reaches only alice, never the channel.
    let private = world
        .discord
        .followup(&token, &Reply::ephemeral("only you"))
        .await
        .expect("followed up");
    assert_eq!(handle.wait_for_followups(2).await[1].id, private.get());
    let channel = world.guild.messages(ids::channel(world.general));
    assert!(!channel.iter().any(|m| m.id == private.get()));
    world.assert_nothing_refused();
}

#[tokio::test]
async fn a_deferred_answer_edited_with_a_file_carries_it() {
    let world = World::start(Sandbox::builder()).await;
    let (handle, id, token) = world.rank();
    world
        .discord
        .respond(id, &token, &reply::deferred(false))
        .await
        .expect("deferred");
    world
        .discord
        .edit_response(
            &token,
            &Reply::text("here it is").with_file("rank.png", PNG),
        )
        .await
        .expect("edited");
    let original = handle
        .wait_for_original(|m| !m.attachments.is_empty())
        .await;
    assert_eq!(original.content, "here it is");
    assert_eq!(original.attachments[0].filename, "rank.png");
    assert_eq!(original.attachments[0].bytes, PNG);
    world.assert_nothing_refused();
}

#[tokio::test]
async fn a_modal_is_recorded_and_the_members_answers_come_back() {
    let world = World::start(Sandbox::builder()).await;
    let (handle, id, token) = world.rank();
    let modal = Modal::new("appeal:1", "Appeal your warning")
        .input(ModalInput::paragraph("why", "Why should we lift it?"))
        .input(ModalInput {
            required: false,
            placeholder: Some("optional".to_owned()),
            ..ModalInput::short("contact", "How can we reach you?")
        });
    world
        .discord
        .modal(id, &token, &modal)
        .await
        .expect("shown");
    let shown = handle.wait_for_modal().await;
    assert_eq!(shown.custom_id, "appeal:1");
    assert_eq!(shown.title, "Appeal your warning");
    let fields: Vec<_> = shown
        .inputs
        .iter()
        .map(|i| {
            (
                i.custom_id.as_str(),
                i.label.as_deref(),
                i.style,
                i.required,
            )
        })
        .collect();
    assert_eq!(
        fields,
        [
            ("why", Some("Why should we lift it?"), 2, true),
            ("contact", Some("How can we reach you?"), 1, false),
        ]
    );
    let submit = world
        .alice
        .submit_modal(&handle, &[("why", "it was a joke")]);
    assert_eq!(submit.info().kind, 5, "a MODAL_SUBMIT interaction");

    // A title over Discord's limit comes back as 50035, and nothing is shown.
    let (handle, id, token) = world.rank();
    let long =
        Modal::new("m", "t".repeat(reply::MODAL_TITLE_MAX + 1)).input(ModalInput::short("a", "A"));
    let err = world.discord.modal(id, &token, &long).await.unwrap_err();
    assert_eq!((err.status(), err.code()), (Some(400), Some(50_035)));
    assert!(handle.modal().is_none());
}

#[tokio::test]
async fn autocomplete_offers_the_best_25_choices() {
    let world = World::start(Sandbox::builder()).await;
    let typing = world.alice.autocomplete(
        ids::channel(world.general),
        "rank",
        &[(
            "board",
            hearth_sandbox::CommandValue::Focused("we".to_owned()),
        )],
    );
    let choices = (0..30)
        .map(|i| CommandOptionChoice {
            name: format!("Weekly {i}"),
            name_localizations: None,
            value: CommandOptionChoiceValue::String(format!("weekly-{i}")),
        })
        .collect();
    world
        .discord
        .autocomplete(Id::new(typing.id()), &typing.info().token, choices)
        .await
        .expect("offered");
    let offered = typing.wait_for_choices().await;
    assert_eq!(offered.len(), reply::AUTOCOMPLETE_CHOICES_MAX);
    assert_eq!(offered[0]["value"], "weekly-0");
    assert_eq!(typing.info().response, Some(ResponseKind::Autocomplete));
    world.assert_nothing_refused();
}

#[tokio::test]
async fn files_over_the_limits_are_refused_with_a_clear_error_and_nothing_is_posted() {
    const LIMIT: usize = 1_000;
    let world = World::start(Sandbox::builder().attachment_size_limit(LIMIT as u64)).await;
    let big = Reply::text("too big").with_file("card.png", vec![0; LIMIT + 1]);
    let err = world.discord.post(world.general, &big).await.unwrap_err();
    assert!(err.is_file_too_large(), "{err:?}");
    assert_eq!(err.status(), Some(413));
    assert_eq!(
        err.to_string(),
        "Discord refused or failed posting a message"
    );

    let posts = || {
        world
            .sandbox
            .request_count("POST", "/channels/{channel_id}/messages")
    };
    let before = posts();
    let mut many = Reply::text("too many");
    for i in 0..=reply::FILES_MAX {
        many = many.with_file(format!("f{i}.png"), PNG);
    }
    let err = world.discord.post(world.general, &many).await.unwrap_err();
    assert_eq!(
        err.source().map(ToString::to_string).as_deref(),
        Some("a message carries at most 10 files, this one has 11")
    );
    assert_eq!(posts(), before, "refused before asking Discord");

    let at_limit = Reply::text("fits").with_file("card.png", vec![0; LIMIT]);
    world
        .discord
        .post(world.general, &at_limit)
        .await
        .expect("exactly the limit fits");
    assert_eq!(world.guild.messages(ids::channel(world.general)).len(), 1);
}

//! Tests of `Ack`: the watchdog's deferral, the endpoint's inline answer, modals, autocomplete
//! and the sentences for faults.

use twilight_http::Client;
use twilight_model::{
    application::interaction::InteractionType, channel::message::MessageFlags, id::Id as TwId,
};

use super::*;

fn interaction() -> Interaction {
    serde_json::from_value(serde_json::json!({
        "id": "1100000000000000001",
        "application_id": "1",
        "type": InteractionType::Ping as u8,
        "token": "token",
        "version": 1,
        "entitlements": [],
        "authorizing_integration_owners": {},
        "attachment_size_limit": 8_388_608,
    }))
    .expect("a minimal interaction")
}

/// An inline `Ack` (nothing reaches Discord) and the endpoint's half.
fn inline_ack(metrics: &Arc<Metrics>) -> (Ack, InlineAnswer) {
    inline_ack_of(&interaction(), metrics)
}

fn inline_ack_of(interaction: &Interaction, metrics: &Arc<Metrics>) -> (Ack, InlineAnswer) {
    let discord = Discord::new(
        Arc::new(Client::new(String::new())),
        TwId::new(1),
        Arc::clone(metrics),
    );
    let (inline, answer) = inline();
    let ack = Ack::new(
        discord,
        interaction,
        Some(inline),
        Instant::now(),
        Arc::clone(metrics),
    );
    (ack, answer)
}

fn ephemeral(response: &InteractionResponse) -> bool {
    response
        .data
        .as_ref()
        .and_then(|d| d.flags)
        .is_some_and(|f| f.contains(MessageFlags::EPHEMERAL))
}

#[tokio::test(start_paused = true)]
async fn a_silent_handler_is_deferred_by_the_watchdog_at_two_seconds() {
    let metrics = Arc::new(Metrics::default());
    let (ack, answer) = inline_ack(&metrics);
    let waiting = tokio::spawn(answer.by(Duration::from_secs(60)));
    tokio::time::sleep(Duration::from_millis(1_900)).await;
    assert!(!ack.responded().await, "not yet at 1.9 s");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let response = waiting.await.unwrap().expect("a first response");
    assert_eq!(
        response.kind,
        InteractionResponseType::DeferredChannelMessageWithSource
    );
    assert!(
        ephemeral(&response),
        "ephemeral unless the handler says otherwise"
    );
    assert!(ack.responded().await);
    assert_eq!(metrics.recent_first_responses().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn the_watchdog_defers_publicly_when_the_handler_said_so() {
    let metrics = Arc::new(Metrics::default());
    let (ack, answer) = inline_ack(&metrics);
    ack.set_ephemeral_hint(false).await;
    let response = answer
        .by(Duration::from_secs(60))
        .await
        .expect("a first response");
    assert_eq!(
        response.kind,
        InteractionResponseType::DeferredChannelMessageWithSource
    );
    assert!(!ephemeral(&response));
    drop(ack);
}

#[tokio::test(start_paused = true)]
async fn a_silent_button_keeps_its_message_to_be_updated() {
    let metrics = Arc::new(Metrics::default());
    let mut click = interaction();
    click.kind = InteractionType::MessageComponent;
    let (ack, answer) = inline_ack_of(&click, &metrics);
    let response = answer
        .by(Duration::from_secs(60))
        .await
        .expect("a deferral");
    assert_eq!(
        response.kind,
        InteractionResponseType::DeferredUpdateMessage
    );
    assert!(ack.responded().await);
}

#[tokio::test(start_paused = true)]
async fn a_handler_that_answers_in_time_is_not_deferred() {
    let metrics = Arc::new(Metrics::default());
    let (mut ack, answer) = inline_ack(&metrics);
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    ack.reply(Reply::text("done")).await.unwrap();
    let response = answer
        .by(Duration::from_secs(60))
        .await
        .expect("the answer");
    assert_eq!(
        response.kind,
        InteractionResponseType::ChannelMessageWithSource
    );
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(
        metrics.recent_first_responses().len(),
        1,
        "the watchdog sent nothing"
    );
}

#[tokio::test(start_paused = true)]
async fn the_endpoint_defers_at_its_deadline_and_the_ack_knows() {
    let metrics = Arc::new(Metrics::default());
    let (ack, answer) = inline_ack(&metrics);
    // The endpoint's deadline before the watchdog's: a loaded machine ran the watchdog late.
    let response = answer.by(Duration::from_secs(1)).await.expect("a deferral");
    assert_eq!(
        response.kind,
        InteractionResponseType::DeferredChannelMessageWithSource
    );
    assert!(
        ack.responded().await,
        "the handler's reply will edit the deferral"
    );
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(
        metrics.recent_first_responses().len(),
        1,
        "one first response"
    );
}

#[tokio::test(start_paused = true)]
async fn the_endpoint_hears_nothing_when_the_handler_ends_without_answering() {
    let metrics = Arc::new(Metrics::default());
    let (ack, answer) = inline_ack(&metrics);
    drop(ack);
    tokio::task::yield_now().await;
    assert!(answer.by(Duration::from_secs(60)).await.is_none());
}

#[tokio::test]
async fn a_fault_after_a_commit_says_what_was_recorded() {
    let metrics = Arc::new(Metrics::default());
    let (mut ack, _answer) = inline_ack(&metrics);
    let fault = std::io::Error::other("DM refused");
    assert!(
        ack.fault_sentence(&fault, "abc123")
            .starts_with("Something went wrong on my side"),
    );
    ack.committed("the warning was recorded as case 12");
    assert_eq!(
        ack.fault_sentence(&fault, "abc123"),
        "The warning was recorded as case 12, but something went wrong after that \
         (reference `abc123`). Don't run the command again: it would be done twice."
    );
}

#[tokio::test]
async fn an_unreachable_store_is_told_as_such() {
    let metrics = Arc::new(Metrics::default());
    let (ack, _answer) = inline_ack(&metrics);
    let fault = hearth_moderation::Error::Store(StoreError::bare(
        StoreErrorKind::Unavailable,
        "adding a warning",
    ));
    let sentence = ack.fault_sentence(&fault, "abc123");
    assert!(
        sentence.starts_with("I can't reach my database right now, so nothing was saved."),
        "{sentence}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_modal_is_a_first_answer_and_refused_after_a_deferral() {
    let metrics = Arc::new(Metrics::default());
    let (mut ack, answer) = inline_ack(&metrics);
    let modal = Modal::new("ticket:reason:1", "Why are you opening a ticket?");
    ack.modal(modal.clone()).await.unwrap();
    let response = answer.by(Duration::from_secs(60)).await.expect("the modal");
    assert_eq!(response.kind, InteractionResponseType::Modal);

    let (mut late, answer) = inline_ack(&metrics);
    tokio::time::sleep(ACK_WATCHDOG + Duration::from_millis(10)).await;
    assert!(late.responded().await, "the watchdog deferred");
    let err = late.modal(modal).await.unwrap_err();
    assert!(matches!(err, HandlerError::Fault(_)));
    drop(answer);
}

#[tokio::test(start_paused = true)]
async fn autocomplete_is_never_deferred_by_the_watchdog() {
    let metrics = Arc::new(Metrics::default());
    let mut typing = interaction();
    typing.kind = InteractionType::ApplicationCommandAutocomplete;
    let (mut ack, answer) = inline_ack_of(&typing, &metrics);
    tokio::time::sleep(ACK_WATCHDOG * 2).await;
    assert!(
        !ack.responded().await,
        "no deferral exists for autocomplete"
    );
    ack.autocomplete(Vec::new()).await.unwrap();
    let response = answer
        .by(Duration::from_secs(60))
        .await
        .expect("the choices");
    assert_eq!(
        response.kind,
        InteractionResponseType::ApplicationCommandAutocompleteResult
    );
}

#[tokio::test(start_paused = true)]
async fn a_reply_with_a_file_over_http_defers_inline_first() {
    let metrics = Arc::new(Metrics::default());
    let (mut ack, answer) = inline_ack(&metrics);
    let waiting = tokio::spawn(answer.by(Duration::from_secs(60)));
    let card = Reply::text("your card").with_file("card.png", vec![0x89, b'P', b'N', b'G']);
    // The edit that follows goes to Discord, which this test has none of: it fails, but
    // the endpoint's JSON answer is already the deferral (a file can't ride in it).
    let _ = ack.reply(card).await;
    let response = waiting.await.unwrap().expect("a first response");
    assert_eq!(
        response.kind,
        InteractionResponseType::DeferredChannelMessageWithSource
    );
}

//! Refusals and faults of the sandbox's REST API, as twilight sees them: field limits (50035),
//! injected 500s, 429s and delays, wrong tokens, and the global rate limit.

mod common;

use std::time::Duration;

use common::{api_error, http, install_crypto, now_secs};
use hearth_sandbox::Sandbox;
use twilight_model::util::Timestamp;

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
async fn a_late_answer_comes_after_the_change_is_made() {
    install_crypto();
    let sandbox = Sandbox::start().await.unwrap();
    let guild = sandbox.create_guild("Late");
    let http = http(&sandbox);
    let route = "/guilds/{guild_id}/channels";
    sandbox.answer_route_late("POST", route, Duration::from_millis(400), Some(1));
    let started = std::time::Instant::now();
    let create = tokio::spawn({
        let http = std::sync::Arc::new(http);
        let id = guild.id();
        async move {
            http.create_guild_channel(id, "late")
                .await
                .map(|r| r.status().get())
        }
    });
    // The channel is there while its creator still waits for the answer.
    let made = loop {
        if let Some(c) = guild.channel_named("late") {
            break c;
        }
        assert!(
            started.elapsed() < Duration::from_millis(300),
            "not made at once"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    assert!(!create.is_finished(), "answered before the delay");
    assert_eq!(create.await.unwrap().unwrap(), 201);
    assert!(started.elapsed() >= Duration::from_millis(400));
    assert_eq!(guild.channel(made).map(|c| c.name), Some("late".to_owned()));
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

//! Every route the sandbox serves exists in Discord's `OpenAPI` description with the same
//! method, the embedded description holds exactly those operations, and the validator refuses
//! bodies the description refuses.

use std::collections::BTreeSet;
use std::sync::Arc;

use hearth_sandbox::{Sandbox, Spec};
use serde_json::json;

fn spec() -> Arc<Spec> {
    Spec::embedded()
}

fn served() -> BTreeSet<(String, String)> {
    hearth_sandbox::routes()
        .map(|(m, p)| (m.to_owned(), p.to_owned()))
        .collect()
}

#[test]
fn every_route_of_the_sandbox_is_in_discords_api_description() {
    let spec = spec();
    let missing: Vec<String> = hearth_sandbox::routes()
        .filter(|(method, path)| !spec.has_operation(method, path))
        .map(|(method, path)| format!("{method} {path}"))
        .collect();
    assert!(
        missing.is_empty(),
        "routes not in the description (add them to spec/operations.txt and run spec/trim.py): {missing:?}"
    );
    assert!(hearth_sandbox::routes().count() >= 40);
}

#[test]
fn the_embedded_description_holds_exactly_the_served_operations() {
    let in_spec: BTreeSet<(String, String)> =
        hearth_sandbox::spec::operations().into_iter().collect();
    assert_eq!(in_spec, served());
    assert_eq!(spec().operation_count(), served().len());
}

#[test]
fn the_trim_list_names_exactly_the_served_operations() {
    let listed: BTreeSet<(String, String)> = include_str!("../spec/operations.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (m, p) = l.split_once(' ').expect("METHOD path");
            (m.to_owned(), p.trim().to_owned())
        })
        .collect();
    assert_eq!(listed, served());
}

#[tokio::test]
async fn a_sandbox_validates_against_the_embedded_description_by_default() {
    let sandbox = Sandbox::start().await.unwrap();
    let spec = sandbox.spec().expect("validation is on by default");
    assert_eq!(spec.operation_count(), served().len());
    let off = Sandbox::builder().spec(None).start().await.unwrap();
    assert!(off.spec().is_none());
}

#[test]
fn a_description_that_is_not_one_is_refused() {
    assert!(Spec::parse(b"not json").is_err());
    assert!(Spec::parse(b"{\"openapi\": \"3.1.0\"}").is_err());
    assert!(Spec::parse(b"{\"paths\": {}}").is_ok());
}

#[test]
fn a_route_or_method_not_in_the_description_is_detected() {
    let spec = spec();
    assert!(spec.has_operation("PUT", "/guilds/{guild_id}/bans/{user_id}"));
    assert!(!spec.has_operation("POST", "/guilds/{guild_id}/bans/{user_id}"));
    assert!(!spec.has_operation("GET", "/guilds/{guild_id}/warnings"));
    // Parameter names matter too: the description spells them its own way.
    assert!(!spec.has_operation("GET", "/guilds/{id}"));
}

#[test]
fn bodies_are_validated_against_each_operations_request_schema() {
    let spec = spec();
    let member = "/guilds/{guild_id}/members/{user_id}";
    assert!(
        spec.validate_body(
            "PATCH",
            member,
            &json!({"communication_disabled_until": "2030-01-01T00:00:00+00:00"})
        )
        .is_ok()
    );
    assert!(
        spec.validate_body("PATCH", member, &json!({"nick": "x".repeat(33)}))
            .is_err()
    );
    assert!(
        spec.validate_body("PATCH", member, &json!({"roles": [12]}))
            .is_err()
    );
    let messages = "/channels/{channel_id}/messages";
    assert!(
        spec.validate_body(
            "POST",
            messages,
            &json!({"content": "hi", "embeds": [{"title": "t"}]})
        )
        .is_ok()
    );
    assert!(
        spec.validate_body("POST", messages, &json!({"embeds": "not a list"}))
            .is_err()
    );
    let overwrite = "/channels/{channel_id}/permissions/{overwrite_id}";
    assert!(
        spec.validate_body("PUT", overwrite, &json!({"deny": "2048", "type": 0}))
            .is_ok()
    );
    assert!(
        spec.validate_body("PUT", overwrite, &json!({"deny": "2048", "type": 7}))
            .is_err()
    );
    let callback = "/interactions/{interaction_id}/{interaction_token}/callback";
    assert!(
        spec.validate_body(
            "POST",
            callback,
            &json!({"type": 4, "data": {"content": "ok"}})
        )
        .is_ok()
    );
    assert!(
        spec.validate_body("POST", callback, &json!({"type": 42}))
            .is_err()
    );
    // Documented deviation: attachment ids may be upload indexes sent as integers.
    assert!(
        spec.validate_body(
            "POST",
            messages,
            &json!({"attachments": [{"id": 0, "filename": "a.png"}]})
        )
        .is_ok()
    );
}

#[test]
fn answers_are_checked_against_each_operations_response_schema() {
    let spec = spec();
    let member = "/guilds/{guild_id}/members/{user_id}";
    assert!(spec.response_schema("GET", member, 200).is_some());
    let errors = spec
        .validate_response("GET", member, 200, &json!({"roles": 5}))
        .unwrap_err();
    assert!(
        errors
            .iter()
            .any(|e| e.contains("response.joined_at: required")),
        "{errors:?}"
    );
    // A status the description does not list is not checked.
    assert!(
        spec.validate_response("GET", member, 299, &json!(1))
            .is_ok()
    );
}

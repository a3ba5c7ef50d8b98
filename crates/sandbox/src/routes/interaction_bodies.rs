//! What a modal and an autocomplete result may hold, as Discord checks them when the bot
//! answers an interaction with one.
//!
//! The description checks the shape; these rules carry the documented limits with their names
//! (`limits::MODAL_TITLE`, …) and answer 400/50035 naming the field, as Discord does.

use serde_json::Value;

use crate::rest::ApiError;

use super::common::{chars, required, too_long};
use super::limits;

/// A modal (callback type 9): a title of 1–45 characters, a `custom_id` of 1–100, 1–5
/// components, each an action row holding one text input or a label holding one component,
/// every text input with a `custom_id` of 1–100 and a label of at most 45.
///
/// See Discord Docs/Interactions/Receiving and Responding ("Modal") and Components/Reference
/// ("Text Input").
pub(super) fn check_modal(data: &Value) -> Result<(), ApiError> {
    check_text(data.get("title"), "data.title", limits::MODAL_TITLE)?;
    check_text(data.get("custom_id"), "data.custom_id", limits::CUSTOM_ID)?;
    let components = data
        .get("components")
        .and_then(Value::as_array)
        .filter(|c| !c.is_empty())
        .ok_or_else(|| required("data.components"))?;
    if components.len() > limits::MODAL_COMPONENTS {
        return Err(too_long("data.components", limits::MODAL_COMPONENTS));
    }
    for (n, top) in components.iter().enumerate() {
        let at = format!("data.components.{n}");
        match top.get("type").and_then(Value::as_u64) {
            // An action row holds exactly one text input in a modal.
            Some(1) => {
                let inner = top
                    .get("components")
                    .and_then(Value::as_array)
                    .filter(|c| c.len() == 1)
                    .ok_or_else(|| too_long(&format!("{at}.components"), 1))?;
                check_text_input(&inner[0], &format!("{at}.components.0"))?;
            }
            Some(18) => {
                check_text(
                    top.get("label"),
                    &format!("{at}.label"),
                    limits::TEXT_INPUT_LABEL,
                )?;
                if let Some(inner) = top.get("component") {
                    check_text_input(inner, &format!("{at}.component"))?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn check_text_input(input: &Value, at: &str) -> Result<(), ApiError> {
    if input.get("type").and_then(Value::as_u64) != Some(4) {
        return Ok(());
    }
    check_text(
        input.get("custom_id"),
        &format!("{at}.custom_id"),
        limits::CUSTOM_ID,
    )?;
    if let Some(label) = input.get("label").filter(|l| !l.is_null()) {
        check_text(
            Some(label),
            &format!("{at}.label"),
            limits::TEXT_INPUT_LABEL,
        )?;
    }
    if chars(input.get("value")) > limits::TEXT_INPUT_VALUE {
        return Err(too_long(&format!("{at}.value"), limits::TEXT_INPUT_VALUE));
    }
    Ok(())
}

/// A required text of 1 to `max` characters.
fn check_text(value: Option<&Value>, at: &str, max: usize) -> Result<(), ApiError> {
    let len = chars(value);
    if len == 0 {
        return Err(required(at));
    }
    if len > max {
        return Err(too_long(at, max));
    }
    Ok(())
}

/// An autocomplete result (callback type 8): at most 25 choices, each named with 1–100
/// characters (string values at most 100 too).
///
/// See Discord Docs/Interactions/Receiving and Responding ("Autocomplete").
pub(super) fn check_autocomplete(data: &Value) -> Result<(), ApiError> {
    let Some(choices) = data.get("choices").and_then(Value::as_array) else {
        return Ok(());
    };
    if choices.len() > limits::AUTOCOMPLETE_CHOICES {
        return Err(too_long("data.choices", limits::AUTOCOMPLETE_CHOICES));
    }
    for (n, choice) in choices.iter().enumerate() {
        check_text(
            choice.get("name"),
            &format!("data.choices.{n}.name"),
            limits::CHOICE_NAME,
        )?;
        if choice.get("value").is_some_and(Value::is_string)
            && chars(choice.get("value")) > limits::CHOICE_NAME
        {
            return Err(too_long(
                &format!("data.choices.{n}.value"),
                limits::CHOICE_NAME,
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn modal(title: &str, rows: usize) -> Value {
        let components: Vec<Value> = (0..rows)
            .map(|n| {
                json!({"type": 1, "components": [
                    {"type": 4, "custom_id": format!("f{n}"), "label": "Reason", "style": 2}
                ]})
            })
            .collect();
        json!({"custom_id": "m", "title": title, "components": components})
    }

    fn field_of(err: &ApiError) -> String {
        err.errors
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default()
    }

    #[test]
    fn a_modal_title_may_have_45_characters_not_46() {
        assert!(check_modal(&modal(&"t".repeat(limits::MODAL_TITLE), 1)).is_ok());
        let err = check_modal(&modal(&"t".repeat(limits::MODAL_TITLE + 1), 1)).unwrap_err();
        assert_eq!((err.status, err.code), (400, 50035));
        assert!(field_of(&err).contains("title"), "{err:?}");
        assert!(check_modal(&modal("", 1)).is_err());
    }

    #[test]
    fn a_modal_holds_one_to_five_components() {
        assert!(check_modal(&modal("t", 0)).is_err());
        assert!(check_modal(&modal("t", 1)).is_ok());
        assert!(check_modal(&modal("t", limits::MODAL_COMPONENTS)).is_ok());
        let err = check_modal(&modal("t", limits::MODAL_COMPONENTS + 1)).unwrap_err();
        assert!(field_of(&err).contains("components"), "{err:?}");
    }

    #[test]
    fn modal_and_input_custom_ids_and_labels_are_bounded() {
        let mut m = modal("t", 1);
        m["custom_id"] = json!("c".repeat(limits::CUSTOM_ID));
        assert!(check_modal(&m).is_ok());
        m["custom_id"] = json!("c".repeat(limits::CUSTOM_ID + 1));
        assert!(check_modal(&m).is_err());
        let mut m = modal("t", 1);
        m["components"][0]["components"][0]["label"] =
            json!("l".repeat(limits::TEXT_INPUT_LABEL + 1));
        assert!(check_modal(&m).is_err());
        let mut m = modal("t", 1);
        m["components"][0]["components"][0]["custom_id"] = json!("c".repeat(limits::CUSTOM_ID + 1));
        assert!(check_modal(&m).is_err());
    }

    #[test]
    fn autocomplete_offers_at_most_25_choices() {
        let choices = |n: usize| json!({"choices": (0..n).map(|i| json!({"name": format!("c{i}"), "value": i})).collect::<Vec<_>>()});
        assert!(check_autocomplete(&choices(0)).is_ok());
        assert!(check_autocomplete(&choices(limits::AUTOCOMPLETE_CHOICES)).is_ok());
        let err = check_autocomplete(&choices(limits::AUTOCOMPLETE_CHOICES + 1)).unwrap_err();
        assert!(field_of(&err).contains("choices"), "{err:?}");
        let long =
            json!({"choices": [{"name": "n".repeat(limits::CHOICE_NAME + 1), "value": "v"}]});
        assert!(check_autocomplete(&long).is_err());
    }
}

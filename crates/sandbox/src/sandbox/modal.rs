//! A modal the bot showed, read back from its response body for tests to observe.

use serde_json::Value;

/// A modal the bot answered an interaction with (callback type 9), as the member sees it.
///
/// See Discord Docs/Interactions/Receiving and Responding ("Modal").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Modal {
    /// The modal's `custom_id`, echoed in the MODAL_SUBMIT interaction.
    pub custom_id: String,
    /// The title shown at the top.
    pub title: String,
    /// The text inputs, in order (inside action rows or labels alike).
    pub inputs: Vec<ModalInput>,
}

/// One text input of a [`Modal`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModalInput {
    /// The input's `custom_id`, the key of its value in the submit.
    pub custom_id: String,
    /// The label shown above it (of the input, or of the label component holding it).
    pub label: Option<String>,
    /// 1 short, 2 paragraph.
    pub style: u64,
    /// Whether the member must fill it in (Discord's default is `true`).
    pub required: bool,
    /// The pre-filled value.
    pub value: Option<String>,
    /// The placeholder shown while empty.
    pub placeholder: Option<String>,
    /// The fewest characters accepted.
    pub min_length: Option<u64>,
    /// The most characters accepted.
    pub max_length: Option<u64>,
    /// Whether it sits in a label component (type 18) rather than an action row (type 1);
    /// the MODAL_SUBMIT mirrors the modal's layout.
    pub in_label: bool,
}

impl Modal {
    /// Reads a modal from the `data` of a type 9 response; `None` when it is not one.
    pub(crate) fn from_data(data: &Value) -> Option<Self> {
        let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_owned);
        let mut inputs = Vec::new();
        for top in data.get("components")?.as_array()? {
            let (input, label) = match top.get("type").and_then(Value::as_u64) {
                Some(1) => (
                    top.get("components")
                        .and_then(Value::as_array)
                        .and_then(|c| c.first()),
                    None,
                ),
                Some(18) => (top.get("component"), text(top, "label")),
                _ => (None, None),
            };
            let Some(input) = input.filter(|i| i.get("type").and_then(Value::as_u64) == Some(4))
            else {
                continue;
            };
            inputs.push(ModalInput {
                custom_id: text(input, "custom_id").unwrap_or_default(),
                label: text(input, "label").or(label),
                style: input.get("style").and_then(Value::as_u64).unwrap_or(1),
                required: input
                    .get("required")
                    .and_then(Value::as_bool)
                    .unwrap_or(true),
                value: text(input, "value"),
                placeholder: text(input, "placeholder"),
                min_length: input.get("min_length").and_then(Value::as_u64),
                max_length: input.get("max_length").and_then(Value::as_u64),
                in_label: top.get("type").and_then(Value::as_u64) == Some(18),
            });
        }
        Some(Self {
            custom_id: text(data, "custom_id")?,
            title: text(data, "title")?,
            inputs,
        })
    }

    /// The input with this `custom_id`.
    pub fn input(&self, custom_id: &str) -> Option<&ModalInput> {
        self.inputs.iter().find(|i| i.custom_id == custom_id)
    }
}

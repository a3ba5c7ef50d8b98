//! Discord's own API description (OpenAPI 3.1) and a validator for the JSON-schema subset it
//! uses, so the sandbox serves only routes Discord has and accepts only bodies Discord would.
//!
//! Supported keywords: `$ref`, `type` (one or a list), `enum`, `const`, `properties`,
//! `required`, `additionalProperties`, `items`, `minItems`/`maxItems`, `uniqueItems`,
//! `minLength`/`maxLength`, `minimum`/`maximum`, `pattern` (the two patterns the description
//! uses), `allOf`, `anyOf` and `oneOf`. `oneOf` is checked as "at least one" because Discord's
//! unions overlap (an integer also matches a number branch). `format` is not checked.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use serde_json::Value;

/// The trimmed description, embedded so it is always there (`spec/README.md` says where it
/// comes from and how it was trimmed).
const EMBEDDED: &str = include_str!("../spec/discord-openapi.json");

/// Discord's OpenAPI description: the one embedded in the crate ([`Spec::embedded`]) or one
/// loaded from a file.
#[derive(Debug)]
pub struct Spec {
    doc: Value,
}

/// Errors from loading the description.
#[derive(Debug)]
pub enum SpecError {
    /// The file could not be read.
    Io(std::io::Error),
    /// The file is not JSON.
    Json(serde_json::Error),
    /// The JSON has no `paths` object: not an OpenAPI description.
    NoPaths,
}

impl std::fmt::Display for SpecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Io(e) => write!(f, "cannot read the OpenAPI description: {e}"),
            Self::Json(e) => write!(f, "the OpenAPI description is not JSON: {e}"),
            Self::NoPaths => f.write_str("the OpenAPI description has no paths"),
        }
    }
}

impl std::error::Error for SpecError {}

/// Every operation of the embedded description as `(METHOD, path template)`, sorted: what a
/// harness can assert on to know validation is not vacuous.
pub fn operations() -> Vec<(String, String)> {
    Spec::embedded().operations()
}

impl Spec {
    /// Loads a description from a file.
    ///
    /// # Errors
    ///
    /// [`SpecError::Io`] when the file cannot be read, [`SpecError::Json`] when it is not JSON,
    /// [`SpecError::NoPaths`] when it has no `paths`.
    pub fn load(path: &Path) -> Result<Self, SpecError> {
        let text = std::fs::read(path).map_err(SpecError::Io)?;
        Self::parse(&text)
    }

    /// Parses a description from JSON text.
    ///
    /// # Errors
    ///
    /// [`SpecError::Json`] when it is not JSON, [`SpecError::NoPaths`] when it has no `paths`.
    pub fn parse(text: &[u8]) -> Result<Self, SpecError> {
        let doc: Value = serde_json::from_slice(text).map_err(SpecError::Json)?;
        if !doc.get("paths").is_some_and(Value::is_object) {
            return Err(SpecError::NoPaths);
        }
        Ok(Self { doc })
    }

    /// The description embedded in the crate, parsed once per process.
    ///
    /// # Panics
    ///
    /// When the embedded file does not parse: the crate is broken, and validating nothing
    /// would let every test pass vacuously.
    pub fn embedded() -> Arc<Self> {
        static SPEC: OnceLock<Arc<Spec>> = OnceLock::new();
        SPEC.get_or_init(|| {
            let spec = Self::parse(EMBEDDED.as_bytes())
                .unwrap_or_else(|e| panic!("spec/discord-openapi.json: {e}"));
            Arc::new(spec)
        })
        .clone()
    }

    /// Every operation as `(METHOD, path template)`, sorted.
    pub fn operations(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = self
            .doc
            .get("paths")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .flat_map(|(path, item)| {
                item.as_object()
                    .into_iter()
                    .flat_map(|methods| methods.keys())
                    .filter(|m| {
                        matches!(
                            m.as_str(),
                            "get" | "put" | "post" | "delete" | "options" | "head" | "patch"
                        )
                    })
                    .map(move |m| (m.to_ascii_uppercase(), path.clone()))
            })
            .collect();
        out.sort();
        out
    }

    /// How many operations the description has.
    pub fn operation_count(&self) -> usize {
        self.operations().len()
    }

    fn operation(&self, method: &str, path: &str) -> Option<&Value> {
        self.doc
            .get("paths")?
            .get(path)?
            .get(method.to_ascii_lowercase())
    }

    /// Whether the description has this method on this path template.
    pub fn has_operation(&self, method: &str, path: &str) -> bool {
        self.operation(method, path).is_some()
    }

    /// The JSON schema of an operation's request body (`application/json`, else the
    /// `multipart/form-data` one, which is what `payload_json` must satisfy).
    pub fn request_schema(&self, method: &str, path: &str) -> Option<&Value> {
        let content = self
            .operation(method, path)?
            .get("requestBody")?
            .get("content")?;
        content
            .get("application/json")
            .or_else(|| content.get("multipart/form-data"))?
            .get("schema")
    }

    /// The status an operation answers with when it succeeds with a JSON body: the first 2xx
    /// status the description lists with a JSON schema (201 for a channel create, 200 for
    /// most), `None` when it lists none.
    pub fn json_success_status(&self, method: &str, path: &str) -> Option<u16> {
        let responses = self
            .operation(method, path)?
            .get("responses")?
            .as_object()?;
        let mut statuses: Vec<u16> = responses
            .keys()
            .filter_map(|k| k.parse().ok())
            .filter(|s| (200..300).contains(s))
            .collect();
        statuses.sort_unstable();
        statuses
            .into_iter()
            .find(|&status| self.response_schema(method, path, status).is_some())
    }

    /// The JSON schema of an operation's answer with this status, if the description has one.
    pub fn response_schema(&self, method: &str, path: &str, status: u16) -> Option<&Value> {
        let response = self
            .operation(method, path)?
            .get("responses")?
            .get(status.to_string())?;
        let response = match response.get("$ref").and_then(Value::as_str) {
            Some(reference) => self.resolve(reference)?,
            None => response,
        };
        response
            .get("content")?
            .get("application/json")?
            .get("schema")
    }

    /// Validates a JSON answer against the operation's response schema for its status.
    ///
    /// # Errors
    ///
    /// The list of violations; an answer whose status the description does not list passes.
    pub fn validate_response(
        &self,
        method: &str,
        path: &str,
        status: u16,
        body: &Value,
    ) -> Result<(), Vec<String>> {
        let Some(schema) = self.response_schema(method, path, status) else {
            return Ok(());
        };
        let mut errors = Vec::new();
        self.check(schema, body, "response", &mut errors, 0);
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// Validates a JSON request body against its operation's schema.
    ///
    /// # Errors
    ///
    /// The list of violations, each as `path: problem`; an operation with no request body
    /// accepts only an empty body.
    pub fn validate_body(&self, method: &str, path: &str, body: &Value) -> Result<(), Vec<String>> {
        let Some(schema) = self.request_schema(method, path) else {
            return if body.is_null() || body.as_object().is_some_and(serde_json::Map::is_empty) {
                Ok(())
            } else {
                Err(vec![format!("{method} {path} takes no request body")])
            };
        };
        let body = documented_form(body);
        let mut errors = Vec::new();
        self.check(schema, &body, "body", &mut errors, 0);
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// Validates a value against any schema of the description.
    ///
    /// # Errors
    ///
    /// The list of violations.
    pub fn validate(&self, schema: &Value, value: &Value) -> Result<(), Vec<String>> {
        let mut errors = Vec::new();
        self.check(schema, value, "value", &mut errors, 0);
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    fn resolve<'a>(&'a self, reference: &str) -> Option<&'a Value> {
        let mut node = &self.doc;
        for part in reference.strip_prefix("#/")?.split('/') {
            node = node.get(part)?;
        }
        Some(node)
    }

    #[allow(clippy::too_many_lines)]
    fn check(&self, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>, depth: u32) {
        if depth > 64 {
            return;
        }
        let Some(obj) = schema.as_object() else {
            return;
        };
        if let Some(reference) = obj.get("$ref").and_then(Value::as_str) {
            match self.resolve(reference) {
                Some(target) => self.check(target, value, at, errors, depth + 1),
                None => errors.push(format!("{at}: unresolvable {reference}")),
            }
        }
        if let Some(types) = obj.get("type") {
            let names: Vec<&str> = match types {
                Value::String(t) => vec![t.as_str()],
                Value::Array(list) => list.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            if !names.is_empty() && !names.iter().any(|t| type_matches(t, value)) {
                errors.push(format!(
                    "{at}: expected {}, got {}",
                    names.join(" or "),
                    describe(value)
                ));
                return;
            }
        }
        if let Some(options) = obj.get("enum").and_then(Value::as_array)
            && !value.is_null()
            && !options.contains(value)
        {
            errors.push(format!(
                "{at}: {value} is not one of {}",
                Value::Array(options.clone())
            ));
        }
        if let Some(constant) = obj.get("const")
            && constant != value
        {
            errors.push(format!("{at}: expected {constant}, got {value}"));
        }
        if let Some(all) = obj.get("allOf").and_then(Value::as_array) {
            for sub in all {
                self.check(sub, value, at, errors, depth + 1);
            }
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(any) = obj.get(key).and_then(Value::as_array) {
                let mut best: Option<Vec<String>> = None;
                for sub in any {
                    let mut local = Vec::new();
                    self.check(sub, value, at, &mut local, depth + 1);
                    if local.is_empty() {
                        best = None;
                        break;
                    }
                    if best.as_ref().is_none_or(|b| local.len() < b.len()) {
                        best = Some(local);
                    }
                }
                if let Some(b) = best {
                    errors.push(format!(
                        "{at}: matches no alternative of {key} (closest: {})",
                        b.join("; ")
                    ));
                }
            }
        }
        match value {
            Value::String(text) => {
                let len = text.chars().count() as u64;
                if let Some(max) = obj.get("maxLength").and_then(Value::as_u64)
                    && len > max
                {
                    errors.push(format!("{at}: longer than {max}"));
                }
                if let Some(min) = obj.get("minLength").and_then(Value::as_u64)
                    && len < min
                {
                    errors.push(format!("{at}: shorter than {min}"));
                }
                if let Some(pattern) = obj.get("pattern").and_then(Value::as_str)
                    && !pattern_matches(pattern, text)
                {
                    errors.push(format!("{at}: {text:?} does not match {pattern}"));
                }
            }
            Value::Number(n) => {
                let x = n.as_f64().unwrap_or(0.0);
                if let Some(max) = obj.get("maximum").and_then(Value::as_f64)
                    && x > max
                {
                    errors.push(format!("{at}: {x} is above {max}"));
                }
                if let Some(min) = obj.get("minimum").and_then(Value::as_f64)
                    && x < min
                {
                    errors.push(format!("{at}: {x} is below {min}"));
                }
            }
            Value::Array(items) => {
                let len = items.len() as u64;
                if let Some(max) = obj.get("maxItems").and_then(Value::as_u64)
                    && len > max
                {
                    errors.push(format!("{at}: more than {max} items"));
                }
                if let Some(min) = obj.get("minItems").and_then(Value::as_u64)
                    && len < min
                {
                    errors.push(format!("{at}: fewer than {min} items"));
                }
                if obj.get("uniqueItems").and_then(Value::as_bool) == Some(true) {
                    for (i, item) in items.iter().enumerate() {
                        if items[..i].contains(item) {
                            errors.push(format!("{at}[{i}]: duplicate item"));
                        }
                    }
                }
                if let Some(item_schema) = obj.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        self.check(item_schema, item, &format!("{at}[{i}]"), errors, depth + 1);
                    }
                }
            }
            Value::Object(map) => {
                let properties = obj.get("properties").and_then(Value::as_object);
                if let Some(required) = obj.get("required").and_then(Value::as_array) {
                    for name in required.iter().filter_map(Value::as_str) {
                        if !map.contains_key(name) {
                            errors.push(format!("{at}.{name}: required"));
                        }
                    }
                }
                for (name, field) in map {
                    let here = format!("{at}.{name}");
                    if let Some(prop) = properties.and_then(|p| p.get(name)) {
                        self.check(prop, field, &here, errors, depth + 1);
                    } else {
                        match obj.get("additionalProperties") {
                            Some(Value::Bool(false)) => errors.push(format!("{here}: not allowed")),
                            Some(extra @ Value::Object(_)) => {
                                self.check(extra, field, &here, errors, depth + 1);
                            }
                            _ => {}
                        }
                    }
                }
                if let Some(max) = obj.get("maxProperties").and_then(Value::as_u64)
                    && map.len() as u64 > max
                {
                    errors.push(format!("{at}: more than {max} properties"));
                }
            }
            _ => {}
        }
    }
}

/// Where Discord's documentation (and Discord itself) accepts what the OpenAPI description
/// does not, the documentation wins: the body is rewritten into the form the description
/// expects before it is checked. Each case:
///
/// - `attachments[].id` (messages, interaction responses, webhooks): the description types it
///   as a snowflake string; the documentation's examples send the upload index as an integer
///   (`"id": 0`) and Discord accepts it. twilight sends integers.
/// - Permission bitfields (`allow`, `deny`, `permissions`, `default_member_permissions`): the
///   description types them as integers; the documentation says they are serialized as
///   strings (See Discord Docs/Topics/Permissions, "Permissions are serialized as a string")
///   and twilight sends strings.
///
/// Where the description is laxer than the documentation, the sandbox enforces the
/// documentation in the route itself: message `content` is 2000 characters, not 4000
/// (See Discord Docs/Message Resource, "Create Message").
fn documented_form(body: &Value) -> Value {
    fn walk(value: &mut Value) {
        match value {
            Value::Object(map) => {
                if let Some(Value::Array(list)) = map.get_mut("attachments") {
                    for item in list.iter_mut() {
                        if let Some(id) = item.get_mut("id")
                            && let Some(n) = id.as_u64()
                        {
                            *id = Value::String(n.to_string());
                        }
                    }
                }
                for key in ["allow", "deny", "permissions", "default_member_permissions"] {
                    if let Some(field) = map.get_mut(key)
                        && let Some(bits) = field.as_str().and_then(|t| t.parse::<u64>().ok())
                    {
                        *field = Value::from(bits);
                    }
                }
                for child in map.values_mut() {
                    walk(child);
                }
            }
            Value::Array(list) => list.iter_mut().for_each(walk),
            _ => {}
        }
    }
    let mut body = body.clone();
    walk(&mut body);
    body
}

fn type_matches(name: &str, value: &Value) -> bool {
    match name {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "string" => value.is_string(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        "number" => value.is_number(),
        "integer" => {
            value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        _ => true,
    }
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The two patterns Discord's description uses: snowflakes and `#rgb`/`#rrggbb` colours.
/// Any other pattern is accepted unchecked.
fn pattern_matches(pattern: &str, text: &str) -> bool {
    match pattern {
        "^(0|[1-9][0-9]*)$" => {
            text == "0"
                || (!text.is_empty()
                    && !text.starts_with('0')
                    && text.bytes().all(|b| b.is_ascii_digit()))
        }
        "^#(([0-9a-fA-F]{2}){3}|([0-9a-fA-F]){3})$" => text
            .strip_prefix('#')
            .is_some_and(|h| matches!(h.len(), 3 | 6) && h.bytes().all(|b| b.is_ascii_hexdigit())),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn patterns_match_as_in_the_description() {
        assert!(pattern_matches("^(0|[1-9][0-9]*)$", "1234"));
        assert!(!pattern_matches("^(0|[1-9][0-9]*)$", "0123"));
        assert!(!pattern_matches("^(0|[1-9][0-9]*)$", "abc"));
        assert!(pattern_matches(
            "^#(([0-9a-fA-F]{2}){3}|([0-9a-fA-F]){3})$",
            "#fff"
        ));
    }

    #[test]
    fn the_validator_checks_types_lengths_and_required_fields() {
        let spec = Spec {
            doc: json!({"components": {"schemas": {"S": {"type": "string", "maxLength": 3}}}}),
        };
        let schema = json!({"type": "object", "required": ["a"], "properties": {
            "a": {"$ref": "#/components/schemas/S"},
            "b": {"oneOf": [{"type": "null"}, {"type": "integer", "maximum": 5}]},
        }, "additionalProperties": false});
        assert!(
            spec.validate(&schema, &json!({"a": "abc", "b": null}))
                .is_ok()
        );
        assert!(spec.validate(&schema, &json!({"a": "abcd"})).is_err());
        assert!(spec.validate(&schema, &json!({"b": 1})).is_err());
        assert!(spec.validate(&schema, &json!({"a": "a", "b": 6})).is_err());
        assert!(spec.validate(&schema, &json!({"a": "a", "c": 1})).is_err());
    }
}

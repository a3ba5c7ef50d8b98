//! What a message body may hold and how it becomes a message: embeds, components, mentions,
//! attachments, edits. Shared by channel messages, interaction responses and follow-ups.
//!
//! See Discord Docs/Message Resource ("Create Message", "Embed Limits").

use serde_json::{Value, json};
use twilight_model::guild::Permissions;

use crate::rest::{ApiError, File};
use crate::state::{Attachment, Guild, Message, State};

use super::common::{channel, chars, snowflake, too_long, u64_of};
use super::limits;

/// Checks embed limits. See Discord Docs/Message Resource ("Embed Limits").
pub(super) fn check_embeds(embeds: &[Value]) -> Result<(), ApiError> {
    if embeds.len() > limits::EMBEDS {
        return Err(ApiError::field(
            "embeds",
            "BASE_TYPE_MAX_LENGTH",
            "Must be 10 or fewer in length.",
        ));
    }
    let mut total = 0;
    for (i, e) in embeds.iter().enumerate() {
        let checks = [
            ("title", chars(e.get("title")), limits::EMBED_TITLE),
            (
                "description",
                chars(e.get("description")),
                limits::EMBED_DESCRIPTION,
            ),
            (
                "footer.text",
                chars(e.get("footer").and_then(|f| f.get("text"))),
                limits::EMBED_FOOTER,
            ),
            (
                "author.name",
                chars(e.get("author").and_then(|a| a.get("name"))),
                limits::EMBED_AUTHOR,
            ),
        ];
        for (field, len, max) in checks {
            if len > max {
                return Err(too_long(&format!("embeds.{i}.{field}"), max));
            }
            total += len;
        }
        let fields = e
            .get("fields")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        if fields.len() > limits::EMBED_FIELDS {
            return Err(too_long(
                &format!("embeds.{i}.fields"),
                limits::EMBED_FIELDS,
            ));
        }
        for (j, f) in fields.iter().enumerate() {
            let (name, value) = (chars(f.get("name")), chars(f.get("value")));
            if name > limits::EMBED_FIELD_NAME {
                return Err(too_long(
                    &format!("embeds.{i}.fields.{j}.name"),
                    limits::EMBED_FIELD_NAME,
                ));
            }
            if value > limits::EMBED_FIELD_VALUE {
                return Err(too_long(
                    &format!("embeds.{i}.fields.{j}.value"),
                    limits::EMBED_FIELD_VALUE,
                ));
            }
            total += name + value;
        }
    }
    if total > limits::EMBED_TOTAL {
        return Err(ApiError::field(
            "embeds",
            "MAX_EMBED_SIZE_EXCEEDED",
            "Embed size exceeds maximum size of 6000",
        ));
    }
    Ok(())
}

/// Fills in what Discord adds to stored components: a sequential `id` on every component that
/// has none, and `min_values`/`max_values` of 1 on select menus.
///
/// See Discord Docs/Components/Reference ("Anatomy of a Component", "id").
pub(super) fn complete_components(components: &mut [Value]) {
    fn walk(v: &mut Value, next: &mut u64) {
        let Some(obj) = v.as_object_mut() else { return };
        if !obj.contains_key("id") {
            obj.insert("id".to_owned(), json!(*next));
        }
        *next += 1;
        if matches!(obj.get("type").and_then(Value::as_u64), Some(3 | 5..=8)) {
            obj.entry("min_values").or_insert(json!(1));
            obj.entry("max_values").or_insert(json!(1));
        }
        if let Some(Value::Array(children)) = obj.get_mut("components") {
            for child in children {
                walk(child, next);
            }
        }
        if let Some(accessory) = obj.get_mut("accessory") {
            walk(accessory, next);
        }
    }
    let mut next = 1;
    for c in components {
        walk(c, &mut next);
    }
}

/// `custom_id`s must be unique within a message.
pub(super) fn check_components(components: &[Value]) -> Result<(), ApiError> {
    fn collect<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        if let Some(id) = v.get("custom_id").and_then(Value::as_str) {
            out.push(id);
        }
        for key in ["components", "accessory"] {
            match v.get(key) {
                Some(Value::Array(list)) => {
                    for c in list {
                        collect(c, out);
                    }
                }
                Some(obj @ Value::Object(_)) => collect(obj, out),
                _ => {}
            }
        }
    }
    let mut ids = Vec::new();
    for c in components {
        collect(c, &mut ids);
    }
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    sorted.dedup();
    if sorted.len() != ids.len() {
        return Err(ApiError::field(
            "components",
            "COMPONENT_CUSTOM_ID_DUPLICATED",
            "Component custom id cannot be duplicated",
        ));
    }
    Ok(())
}

/// Who a message pings, honouring `allowed_mentions` (absent = everything in the content).
///
/// See Discord Docs/Message Resource ("Allowed Mentions Object").
pub(super) fn mentions(
    content: &str,
    allowed: Option<&Value>,
    g: &Guild,
    may_ping_everyone: bool,
) -> (Vec<u64>, Vec<u64>, bool) {
    let parse: Option<Vec<&str>> = allowed.map(|a| {
        a.get("parse")
            .and_then(Value::as_array)
            .map(|p| p.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    });
    let listed = |key: &str| -> Vec<u64> {
        allowed
            .and_then(|a| a.get(key))
            .and_then(Value::as_array)
            .map(|l| l.iter().filter_map(|v| snowflake(Some(v))).collect())
            .unwrap_or_default()
    };
    let (user_list, role_list) = (listed("users"), listed("roles"));
    let allows = |kind: &str| parse.as_ref().is_none_or(|p| p.contains(&kind));
    let (mut users, mut roles) = (Vec::new(), Vec::new());
    let mut rest = content;
    while let Some(start) = rest.find("<@") {
        rest = &rest[start + 2..];
        let Some(end) = rest.find('>') else { break };
        let inner = &rest[..end];
        if let Some(role) = inner.strip_prefix('&').and_then(|r| r.parse::<u64>().ok()) {
            if (allows("roles") || role_list.contains(&role))
                && g.roles.contains_key(&role)
                && !roles.contains(&role)
            {
                roles.push(role);
            }
        } else if let Ok(user) = inner.trim_start_matches('!').parse::<u64>()
            && (allows("users") || user_list.contains(&user))
            && !users.contains(&user)
        {
            users.push(user);
        }
    }
    let everyone = may_ping_everyone
        && allows("everyone")
        && (content.contains("@everyone") || content.contains("@here"));
    (users, roles, everyone)
}

/// Builds a message from a create body (JSON or multipart), enforcing Discord's limits.
pub(super) fn build_message(
    s: &mut State,
    channel_id: u64,
    body: &Value,
    files: &[File],
    interaction_id: Option<u64>,
) -> Result<Message, ApiError> {
    let content = body
        .get("content")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    if content.chars().count() > limits::MESSAGE_CONTENT {
        return Err(too_long("content", limits::MESSAGE_CONTENT));
    }
    let embeds = body
        .get("embeds")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    check_embeds(&embeds)?;
    let mut components = body
        .get("components")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    check_components(&components)?;
    complete_components(&mut components);
    let attachments = attachments_of(s, body, files, &[])?;
    if content.is_empty() && embeds.is_empty() && components.is_empty() && attachments.is_empty() {
        return Err(ApiError::new(400, 50006, "Cannot send an empty message"));
    }
    let c = channel(s, channel_id)?;
    let bot = s.bot_id();
    let allowed = body.get("allowed_mentions").filter(|v| !v.is_null());
    let (mentions, mention_roles, mention_everyone) = match s.guilds.get(&c.guild_id) {
        Some(g) => {
            let may_ping = g
                .channel_permissions(bot, c, s.now())
                .contains(Permissions::MENTION_EVERYONE);
            mentions(&content, allowed, g, may_ping)
        }
        None => (Vec::new(), Vec::new(), false),
    };
    let mut flags = u64_of(body.get("flags")).unwrap_or(0);
    if interaction_id.is_none() {
        flags &= !64;
    }
    Ok(Message {
        embeds,
        components,
        attachments,
        mentions,
        mention_roles,
        mention_everyone,
        flags,
        interaction_id,
        ..Message::new(s.ids.next(), channel_id, c.guild_id, bot, content)
    })
}

/// The attachments of a create or edit: uploaded `files[n]` named by the `attachments` array
/// (`{id: n, filename, description}`), plus existing ones the array keeps by id.
pub(super) fn attachments_of(
    s: &State,
    body: &Value,
    files: &[File],
    existing: &[Attachment],
) -> Result<Vec<Attachment>, ApiError> {
    let listed = body.get("attachments").and_then(Value::as_array);
    if files.len() > limits::ATTACHMENTS || listed.is_some_and(|l| l.len() > limits::ATTACHMENTS) {
        return Err(too_long("attachments", limits::ATTACHMENTS));
    }
    let mut out = Vec::new();
    if let Some(list) = listed {
        for a in list {
            if let Some(old) =
                snowflake(a.get("id")).and_then(|i| existing.iter().find(|e| e.id == i))
            {
                out.push(old.clone());
            }
        }
    }
    for f in files {
        if f.bytes.len() as u64 > s.config.attachment_size_limit {
            return Err(ApiError::new(413, 40005, "Request entity too large"));
        }
        let meta = listed.and_then(|l| l.iter().find(|a| snowflake(a.get("id")) == Some(f.index)));
        out.push(Attachment {
            id: s.ids.next(),
            filename: meta
                .and_then(|m| m.get("filename"))
                .and_then(Value::as_str)
                .unwrap_or(&f.filename)
                .to_owned(),
            content_type: f
                .content_type
                .clone()
                .or_else(|| media_type(&f.filename).map(str::to_owned)),
            description: meta
                .and_then(|m| m.get("description"))
                .and_then(Value::as_str)
                .map(str::to_owned),
            bytes: f.bytes.clone(),
        });
    }
    Ok(out)
}

/// Applies an edit body to a message (fields present replace the old ones).
pub(super) fn apply_edit(
    s: &State,
    m: &mut Message,
    body: &Value,
    files: &[File],
) -> Result<(), ApiError> {
    if let Some(content) = body.get("content") {
        let text = content.as_str().unwrap_or("");
        if text.chars().count() > limits::MESSAGE_CONTENT {
            return Err(too_long("content", limits::MESSAGE_CONTENT));
        }
        text.clone_into(&mut m.content);
    }
    if let Some(embeds) = body.get("embeds") {
        let embeds = embeds.as_array().cloned().unwrap_or_default();
        check_embeds(&embeds)?;
        m.embeds = embeds;
    }
    if let Some(components) = body.get("components") {
        let mut components = components.as_array().cloned().unwrap_or_default();
        check_components(&components)?;
        complete_components(&mut components);
        m.components = components;
    }
    if body.get("attachments").is_some() || !files.is_empty() {
        let keep = if body.get("attachments").is_some() {
            Vec::new()
        } else {
            m.attachments.clone()
        };
        let mut new = attachments_of(s, body, files, &m.attachments)?;
        if body.get("attachments").is_none() {
            let mut all = keep;
            all.append(&mut new);
            new = all;
        }
        m.attachments = new;
    }
    if let Some(flags) = u64_of(body.get("flags")) {
        m.flags = (m.flags & 64) | (flags & !64);
    }
    m.edited_ms = Some(s.now());
    Ok(())
}

/// The media type Discord gives an upload whose part names none (twilight sends none), from
/// its extension; `None` for extensions Discord would store as `application/octet-stream`
/// only after sniffing, which the sandbox does not do.
fn media_type(filename: &str) -> Option<&'static str> {
    let ext = filename.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "txt" | "log" => "text/plain; charset=utf-8",
        "html" | "htm" => "text/html; charset=utf-8",
        "json" => "application/json; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        _ => return None,
    })
}

//! Observing: snapshots of everything an action may change, and the text that says what
//! changed between two of them (messages, DMs, ephemeral replies, timeouts, kicks, bans,
//! roles), plus `who`.

use std::{
    collections::{BTreeMap, HashMap},
    fmt::Write as _,
    path::{Path, PathBuf},
};

use hearth_sandbox::state::{self, Message};
use twilight_model::id::Id;

use super::{
    TrySession,
    render::{self, View},
};

/// Where a message was seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Place {
    /// In a guild channel, for everyone.
    Channel(u64),
    /// In the bot's DM with this user.
    Dm(u64),
    /// An ephemeral reply only this user sees.
    OnlyFor(u64),
}

/// Everything observable that an action may change.
#[derive(Debug, Default)]
pub(super) struct Snapshot {
    /// Every message seen, by id: channels, DMs and ephemeral replies.
    pub(super) messages: BTreeMap<u64, (Place, Message)>,
    members: BTreeMap<u64, Option<state::Member>>,
    bans: BTreeMap<u64, state::Ban>,
    audit: Vec<state::AuditEntry>,
}

impl TrySession {
    /// Everything observable now.
    pub(super) fn snapshot(&self) -> Snapshot {
        let mut snapshot = Snapshot::default();
        for (_, id) in &self.names.channels {
            for m in self.world.guild.messages(Id::new(*id)) {
                snapshot.messages.insert(m.id, (Place::Channel(*id), m));
            }
        }
        for person in self.world.people() {
            let user = person.member.id().get();
            for m in person.member.dms() {
                snapshot.messages.insert(m.id, (Place::Dm(user), m));
            }
            snapshot.members.insert(user, person.member.info());
        }
        for handle in &self.interactions {
            let user = handle.info().user_id;
            for m in handle
                .original_message()
                .into_iter()
                .chain(handle.followups())
            {
                if m.is_ephemeral() && !m.deleted {
                    snapshot.messages.insert(m.id, (Place::OnlyFor(user), m));
                }
            }
        }
        snapshot.bans = self
            .world
            .guild
            .bans()
            .into_iter()
            .map(|b| (b.user_id, b))
            .collect();
        snapshot.audit = self.world.guild.audit_log();
        snapshot
    }

    /// Everything that changed between two snapshots, as indented text (empty when nothing).
    pub(super) fn describe(&mut self, before: &Snapshot, after: &Snapshot) -> String {
        let bot = self.sandbox.bot_id().get();
        let now_secs = unix_now_ms() / 1000;
        let mut out = String::new();
        for (id, (place, message)) in &after.messages {
            if message.author_id != bot {
                continue;
            }
            let edited = match before.messages.get(id) {
                None => false,
                Some((_, old)) if old == message => continue,
                Some(_) => true,
            };
            save_attachments(&self.out_dir, message, &mut self.files);
            let header = match place {
                Place::Channel(c) => format!("#{} · Hearth", self.channel_name(*c)),
                Place::Dm(u) => format!("DM to {} · Hearth", self.name_of(*u)),
                Place::OnlyFor(u) => {
                    // "you" is whoever the prompt shows; someone else acting is named.
                    let only = if *u == self.world.people()[self.actor].member.id().get() {
                        "only you see this".to_owned()
                    } else {
                        format!("only {} sees this", self.name_of(*u))
                    };
                    format!(
                        "#{} · Hearth ({only})",
                        self.channel_name(message.channel_id)
                    )
                }
            };
            let edited = if edited { " (edited)" } else { "" };
            let view = View {
                names: &self.names,
                now_secs: i64::try_from(now_secs).unwrap_or(i64::MAX),
                files: &self.files,
            };
            let _ = write!(out, "\n\n{header}{edited}");
            for line in render::message(message, &view) {
                let _ = write!(out, "\n  {line}");
            }
        }
        let changes = self.changes(before, after);
        if !changes.is_empty() {
            out.push_str("\n\nIn the server:");
            for change in changes {
                let _ = write!(out, "\n  • {change}");
            }
        }
        out
    }

    /// Timeouts, kicks, bans and role changes, each with its audit-log reason.
    fn changes(&self, before: &Snapshot, after: &Snapshot) -> Vec<String> {
        let new_audit = &after.audit[before.audit.len().min(after.audit.len())..];
        let reason = |user: u64| {
            new_audit
                .iter()
                .rev()
                .find(|e| e.target_id == Some(user))
                .and_then(|e| e.reason.clone())
                .map(|r| format!(" — “{r}”"))
                .unwrap_or_default()
        };
        let mut out = Vec::new();
        for (user, now) in &after.members {
            let name = self.name_of(*user);
            match (before.members.get(user).cloned().flatten(), now) {
                (Some(_), None) if after.bans.contains_key(user) => {}
                (Some(_), None) => out.push(format!(
                    "{name} was removed from the server (kicked){}",
                    reason(*user)
                )),
                (None, Some(_)) => out.push(format!("{name} joined the server")),
                (Some(old), Some(new)) => {
                    if old.communication_disabled_until_ms != new.communication_disabled_until_ms {
                        match new.communication_disabled_until_ms {
                            Some(ms) if ms > unix_now_ms() => out.push(format!(
                                "{name} is timed out{}{}",
                                until(ms),
                                reason(*user)
                            )),
                            _ => out.push(format!("{name}'s timeout was lifted{}", reason(*user))),
                        }
                    }
                    for role in new.roles.iter().filter(|r| !old.roles.contains(r)) {
                        out.push(format!("{name} got the role {}", self.role_name(*role)));
                    }
                    for role in old.roles.iter().filter(|r| !new.roles.contains(r)) {
                        out.push(format!("{name} lost the role {}", self.role_name(*role)));
                    }
                    if old.nick != new.nick {
                        out.push(format!(
                            "{name}'s nickname is now {}",
                            new.nick.as_deref().unwrap_or("(none)")
                        ));
                    }
                }
                (None, None) => {}
            }
        }
        for (user, ban) in &after.bans {
            if !before.bans.contains_key(user) {
                let why = ban
                    .reason
                    .as_ref()
                    .map(|r| format!(" — “{r}”"))
                    .unwrap_or_default();
                out.push(format!("{} was banned{why}", self.name_of(*user)));
            }
        }
        for user in before.bans.keys() {
            if !after.bans.contains_key(user) {
                out.push(format!("{} was unbanned", self.name_of(*user)));
            }
        }
        out
    }

    fn role_name(&self, role: u64) -> &str {
        self.names.role_name(role).unwrap_or("unknown-role")
    }

    /// `who`: people with their roles and state, roles by rank, channels.
    pub(super) fn who(&self) -> String {
        let now = unix_now_ms();
        let mut out = String::from("People (act as one with `as <name> …`):");
        for (index, person) in self.world.people().iter().enumerate() {
            let mut facts: Vec<String> = vec![person.about.clone()];
            match person.member.info() {
                None if self
                    .world
                    .guild
                    .bans()
                    .iter()
                    .any(|b| b.user_id == person.member.id().get()) =>
                {
                    facts.push("banned".to_owned());
                }
                None => facts.push("not in the server".to_owned()),
                Some(member) => {
                    let roles: Vec<&str> =
                        member.roles.iter().map(|r| self.role_name(*r)).collect();
                    if !roles.is_empty() {
                        facts.push(format!("roles: {}", roles.join(", ")));
                    }
                    if let Some(ms) = member
                        .communication_disabled_until_ms
                        .filter(|ms| *ms > now)
                    {
                        facts.push(format!("timed out{}", until(ms)));
                    }
                }
            }
            let you = if index == self.actor { "  ← you" } else { "" };
            let _ = write!(out, "\n  {:<7} {}{you}", person.name, facts.join("; "));
        }
        let mut roles: Vec<state::Role> = self
            .names
            .roles
            .iter()
            .filter_map(|(_, id)| self.world.guild.role(Id::new(*id)))
            .collect();
        roles.sort_by_key(|r| std::cmp::Reverse(r.position));
        let roles: Vec<String> = roles
            .iter()
            .map(|r| {
                if r.managed {
                    format!("{} (the bot)", r.name)
                } else {
                    r.name.clone()
                }
            })
            .collect();
        let _ = write!(out, "\nRoles, highest first: {}", roles.join(" > "));
        let channels: Vec<String> = self
            .names
            .channels
            .iter()
            .map(|(name, id)| {
                let mut text = format!("#{name}");
                if *id == self.world.mod_log.get() {
                    text.push_str(" (mod log)");
                }
                if *id == self.channel.get() {
                    text.push_str(" ← you are here");
                }
                text
            })
            .collect();
        let _ = write!(out, "\nChannels: {}", channels.join(", "));
        out
    }
}

/// Writes a message's attachments not saved yet to `out_dir` (created when needed) as
/// `<message id>-<file name>`, and records where in `files`. A failure is logged; the
/// message is still shown.
fn save_attachments(out_dir: &Path, message: &Message, files: &mut HashMap<u64, PathBuf>) {
    for attachment in &message.attachments {
        if files.contains_key(&attachment.id) {
            continue;
        }
        // The name comes from the bot: keep it from leaving the folder.
        let name: String = attachment
            .filename
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || "-_.".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let name = name.trim_start_matches('.');
        let path = out_dir.join(format!("{}-{name}", message.id));
        let written = std::fs::create_dir_all(out_dir)
            .and_then(|()| std::fs::write(&path, &attachment.bytes));
        match written {
            Ok(()) => {
                files.insert(attachment.id, path);
            }
            Err(err) => {
                tracing::warn!(path = %path.display(), error = %err, "could not save an attachment");
            }
        }
    }
}

/// " until 01:42 UTC (in 1 hour)", for a time in Unix milliseconds.
pub(super) fn until(ms: u64) -> String {
    let secs = i64::try_from(ms / 1000).unwrap_or(i64::MAX);
    let now = i64::try_from(unix_now_ms() / 1000).unwrap_or(i64::MAX);
    format!(" until {}", render::until(secs, now))
}

fn unix_now_ms() -> u64 {
    // The sandbox's timeouts are in wall-clock time, as Discord's are.
    u64::try_from(hearth_core::Clock::now(&hearth_core::SystemClock).unix_millis()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachments_are_saved_once_under_the_message_id_and_stay_in_the_folder() {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("out");
        let message = Message {
            attachments: vec![state::Attachment {
                id: 7,
                filename: "../rank card.png".into(),
                content_type: Some("image/png".into()),
                description: None,
                bytes: vec![1, 2, 3],
            }],
            ..Message::new(42, 1, 1, 1, String::new())
        };
        let mut files = HashMap::new();
        save_attachments(&out, &message, &mut files);
        let path = out.join("42-_rank_card.png");
        assert_eq!(files, HashMap::from([(7, path.clone())]));
        assert_eq!(std::fs::read(&path).expect("written"), [1, 2, 3]);
        std::fs::remove_file(&path).expect("removable");
        save_attachments(&out, &message, &mut files);
        assert!(!path.exists(), "an attachment is written once");
    }
}

//! Acting: a slash command, a message or a click, done as a person through the sandbox, then
//! waiting until the bot has finished with it and describing what changed.

use std::{
    fmt::Write as _,
    time::{Duration, Instant},
};

use hearth_sandbox::{InteractionHandle, ResponseKind, SendRefused};
use tokio::sync::broadcast::error::RecvError;
use twilight_model::id::Id;

use super::{
    ANSWER_TIMEOUT, POLL, QUIET, QUIET_AFTER_ANSWER, SETTLE_MAX, TrySession, bind,
    observe::{Place, until},
    script::Action,
};

impl TrySession {
    pub(super) async fn act(&mut self, actor: usize, action: Action) -> String {
        let who = self.world.people()[actor].name.clone();
        if self.world.people()[actor].member.info().is_none() {
            return format!("{who} is no longer in the server.");
        }
        let before = self.snapshot();
        let (echo, handle) = match action {
            Action::Command { name, args } => {
                let commands = self.commands();
                let Some(command) = commands.iter().find(|c| c["name"] == name.as_str()) else {
                    let known: Vec<String> = commands
                        .iter()
                        .filter_map(|c| c["name"].as_str())
                        .map(|n| format!("/{n}"))
                        .collect();
                    return format!("Hearth has no /{name}. Its commands: {}.", known.join(", "));
                };
                let bound = match bind::bind(command, &args, &self.names) {
                    Ok(bound) => bound,
                    Err(sentence) => return sentence,
                };
                let options: Vec<(&str, _)> = bound
                    .options
                    .iter()
                    .map(|(n, v)| (n.as_str(), v.clone()))
                    .collect();
                let handle =
                    self.world.people()[actor]
                        .member
                        .run_command(self.channel, &name, &options);
                let echo = format!(
                    "{who} runs {} in #{}",
                    bound.summary,
                    self.channel_name(self.channel.get())
                );
                (echo, Some(handle))
            }
            Action::Say(text) => {
                let member = &self.world.people()[actor].member;
                if let Err(refused) = member.try_send(self.channel, &text) {
                    return self.refused_send(&who, &refused);
                }
                let echo = format!(
                    "{who} in #{}: {text}",
                    self.channel_name(self.channel.get())
                );
                (echo, None)
            }
            Action::Click(query) => match self.click(actor, &query) {
                Ok((echo, handle)) => (echo, Some(handle)),
                Err(sentence) => return sentence,
            },
            Action::Fill(text) => match self.fill(actor, &text) {
                Ok((echo, handle)) => (echo, Some(handle)),
                Err(sentence) => return sentence,
            },
        };
        let answered = match &handle {
            Some(handle) => {
                self.interactions.push(handle.clone());
                self.wait_handled(handle).await
            }
            None => true,
        };
        self.wait_quiet(if handle.is_some() {
            QUIET_AFTER_ANSWER
        } else {
            QUIET
        })
        .await;
        self.learn_new_channels();
        let after = self.snapshot();
        let mut out = echo;
        let described = self.describe(&before, &after);
        if let Some(form) = handle.as_ref().and_then(|h| self.show_form(actor, h)) {
            out.push_str(&form);
        } else if described.is_empty() {
            let note = match (&handle, answered) {
                (Some(h), _) if h.info().response == Some(ResponseKind::Deferred) => {
                    "Hearth is thinking… and said nothing more".to_owned()
                }
                (Some(_), false) => format!(
                    "Hearth did not answer within {} seconds",
                    ANSWER_TIMEOUT.as_secs()
                ),
                (Some(_), true) => "Hearth answered without a visible change".to_owned(),
                (None, _) => "Hearth doesn't react".to_owned(),
            };
            let _ = write!(out, "\n  ({note})");
        } else {
            out.push_str(&described);
        }
        out
    }

    /// The form `handle` opened for `actor`, if it was answered with one: kept for `fill`, and
    /// described with its fields.
    fn show_form(&mut self, actor: usize, handle: &InteractionHandle) -> Option<String> {
        let modal = handle.modal()?;
        self.form = Some((actor, handle.clone()));
        let who = &self.world.people()[actor].name;
        let mut out = format!("\n\nA form only {who} sees · “{}”", modal.title);
        for input in &modal.inputs {
            let _ = write!(
                out,
                "\n  {}: {}{}",
                input.custom_id,
                input.label.as_deref().unwrap_or_default(),
                if input.required { " (required)" } else { "" }
            );
        }
        let _ = write!(out, "\n  Fill it in: as {who} fill <text>");
        Some(out)
    }

    /// `actor` clicks the button `query` names: the echo and the click. The sentence says why
    /// not.
    fn click(&self, actor: usize, query: &str) -> Result<(String, InteractionHandle), String> {
        let (message, custom_id, label) = self.find_button(actor, query)?;
        let person = &self.world.people()[actor];
        let handle = person.member.click(Id::new(message), &custom_id);
        Ok((format!("{} clicks [ {label} ]", person.name), handle))
    }

    /// Fills in and sends the form `actor` has open, its fields from `text`: the whole text for
    /// a form of one field, else `name:value` pairs (text before the first pair goes to the
    /// first field). The echo and the submission; the sentence says why not.
    fn fill(&mut self, actor: usize, text: &str) -> Result<(String, InteractionHandle), String> {
        let who = &self.world.people()[actor].name;
        let Some((owner, opened)) = &self.form else {
            return Err(format!(
                "{who} has no form open. A form opens when a button asks for one: in #support, \
                 as alice click Open a ticket."
            ));
        };
        if *owner != actor {
            return Err(format!(
                "The open form is {}'s, not {who}'s.",
                self.world.people()[*owner].name
            ));
        }
        let modal = opened
            .modal()
            .ok_or_else(|| "That form is gone.".to_owned())?;
        let ids: Vec<&str> = modal.inputs.iter().map(|i| i.custom_id.as_str()).collect();
        let fields = form_fields(&ids, text);
        let fields: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let handle = self.world.people()[actor]
            .member
            .submit_modal(opened, &fields);
        let echo = format!("{who} fills in “{}” and sends it", modal.title);
        self.form = None;
        Ok((echo, handle))
    }

    /// Adds the channels the bot made under a known category (a ticket's) to the names, so
    /// their messages are shown and `in #ticket-1` works.
    fn learn_new_channels(&mut self) {
        let parents: Vec<u64> = self.names.channels.iter().map(|(_, id)| *id).collect();
        for parent in parents {
            for channel in self.world.guild.channels_in(Id::new(parent)) {
                if self.names.channel_name(channel.id).is_none() {
                    self.names.channels.push((channel.name, channel.id));
                }
            }
        }
    }

    fn refused_send(&self, who: &str, refused: &SendRefused) -> String {
        match refused {
            SendRefused::TimedOut => {
                let until = self
                    .world
                    .people()
                    .iter()
                    .find(|p| p.name == who)
                    .and_then(|p| p.member.info())
                    .and_then(|m| m.communication_disabled_until_ms)
                    .map(until)
                    .unwrap_or_default();
                format!("{who} is timed out{until} and can't send messages.")
            }
            SendRefused::MissingPermissions => format!(
                "{who} may not send messages in #{}.",
                self.channel_name(self.channel.get())
            ),
            SendRefused::NotAMember => format!("{who} is no longer in the server."),
            SendRefused::Slowmode { retry_after } => format!(
                "Slowmode: {who} must wait {} s.",
                retry_after.as_secs().max(1)
            ),
            other => format!("Discord would not let {who} send that ({other:?})."),
        }
    }

    /// Waits until the bot signals that it has finished handling the interaction (its
    /// reply, mod-log post, DM and any escalation are all in the sandbox by then), for at most
    /// [`ANSWER_TIMEOUT`]. Returns whether it answered.
    async fn wait_handled(&mut self, handle: &InteractionHandle) -> bool {
        let id = handle.id();
        let Some(handled) = self.handled.as_mut() else {
            return false;
        };
        let waited = tokio::time::timeout(ANSWER_TIMEOUT, async {
            loop {
                match handled.recv().await {
                    Ok(done) if done.id.get() == id => return true,
                    Ok(_) | Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => return false,
                }
            }
        })
        .await;
        waited.unwrap_or(false) || handle.info().response.is_some()
    }

    /// Waits until no request reached the sandbox for `quiet`, for at most [`SETTLE_MAX`].
    async fn wait_quiet(&self, quiet: Duration) {
        let started = Instant::now();
        let mut seen = self.sandbox.requests().len();
        let mut quiet_since = Instant::now();
        while quiet_since.elapsed() < quiet && started.elapsed() < SETTLE_MAX {
            tokio::time::sleep(POLL).await;
            let now = self.sandbox.requests().len();
            if now != seen {
                seen = now;
                quiet_since = Instant::now();
            }
        }
    }

    /// part of it, or its custom id): `(message id, custom id, label)`.
    fn find_button(&self, actor: usize, query: &str) -> Result<(u64, String, String), String> {
        let user = self.world.people()[actor].member.id().get();
        let snapshot = self.snapshot();
        let visible = snapshot
            .messages
            .values()
            .rev()
            .filter(|(place, _)| match place {
                Place::Channel(c) => *c == self.channel.get(),
                Place::Dm(u) | Place::OnlyFor(u) => *u == user,
            });
        let q = query.to_lowercase();
        let mut last_buttons: Option<Vec<(String, String, bool)>> = None;
        for (_, message) in visible {
            let buttons: Vec<(String, String, bool)> = message
                .components
                .iter()
                .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
                .filter(|c| c["type"] == 2)
                .filter_map(|c| {
                    Some((
                        c["custom_id"].as_str()?.to_owned(),
                        c["label"].as_str().unwrap_or_default().to_owned(),
                        c["disabled"].as_bool().unwrap_or(false),
                    ))
                })
                .collect();
            if buttons.is_empty() {
                continue;
            }
            let exact = buttons
                .iter()
                .find(|(id, label, _)| label.to_lowercase() == q || *id == query);
            let found = exact.or_else(|| {
                buttons
                    .iter()
                    .find(|(_, label, _)| label.to_lowercase().contains(&q))
            });
            if let Some((id, label, disabled)) = found {
                if *disabled {
                    return Err(format!("[ {label} ] is disabled."));
                }
                return Ok((message.id, id.clone(), label.clone()));
            }
            last_buttons.get_or_insert(buttons);
        }
        let who = &self.world.people()[actor].name;
        match last_buttons {
            Some(buttons) => {
                let shown: Vec<String> =
                    buttons.iter().map(|(_, l, _)| format!("[ {l} ]")).collect();
                Err(format!(
                    "No button “{query}” on the messages {who} can see here; the last buttons \
                     are: {}",
                    shown.join(" ")
                ))
            }
            None => Err(format!(
                "{who} sees no buttons in #{}. Buttons come with answers such as \
                 /clearwarnings @alice.",
                self.channel_name(self.channel.get())
            )),
        }
    }
}

/// A form's fields from typed text: all of it for a form of one field, else `name:value`
/// pairs, each value running to the next known `name:` (text before the first goes to the
/// first field).
fn form_fields(ids: &[&str], text: &str) -> Vec<(String, String)> {
    let Some(first) = ids.first() else {
        return Vec::new();
    };
    if ids.len() == 1 {
        let value = text
            .strip_prefix(&format!("{first}:"))
            .unwrap_or(text)
            .trim();
        return vec![((*first).to_owned(), value.to_owned())];
    }
    let mut fields: Vec<(String, String)> = vec![((*first).to_owned(), String::new())];
    for word in text.split_whitespace() {
        let named = word.split_once(':').filter(|(name, _)| ids.contains(name));
        if let Some((name, value)) = named {
            fields.retain(|(n, v)| n != name && !v.is_empty());
            fields.push((name.to_owned(), value.to_owned()));
        } else {
            let last = fields.last_mut().expect("one field at least");
            if !last.1.is_empty() {
                last.1.push(' ');
            }
            last.1.push_str(word);
        }
    }
    fields.retain(|(_, v)| !v.is_empty());
    fields
}

#[cfg(test)]
mod tests {
    use super::form_fields;

    fn pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
        fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    #[test]
    fn a_one_field_form_takes_the_whole_text() {
        assert_eq!(
            pairs(&form_fields(&["reason"], "my order: late")),
            [("reason", "my order: late")]
        );
        assert_eq!(
            pairs(&form_fields(&["reason"], "reason: late again")),
            [("reason", "late again")]
        );
    }

    #[test]
    fn a_form_of_several_fields_reads_name_value_pairs() {
        assert_eq!(
            pairs(&form_fields(
                &["reason", "order"],
                "it never came order:A-12 please"
            )),
            [("reason", "it never came"), ("order", "A-12 please")]
        );
        assert_eq!(
            pairs(&form_fields(&["reason", "order"], "order:A-1")),
            [("order", "A-1")]
        );
    }
}

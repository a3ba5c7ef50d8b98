//! Reading what the person at the terminal typed: the line grammar.
//!
//! Pure: a line becomes a [`Line`]; a slash command's arguments stay text here and are bound
//! to the command's registered options in `bind`.

/// One line typed at the prompt.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Line {
    /// Nothing (just Enter).
    Empty,
    /// `help`
    Help,
    /// `who`
    Who,
    /// `quit` or `exit`
    Quit,
    /// `in #channel`: act in that channel from now on.
    In(String),
    /// `as name` alone: act as that person from now on.
    Become(String),
    /// Something a person does; `actor` is `None` for the current person.
    Act {
        /// `as <name>`, when given.
        actor: Option<String>,
        /// What they do.
        action: Action,
    },
}

/// What a person does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    /// `/name args…`
    Command {
        /// The command's name, without the slash.
        name: String,
        /// Everything after the name, unparsed (it needs the command's options).
        args: String,
    },
    /// `say text`
    Say(String),
    /// `click label`
    Click(String),
    /// `fill text`: fills in and sends the form a click opened.
    Fill(String),
}

/// A few lines to copy, shown with errors.
pub(crate) const EXAMPLES: &str =
    "as mod /warn @alice spamming · as alice say hello · in #mod-log · who · help";

/// Reads one line of the grammar; the error is a sentence for the person at the terminal.
pub(crate) fn parse_line(line: &str) -> Result<Line, String> {
    let line = line.trim();
    let (first, rest) = split_word(line);
    match first.to_ascii_lowercase().as_str() {
        "" => Ok(Line::Empty),
        "help" | "?" => Ok(Line::Help),
        "who" => Ok(Line::Who),
        "quit" | "exit" => Ok(Line::Quit),
        "in" => {
            let (channel, extra) = split_word(rest);
            if channel.is_empty() {
                Err("In which channel? For example: in #mod-log".to_owned())
            } else if !extra.is_empty() {
                Err(format!(
                    "`in` takes only a channel; put “{extra}” on the next line."
                ))
            } else {
                Ok(Line::In(channel.trim_start_matches('#').to_owned()))
            }
        }
        "as" => {
            let (name, rest) = split_word(rest);
            if name.is_empty() {
                return Err("As whom? For example: as alice say hello".to_owned());
            }
            let name = name.trim_start_matches('@').to_owned();
            if rest.is_empty() {
                Ok(Line::Become(name))
            } else {
                Ok(Line::Act {
                    actor: Some(name),
                    action: parse_action(rest)?,
                })
            }
        }
        _ => Ok(Line::Act {
            actor: None,
            action: parse_action(line)?,
        }),
    }
}

fn parse_action(text: &str) -> Result<Action, String> {
    if let Some(command) = text.strip_prefix('/') {
        let (name, args) = split_word(command);
        if name.is_empty() {
            return Err("Which command? For example: /warn @alice spamming".to_owned());
        }
        return Ok(Action::Command {
            name: name.to_ascii_lowercase(),
            args: args.to_owned(),
        });
    }
    let (verb, rest) = split_word(text);
    match verb.to_ascii_lowercase().as_str() {
        "say" if rest.is_empty() => {
            Err("Say what? For example: as alice say hello everyone".to_owned())
        }
        "say" => Ok(Action::Say(rest.to_owned())),
        "click" | "press" if rest.is_empty() => Err(
            "Click which button? Give its label, e.g. click Older (any part of it will do)"
                .to_owned(),
        ),
        "click" | "press" => Ok(Action::Click(rest.trim_matches('"').to_owned())),
        "fill" if rest.is_empty() => {
            Err("Fill it with what? For example: as alice fill my order is late".to_owned())
        }
        "fill" => Ok(Action::Fill(rest.to_owned())),
        _ => Err(format!(
            "I don't understand “{text}”. A person can run /commands, say things and click \
             buttons; try: {EXAMPLES}"
        )),
    }
}

/// The first whitespace-separated word and the trimmed rest.
fn split_word(text: &str) -> (&str, &str) {
    let text = text.trim();
    match text.split_once(char::is_whitespace) {
        Some((word, rest)) => (word, rest.trim()),
        None => (text, ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_read_as_people_act() {
        assert_eq!(
            parse_line("as mod /warn @alice spamming links"),
            Ok(Line::Act {
                actor: Some("mod".into()),
                action: Action::Command {
                    name: "warn".into(),
                    args: "@alice spamming links".into()
                }
            })
        );
        assert_eq!(
            parse_line("  as @alice   say hello there "),
            Ok(Line::Act {
                actor: Some("alice".into()),
                action: Action::Say("hello there".into())
            })
        );
        assert_eq!(
            parse_line("click Older"),
            Ok(Line::Act {
                actor: None,
                action: Action::Click("Older".into())
            })
        );
        assert_eq!(
            parse_line("as alice fill my order is late"),
            Ok(Line::Act {
                actor: Some("alice".into()),
                action: Action::Fill("my order is late".into())
            })
        );
        assert_eq!(parse_line("in #mod-log"), Ok(Line::In("mod-log".into())));
        assert_eq!(parse_line("as bob"), Ok(Line::Become("bob".into())));
        assert_eq!(parse_line("WHO"), Ok(Line::Who));
        assert_eq!(parse_line("exit"), Ok(Line::Quit));
        assert_eq!(parse_line("   "), Ok(Line::Empty));
    }

    #[test]
    fn lines_outside_the_grammar_get_a_sentence_with_examples() {
        let err = parse_line("warn alice").unwrap_err();
        assert!(err.starts_with("I don't understand “warn alice”"), "{err}");
        assert!(err.contains("as mod /warn @alice spamming"), "{err}");
        assert_eq!(
            parse_line("as").unwrap_err(),
            "As whom? For example: as alice say hello"
        );
        assert!(
            parse_line("as alice say")
                .unwrap_err()
                .starts_with("Say what?")
        );
        assert!(
            parse_line("in")
                .unwrap_err()
                .starts_with("In which channel?")
        );
        assert!(
            parse_line("click")
                .unwrap_err()
                .starts_with("Click which button?")
        );
        assert!(parse_line("/").unwrap_err().starts_with("Which command?"));
        assert!(
            parse_line("as alice fill")
                .unwrap_err()
                .starts_with("Fill it with what?")
        );
    }
}

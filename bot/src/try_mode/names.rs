//! Who and what is called what in the demo guild, both ways: names to ids for reading lines,
//! ids to names for rendering messages.

/// The people, channels and roles of the demo guild by name, each with its id.
///
/// Lookups by name ignore case and a leading `@` or `#`. Names are kept in the order they were
/// added, which is the order `who` lists them in.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Names {
    /// People (the bot included, under its own name), as `(name, user id)`.
    pub(crate) people: Vec<(String, u64)>,
    /// Text channels, as `(name, channel id)`.
    pub(crate) channels: Vec<(String, u64)>,
    /// Roles, as `(name, role id)`.
    pub(crate) roles: Vec<(String, u64)>,
}

fn find(list: &[(String, u64)], name: &str) -> Option<u64> {
    list.iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, id)| *id)
}

fn name_of(list: &[(String, u64)], id: u64) -> Option<&str> {
    list.iter().find(|(_, i)| *i == id).map(|(n, _)| n.as_str())
}

impl Names {
    /// The user id of the person called `name` (`alice` or `@alice`).
    pub(crate) fn person(&self, name: &str) -> Option<u64> {
        find(&self.people, name.trim_start_matches('@'))
    }

    /// The id of the channel called `name` (`general` or `#general`).
    pub(crate) fn channel(&self, name: &str) -> Option<u64> {
        find(&self.channels, name.trim_start_matches('#'))
    }

    /// The id of the role called `name` (`Moderator` or `@Moderator`).
    pub(crate) fn role(&self, name: &str) -> Option<u64> {
        find(&self.roles, name.trim_start_matches('@'))
    }

    /// The name of a user, if they are one of the people here.
    pub(crate) fn person_name(&self, id: u64) -> Option<&str> {
        name_of(&self.people, id)
    }

    /// The name of a channel.
    pub(crate) fn channel_name(&self, id: u64) -> Option<&str> {
        name_of(&self.channels, id)
    }

    /// The name of a role.
    pub(crate) fn role_name(&self, id: u64) -> Option<&str> {
        name_of(&self.roles, id)
    }

    /// Every person's name, separated by commas, for "did you mean" sentences.
    pub(crate) fn people_list(&self) -> String {
        self.people
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Every channel as `#name`, separated by commas.
    pub(crate) fn channel_list(&self) -> String {
        self.channels
            .iter()
            .map(|(n, _)| format!("#{n}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
pub(crate) fn demo() -> Names {
    Names {
        people: vec![
            ("owner".into(), 1),
            ("mod".into(), 2),
            ("alice".into(), 3),
            ("bob".into(), 4),
            ("Hearth".into(), 9),
        ],
        channels: vec![("general".into(), 10), ("mod-log".into(), 11)],
        roles: vec![("Moderator".into(), 20), ("Senior".into(), 21)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_resolve_without_case_or_sigils_and_back() {
        let names = demo();
        assert_eq!(names.person("@Alice"), Some(3));
        assert_eq!(names.channel("#mod-log"), Some(11));
        assert_eq!(names.role("moderator"), Some(20));
        assert_eq!(names.person("carol"), None);
        assert_eq!(names.person_name(2), Some("mod"));
        assert_eq!(names.channel_name(10), Some("general"));
        assert_eq!(names.channel_list(), "#general, #mod-log");
    }
}

//! Invite links and links by domain, read from the text as the member wrote it (Discord only
//! turns `http://`/`https://` text and its own invite hosts into links).

use std::ops::Range;

use crate::{LinkMode, SettingsError};

/// The most domains a link list may hold.
pub const DOMAINS_MAX: usize = 500;

/// Where Discord invite codes follow.
const INVITE_HOSTS: [&str; 3] = [
    "discord.gg/",
    "discord.com/invite/",
    "discordapp.com/invite/",
];

fn is_code_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}

fn is_host_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_')
}

/// The first invite in `text` whose code is not in `allowed` (lower case): its byte range and
/// code.
pub(crate) fn find_invite(text: &str, allowed: &[String]) -> Option<(Range<usize>, String)> {
    let lower = text.to_ascii_lowercase();
    let mut first: Option<(Range<usize>, String)> = None;
    for host in INVITE_HOSTS {
        for (at, _) in lower.match_indices(host) {
            if first.as_ref().is_some_and(|(r, _)| r.start <= at) {
                break;
            }
            let code_start = at + host.len();
            let len = lower.as_bytes()[code_start..]
                .iter()
                .take_while(|&&b| is_code_char(b))
                .count();
            let code = &lower[code_start..code_start + len];
            if code.is_empty() || allowed.iter().any(|a| a == code) {
                continue;
            }
            // Include a scheme written before the host in the excerpt.
            let start = ["https://", "http://"]
                .iter()
                .find(|s| lower[..at].ends_with(*s))
                .map_or(at, |s| at - s.len());
            first = Some((
                start..code_start + len,
                text[code_start..code_start + len].to_owned(),
            ));
            break;
        }
    }
    first
}

/// Every link's host in `text`, lower case, with the link's byte range.
fn links(text: &str) -> impl Iterator<Item = (Range<usize>, String)> + '_ {
    let lower = text.to_ascii_lowercase();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(rel) = lower[from..].find("http") {
        let at = from + rel;
        from = at + 4;
        let rest = &lower[at..];
        let Some(after) = rest
            .strip_prefix("https://")
            .or_else(|| rest.strip_prefix("http://"))
        else {
            continue;
        };
        let authority_start = at + (rest.len() - after.len());
        let authority_len = after
            .bytes()
            .take_while(|&b| is_host_char(b) || matches!(b, b'@' | b':'))
            .count();
        let authority = &lower[authority_start..authority_start + authority_len];
        // `user:pass@host:port`: the host is after the last `@`, before the port.
        let host = authority.rsplit('@').next().unwrap_or_default();
        let host = host
            .split(':')
            .next()
            .unwrap_or_default()
            .trim_end_matches('.');
        let end = authority_start
            + after
                .bytes()
                .take_while(|b| !b.is_ascii_whitespace() && *b != b'>')
                .count();
        if !host.is_empty() {
            found.push((at..end, host.to_owned()));
        }
        from = end.max(from);
    }
    found.into_iter()
}

fn covers(domain: &str, host: &str) -> bool {
    host == domain
        || host
            .strip_suffix(domain)
            .is_some_and(|sub| sub.ends_with('.'))
}

/// The first link that `mode` and `domains` (lower case) refuse: its byte range and host.
pub(crate) fn find_link(
    text: &str,
    mode: LinkMode,
    domains: &[String],
) -> Option<(Range<usize>, String)> {
    links(text).find(|(_, host)| {
        let listed = domains.iter().any(|d| covers(d, host));
        match mode {
            LinkMode::Deny => listed,
            LinkMode::Allow => !listed,
        }
    })
}

/// The most invite codes an invite filter may allow.
pub const INVITES_ALLOWED_MAX: usize = 50;

/// Checks and lower-cases the allowed invite codes; a whole link (`https://discord.gg/hearth`)
/// stands for its code.
pub(crate) fn invite_codes(list: &[String]) -> Result<Vec<String>, SettingsError> {
    if list.len() > INVITES_ALLOWED_MAX {
        return Err(SettingsError::TooMany {
            what: "the allowed invites",
            max: INVITES_ALLOWED_MAX,
            len: list.len(),
        });
    }
    list.iter()
        .map(|input| {
            let code = input.trim().trim_end_matches('/');
            let code = code.rsplit('/').next().unwrap_or_default();
            if (2..=32).contains(&code.len()) && code.bytes().all(is_code_char) {
                Ok(code.to_ascii_lowercase())
            } else {
                Err(SettingsError::BadInviteCode {
                    code: input.clone(),
                })
            }
        })
        .collect()
}

/// Checks and lower-cases a domain list: `example.com`, no scheme or path.
pub(crate) fn domains(list: &[String]) -> Result<Vec<String>, SettingsError> {
    if list.len() > DOMAINS_MAX {
        return Err(SettingsError::TooMany {
            what: "the domain list",
            max: DOMAINS_MAX,
            len: list.len(),
        });
    }
    list.iter()
        .map(|domain| {
            let lower = domain.trim().trim_end_matches('.').to_ascii_lowercase();
            let ok = lower.contains('.')
                && lower.len() <= 253
                && lower.bytes().all(is_host_char)
                && lower.split('.').all(|label| !label.is_empty());
            if ok {
                Ok(lower)
            } else {
                Err(SettingsError::BadDomain {
                    domain: domain.clone(),
                })
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invites_are_found_unless_allowed() {
        let text = "join https://discord.gg/AbC123 now";
        let (range, code) = find_invite(text, &[]).unwrap();
        assert_eq!(&text[range], "https://discord.gg/AbC123");
        assert_eq!(code, "AbC123");
        assert_eq!(find_invite(text, &["abc123".into()]), None);
        assert!(find_invite("DISCORD.COM/INVITE/xyz", &[]).is_some());
        assert_eq!(find_invite("discord.gg/ is a host", &[]), None);
        assert_eq!(find_invite("no links at all", &[]), None);
    }

    #[test]
    fn deny_lists_catch_listed_domains_and_their_subdomains() {
        let deny = vec!["scam.example".to_owned()];
        let hit = |text: &str| find_link(text, LinkMode::Deny, &deny).map(|(_, h)| h);
        assert_eq!(
            hit("see https://scam.example/x"),
            Some("scam.example".into())
        );
        assert_eq!(
            hit("see http://free.SCAM.example:8080/x"),
            Some("free.scam.example".into())
        );
        assert_eq!(
            hit("see https://user@scam.example"),
            Some("scam.example".into())
        );
        assert_eq!(hit("see https://notscam.example/x"), None);
        assert_eq!(hit("scam.example without a scheme is not a link"), None);
    }

    #[test]
    fn allow_lists_catch_everything_else() {
        let allow = vec!["youtube.com".to_owned()];
        let hit = |text: &str| find_link(text, LinkMode::Allow, &allow).map(|(_, h)| h);
        assert_eq!(hit("https://www.youtube.com/watch?v=1"), None);
        assert_eq!(
            hit("https://www.youtube.com/ and <https://evil.test/>"),
            Some("evil.test".into())
        );
    }

    #[test]
    fn allowed_invites_are_codes_or_links() {
        let codes = invite_codes(&["Hearth".into(), "https://discord.gg/Rust-Lang/".into()]);
        assert_eq!(codes.unwrap(), ["hearth", "rust-lang"]);
        assert_eq!(
            invite_codes(&["not a code".into()])
                .unwrap_err()
                .to_string(),
            "`not a code` is not an invite code (write it like `hearth` or `discord.gg/hearth`)"
        );
        assert!(invite_codes(&["a".into()]).is_err());
        assert!(invite_codes(&["ab".into()]).is_ok());
        assert!(invite_codes(&["a".repeat(32)]).is_ok());
        assert!(invite_codes(&["a".repeat(33)]).is_err());
        assert!(invite_codes(&vec!["ab".to_owned(); INVITES_ALLOWED_MAX]).is_ok());
        assert!(invite_codes(&vec!["ab".to_owned(); INVITES_ALLOWED_MAX + 1]).is_err());
    }

    #[test]
    fn domain_lists_are_checked() {
        assert_eq!(domains(&["Example.COM.".into()]).unwrap(), ["example.com"]);
        assert_eq!(
            domains(&["https://example.com".into()])
                .unwrap_err()
                .to_string(),
            "`https://example.com` is not a domain name (write it like `example.com`)"
        );
        assert!(domains(&["localhost".into()]).is_err());
        assert!(domains(&vec!["a.b".to_owned(); DOMAINS_MAX]).is_ok());
        assert!(domains(&vec!["a.b".to_owned(); DOMAINS_MAX + 1]).is_err());
    }
}

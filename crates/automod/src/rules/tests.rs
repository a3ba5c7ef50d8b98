use std::time::Duration;

use proptest::prelude::*;

use super::*;
use crate::{
    CapsLimit, DuplicateLimit, FloodLimit, InviteFilter, LinkFilter, LinkMode, MentionLimit,
    PatternList, Preset, RateLimit, WordEntry, WordList,
};

const GUILD: GuildId = GuildId::new(1);
const ALICE: UserId = UserId::new(10);
const STAFF_ROLE: RoleId = RoleId::new(50);
const BOTS: ChannelId = ChannelId::new(60);

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn message(id: u64, at_secs: i64, text: &str) -> Message<'_> {
    Message {
        guild: GUILD,
        channel: ChannelId::new(2),
        id: MessageId::new(id),
        author: ALICE,
        author_roles: &[],
        author_is_staff: false,
        text,
        mentions: &[],
        mention_roles: &[],
        at: Timestamp::from_unix_secs(1_700_000_000 + at_secs),
    }
}

fn enabled() -> AutomodSettings {
    AutomodSettings {
        enabled: true,
        ..AutomodSettings::default()
    }
}

fn compile(settings: &AutomodSettings) -> CompiledRules {
    CompiledRules::compile(settings).unwrap()
}

fn rules_of(report: &Report) -> Vec<RuleKind> {
    report.hits.iter().map(|h| h.rule).collect()
}

fn words(list: &[&str]) -> WordList {
    WordList {
        entries: list.iter().map(|w| WordEntry::parse(w)).collect(),
        response: Response::default(),
    }
}

fn timeout(s: u64) -> Action {
    Action::Timeout { duration: secs(s) }
}

#[test]
fn exempt_messages_are_not_checked_or_recorded() {
    let mut settings = enabled();
    settings.words = Some(words(&["scam"]));
    settings.rate = Some(RateLimit {
        messages: 2,
        per: secs(10),
        response: Response::default(),
    });
    settings.exempt_roles = vec![STAFF_ROLE];
    settings.exempt_channels = vec![BOTS];
    let rules = compile(&settings);
    let mut state = AutomodState::new();
    let staff = Message {
        author_is_staff: true,
        ..message(1, 0, "scam")
    };
    assert_eq!(
        rules.check(&mut state, &staff).exemption,
        Some(Exemption::Staff)
    );
    let member_roles = [RoleId::new(7), STAFF_ROLE];
    let with_role = Message {
        author_roles: &member_roles,
        ..message(2, 0, "scam")
    };
    assert_eq!(
        rules.check(&mut state, &with_role).exemption,
        Some(Exemption::Role(STAFF_ROLE))
    );
    let in_channel = Message {
        channel: BOTS,
        ..message(3, 0, "scam")
    };
    assert_eq!(
        rules.check(&mut state, &in_channel).exemption,
        Some(Exemption::Channel(BOTS))
    );
    assert!(state.is_empty(), "exempt messages left state behind");

    settings.exempt_staff = false;
    let rules = compile(&settings);
    assert_eq!(
        rules_of(&rules.check(&mut state, &staff)),
        [RuleKind::Words]
    );

    settings.enabled = false;
    let rules = compile(&settings);
    assert_eq!(
        rules.check(&mut state, &message(9, 0, "scam")).exemption,
        Some(Exemption::Disabled)
    );
}

#[test]
fn the_message_past_the_rate_limit_is_a_hit_until_the_window_passes() {
    let mut settings = enabled();
    settings.rate = Some(RateLimit {
        messages: 3,
        per: secs(5),
        response: Response::delete_and(timeout(60)),
    });
    let rules = compile(&settings);
    let mut state = AutomodState::new();
    for (id, at) in [(1, 0), (2, 1), (3, 2)] {
        assert!(
            rules
                .check(&mut state, &message(id, at, &format!("hi {id}")))
                .is_clean()
        );
    }
    let fourth = rules.check(&mut state, &message(4, 3, "hi 4"));
    assert_eq!(rules_of(&fourth), [RuleKind::Rate]);
    assert_eq!(fourth.hits[0].reason, "4 messages in 5 seconds");
    assert_eq!(fourth.action, timeout(60));
    assert!(fourth.delete);
    // At 6 s the messages at 0 and 1 s have left the window.
    assert!(rules.check(&mut state, &message(5, 6, "hi 5")).is_clean());
}

#[test]
fn the_same_text_in_three_channels_is_a_duplicate() {
    let mut settings = enabled();
    settings.duplicates = Some(DuplicateLimit {
        messages: 3,
        within: secs(60),
        response: Response::default(),
    });
    let rules = compile(&settings);
    let mut state = AutomodState::new();
    let text = "Check out my server!!";
    let mut reports = Vec::new();
    for (i, channel) in [(1, 21), (2, 22), (3, 23)] {
        let m = Message {
            channel: ChannelId::new(channel),
            ..message(i, i64::try_from(i).unwrap(), text)
        };
        reports.push(rules.check(&mut state, &m));
    }
    assert!(reports[0].is_clean() && reports[1].is_clean());
    assert_eq!(rules_of(&reports[2]), [RuleKind::Duplicates]);
    assert_eq!(
        reports[2].hits[0].reason,
        "the same message 3 times in 1 minute"
    );
    // Obfuscated copies are the same text once normalised.
    let mut state = AutomodState::new();
    rules.check(&mut state, &message(1, 0, "check out my server"));
    rules.check(&mut state, &message(2, 1, "CHECK OUT MY SERVER"));
    let third = rules.check(&mut state, &message(3, 2, "ｃｈｅｃｋ out my server"));
    assert_eq!(rules_of(&third), [RuleKind::Duplicates]);
    // Short replies are said again and again without being spam.
    for id in 4..10 {
        assert!(rules.check(&mut state, &message(id, 3, "lol")).is_clean());
    }
}

#[test]
fn mass_mentions_and_everyone_attempts_are_hits() {
    let mut settings = enabled();
    settings.mentions = Some(MentionLimit {
        max: 3,
        everyone: true,
        response: Response::delete_and(timeout(600)),
    });
    let rules = compile(&settings);
    let mut state = AutomodState::new();
    let users = [
        UserId::new(1),
        UserId::new(2),
        UserId::new(2),
        UserId::new(3),
    ];
    let three = Message {
        mentions: &users,
        ..message(1, 0, "hi all")
    };
    assert!(
        rules.check(&mut state, &three).is_clean(),
        "a user mentioned twice counts once"
    );
    let role_mentions = [RoleId::new(9)];
    let four = Message {
        mentions: &users,
        mention_roles: &role_mentions,
        ..message(2, 1, "hi all")
    };
    let report = rules.check(&mut state, &four);
    assert_eq!(report.hits[0].reason, "4 mentions (at most 3 allowed)");
    let everyone = rules.check(&mut state, &message(3, 2, "@everyone free stuff"));
    assert_eq!(rules_of(&everyone), [RuleKind::Mentions]);
    assert_eq!(everyone.hits[0].excerpt, "@\u{200B}everyone free stuff");
    assert!(everyone.delete);
}

#[test]
fn an_obfuscated_listed_word_is_reported_with_its_original_span() {
    let mut settings = enabled();
    settings.words = Some(words(&["free nitro"]));
    let rules = compile(&settings);
    let mut state = AutomodState::new();
    let text = "@here get ｆｒ３３ Ｎ1ＴＲＯ now";
    let report = rules.check(&mut state, &message(1, 0, text));
    let hit = &report.hits[0];
    assert_eq!(hit.rule, RuleKind::Words);
    assert_eq!(hit.reason, "listed word `free nitro`");
    assert_eq!(&text[hit.original.clone().unwrap()], "ｆｒ３３ Ｎ1ＴＲＯ");
    let normalised = normalise(text);
    assert_eq!(
        &normalised.as_str()[hit.normalised.clone().unwrap()],
        "free nitro"
    );
    assert_eq!(hit.excerpt, "@\u{200B}here get ｆｒ３３ Ｎ1ＴＲＯ now");
}

#[test]
fn patterns_invites_links_and_floods_are_hits() {
    let mut settings = enabled();
    settings.patterns = Some(PatternList {
        patterns: vec![r"buy\s+followers".to_owned()],
        response: Response::default(),
    });
    settings.invites = Some(InviteFilter {
        allowed: vec!["Hearth".to_owned()],
        response: Response::default(),
    });
    settings.links = Some(LinkFilter {
        mode: LinkMode::Deny,
        domains: vec!["grabify.link".to_owned()],
        response: Response::default(),
    });
    settings.caps = Some(CapsLimit {
        percent: 70,
        min_letters: 10,
        response: Response::LOG_ONLY,
    });
    settings.newlines = Some(FloodLimit {
        max: 3,
        response: Response::LOG_ONLY,
    });
    settings.emoji = Some(FloodLimit {
        max: 2,
        response: Response::LOG_ONLY,
    });
    let rules = compile(&settings);
    let check = |text: &str| rules.test(text).1;
    let only = |text: &str| check(text).iter().map(|h| h.rule).collect::<Vec<_>>();
    assert_eq!(only("BUY   Followers cheap"), [RuleKind::Patterns]);
    assert_eq!(only("join discord.gg/hearth"), []);
    assert_eq!(only("join discord.gg/other"), [RuleKind::Invites]);
    assert_eq!(only("see https://grabify.link/abc"), [RuleKind::Links]);
    assert_eq!(only("WHY IS NOBODY ANSWERING"), [RuleKind::Caps]);
    assert_eq!(only("OK FINE"), [], "too short to judge");
    assert_eq!(only("a\nb\nc\nd"), [RuleKind::Newlines]);
    assert_eq!(only("😀😀😀"), [RuleKind::Emoji]);
    assert_eq!(check("😀😀😀")[0].reason, "3 emoji (at most 2 allowed)");
    assert_eq!(check("WHY IS NOBODY ANSWERING")[0].reason, "100% capitals");
}

#[test]
fn violations_escalate_within_the_window_and_decay() {
    let mut settings = enabled();
    settings.words = Some(words(&["scam"]));
    settings.escalation = vec![EscalationStep {
        violations: 3,
        within: secs(600),
        action: timeout(600),
    }];
    let rules = compile(&settings);
    let mut state = AutomodState::new();
    let first = rules.check(&mut state, &message(1, 0, "scam"));
    assert_eq!(
        (first.violations, first.escalation, first.action),
        (1, None, Action::Warn)
    );
    rules.check(&mut state, &message(2, 100, "scam"));
    let third = rules.check(&mut state, &message(3, 200, "scam"));
    assert_eq!(third.violations, 3);
    assert_eq!(third.escalation, Some(settings.escalation[0]));
    assert_eq!(third.action, timeout(600));
    // Ten minutes after the first, only two remain in the window.
    let fourth = rules.check(&mut state, &message(4, 600, "scam"));
    assert_eq!(
        (fourth.violations, fourth.escalation),
        (3, Some(settings.escalation[0]))
    );
    let mut state = AutomodState::new();
    for (id, at) in [(1, 0), (2, 400), (3, 800)] {
        let report = rules.check(&mut state, &message(id, at, "scam"));
        assert_eq!(
            report.escalation, None,
            "violations 400 s apart never make 3 in 600 s"
        );
    }
}

#[test]
fn log_only_hits_do_not_count_toward_escalation() {
    let mut settings = enabled();
    settings.words = Some(WordList {
        entries: vec![WordEntry::parse("scam")],
        response: Response::LOG_ONLY,
    });
    settings.escalation = vec![EscalationStep {
        violations: 1,
        within: secs(60),
        action: Action::Kick,
    }];
    let rules = compile(&settings);
    let mut state = AutomodState::new();
    let report = rules.check(&mut state, &message(1, 0, "scam"));
    assert_eq!(rules_of(&report), [RuleKind::Words]);
    assert_eq!(
        (report.action, report.escalation, report.delete),
        (Action::LogOnly, None, false)
    );
}

#[test]
fn a_replayed_message_is_judged_once() {
    let mut settings = enabled();
    settings.words = Some(words(&["scam"]));
    settings.escalation = vec![EscalationStep {
        violations: 2,
        within: secs(60),
        action: Action::Kick,
    }];
    let rules = compile(&settings);
    let mut state = AutomodState::new();
    let first = rules.check(&mut state, &message(1, 0, "scam"));
    assert_eq!(first.violations, 1);
    assert!(rules.check(&mut state, &message(2, 5, "hello")).is_clean());
    // Discord sends the first message again after a resume; it is judged by its own time.
    state.expire(message(3, 20, "").at);
    let replay = rules.check(&mut state, &message(1, 0, "scam"));
    assert!(replay.replayed && replay.is_clean());
    assert_eq!(replay.escalation, None);
    assert_eq!(
        state.violations(GUILD, ALICE, message(1, 20, "").at, secs(60)),
        1
    );
}

#[test]
fn discord_automod_hits_count_toward_escalation() {
    let settings = Preset::Recommended.apply(&AutomodSettings::default());
    let rules = compile(&settings);
    let mut state = AutomodState::new();
    let native = |at: i64| NativeHit {
        guild: GUILD,
        user: ALICE,
        rule_name: "Block Mentions",
        content: "@everyone look",
        at: Timestamp::from_unix_secs(1_700_000_000 + at),
    };
    let first = rules.record_native(&mut state, &native(0));
    assert_eq!(
        (first.violations, first.action, first.delete),
        (1, Action::LogOnly, false)
    );
    rules.record_native(&mut state, &native(10));
    let third = rules.check(&mut state, &message(3, 20, "free nitro"));
    assert_eq!(third.violations, 3);
    assert_eq!(third.action, timeout(600));
    let report = rules.record_native(&mut state, &native(30));
    assert_eq!((report.violations, report.action), (4, timeout(600)));
    assert_eq!(
        report.hits[0].reason,
        "Discord AutoMod rule `Block Mentions`"
    );
    assert_eq!(report.hits[0].excerpt, "@\u{200B}everyone look");
    assert!(!report.delete);
}

#[test]
fn reasons_quoting_staff_text_ping_nobody() {
    let mut settings = enabled();
    settings.words = Some(words(&["@everyone"]));
    let (_, hits) = compile(&settings).test("hey @everyone");
    assert_eq!(hits[0].reason, "listed word `@\u{200B}everyone`");
}

#[test]
fn the_strongest_action_wins() {
    let mut settings = enabled();
    settings.words = Some(words(&["scam"]));
    settings.mentions = Some(MentionLimit {
        max: 5,
        everyone: true,
        response: Response::delete_and(Action::Ban { duration: None }),
    });
    let rules = compile(&settings);
    let report = rules.check(&mut AutomodState::new(), &message(1, 0, "@everyone scam"));
    assert_eq!(rules_of(&report), [RuleKind::Mentions, RuleKind::Words]);
    assert_eq!(report.action, Action::Ban { duration: None });
}

#[test]
fn settings_are_refused_with_sentences_that_name_the_problem() {
    let refuse = |edit: fn(&mut AutomodSettings)| {
        let mut settings = enabled();
        edit(&mut settings);
        settings.validate().unwrap_err().to_string()
    };
    assert_eq!(
        refuse(|s| s.rate = Some(RateLimit {
            messages: 1,
            per: secs(5),
            response: Response::default()
        })),
        "the rate limit's message count must be 2 to 30, not 1"
    );
    assert_eq!(
        refuse(|s| s.rate = Some(RateLimit {
            messages: 5,
            per: secs(301),
            response: Response::default()
        })),
        "the rate limit's window in seconds must be 1 to 300, not 301"
    );
    assert_eq!(
        refuse(|s| s.patterns = Some(PatternList {
            patterns: vec!["(a+".into()],
            response: Response::default()
        })),
        "pattern `(a+` is not a valid regular expression: unclosed group"
    );
    assert_eq!(
        refuse(|s| s.mentions = Some(MentionLimit {
            max: 5,
            everyone: true,
            response: Response::delete_and(timeout(29 * 86_400))
        })),
        "timeouts go up to 28 days"
    );
    assert_eq!(
        refuse(|s| s.escalation = vec![EscalationStep {
            violations: 3,
            within: secs(60),
            action: Action::LogOnly
        }]),
        "an escalation step must do something: warn, time out, kick or ban"
    );
    assert_eq!(
        refuse(|s| s.links = Some(LinkFilter {
            mode: LinkMode::Allow,
            domains: vec!["not a domain".into()],
            response: Response::default()
        })),
        "`not a domain` is not a domain name (write it like `example.com`)"
    );
    let step = EscalationStep {
        violations: 3,
        within: secs(60),
        action: Action::Kick,
    };
    let mut settings = enabled();
    settings.escalation = vec![step, step];
    assert_eq!(
        settings.validate().unwrap_err().to_string(),
        "two escalation steps both trigger at 3 violations in the same time"
    );
}

#[test]
fn settings_round_trip_through_json_and_default_missing_fields() {
    let settings = Preset::Strict.apply(&AutomodSettings::default());
    let json = serde_json::to_string(&settings).unwrap();
    assert_eq!(
        serde_json::from_str::<AutomodSettings>(&json).unwrap(),
        settings
    );
    let sparse: AutomodSettings =
        serde_json::from_str(r#"{"enabled":true,"words":{"entries":[{"text":"scam"}]}}"#).unwrap();
    assert!(sparse.exempt_staff);
    assert_eq!(
        sparse.words.unwrap().entries[0].kind,
        crate::WordMatch::Whole
    );
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-Z0-9 .!@$|\u{200B}ａ-ｚ\n😀<>:/]{0,200}",
        Just("https://discord.gg/abc @everyone FREE NITRO\n\n".repeat(20)),
    ]
}

proptest! {
    #[test]
    fn checks_never_panic_and_spans_point_into_the_message(
        texts in prop::collection::vec(any_text(), 1..8)
    ) {
        let mut settings = Preset::Strict.apply(&AutomodSettings::default());
        settings.patterns = Some(PatternList {
            patterns: vec![r"(a+)+$".into(), r"n[i1]tro".into()],
            response: Response::default(),
        });
        let rules = CompiledRules::compile(&settings).unwrap();
        let mut state = AutomodState::with_max_members(4);
        for (i, text) in texts.iter().enumerate() {
            let at = i64::try_from(i).unwrap();
            let m = Message { author: UserId::new(1 + (i as u64 % 6)), ..message(i as u64 + 1, at, text) };
            let report = rules.check(&mut state, &m);
            prop_assert!(state.len() <= 4);
            for hit in &report.hits {
                prop_assert!(hit.excerpt.chars().count() <= EXCERPT_MAX_CHARS);
                if let Some(range) = &hit.original {
                    prop_assert!(text.get(range.clone()).is_some());
                }
            }
        }
    }

    #[test]
    fn members_within_the_rate_limit_are_never_rate_hits(
        gaps in prop::collection::vec(0u64..3_000, 1..40),
        limit in 2u32..10,
    ) {
        // With at least `per / limit` between messages, no window holds more than `limit`.
        let mut settings = enabled();
        let per = secs(10);
        settings.rate = Some(RateLimit { messages: limit, per, response: Response::default() });
        let rules = CompiledRules::compile(&settings).unwrap();
        let mut state = AutomodState::new();
        let spacing = u64::try_from(per.as_millis()).unwrap() / u64::from(limit);
        let mut at = 0u64;
        for (i, gap) in gaps.iter().enumerate() {
            at += spacing + gap;
            let m = Message {
                at: Timestamp::from_unix_millis(i64::try_from(at).unwrap()),
                ..message(i as u64 + 1, 0, "hello there")
            };
            prop_assert!(rules.check(&mut state, &m).is_clean());
        }
    }

    #[test]
    fn a_burst_over_the_rate_limit_is_always_caught(limit in 2u32..20) {
        let mut settings = enabled();
        settings.rate = Some(RateLimit { messages: limit, per: secs(5), response: Response::default() });
        let rules = CompiledRules::compile(&settings).unwrap();
        let mut state = AutomodState::new();
        let reports: Vec<Report> = (0..=u64::from(limit))
            .map(|i| rules.check(&mut state, &message(i + 1, 0, &format!("message {i}"))))
            .collect();
        prop_assert!(reports[..limit as usize].iter().all(Report::is_clean));
        prop_assert_eq!(rules_of(&reports[limit as usize]), vec![RuleKind::Rate]);
    }
}

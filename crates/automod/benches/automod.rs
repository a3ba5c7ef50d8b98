//! Automod's targets, measured: `cargo bench -p hearth-automod`.
//!
//! 1. One message against 1,000 listed words + 20 patterns + every rate rule: ≤ 10 µs p99.
//! 2. A pathological pattern and input (`(a+)+$` against 10,000 `a`s) takes no longer than an
//!    ordinary pattern on the same input.
//! 3. The state of 100,000 active members: ≤ 50 MiB, counted by a counting global allocator.
//!
//! Prints figures; exits non-zero when a target is missed.

use std::{
    alloc::System,
    hint::black_box,
    process::ExitCode,
    time::{Duration, Instant},
};

use hearth_automod::{
    AutomodSettings, AutomodState, CompiledRules, Message, PatternList, Preset, Response,
    WordEntry, WordList,
};
use hearth_core::{ChannelId, GuildId, MessageId, RoleId, Timestamp, UserId};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const P99_TARGET: Duration = Duration::from_micros(10);
const MEMORY_TARGET_MIB: f64 = 50.0;
const MEMBERS: u64 = 100_000;

/// A small deterministic generator (xorshift), so every run checks the same messages.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn word(&mut self, min: u64, max: u64) -> String {
        let len = min + self.below(max - min + 1);
        (0..len)
            .map(|_| char::from(b'a' + u8::try_from(self.below(26)).unwrap()))
            .collect()
    }
}

fn patterns() -> Vec<String> {
    let mut list: Vec<String> = [
        r"free\s*nitro",
        r"\b(?:buy|cheap)\s+(?:followers|likes|views)\b",
        r"bit\.ly/\w+",
        r"\b\d{3}[-. ]?\d{3}[-. ]?\d{4}\b",
        r"(?:steam|discord)\s*(?:gift|giveaway)",
        r"\bcrypto\s*(?:airdrop|pump)\b",
        r"[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}",
        r"\bonlyfans\b",
        r"(?:https?://)?t\.me/\w+",
        r"\bdm\s+me\s+for\b",
    ]
    .iter()
    .map(|p| (*p).to_owned())
    .collect();
    for i in 0..10 {
        list.push(format!(r"\bspam{i}\w*\b"));
    }
    list
}

fn heavy_settings(rng: &mut Rng) -> AutomodSettings {
    let mut settings = Preset::Recommended.apply(&AutomodSettings::default());
    let mut entries: Vec<WordEntry> = hearth_automod::SCAM_PHRASES
        .iter()
        .map(|w| WordEntry::parse(w))
        .collect();
    while entries.len() < 1_000 {
        let word = rng.word(4, 10);
        let entry = match rng.below(20) {
            0..=15 => word,
            16..=18 => format!("*{word}*"),
            _ => format!("{}*{}", &word[..2], &word[2..]),
        };
        entries.push(WordEntry::parse(&entry));
    }
    settings.words = Some(WordList {
        entries,
        response: Response::default(),
    });
    settings.patterns = Some(PatternList {
        patterns: patterns(),
        response: Response::default(),
    });
    settings
}

const SAMPLES: &[&str] = &[
    "hey everyone, has anyone tried the new patch? the boss fight is way harder now",
    "lol same",
    "GET FR33 N1TRO HERE https://discord.gg/abcdef @everyone",
    "Привет! Кто-нибудь играет сегодня вечером?",
    "ｆｒｅｅ ｓｔｅａｍ ｇｉｆｔ for the first 100 people",
    "I think the answer is 42, but check https://docs.rs/regex for details",
    "f.r.e.e n.i.t.r.o just click the link",
    "can someone help me with my rust code? it says borrowed value does not live long enough",
    "今日はいい天気ですね！みんなで遊びましょう 😀😀",
    "WHY DOES NOBODY ANSWER MY QUESTIONS IN THIS CHANNEL",
];

/// The value below which `per_mille` thousandths of `sorted` lie.
fn percentile(sorted: &[Duration], per_mille: usize) -> Duration {
    sorted[(sorted.len() - 1) * per_mille / 1000]
}

fn message<'a>(
    id: u64,
    author: u64,
    at_ms: i64,
    text: &'a str,
    roles: &'a [RoleId],
) -> Message<'a> {
    Message {
        guild: GuildId::new(1),
        channel: ChannelId::new(1 + id % 5),
        id: MessageId::new(id),
        author: UserId::new(author),
        author_roles: roles,
        author_is_staff: false,
        text,
        mentions: &[],
        mention_roles: &[],
        at: Timestamp::from_unix_millis(at_ms),
    }
}

/// Target 1: the cost of one check.
fn check_latency(rng: &mut Rng) -> bool {
    let settings = heavy_settings(rng);
    let started = Instant::now();
    let rules = CompiledRules::compile(&settings).expect("the benchmark's settings are valid");
    let compile = started.elapsed();
    let mut state = AutomodState::new();
    let member_roles = [RoleId::new(77)];
    let rounds = 200_000u64;
    let mut times = Vec::with_capacity(usize::try_from(rounds).unwrap());
    let mut hits = 0usize;
    let mut at = 1_700_000_000_000i64;
    for id in 1..=rounds {
        at += i64::try_from(rng.below(40)).unwrap();
        let text = SAMPLES[usize::try_from(rng.below(SAMPLES.len() as u64)).unwrap()];
        let m = message(id, 1 + rng.below(2_000), at, text, &member_roles);
        let started = Instant::now();
        let report = rules.check(&mut state, black_box(&m));
        times.push(started.elapsed());
        hits += report.hits.len();
    }
    times.sort_unstable();
    let p99 = percentile(&times, 990);
    println!(
        "check, 1,000 words + 20 patterns + rate, duplicate, mention, invite, caps, line and emoji rules:"
    );
    println!("  compile once: {compile:?}");
    println!(
        "  {rounds} checks: p50 {:?}  p90 {:?}  p99 {p99:?}  p99.9 {:?}  max {:?}  ({hits} hits)",
        percentile(&times, 500),
        percentile(&times, 900),
        percentile(&times, 999),
        times.last().unwrap(),
    );
    for text in SAMPLES {
        let mut times: Vec<Duration> = (0..2_000u64)
            .map(|i| {
                let m = message(10_000_000 + i, 5_000 + i, at, text, &member_roles);
                let started = Instant::now();
                black_box(rules.check(&mut state, black_box(&m)));
                started.elapsed()
            })
            .collect();
        times.sort_unstable();
        println!(
            "  p50 {:>10?}  {}",
            times[1_000],
            hearth_core::text::truncate(text, 50)
        );
    }
    let ok = p99 <= P99_TARGET;
    println!(
        "  target p99 <= {P99_TARGET:?}: {}",
        if ok { "met" } else { "MISSED" }
    );
    ok
}

/// Median time of `runs` dry runs of `text` against `rules`.
fn median_test(rules: &CompiledRules, text: &str, runs: usize) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            black_box(rules.test(black_box(text)));
            started.elapsed()
        })
        .collect();
    times.sort_unstable();
    times[runs / 2]
}

/// Target 2: a pathological pattern costs what an ordinary one does.
fn pathological() -> bool {
    let with = |pattern: &str| {
        let mut settings = AutomodSettings::default();
        settings.enabled = true;
        settings.patterns = Some(PatternList {
            patterns: vec![pattern.to_owned()],
            response: Response::default(),
        });
        CompiledRules::compile(&settings).unwrap()
    };
    let evil = with(r"(a+)+$");
    let nested = with(r"(a|aa)+b");
    let ordinary = with(r"free\s*nitro");
    let ordinary_match = with(r"a+$");
    let mut all_a = "a".repeat(10_000);
    let mut ok = true;
    println!(
        "pathological patterns, 10,000-character inputs (median of 50 dry runs: normalise + match):"
    );
    for (name, input) in [
        ("10,000 `a`s", all_a.clone()),
        ("10,000 `a`s then `!`", {
            all_a.push('!');
            all_a.clone()
        }),
    ] {
        let t_evil = median_test(&evil, &input, 50);
        let t_nested = median_test(&nested, &input, 50);
        let t_ordinary = median_test(&ordinary, &input, 50);
        let t_ordinary_match = median_test(&ordinary_match, &input, 50);
        println!(
            "  {name}: `(a+)+$` {t_evil:?}  `(a|aa)+b` {t_nested:?}  | ordinary `free\\s*nitro` {t_ordinary:?}  `a+$` {t_ordinary_match:?}"
        );
        // Allow for noise: "no longer" means within 1.5x of the slower ordinary pattern.
        let bound = t_ordinary.max(t_ordinary_match).mul_f64(1.5);
        ok &= t_evil <= bound && t_nested <= bound;
    }
    let prose = "the quick brown fox jumps over the lazy dog ".repeat(228);
    let t_ordinary_prose = median_test(&ordinary, &prose, 50);
    println!("  for scale, ordinary pattern on 10,000 characters of prose: {t_ordinary_prose:?}");
    println!(
        "  target `(a+)+$` no slower than an ordinary pattern (within 1.5x): {}",
        if ok { "met" } else { "MISSED" }
    );
    ok
}

/// Target 3: the state of 100,000 active members.
fn state_memory(rng: &mut Rng) -> bool {
    let settings = Preset::Recommended.apply(&AutomodSettings::default());
    let rules = CompiledRules::compile(&settings).unwrap();
    let texts: Vec<String> = (0..64)
        .map(|i| format!("message number {i} with some text"))
        .collect();
    let region = Region::new(GLOBAL);
    let mut state = AutomodState::new();
    let mut id = 0u64;
    let start = 1_700_000_000_000i64;
    // Every member sends enough messages (some of them violations) to fill their history, all
    // within the windows, so nothing has expired: the worst case for these rules.
    for round in 0..8i64 {
        for member in 1..=MEMBERS {
            id += 1;
            let text: &str = if round % 3 == 2 {
                "free nitro for everyone"
            } else {
                &texts[usize::try_from(rng.below(64)).unwrap()]
            };
            let m = message(id, member, start + round * 1_000, text, &[]);
            black_box(rules.check(&mut state, &m));
        }
    }
    let change = region.change();
    // stats_alloc adds a reallocation's growth to `bytes_allocated` and its shrinking to
    // `bytes_deallocated`, so their difference is what is held.
    #[allow(clippy::cast_precision_loss)]
    let held = change.bytes_allocated as f64 - change.bytes_deallocated as f64;
    let mib = held / (1024.0 * 1024.0);
    println!(
        "state of {} active members (8 messages each, recommended preset):",
        state.len()
    );
    println!(
        "  heap held: {mib:.1} MiB ({:.0} bytes per member; {} allocations made)",
        held / f64::from(u32::try_from(MEMBERS).unwrap()),
        change.allocations
    );
    let ok = mib <= MEMORY_TARGET_MIB;
    println!(
        "  target <= {MEMORY_TARGET_MIB} MiB: {}",
        if ok { "met" } else { "MISSED" }
    );
    ok
}

fn main() -> ExitCode {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this too and passes nothing,
    // so a quick pass there only shows it runs.
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let latency = check_latency(&mut rng);
    let pathological = pathological();
    let memory = state_memory(&mut rng);
    if latency && pathological && memory {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

use super::*;

#[path = "../../benches/support/sample.rs"]
mod sample;

#[test]
fn every_message_is_in_both_files_with_its_author_time_files_and_embeds() {
    let t = sample::transcript(100, 80);
    let files = render(&t, ATTACHMENT_LIMIT_BYTES);
    assert_eq!((files.messages, files.omitted), (100, 0));
    for m in &t.messages {
        assert!(
            files.html.contains(&format!("id=\"m{}\"", m.id)),
            "{}",
            m.id
        );
        let first_line = format!("[{}] {}", format_utc(m.sent_at), m.author.name);
        assert!(files.text.contains(&first_line), "{first_line}");
    }
    assert!(files.html.contains("screenshot-9.png</a> (120.6 KiB)"));
    assert!(
        files
            .text
            .contains("[file] screenshot-9.png (120.6 KiB) https://cdn.discordapp.com/")
    );
    assert!(files.html.contains("border-left-color:#5865f2"));
    assert!(files.html.contains("high &amp; urgent"));
    assert!(files.text.contains("Priority: high & urgent"));
    assert!(files.html.contains("<span class=\"bot\">BOT</span>"));
    assert!(files.html.contains("(edited 2024-01-15 10:31:35 UTC)"));
}

fn hostile() -> Transcript {
    let mut t = sample::transcript(1, 10);
    t.channel_name = "\"><script>alert(1)</script>".into();
    let m = &mut t.messages[0];
    m.author.name = "<img src=x onerror=alert(1)>".into();
    m.content = "</div><script>fetch('https://evil.example')</script><style>@import url(https://evil.example/x.css)</style>".into();
    m.attachments = vec![Attachment {
        filename: "a\" onmouseover=\"alert(1).png".into(),
        url: "javascript:alert(1)".into(),
        size: 1,
    }];
    m.embeds = vec![Embed {
        title: Some("<b>t</b>".into()),
        url: Some("  JaVaScRiPt:alert(1)".into()),
        description: Some("<iframe src=https://evil.example>".into()),
        ..Embed::default()
    }];
    t
}

#[test]
fn nothing_a_member_writes_becomes_markup() {
    let html = render(&hostile(), ATTACHMENT_LIMIT_BYTES).html;
    for bad in [
        "<script",
        "<img",
        "<iframe",
        "<style>@",
        "javascript:",
        "JaVaScRiPt:",
        "onmouseover=\"",
    ] {
        assert!(!html.contains(bad), "{bad} in {html}");
    }
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(html.contains("a&quot; onmouseover=&quot;alert(1).png"));
}

#[test]
fn the_page_loads_nothing_from_anywhere() {
    let html = render(&sample::transcript(200, 50), ATTACHMENT_LIMIT_BYTES).html;
    assert!(html.contains("default-src 'none'"));
    for external in [
        "src=", "url(", "@import", "<link", "<script", "srcset", "<object", "<embed",
    ] {
        assert!(!html.contains(external), "{external}");
    }
    // The only links point to Discord's CDN and the embed's site, and only when clicked.
    for href in html.split("href=\"").skip(1) {
        assert!(
            href.starts_with("https://"),
            "{}",
            &href[..40.min(href.len())]
        );
    }
}

#[test]
fn a_transcript_over_the_limit_loses_its_middle_and_says_so() {
    let t = sample::transcript(2_000, 400);
    let limit = 256 * 1024;
    let files = render(&t, limit);
    assert!(
        files.total_bytes() <= limit,
        "{} > {limit}",
        files.total_bytes()
    );
    assert!(
        files.omitted > 0 && files.omitted < 2_000,
        "{}",
        files.omitted
    );
    assert!(
        files.total_bytes() > limit * 9 / 10,
        "the budget is used: {}",
        files.total_bytes()
    );
    let (first, last) = (&t.messages[0], &t.messages[1_999]);
    for m in [first, last] {
        assert!(files.html.contains(&format!("id=\"m{}\"", m.id)));
    }
    let kept = files.html.matches("<li class=\"msg\"").count();
    assert_eq!(kept + files.omitted, 2_000);
    let note = format!("{} messages from ", files.omitted);
    assert!(files.html.contains(&note) && files.text.contains(&note));
    assert_eq!(files.text.matches("\n[2024-").count(), kept);
}

#[test]
fn a_flood_of_long_messages_stays_under_discords_limit() {
    // About 3,000 × 8 KB of escaped HTML plus text: well over 25 MiB before the cut.
    let t = sample::transcript(6_000, 4_000);
    let files = render(&t, TRANSCRIPT_BUDGET_BYTES);
    assert!(files.omitted > 0);
    assert!(files.total_bytes() <= TRANSCRIPT_BUDGET_BYTES);
    assert!(files.total_bytes() > TRANSCRIPT_BUDGET_BYTES - 64 * 1024);
}

#[test]
fn tiny_limits_are_raised_to_the_minimum() {
    let files = render(&sample::transcript(500, 400), 10);
    assert!(files.total_bytes() <= LIMIT_MIN_BYTES);
    assert!(files.omitted > 0);
}

#[test]
fn times_are_utc_calendar_dates() {
    assert_eq!(format_utc(Timestamp::UNIX_EPOCH), "1970-01-01 00:00:00 UTC");
    assert_eq!(
        format_utc(Timestamp::from_unix_secs(1_705_314_600)),
        "2024-01-15 10:30:00 UTC"
    );
    assert_eq!(
        format_utc(Timestamp::from_unix_secs(951_782_400)),
        "2000-02-29 00:00:00 UTC"
    );
    assert_eq!(
        format_utc(Timestamp::from_unix_secs(-1)),
        "1969-12-31 23:59:59 UTC"
    );
    assert_eq!(format_size(512), "512 B");
    assert_eq!(format_size(1_536), "1.5 KiB");
    assert_eq!(format_size(5 * 1024 * 1024), "5.0 MiB");
}

#[test]
fn mentions_read_as_names_in_both_files_never_as_ids() {
    let mut t = sample::transcript(30, 120);
    t.messages[0].content = "ask <@&70> or <@999>, see <#60> <:wave:5>".into();
    let files = render(&t, ATTACHMENT_LIMIT_BYTES);
    for raw in ["@&70>", "@999>", "#60>", "@80351110224678913>", ":wave:5>"] {
        assert!(!files.text.contains(raw), "{raw} in the text");
        assert!(
            !files.html.contains(&raw.replace('>', "&gt;")),
            "{raw} in the HTML"
        );
    }
    assert!(
        files
            .text
            .contains("ask @Support or @unknown-user, see #status :wave:")
    );
    assert!(files.text.contains("Thanks @Bob & Co, I tried"));
    assert!(
        files
            .html
            .contains("Thanks <span class=\"mention\">@Bob &amp; Co</span>, I tried")
    );
    assert!(
        files
            .html
            .contains("<span class=\"mention\">#status</span>")
    );
}

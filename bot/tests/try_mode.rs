//! `hearth try` driven line by line, as a person at the terminal would type, with what they
//! would read checked.

use hearth::try_mode::TrySession;
use hearth_sandbox::demo::DemoWorld;
use twilight_model::guild::Permissions;

async fn session(dir: &tempfile::TempDir) -> TrySession {
    TrySession::start_with_output(dir.path())
        .await
        .expect("the sandbox and the bot start")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_warnings_show_the_reply_the_case_the_dm_and_then_the_timeout() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut session = session(&dir).await;
    assert!(session.welcome().contains("as mod /warn @alice spamming"));
    assert_eq!(session.prompt(), "mod in #general › ");

    let first = session.execute("as mod /warn @alice spamming").await;
    for seen in [
        "mod runs /warn member:@alice reason:spamming in #general",
        "#general · Hearth\n  ┃ Case #1 · warning\n  ┃ @alice was warned by @mod.\n  ┃ Reason: spamming\n  ┃ Warnings: 1",
        "#mod-log · Hearth\n  ┃ Case #1 · warning\n  ┃ Member: @alice",
        "DM to alice · Hearth\n  ┃ Warning\n  ┃ You were warned in Hearth Demo.",
    ] {
        assert!(first.contains(seen), "missing {seen:?} in:\n{first}");
    }
    assert!(!first.contains("In the server:"), "{first}");

    // Without `as`, the moderator acts.
    let second = session.execute("/warn @alice more spam").await;
    assert!(second.contains("Case #2 · warning"), "{second}");
    let third = session.execute("as mod /warn @alice still spamming").await;
    assert!(third.contains("Case #3 · warning"), "{third}");
    assert!(
        third.contains("In the server:\n  • alice is timed out until "),
        "{third}"
    );
    assert!(third.contains("(in 1 hour)"), "{third}");
    assert!(third.contains("Escalation after 3 warnings"), "{third}");

    let silenced = session.execute("as alice say but why").await;
    assert!(
        silenced.starts_with("alice is timed out until ")
            && silenced.ends_with("can't send messages."),
        "{silenced}"
    );
    let who = session.execute("who").await;
    assert!(who.contains("alice   a member; timed out until"), "{who}");
    session.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_are_only_for_the_person_and_buttons_can_be_clicked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut session = session(&dir).await;

    let refused = session.execute("as alice /warn @bob rude").await;
    assert!(
        refused.contains(
            "#general · Hearth (only alice sees this)\n  You need the Moderate Members permission to warn members."
        ),
        "{refused}"
    );
    let above = session.execute("as mod /warn @senior rude").await;
    assert!(above.contains("(only you see this)"), "{above}");

    session.execute("as mod /warn @bob rude").await;
    let ask = session.execute("as mod /clearwarnings @bob").await;
    assert!(
        ask.contains(
            "Remove all 1 warning of @bob? This can't be undone.\n  [ Remove them ] [ Keep them ]"
        ),
        "{ask}"
    );
    let nobody = session.execute("as alice click remove").await;
    assert!(
        nobody.starts_with("alice sees no buttons in #general."),
        "{nobody}"
    );
    let wrong = session.execute("click delete everything").await;
    assert!(
        wrong.contains("the last buttons are: [ Remove them ] [ Keep them ]"),
        "{wrong}"
    );
    let cleared = session.execute("click remove").await;
    assert!(
        cleared.starts_with("mod clicks [ Remove them ]"),
        "{cleared}"
    );
    assert!(
        cleared.contains("(only you see this) (edited)\n  Removed 1 warning of @bob."),
        "{cleared}"
    );
    assert!(
        cleared.contains("#mod-log · Hearth\n  ┃ Warnings cleared"),
        "{cleared}"
    );
    session.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lines_outside_the_grammar_get_a_helpful_sentence() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut session = session(&dir).await;
    assert_eq!(
        session.execute("as carol say hi").await,
        "There's nobody called carol here. People: owner, mod, senior, alice, bob."
    );
    let no_purge = session.execute("/purge @alice").await;
    assert!(
        no_purge.starts_with(
            "Hearth has no /purge. Its commands: /warn, /warnings, /clearwarnings, /modlog, /mute, \
             /unmute, /kick, /ban, /unban, /case, /reason, /slowmode, /lockdown, /unlock, \
             /escalation, /rank,"
        ) && no_purge.ends_with(", /selectroles, /rolemenu, /automod, /setuptickets, /ticket."),
        "{no_purge}"
    );
    assert_eq!(
        session.execute("/warn @alice").await,
        "/warn needs a reason (text). Usage: /warn @member <reason…>"
    );
    assert!(
        session
            .execute("dance")
            .await
            .starts_with("I don't understand “dance”")
    );
    assert_eq!(session.execute("in #mod-log").await, "You are in #mod-log.");
    assert_eq!(session.execute("as bob").await, "You are bob now.");
    assert_eq!(session.prompt(), "bob in #mod-log › ");
    let quiet = session.execute("say hello").await;
    assert_eq!(quiet, "bob in #mod-log: hello\n  (Hearth doesn't react)");
    assert!(!session.is_finished());
    assert_eq!(session.execute("quit").await, "Bye.");
    assert!(session.is_finished());
    session.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warning_pages_turn_with_their_buttons() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut session = session(&dir).await;
    // The third warning escalates to a timeout, a case of its own (#4): later warnings are
    // one number further on.
    for n in 1..=11 {
        let out = session.execute(&format!("/warn @bob strike {n}")).await;
        let case = if n > 3 { n + 1 } else { n };
        assert!(out.contains(&format!("Case #{case} · warning")), "{out}");
    }
    let first = session.execute("/warnings bob").await;
    assert!(
        first.starts_with("mod runs /warnings member:@bob in #general"),
        "{first}"
    );
    assert!(
        first.contains("┃ — Page 1 of 2\n  [ ◀ Newer ] (disabled) [ Older ▶ ]"),
        "{first}"
    );
    assert_eq!(
        session.execute("click newer").await,
        "[ ◀ Newer ] is disabled."
    );
    let second = session.execute("click older").await;
    assert!(second.contains("(only you see this) (edited)"), "{second}");
    assert!(second.contains("┃ #1 · "), "{second}");
    assert!(
        second.contains("┃ — Page 2 of 2\n  [ ◀ Newer ] [ Older ▶ ] (disabled)"),
        "{second}"
    );
    let direct = session.execute("/warnings @bob page:2").await;
    assert!(direct.contains("Page 2 of 2"), "{direct}");
    session.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_features_demo_setup_is_there_to_act_in() {
    // What a feature's `demo` step would add: a channel, a role and someone holding it.
    fn tickets(world: &mut DemoWorld) {
        world.add_channel("tickets");
        let support = world.add_role("Support", Permissions::empty());
        let carol = world.add_person("carol", "support staff");
        world.guild.grant(&carol, support);
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let mut session = TrySession::start_with(dir.path(), &[tickets])
        .await
        .expect("the sandbox and the bot start");
    let welcome = session.welcome();
    assert!(
        welcome.contains("alice, bob, carol (support staff)\n"),
        "{welcome}"
    );
    assert!(
        welcome.contains("#mod-log (the mod log: cases are posted there), #tickets\n"),
        "{welcome}"
    );
    assert_eq!(session.execute("in #tickets").await, "You are in #tickets.");
    assert_eq!(
        session.execute("as carol say hi").await,
        "carol in #tickets: hi\n  (Hearth doesn't react)"
    );
    let warned = session.execute("as mod /warn @carol off topic").await;
    assert!(
        warned.contains("#tickets · Hearth\n  ┃ Case #1 · warning\n  ┃ @carol was warned by @mod."),
        "{warned}"
    );
    assert!(warned.contains("DM to carol · Hearth"), "{warned}");
    let who = session.execute("who").await;
    assert!(
        who.contains("\n  carol   support staff; roles: Support\n"),
        "{who}"
    );
    assert!(who.contains("> Support"), "{who}");
    assert!(who.contains("#tickets ← you are here"), "{who}");
    session.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_opens_a_ticket_from_the_demo_panel_and_its_form() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut session = session(&dir).await;
    let welcome = session.welcome();
    assert!(
        welcome.contains(", #Tickets, #support, #ticket-log\n"),
        "{welcome}"
    );
    assert!(
        welcome.contains("in #support, then as alice click Open a ticket, then as alice fill"),
        "{welcome}"
    );
    assert_eq!(session.execute("in #support").await, "You are in #support.");
    assert!(
        session
            .execute("as alice fill hello")
            .await
            .starts_with("alice has no form open.")
    );
    let form = session.execute("as alice click Open a ticket").await;
    assert_eq!(
        form,
        "alice clicks [ Open a ticket: Tickets ]\n\n\
         A form only alice sees · “Open a ticket: Tickets”\n  \
         reason: What do you need help with? (required)\n  \
         Fill it in: as alice fill <text>"
    );
    assert_eq!(
        session.execute("as bob fill me too").await,
        "The open form is alice's, not bob's."
    );
    let opened = session.execute("as alice fill my order is late").await;
    for seen in [
        "alice fills in “Open a ticket: Tickets” and sends it",
        "#ticket-1 · Hearth\n  Ticket #1 opened by @alice.\n  Reason: my order is late\n",
        "[ Close ticket ]",
        "#support · Hearth (only alice sees this)\n  Your ticket is open: #ticket-1.",
    ] {
        assert!(opened.contains(seen), "missing {seen:?} in:\n{opened}");
    }
    // The ticket's channel is known by name now, and private to alice and the support role.
    assert_eq!(
        session.execute("in #ticket-1").await,
        "You are in #ticket-1."
    );
    assert_eq!(
        session.execute("as bob say let me in").await,
        "bob may not send messages in #ticket-1."
    );
    let claimed = session.execute("as mod /ticket claim").await;
    assert!(
        claimed.contains("#ticket-1 · Hearth\n  @mod claimed ticket #1 and will answer it."),
        "{claimed}"
    );
    // Closing shows the transcript reaching the log and alice, its files saved to disk.
    let closed = session.execute("as alice click Close ticket").await;
    for seen in [
        "(only alice sees this)\n  Ticket #1 is closed; its transcript is on its way.",
        "DM to alice · Hearth\n  Ticket #1 of @alice closed by @alice",
        "#ticket-log · Hearth\n  Ticket #1 of @alice closed by @alice",
        "[ ★ ] [ ★★ ] [ ★★★ ] [ ★★★★ ] [ ★★★★★ ]",
    ] {
        assert!(closed.contains(seen), "missing {seen:?} in:\n{closed}");
    }
    let saved = std::fs::read_dir(dir.path())
        .expect("the output directory")
        .filter_map(Result::ok)
        .filter(|f| f.file_name().to_string_lossy().ends_with("-ticket-1.html"))
        .count();
    assert_eq!(saved, 2, "the log's copy and the DM's");
    session.stop().await;
}

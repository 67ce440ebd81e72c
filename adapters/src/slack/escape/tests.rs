use super::*;

/// Every Slack control sequence, as an attacker would put it in an alert summary.
const MENTIONS: &[&str] = &[
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<!here|here>",
    "<@U123>",
    "<@U123|bob>",
    "<#C123>",
    "<#C123|general>",
    "<!subteam^S123>",
    "<!subteam^S123|@oncall>",
    "<!date^1392734382^{date}|Feb 18>",
    "<http://evil.example|click>",
    "<mailto:x@evil.example|mail>",
];

#[test]
fn slack_control_sequences_are_shown_not_interpreted() {
    for m in MENTIONS {
        let out = mrkdwn(m);
        assert!(!out.contains('<') && !out.contains('>'), "{m} → {out}");
        assert!(out.starts_with("&lt;"), "{m} → {out}");
    }
    assert_eq!(mrkdwn("<!channel>"), "&lt;!channel&gt;");
    assert_eq!(
        mrkdwn("<http://evil|click>"),
        "&lt;http://evil|click&gt;",
        "the pipe is harmless once the link cannot open"
    );
    assert_eq!(mrkdwn("a & b"), "a &amp; b");
}

#[test]
fn escaping_twice_shows_entities_and_never_a_raw_angle_bracket() {
    for m in MENTIONS {
        let twice = mrkdwn(&mrkdwn(m));
        assert!(!twice.contains('<') && !twice.contains('>'), "{twice}");
    }
    assert_eq!(mrkdwn(&mrkdwn("<!here>")), "&amp;lt;!here&amp;gt;");
    assert_eq!(mrkdwn("&lt;!here&gt;"), "&amp;lt;!here&amp;gt;");
}

#[test]
fn bare_broadcasts_get_a_word_joiner_after_the_at() {
    for (input, expected) in [
        ("@channel", "@\u{2060}channel"),
        ("ping @here now", "ping @\u{2060}here now"),
        ("@Everyone!", "@\u{2060}Everyone!"),
        ("@HERE", "@\u{2060}HERE"),
        ("@group", "@\u{2060}group"),
    ] {
        assert_eq!(mrkdwn(input), expected);
    }
    assert_eq!(mrkdwn("alice@example.com"), "alice@example.com");
    assert_eq!(mrkdwn("@alice"), "@alice");
}

#[test]
fn formatting_markers_at_word_boundaries_become_lookalikes() {
    for (input, expected) in [
        ("*bold*", "∗bold∗"),
        ("_italic_", "ˍitalicˍ"),
        ("~strike~", "∼strike∼"),
        ("`code`", "ˋcodeˋ"),
        ("```block```", "ˋˋˋblockˋˋˋ"),
        ("a *b* c", "a ∗b∗ c"),
        ("＊wide＊ ＿wide＿ ｀wide｀", "﹡wide﹡ ⸏wide⸏ ˋwideˋ"),
        ("foo\u{200b}*bar*\u{200b}baz", "foo\u{200b}∗bar∗\u{200b}baz"),
        ("~/.config", "∼/.config"),
        ("*", "∗"),
    ] {
        assert_eq!(mrkdwn(input), expected, "{input}");
    }
}

#[test]
fn markers_inside_words_stay_as_typed() {
    for text in [
        "disk_used_percent",
        "5*3*2",
        "web_01",
        "a~b",
        ":white_check_mark:",
    ] {
        assert_eq!(mrkdwn(text), text);
    }
    assert_eq!(mrkdwn("é_x_é"), "éˍxˍé", "only ASCII letters count as word");
}

#[test]
fn a_leading_quote_marker_is_moved_off_the_line_start() {
    assert_eq!(mrkdwn("> quoted"), "\u{ad}&gt; quoted");
    assert_eq!(mrkdwn("  > quoted"), "  \u{ad}&gt; quoted");
    assert_eq!(mrkdwn("\u{200b}>x"), "\u{200b}\u{ad}&gt;x");
    assert_eq!(mrkdwn("＞ wide"), "\u{ad}＞ wide");
    assert_eq!(mrkdwn("ok\n> second"), "ok\n\u{ad}&gt; second");
    assert_eq!(mrkdwn("a > b"), "a &gt; b", "mid-line it is a plain escape");
    assert_eq!(mrkdwn_line("ok\n> x", 100), "ok &gt; x");
}

#[test]
fn control_and_bidi_override_characters_are_dropped() {
    assert_eq!(mrkdwn("boom\u{1b}[2J\u{7}"), "boom[2J");
    assert_eq!(mrkdwn("abc\u{202e}fed\u{2066}"), "abcfed");
    assert_eq!(mrkdwn("a\r\nb\rc\td"), "a\nb\nc d");
    assert_eq!(mrkdwn_line("a\r\nb\nc", 100), "a b c");
}

#[test]
fn ordinary_text_passes_unchanged() {
    let text = "Disk full on db-01 — 95 % · ünïcödé · 🔥 · 日本語 · user@host:/var";
    assert_eq!(mrkdwn(text), text);
}

#[test]
fn bounded_escapes_cut_between_escapes_with_an_ellipsis() {
    assert_eq!(mrkdwn_line("abcdef", 6), "abcdef");
    assert_eq!(mrkdwn_line("abcdefg", 6), "abcde…");
    assert_eq!(
        mrkdwn_line("ab<cd", 6),
        "ab…",
        "`&lt;` does not fit before the …"
    );
    assert_eq!(mrkdwn_line("ab<", 6), "ab&lt;");
    assert_eq!(mrkdwn_within("🔥🔥🔥🔥", 3), "🔥🔥…");
    assert_eq!(mrkdwn_line("anything", 0), "");
    let long = "<!channel> ".repeat(2000);
    let out = mrkdwn_line(&long, SECTION_TEXT);
    assert!(out.chars().count() <= SECTION_TEXT);
    assert!(out.ends_with("…") && !out.contains('<'));
}

#[test]
fn entities_keep_our_markdown_and_escape_the_rest() {
    assert_eq!(
        entities("Noted on *#3* — `!note 3 <text>` <!here> @channel a&b"),
        "Noted on *#3* — `!note 3 &lt;text&gt;` &lt;!here&gt; @\u{2060}channel a&amp;b"
    );
    assert_eq!(entities("line 1\n\tline 2\u{1b}"), "line 1\n\tline 2");
}

#[test]
fn plain_text_keeps_mentions_inert_without_escaping() {
    assert_eq!(
        plain("<!channel> @here", 40),
        "<\u{2060}!channel> @\u{2060}here"
    );
    assert_eq!(plain("a\u{202e}b\u{7}", 40), "ab");
    for m in MENTIONS {
        assert!(!plain(m, 100).contains(m), "{m}");
    }
}

#[test]
fn plain_text_is_only_cut_on_a_character_boundary() {
    assert_eq!(
        plain("*x* `y` > z & ü", 20),
        "*x* `y` > z & ü",
        "nothing to escape"
    );
    assert_eq!(plain("héllo wörld", 5), "héll…");
    assert_eq!(plain("🔥🔥🔥", 3), "🔥🔥🔥");
    assert_eq!(plain("🔥🔥🔥🔥", 3), "🔥🔥…");
    assert_eq!(
        plain("👩‍👩‍👧", 2).chars().count(),
        2,
        "cuts by char, even in a ZWJ emoji"
    );
    assert_eq!(
        plain(&"x".repeat(200), HEADER_TEXT).chars().count(),
        HEADER_TEXT
    );
}

#[test]
fn truncation_never_leaves_a_half_open_token() {
    let built = "Paged <@U0ALICE>, <@U0BOB>";
    assert_eq!(truncate(built, 100), built);
    assert_eq!(truncate(built, 20), "Paged <@U0ALICE>, …");
    assert_eq!(
        truncate("see <https://x.example/a|the runbook>", 20),
        "see …"
    );
    assert_eq!(truncate("a &amp; b", 5), "a …");
    assert_eq!(truncate("a &amp; b", 9), "a &amp; b");
    assert_eq!(truncate("🔥🔥🔥🔥", 3), "🔥🔥…");
}

#[test]
fn only_http_urls_with_a_host_become_links() {
    assert_eq!(
        link("HTTPS://Example.com/x", None).as_deref(),
        Some("<HTTPS://Example.com/x|HTTPS://Example.com/x>")
    );
    assert_eq!(
        link("https://x.example/ä b", Some("t")).as_deref(),
        Some("<https://x.example/%C3%A4%20b|t>")
    );
    assert_eq!(
        link("https://x.example/a|b>c<d\"", Some("click|me> <!here>")).as_deref(),
        Some("<https://x.example/a%7Cb%3Ec%3Cd%22|click∣me&gt; &lt;!here&gt;>"),
        "neither the URL nor the text can end the link early"
    );
    for bad in [
        "javascript:alert(1)",
        "ftp://x.example",
        "https://",
        "http:///etc/passwd",
        "mailto:a@b",
        "",
    ] {
        assert_eq!(link(bad, Some("x")), None, "{bad}");
    }
}

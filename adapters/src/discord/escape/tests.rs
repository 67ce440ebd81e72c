use super::*;

const Z: &str = "\u{200b}";

/// Every Discord token, as an attacker would put it in an alert summary.
const TOKENS: &[&str] = &[
    "<@123456789012345678>",
    "<@!123456789012345678>",
    "<@&123456789012345678>",
    "<#123456789012345678>",
    "</deploy:123456789012345678>",
    "<t:1700000000:R>",
    "<:blobwave:123456789012345678>",
    "<a:party:123456789012345678>",
    "<id:customize>",
    "<https://evil.example>",
];

#[test]
fn every_mention_form_shows_as_text_and_never_appears_raw() {
    for token in TOKENS {
        let out = markdown(token);
        assert!(!out.contains(token), "{token} → {out}");
        assert!(out.starts_with(&format!("<{Z}")), "{token} → {out}");
        assert_eq!(out.replace(Z, ""), *token, "reads as typed");
        for f in [plain_line(token, 100), code(token, 100)] {
            assert!(!f.contains(token), "{token} → {f}");
        }
    }
    assert_eq!(markdown("<@123>"), format!("<{Z}@123>"));
}

#[test]
fn broadcasts_get_a_zero_width_space_after_the_at() {
    for (input, expected) in [
        ("@everyone", format!("@{Z}everyone")),
        ("ping @here now", format!("ping @{Z}here now")),
        ("@Everyone!", format!("@{Z}Everyone!")),
        ("@HERE", format!("@{Z}HERE")),
    ] {
        assert_eq!(markdown(input), expected);
        assert_eq!(plain_line(input, 100), expected);
        assert_eq!(code(input, 100), expected);
    }
    assert_eq!(markdown("alice@example.com"), "alice@example.com");
    assert_eq!(markdown("@alice"), "@alice");
}

#[test]
fn inline_markdown_characters_are_always_escaped() {
    for (input, expected) in [
        ("*bold*", r"\*bold\*"),
        ("**bold**", r"\*\*bold\*\*"),
        ("_italic_", r"\_italic\_"),
        ("__under__", r"\_\_under\_\_"),
        ("~~strike~~", r"\~\~strike\~\~"),
        ("`code`", r"\`code\`"),
        ("```block```", r"\`\`\`block\`\`\`"),
        ("||spoiler||", r"\|\|spoiler\|\|"),
        (
            "[click](https://evil.example)",
            r"\[click\](https://evil.example)",
        ),
        (r"C:\temp\*", r"C:\\temp\\\*"),
        ("disk_used_pct", r"disk\_used\_pct"),
    ] {
        assert_eq!(markdown(input), expected, "{input}");
    }
}

#[test]
fn block_markers_are_escaped_only_at_the_start_of_a_line() {
    for (input, expected) in [
        ("# Header", r"\# Header"),
        ("### small", r"\### small"),
        ("-# subtext", r"\-# subtext"),
        ("- item", r"\- item"),
        ("> quote", r"\> quote"),
        (">>> rest", r"\>>> rest"),
        ("  > indented", r"  \> indented"),
        ("1. first", r"1\. first"),
        ("42. answer", r"42\. answer"),
        ("ok\n# second\n- third", "ok\n\\# second\n\\- third"),
        ("db-01 #3 a > b v1.2", "db-01 #3 a > b v1.2"),
        ("3.5 GB", r"3\.5 GB"),
    ] {
        assert_eq!(markdown(input), expected, "{input}");
    }
    assert_eq!(
        markdown_line("ok\n# x", 100),
        "ok # x",
        "one line: not a line start"
    );
}

#[test]
fn control_and_bidi_override_characters_are_dropped() {
    assert_eq!(markdown("boom\u{1b}[2J\u{7}"), r"boom\[2J");
    assert_eq!(markdown("abc\u{202e}fed\u{2066}"), "abcfed");
    assert_eq!(markdown("a\r\nb\rc\td"), "a\nb\nc d");
    assert_eq!(markdown_line("a\r\nb\nc", 100), "a b c");
    assert_eq!(plain_line("a\nb\u{202e}\u{7}c", 100), "a bc");
}

#[test]
fn ordinary_text_passes_unchanged() {
    let text = "Disk full on db-01 — 95 % · ünïcödé · 🔥 · 日本語 · user@host:/var (prod)";
    assert_eq!(markdown(text), text);
    assert_eq!(plain_line(text, 200), text);
}

#[test]
fn plain_text_escapes_nothing_that_would_show() {
    assert_eq!(plain_line("*x* `y` > z _w_ # v", 40), "*x* `y` > z _w_ # v");
    assert_eq!(code("a `b` c", 40), "a ˋbˋ c");
    assert_eq!(code("", 40), " ", "an empty span would show its backticks");
}

#[test]
fn bounded_escapes_cut_between_escapes_with_an_ellipsis() {
    assert_eq!(markdown_line("abcdef", 6), "abcdef");
    assert_eq!(markdown_line("abcdefg", 6), "abcde…");
    assert_eq!(
        markdown_line("abc*d", 5),
        "abc…",
        r"`\*` does not fit before the …"
    );
    assert_eq!(markdown_line("ab*", 4), r"ab\*");
    assert_eq!(markdown_line("anything", 0), "");
    let long = "<@&123456789012345678> @everyone ".repeat(500);
    let out = markdown_line(&long, FIELD_VALUE);
    assert!(len(&out) <= FIELD_VALUE);
    assert!(out.ends_with('…') && !out.contains("<@&") && !out.contains("@everyone"));
}

#[test]
fn lengths_are_utf16_units_and_cuts_fall_on_character_boundaries() {
    assert_eq!(len("abc"), 3);
    assert_eq!(len("🔥"), 2, "outside the BMP: two units");
    assert_eq!(len("日本"), 2);
    assert_eq!(plain_line("🔥🔥🔥🔥", 8), "🔥🔥🔥🔥");
    assert_eq!(plain_line("🔥🔥🔥🔥", 7), "🔥🔥🔥…");
    assert_eq!(plain_line("🔥🔥🔥🔥", 6), "🔥🔥…");
    assert_eq!(plain_line("héllo wörld", 5), "héll…");
    assert_eq!(markdown_within("日本語のテキスト", 4), "日本語…");
    assert_eq!(truncate("🔥🔥🔥🔥", 5), "🔥🔥…");
    for max in 0..12 {
        let out = plain_line("👩‍👩‍👧 ok", max);
        assert!(len(&out) <= max, "{max}: {out}");
    }
}

#[test]
fn truncation_never_leaves_a_half_open_token_or_a_dangling_backslash() {
    let built = "Paged <@123456789012345678>, <@223456789012345678>";
    assert_eq!(truncate(built, 100), built);
    assert_eq!(truncate(built, 40), "Paged <@123456789012345678>, …");
    assert_eq!(truncate("at <t:1700000000:R> ok", 10), "at …");
    assert_eq!(
        truncate("see [the runbook](https://x.example/a) now", 20),
        "see …",
        "a masked link is kept whole or dropped"
    );
    assert_eq!(truncate(r"a \* b", 3), "a …", r"never `\` then `…`");
    assert_eq!(truncate(&format!("ab<{Z}@x"), 3), "ab…");
    let escaped = markdown("[x] <@1> ** ~~ @here ".repeat(200).as_str());
    for max in [1, 2, 3, 50, 999, 1000] {
        let out = truncate(&escaped, max);
        assert!(len(&out) <= max);
        let body = out.trim_end_matches('…');
        let trailing = body.len() - body.trim_end_matches('\\').len();
        assert!(trailing.is_multiple_of(2), "dangling backslash in {out:?}");
        assert!(!out.contains("<@1>") && !out.contains("@here"));
    }
}

#[test]
fn only_http_urls_with_a_host_become_masked_links() {
    assert_eq!(
        link("HTTPS://Example.com/x", None).as_deref(),
        Some("[HTTPS://Example.com/x](HTTPS://Example.com/x)")
    );
    assert_eq!(
        link("https://x.example/ä b", Some("t")).as_deref(),
        Some("[t](https://x.example/%C3%A4%20b)")
    );
    assert_eq!(
        link(
            "https://x.example/a)b(c<d>\"",
            Some("click](https://evil) @here")
        ),
        Some(format!(
            r"[click\](https://evil) @{Z}here](https://x.example/a%29b%28c%3Cd%3E%22)"
        )),
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

#[test]
fn bare_urls_keep_their_underscores_and_tildes_so_the_link_still_works() {
    for (input, expected) in [
        (
            "see https://wiki.example/Disk_Full~v2.",
            "see https://wiki.example/Disk_Full~v2.",
        ),
        (
            "(HTTP://x.example/a_b) and a_b",
            r"(HTTP://x.example/a_b) and a\_b",
        ),
        (
            "https://x.example/a*b|c[d](e)",
            r"https://x.example/a\*b\|c\[d\](e)",
        ),
        (
            "https://x.example/_<@1>_",
            "https://x.example/_<\u{200b}@1>\\_",
        ),
        ("x_https://a.example/b_c", r"x\_https://a.example/b\_c"),
        ("https:// _x_", r"https:// \_x\_"),
    ] {
        assert_eq!(markdown(input), expected, "{input}");
    }
}

//! Whatever a monitor or a person typed, the draft's tables, lists and headings hold; and
//! durations read the way people write them.

use super::*;

#[test]
fn hostile_alert_text_cannot_break_tables_lists_or_headings() {
    let hostile = "Disk | full\n# not a heading\r\n```\n<script>alert(1)</script> *x* [l](u) ~~~";
    let mut incident = resolved_incident(hostile);
    incident.source = Some("db|01\nsecond line".to_owned());
    let mut tl = timeline();
    tl.push(entry(
        41,
        TimelineKind::Note,
        "alice",
        Channel::Slack,
        hostile,
    ));
    tl.push(entry(
        42,
        TimelineKind::Note,
        "alice",
        Channel::Slack,
        &format!("action: {hostile}"),
    ));
    let deliveries = [page(1, "sms", false)];

    let md = draft_of(&incident, &tl, &deliveries).markdown;

    let title = md.lines().next().unwrap_or_default();
    assert!(
        title.starts_with("# Postmortem: #42 Disk \\| full \\# not a heading"),
        "{title}"
    );
    for line in md.lines() {
        let unescaped = line.replace("<br>", "").replace("\\<", "");
        assert!(!unescaped.contains('<'), "raw HTML: {line}");
        let heading = line.starts_with('#');
        assert!(
            !heading || line.starts_with("# Postmortem") || line.starts_with("## "),
            "{line}"
        );
    }
    for (heading, borders) in [
        ("## Timeline", 6),
        ("## Who was paged and how", 6),
        ("## Severity and services", 3),
    ] {
        for line in section(&md, heading).iter().filter(|l| l.starts_with('|')) {
            assert_eq!(cell_borders(line), borders, "{heading}: {line}");
        }
    }
    let fences = md.lines().filter(|l| l.starts_with("```")).count();
    assert_eq!(fences, 2, "only the details block is fenced:\n{md}");
    assert!(
        md.contains("- [ ] Disk \\| full<br>\\# not a heading<br>\\`\\`\\`<br>\\<script\\>"),
        "{md}"
    );
}

#[test]
fn details_are_fenced_longer_than_any_backticks_inside() {
    let mut incident = resolved_incident("Disk full");
    incident.details = serde_json::json!({"log": "````\n# x"});
    let md = draft_of(&incident, &timeline(), &[]).markdown;
    assert!(md.contains("`````json\n{"), "{md}");
    assert!(md.contains("\n`````\n"), "{md}");
}

#[test]
fn durations_read_the_way_people_write_them() {
    let cases = [
        (Duration::seconds(45), "45s"),
        (Duration::minutes(4), "4m"),
        (Duration::seconds(4 * 60 + 5), "4m 05s"),
        (Duration::minutes(40), "40m"),
        (Duration::minutes(63), "1h 03m"),
        (Duration::seconds(3600 + 3 * 60 + 59), "1h 03m"),
        (Duration::minutes(2 * 1440 + 5 * 60), "2d 05h 00m"),
        (Duration::seconds(-5), "0s"),
    ];
    for (d, want) in cases {
        assert_eq!(elapsed(d), want, "{d:?}");
    }
}

#[test]
fn values_are_escaped_for_their_context() {
    assert_eq!(
        markdown::inline("a | b\nc\r\nd\re"),
        "a \\| b<br>c<br>d<br>e"
    );
    assert_eq!(markdown::one_line("# x\n\n  y  "), "\\# x y");
    assert_eq!(markdown::inline("a\u{1b}[2Jb\tc"), "a\\[2Jb c");
    assert_eq!(markdown::inline("100% of disk_used"), "100% of disk\\_used");
}

//! Sections in order, the figures, every timeline entry, action items, pages and escalations,
//! the banner on an open incident.

use super::*;

#[test]
fn the_draft_has_its_title_then_every_section_in_order() {
    let pm = draft_of(
        &resolved_incident("Disk full on db-01"),
        &timeline(),
        &[room_post()],
    );

    let md = &pm.markdown;
    assert_eq!(
        md.lines().next(),
        Some("# Postmortem: #42 Disk full on db-01")
    );
    assert!(md.contains("It is blameless"), "{md}");
    assert!(md.contains("**Draft**"), "{md}");
    let positions: Vec<usize> = SECTIONS
        .iter()
        .map(|h| {
            md.lines()
                .position(|l| l == *h)
                .unwrap_or_else(|| panic!("{h} missing:\n{md}"))
        })
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "{positions:?}\n{md}"
    );
    assert!(
        !md.contains("Still open"),
        "a resolved incident has no banner"
    );
    assert!(pm.resolved);
}

#[test]
fn the_summary_states_service_severity_alerts_source_and_how_long() {
    let pm = draft_of(
        &resolved_incident("Disk full on db-01"),
        &timeline(),
        &[page(1, "chat", true)],
    );

    let summary = section(&pm.markdown, "## Summary").join("\n");
    for want in [
        "Incident #42 “Disk full on db-01” opened on service db (Primary database) at 2026-11-21 03:00:00 UTC",
        "severity critical, from db-01",
        "It collected 2 alerts",
        "It was acknowledged after 4m by Alice Adams (alice) via slack.",
        "resolved after 40m by Alice Adams (alice) via console",
        "firebell sent 1 page to 1 person.",
    ] {
        assert!(summary.contains(want), "missing {want:?} in:\n{summary}");
    }
}

#[test]
fn detection_acknowledgement_and_resolution_give_times_who_and_durations() {
    let pm = draft_of(&resolved_incident("Disk full on db-01"), &timeline(), &[]);

    let lines = section(&pm.markdown, "## Detection, acknowledgement, resolution");
    let want = [
        "| Triggered | 2026-11-21 03:00:00 | Grafana via events | — |",
        "| First acknowledged | 2026-11-21 03:04:00 | Alice Adams (alice) via slack | 4m |",
        "| Resolved | 2026-11-21 03:40:00 | Alice Adams (alice) via console | 40m |",
        "- **Time to acknowledge:** 4m",
        "- **Time to resolve:** 40m",
    ];
    for w in want {
        assert!(
            lines.contains(&w),
            "missing {w:?} in:\n{}",
            lines.join("\n")
        );
    }
    assert_eq!(pm.time_to_acknowledge, Some(Duration::minutes(4)));
    assert_eq!(pm.time_to_resolve, Some(Duration::minutes(40)));
}

#[test]
fn time_to_acknowledge_counts_to_the_first_acknowledgement() {
    let mut incident = resolved_incident("Disk full");
    incident.acknowledged_at = Some(at(30));
    let mut tl = timeline();
    tl.insert(
        5,
        entry(
            20,
            TimelineKind::Retriggered,
            "firebell",
            Channel::System,
            "Re-triggered: ack timeout",
        ),
    );
    tl.insert(
        6,
        entry(
            30,
            TimelineKind::Acknowledged,
            "bob",
            Channel::Sms,
            "Acknowledged",
        ),
    );

    let pm = draft_of(&incident, &tl, &[]);

    assert_eq!(pm.time_to_acknowledge, Some(Duration::minutes(4)));
    assert!(
        pm.markdown
            .contains("- Acknowledged 2 times; re-triggered 1 time (ack timeout)"),
        "{}",
        pm.markdown
    );
}

#[test]
fn the_timeline_lists_every_entry_in_recorded_order() {
    let tl = timeline();
    let pm = draft_of(&resolved_incident("Disk full on db-01"), &tl, &[]);

    let rows: Vec<&str> = section(&pm.markdown, "## Timeline")
        .into_iter()
        .filter(|l| l.starts_with("| 2026"))
        .collect();
    assert_eq!(rows.len(), tl.len(), "{rows:#?}");
    for (row, e) in rows.iter().zip(&tl) {
        assert!(
            row.starts_with(&format!("| {} |", markdown::utc(e.at))),
            "{row}"
        );
        assert!(
            row.ends_with(&format!("| {} |", markdown::inline(&e.message))),
            "{row}"
        );
    }
    assert_eq!(
        rows[4],
        "| 2026-11-21 03:04:00 | acknowledged | Alice Adams (alice) | slack | Acknowledged |"
    );
    assert!(
        rows[6].contains("| action item | Bob Brown (bob) | console |"),
        "{}",
        rows[6]
    );
}

#[test]
fn action_notes_become_unchecked_action_items() {
    let pm = draft_of(&resolved_incident("Disk full on db-01"), &timeline(), &[]);

    let items: Vec<&str> = section(&pm.markdown, "## Action items")
        .into_iter()
        .filter(|l| l.starts_with("- [ ] "))
        .collect();
    assert_eq!(
        items,
        ["- [ ] add disk alert at 80% _(noted by Bob Brown (bob), 2026-11-21 03:12:00 UTC)_"]
    );
    assert_eq!(pm.action_items, ["add disk alert at 80%"]);
}

#[test]
fn without_action_notes_the_section_says_how_to_add_them() {
    let tl: Vec<TimelineEntry> = timeline()
        .into_iter()
        .filter(|e| e.kind != TimelineKind::Note)
        .collect();
    let pm = draft_of(&resolved_incident("Disk full"), &tl, &[]);
    let text = section(&pm.markdown, "## Action items").join("\n");
    assert!(text.contains("`!note N action: …`"), "{text}");
    assert!(pm.action_items.is_empty());
}

#[test]
fn only_notes_that_start_with_action_are_action_items() {
    assert_eq!(action_item("action: add an alert"), Some("add an alert"));
    assert_eq!(action_item("  ACTION:fix runbook "), Some("fix runbook"));
    assert_eq!(action_item("Action: "), None, "nothing to do");
    assert_eq!(action_item("no action: here"), None);
    assert_eq!(action_item("actions: plural"), None);
    assert_eq!(action_item("äction: x"), None);
    assert_eq!(action_item("act"), None);
}

#[test]
fn an_open_incident_gets_a_banner_and_the_draft_so_far() {
    let mut incident = resolved_incident("Disk full on db-01");
    incident.status = IncidentStatus::Acknowledged;
    (
        incident.resolved_at,
        incident.resolved_by,
        incident.resolved_via,
    ) = (None, None, None);
    let tl: Vec<TimelineEntry> = timeline()
        .into_iter()
        .filter(|e| e.kind != TimelineKind::Resolved)
        .collect();

    let pm = draft_of(&incident, &tl, &[]);

    assert!(!pm.resolved);
    assert_eq!(pm.time_to_resolve, None);
    let banner = pm.markdown.lines().nth(2).unwrap_or_default();
    assert_eq!(
        banner,
        "> **Still open:** #42 is acknowledged, not resolved yet. This is the draft so far; ask for it again once the incident is resolved."
    );
    assert!(
        pm.markdown
            .contains("It is still acknowledged, 45m after it opened."),
        "{}",
        pm.markdown
    );
    assert!(
        pm.markdown
            .contains("- **Time to resolve:** not resolved yet (open for 45m so far)")
    );
    assert!(!pm.markdown.contains("| Resolved |"));
}

#[test]
fn pages_show_person_method_level_attempts_and_outcome() {
    let deliveries = [room_post(), page(1, "chat", true), page(2, "sms", false)];
    let pm = draft_of(&resolved_incident("Disk full"), &timeline(), &deliveries);

    let lines = section(&pm.markdown, "## Who was paged and how");
    let rows: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| l.starts_with("| Alice"))
        .collect();
    assert_eq!(
        rows,
        [
            "| Alice Adams (alice) | in chat | page, level 1 | 1 | delivered 2026-11-21 03:00:00 via twilio |",
            "| Alice Adams (alice) | by SMS | page, level 2 | 3 | **failed** 2026-11-21 03:02:00: HTTP 500 \\| twilio down |",
        ]
    );
    assert!(
        lines.contains(&"2 notifications to people: 1 delivered, 1 failed."),
        "{lines:#?}"
    );
    assert!(
        lines.contains(&"- 2026-11-21 03:00:00 — Notified Alice Adams (alice) in chat (level 1)")
    );
    let escalations = section(&pm.markdown, "## Escalations").join("\n");
    assert!(
        escalations.contains("Escalation policy default: the highest level paged was level 2."),
        "{escalations}"
    );
}

#[test]
fn escalations_tell_the_timer_from_a_person() {
    let mut tl = timeline();
    tl.insert(
        4,
        entry(
            3,
            TimelineKind::Escalated,
            "bob",
            Channel::Discord,
            "Escalated to level 2 by bob",
        ),
    );
    let pm = draft_of(&resolved_incident("Disk full"), &tl, &[]);

    let lines = section(&pm.markdown, "## Escalations");
    assert!(lines.contains(&"1 step by timer, 1 by hand."), "{lines:#?}");
    assert!(lines.contains(
        &"- 2026-11-21 03:00:00 — by timer: Level 1 (high urgency): paging Alice Adams (alice)"
    ));
    assert!(lines.contains(
        &"- 2026-11-21 03:03:00 — by hand, Bob Brown (bob) via discord: Escalated to level 2 by bob"
    ));
}

#[test]
fn long_runs_of_repeated_alerts_are_folded_into_one_row() {
    let mut tl = timeline();
    let repeats = (0..50).map(|k| {
        entry(
            1,
            TimelineKind::AlertAdded,
            "Grafana",
            Channel::Events,
            &format!("Alert again: {k}"),
        )
    });
    tl.splice(3..4, repeats);
    let pm = draft_of(&resolved_incident("Disk full"), &tl, &[]);

    let rows: Vec<&str> = section(&pm.markdown, "## Timeline")
        .into_iter()
        .filter(|l| l.contains("| alert again |"))
        .collect();
    assert_eq!(rows.len(), 4, "{rows:#?}");
    assert!(rows[2].ends_with("| Alert again: 2 |"), "{}", rows[2]);
    assert!(
        rows[3].contains("… and 47 more alerts again"),
        "{}",
        rows[3]
    );
    assert!(
        pm.markdown.contains("| action item |"),
        "entries after the run still show"
    );
}

//! Storm summaries, thread entries, room notices and command replies.

use super::*;
use firebell_commands::Doc;

fn storm_json(incidents: &[Incident], paged: &[Person]) -> Value {
    bundle(&BundleView {
        incidents,
        since: at("2026-03-02T03:02:00Z"),
        now: now(),
        paged,
    })
}

#[test]
fn a_storm_of_500_lists_25_within_discords_limits_and_offers_ack_all() {
    let statuses = [
        IncidentStatus::Resolved,
        IncidentStatus::Triggered,
        IncidentStatus::Acknowledged,
    ];
    let storm: Vec<Incident> = (1..=500)
        .map(|n| {
            let mut i = incident(n, statuses[n as usize % 3]);
            i.title = format!("{} {n}", "very long title ".repeat(100));
            i
        })
        .collect();
    let v = storm_json(&storm, &paged());
    assert_within_limits(&v);
    assert_pings_only(&v, &[]);
    let e = embed(&v);
    assert_eq!(e["title"], "🌩 Alert storm — 500 more incidents");
    assert_eq!(e["color"], 0xd92d20, "the worst triggered severity");
    assert!(e["fields"].as_array().is_none_or(|f| f.len() <= 25));
    let since = ts("2026-03-02T03:02:00Z");
    let description = e["description"].as_str().expect("description");
    let lines: Vec<&str> = description.lines().collect();
    assert_eq!(
        lines[0],
        format!(
            "Opened since <t:{since}:t> (<t:{since}:R>) · 167 triggered, 167 acknowledged, 166 resolved"
        )
    );
    assert_eq!(lines[1], format!("Paging <@{ALICE}>, Carol Chen"));
    let rows: Vec<&&str> = lines.iter().filter(|l| l.contains(" · web · ")).collect();
    assert_eq!(rows.len(), 25);
    assert!(
        rows[0].starts_with("🚨 **#1** 🔴 CRITICAL · web · very long"),
        "{}",
        rows[0]
    );
    assert!(
        rows.iter().all(|r| !r.starts_with("🟢")),
        "open incidents are listed first"
    );
    assert_eq!(
        lines.last().copied(),
        Some(format!("…and {} more — `!incidents` lists them", 500 - rows.len()).as_str())
    );
    let ack = buttons(&v);
    assert_eq!(ack.len(), 1);
    let (id, style, label) = &ack[0];
    assert_eq!(*style, 1);
    assert!(id.starts_with("firebell_ack_all:1 4 7 10 "), "{id}");
    let (prefix, numbers) = parse_custom_id(id).expect("ours");
    assert_eq!(prefix, ACK_ALL);
    let carried = numbers.split(' ').count();
    assert!(id.len() <= 100 && id.len() > 90, "as many as fit: {id}");
    assert_eq!(*label, format!("Acknowledge oldest {carried} of 167"));
}

#[test]
fn a_small_storm_acks_only_the_triggered_and_a_calm_one_has_no_button() {
    let storm = vec![
        incident(12, IncidentStatus::Triggered),
        incident(13, IncidentStatus::Acknowledged),
        incident(14, IncidentStatus::Triggered),
    ];
    let v = storm_json(&storm, &[]);
    assert_eq!(
        buttons(&v),
        [(
            "firebell_ack_all:12 14".to_owned(),
            1,
            "Acknowledge all triggered".to_owned()
        )]
    );
    let description = embed(&v)["description"].as_str().expect("description");
    assert!(description.contains("2 triggered, 1 acknowledged, 0 resolved"));
    assert!(!description.contains("Paging") && !description.contains("more —"));
    assert_eq!(
        description
            .lines()
            .filter(|l| l.contains(" · web · "))
            .count(),
        3
    );

    let acked = vec![incident(15, IncidentStatus::Acknowledged)];
    let v = storm_json(&acked, &[]);
    assert_eq!(embed(&v)["title"], "🌩 Alert storm — 1 more incident");
    assert_eq!(embed(&v)["color"], 0x8b5cf6);
    assert_eq!(v["components"], json!([]));
    let calm = vec![incident(16, IncidentStatus::Resolved)];
    let v = storm_json(&calm, &[]);
    assert_eq!(embed(&v)["color"], 0x16a34a);
    assert_eq!(v["components"], json!([]));
    assert_pings_only(&v, &[]);
}

#[test]
fn storm_rows_are_escaped() {
    let mut i = incident(3, IncidentStatus::Triggered);
    i.title = "*big* <@123456789012345678> @here".to_owned();
    let v = storm_json(&[i], &[]);
    let description = embed(&v)["description"].as_str().expect("description");
    assert!(
        description.contains("· web · \\*big\\* <\u{200b}@123456789012345678> @\u{200b}here"),
        "{description}"
    );
}

#[test]
fn thread_entries_say_what_happened_and_mention_who() {
    let i = incident(42, IncidentStatus::Resolved);
    let discord = Actor::new("alice", Channel::Discord);
    let cases = [
        (
            Notification::Acknowledged {
                actor: Actor::new("bob", Channel::Discord),
            },
            format!("✅ Acknowledged by <@{BOB}> (via Discord)"),
        ),
        (
            Notification::Resolved {
                actor: Actor::new("carol", Channel::Sms),
                note: Some("disk *cleaned*".into()),
            },
            "🟢 Resolved by carol after 1h 12m (via SMS) — *disk \\*cleaned\\**".to_owned(),
        ),
        (
            Notification::Resolved {
                actor: Actor::new("firebell", Channel::System),
                note: None,
            },
            "🟢 Resolved by firebell after 1h 12m".to_owned(),
        ),
        (
            Notification::Note {
                actor: discord.clone(),
                text: "rebooted\n> twice".into(),
            },
            format!("📝 Note from <@{ALICE}>:\n> rebooted\n> \\> twice"),
        ),
        (
            Notification::Escalated {
                actor: None,
                level: 2,
                users: vec!["alice".into(), "carol".into()],
            },
            format!("⏫ Escalated to level 2 (not acknowledged in time): <@{ALICE}>, carol"),
        ),
        (
            Notification::Escalated {
                actor: Some(discord.clone()),
                level: 3,
                users: vec![],
            },
            format!("⏫ Escalated to level 3 by <@{ALICE}> — nobody to page at this level"),
        ),
        (
            Notification::PolicyExhausted {
                policy: "default_`x`".into(),
            },
            "🚨 Nobody acknowledged — escalation policy `default_ˋxˋ` has no one left to page."
                .to_owned(),
        ),
        (
            Notification::Retriggered {
                reason: "still open 30m after it was acknowledged".into(),
            },
            "🔔 Re-triggered — still open 30m after it was acknowledged. Ack again with the button or `!ack`."
                .to_owned(),
        ),
    ];
    for (n, text) in cases {
        assert_eq!(
            thread_entry(&n, &i, now(), &mention_of).as_deref(),
            Some(text.as_str())
        );
    }
}

#[test]
fn a_page_mentions_the_person_while_the_incident_waits_for_someone() {
    let page = |urgency| Notification::Paged {
        user: "alice".into(),
        level: 1,
        urgency,
        failover_from: None,
        esc_gen: None,
    };
    let triggered = incident(42, IncidentStatus::Triggered);
    assert_eq!(
        thread_entry(&page(Urgency::High), &triggered, now(), &mention_of),
        Some(format!(
            "📟 <@{ALICE}> you're on call for this — level 1. Ack with the button or `!ack`."
        ))
    );
    assert_eq!(
        thread_entry(&page(Urgency::Low), &triggered, now(), &mention_of),
        Some(format!(
            "📟 <@{ALICE}> you're on call for this — level 1, low urgency. Ack with the button or `!ack`."
        ))
    );
    let taken = incident(42, IncidentStatus::Acknowledged);
    assert_eq!(
        thread_entry(&page(Urgency::High), &taken, now(), &mention_of),
        None
    );
    assert_eq!(
        storm_page(mention_of("alice")),
        format!(
            "📟 <@{ALICE}> you're on call for the incidents in this storm. `!ack all` acknowledges \
             every one you're paged for; the summary above lists them."
        )
    );
}

#[test]
fn openings_new_alerts_and_room_notices_are_not_thread_entries() {
    let i = incident(1, IncidentStatus::Triggered);
    let actor = Actor::new("alice", Channel::Discord);
    for n in [
        Notification::IncidentOpened,
        Notification::AlertsAdded,
        Notification::PageSent {
            user: "alice".into(),
            method: firebell_engine::ContactMethod::Sms,
            level: 1,
            failed: None,
        },
        Notification::StatusNotice {
            status: IncidentStatus::Resolved,
            actor,
        },
        Notification::Handoff {
            schedule: "primary".into(),
            from: None,
            to: None,
            open_incidents: vec![],
        },
    ] {
        assert_eq!(thread_entry(&n, &i, now(), &mention_of), None);
    }
    assert_eq!(
        room_notice(&Notification::IncidentOpened, &mention_of, &names),
        None
    );
}

#[test]
fn a_handoff_mentions_the_new_person_and_names_the_old() {
    let n = Notification::Handoff {
        schedule: "primary".into(),
        from: Some("alice".into()),
        to: Some("bob".into()),
        open_incidents: (1..=25).collect(),
    };
    let text = room_notice(&n, &mention_of, &names).expect("a notice");
    assert!(
        text.starts_with(&format!(
            "🔁 Schedule `primary`: <@{BOB}> is on call now (was Alice Adams) · open: #1, #2,"
        )),
        "{text}"
    );
    assert!(text.ends_with("#20 and 5 more"), "{text}");
    let nobody = Notification::Handoff {
        schedule: "primary".into(),
        from: None,
        to: None,
        open_incidents: vec![],
    };
    assert_eq!(
        room_notice(&nobody, &mention_of, &names).as_deref(),
        Some("🔁 Schedule `primary`: nobody is on call now")
    );
}

#[test]
fn maintenance_notices_say_what_until_when_and_how_much_was_held_back() {
    let ends = at("2026-03-02T10:00:00Z");
    let window = |phase, suppressed| Notification::Maintenance {
        window: 4,
        phase,
        matcher: "web-01".into(),
        reason: Some("kernel @here upgrade".into()),
        by: "alice".into(),
        ends_at: ends.into(),
        suppressed,
    };
    let until = format!("<t:{}:f>", ends.timestamp());
    assert_eq!(
        room_notice(&window(MaintenancePhase::Started, 0), &mention_of, &names).expect("notice"),
        format!(
            "🔧 Maintenance 4 started for `web-01` by Alice Adams until {until} — kernel @\u{200b}here upgrade\n\
             Alerts that match are recorded but page nobody · end it early with `!maintenance end 4`"
        )
    );
    assert_eq!(
        room_notice(
            &window(MaintenancePhase::EndingSoon, 1),
            &mention_of,
            &names
        )
        .expect("notice"),
        format!(
            "🔧 Maintenance 4 for `web-01` ends at {until} · 1 alert suppressed so far — kernel @\u{200b}here upgrade"
        )
    );
    assert_eq!(
        room_notice(&window(MaintenancePhase::Ended, 2), &mention_of, &names).expect("notice"),
        "🔧 Maintenance 4 for `web-01` ended (by Alice Adams) · 2 alerts suppressed"
    );
}

#[test]
fn replies_get_a_tone_mark_and_discord_bold_but_no_mentions_or_stray_markdown() {
    for (r, text) in [
        (
            Reply::success("Acknowledged *#3*"),
            "✅ Acknowledged **\\#3**",
        ),
        (
            Reply::info("*2 open incidents*\n• *#2* one_two"),
            "ℹ️ **2 open incidents**\n• **\\#2** one\\_two",
        ),
        (
            Reply::error("unknown duration `1x` — usage: `!note N <text>`"),
            "⚠️ unknown duration `1x` — usage: `!note N <\u{200b}text>`",
        ),
        (
            Reply::success("Noted on *#3* — <@&1> @everyone [x](https://e.example) ~~s~~"),
            "✅ Noted on **\\#3** — <\u{200b}@&1> @\u{200b}everyone \\[x\\](https://e.example) \\~\\~s\\~\\~",
        ),
        (
            Reply::info("a * b and `unclosed"),
            "ℹ️ a \\* b and \\`unclosed",
        ),
        (Reply::info("x ** y"), "ℹ️ x \\*\\* y"),
    ] {
        assert_eq!(reply(&r), text);
    }
    let long = reply(&Reply::info(Doc::markup(&"*#1* <@1> ".repeat(1000))));
    assert!(long.encode_utf16().count() <= 2000 && long.ends_with('…'));
}

#[test]
fn a_page_by_phone_or_email_is_told_by_name_with_why_it_failed() {
    use firebell_engine::ContactMethod as M;
    assert_eq!(
        page_sent("Alice Adams", M::Sms, 1, None),
        "📱 Texted Alice Adams (level 1)"
    );
    assert_eq!(
        page_sent("Bob", M::Voice, 2, None),
        "📞 Called Bob (level 2)"
    );
    assert_eq!(
        page_sent(
            "@everyone",
            M::Sms,
            1,
            Some("Twilio 21211: invalid 'To' <@1>")
        ),
        "⚠️ Could not text @\u{200b}everyone (level 1): Twilio 21211: invalid 'To' <\u{200b}@1>"
    );
}

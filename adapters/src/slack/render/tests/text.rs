//! Storm summaries, thread entries, room notices and command replies.

use super::*;

#[test]
fn a_storm_of_500_lists_thirty_within_slacks_limits_and_offers_ack_all() {
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
    let view = BundleView {
        incidents: &storm,
        since: at("2026-03-02T03:02:00Z"),
        now: now(),
        paged: &paged(),
    };
    let v = serde_json::to_value(bundle(&view)).expect("bundle");
    assert_within_limits(&v);
    assert_eq!(
        v["text"],
        "🌩 Alert storm — 500 more incidents opened since 03:02 UTC \
         (167 triggered, 167 acknowledged, 166 resolved)"
    );
    let blocks = v["blocks"].as_array().expect("blocks");
    let rows: usize = blocks
        .iter()
        .skip(1)
        .filter(|b| b["type"] == "section")
        .map(|b| b["text"]["text"].as_str().expect("text").lines().count())
        .sum();
    assert_eq!(rows, 30);
    let second = blocks[1]["text"]["text"].as_str().expect("rows");
    assert!(
        second.starts_with("🚨 *#1* 🔴 CRITICAL · web · very long"),
        "{second}"
    );
    assert!(!second.contains("🟢"), "open incidents are listed first");
    let more = blocks
        .iter()
        .find(|b| b["type"] == "context")
        .expect("more");
    assert_eq!(
        more["elements"][0]["text"],
        "…and 470 more — `!incidents` lists every open one"
    );
    let ack = blocks.last().expect("actions");
    assert_eq!(ack["elements"][0]["action_id"], ACK_ALL);
    assert_eq!(ack["elements"][0]["text"]["text"], "Acknowledge all open");
    let value = ack["elements"][0]["value"].as_str().expect("value");
    assert!(value.starts_with("1 4 7 10 "), "{value}");
    assert_eq!(value.split(' ').count(), 167);
}

#[test]
fn a_small_storm_acks_only_the_triggered_and_a_calm_one_has_no_button() {
    let storm = vec![
        incident(12, IncidentStatus::Triggered),
        incident(13, IncidentStatus::Acknowledged),
        incident(14, IncidentStatus::Triggered),
    ];
    let view = BundleView {
        incidents: &storm,
        since: now(),
        now: now(),
        paged: &[],
    };
    let v = serde_json::to_value(bundle(&view)).expect("bundle");
    let since = now().timestamp();
    assert_eq!(
        v["blocks"][0]["text"]["text"],
        format!(
            "🌩 *Alert storm* — 3 more incidents opened since <!date^{since}^{{time}}|04:30 UTC> (2 triggered, 1 acknowledged, 0 resolved)"
        )
    );
    assert_eq!(
        types(v["blocks"].as_array().expect("blocks")),
        ["section", "section", "actions"]
    );
    assert_eq!(v["blocks"][2]["elements"][0]["value"], "12 14");
    assert_eq!(v["blocks"][2]["block_id"], "firebell_storm");

    let calm = vec![incident(15, IncidentStatus::Resolved)];
    let view = BundleView {
        incidents: &calm,
        since: now(),
        now: now(),
        paged: &[],
    };
    let v = serde_json::to_value(bundle(&view)).expect("bundle");
    assert_eq!(
        types(v["blocks"].as_array().expect("blocks")),
        ["section", "section"]
    );
}

#[test]
fn ack_all_carries_as_many_numbers_as_a_button_value_holds() {
    let storm: Vec<Incident> = (1_000_000..1_000_400)
        .map(|n| incident(n, IncidentStatus::Triggered))
        .collect();
    let view = BundleView {
        incidents: &storm,
        since: now(),
        now: now(),
        paged: &[],
    };
    let v = serde_json::to_value(bundle(&view)).expect("bundle");
    assert_within_limits(&v);
    let ack = v["blocks"]
        .as_array()
        .expect("blocks")
        .last()
        .expect("actions")
        .clone();
    assert_eq!(
        ack["elements"][0]["text"]["text"],
        "Acknowledge oldest 250 of 400"
    );
    assert_eq!(
        ack["elements"][0]["value"]
            .as_str()
            .expect("value")
            .split(' ')
            .count(),
        250
    );
}

#[test]
fn durations_read_to_the_unit_that_matters() {
    for (secs, text) in [
        (45, "45s"),
        (12 * 60, "12m"),
        (72 * 60, "1h 12m"),
        (2 * 3600, "2h"),
        (86_400, "1d"),
        (2 * 86_400 + 3 * 3600 + 59, "2d 3h"),
        (-5, "0s"),
    ] {
        assert_eq!(duration(Duration::seconds(secs)), text);
    }
}

#[test]
fn thread_entries_say_what_happened_and_mention_who() {
    let i = incident(42, IncidentStatus::Resolved);
    let slack = Actor::new("alice", Channel::Slack);
    let cases = [
        (
            Notification::Acknowledged {
                actor: Actor::new("bob", Channel::Slack),
            },
            "✅ Acknowledged by <@U0BOB> (via Slack)",
        ),
        (
            Notification::Resolved {
                actor: Actor::new("carol", Channel::Sms),
                note: Some("disk *cleaned*".into()),
            },
            "🟢 Resolved by carol after 1h 12m (via SMS) — _disk ∗cleaned∗_",
        ),
        (
            Notification::Resolved {
                actor: Actor::new("firebell", Channel::System),
                note: None,
            },
            "🟢 Resolved by firebell after 1h 12m",
        ),
        (
            Notification::Note {
                actor: slack.clone(),
                text: "rebooted\n> twice".into(),
            },
            "📝 Note from <@U0ALICE>:\n> rebooted\n> \u{ad}&gt; twice",
        ),
        (
            Notification::Escalated {
                actor: None,
                level: 2,
                users: vec!["alice".into(), "carol".into()],
            },
            "⏫ Escalated to level 2 (not acknowledged in time): <@U0ALICE>, carol",
        ),
        (
            Notification::Escalated {
                actor: Some(slack.clone()),
                level: 3,
                users: vec![],
            },
            "⏫ Escalated to level 3 by <@U0ALICE> — nobody to page at this level",
        ),
        (
            Notification::PolicyExhausted {
                policy: "default".into(),
            },
            "🚨 Nobody acknowledged — escalation policy `default` has no one left to page.",
        ),
        (
            Notification::Retriggered {
                reason: "still open 30m after it was acknowledged".into(),
            },
            "🔔 Re-triggered — still open 30m after it was acknowledged. Ack again with the button or `!ack`.",
        ),
    ];
    for (n, text) in cases {
        assert_eq!(
            thread_entry(&n, Some(&i), now(), &mention).as_deref(),
            Some(text)
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
        thread_entry(&page(Urgency::High), Some(&triggered), now(), &mention).as_deref(),
        Some("📟 <@U0ALICE> you're on call for this — level 1. Ack with the button or `!ack`.")
    );
    assert_eq!(
        thread_entry(&page(Urgency::Low), None, now(), &mention).as_deref(),
        Some(
            "📟 <@U0ALICE> you're on call for this — level 1, low urgency. Ack with the button or `!ack`."
        )
    );
    let taken = incident(42, IncidentStatus::Acknowledged);
    assert_eq!(
        thread_entry(&page(Urgency::High), Some(&taken), now(), &mention),
        None
    );
}

#[test]
fn openings_and_room_notices_are_not_thread_entries() {
    let actor = Actor::new("alice", Channel::Slack);
    for n in [
        Notification::IncidentOpened,
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
        assert_eq!(thread_entry(&n, None, now(), &mention), None);
    }
    assert_eq!(
        room_notice(&Notification::IncidentOpened, &mention, &names),
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
    let text = room_notice(&n, &mention, &names).expect("a notice");
    assert!(
        text.starts_with(
            "🔁 Schedule `primary`: <@U0BOB> is on call now (was Alice Adams) · open: #1, #2,"
        ),
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
        room_notice(&nobody, &mention, &names).as_deref(),
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
        reason: Some("kernel <!here> upgrade".into()),
        by: "alice".into(),
        ends_at: ends.into(),
        suppressed,
    };
    let until = format!(
        "<!date^{}^{{date_short_pretty}} at {{time}}|Mon 02 Mar 10:00 UTC>",
        ends.timestamp()
    );
    assert_eq!(
        room_notice(&window(MaintenancePhase::Started, 0), &mention, &names).expect("notice"),
        format!(
            "🔧 Maintenance 4 started for `web-01` by Alice Adams until {until} — kernel &lt;!here&gt; upgrade\n\
             Alerts that match are recorded but page nobody · end it early with `!maintenance end 4`"
        )
    );
    assert_eq!(
        room_notice(&window(MaintenancePhase::EndingSoon, 1), &mention, &names).expect("notice"),
        format!(
            "🔧 Maintenance 4 for `web-01` ends at {until} · 1 alert suppressed so far — kernel &lt;!here&gt; upgrade"
        )
    );
    assert_eq!(
        room_notice(&window(MaintenancePhase::Ended, 2), &mention, &names).expect("notice"),
        "🔧 Maintenance 4 for `web-01` ended (by Alice Adams) · 2 alerts suppressed"
    );
}

#[test]
fn replies_get_a_tone_mark_and_keep_their_markdown_but_not_mentions() {
    assert_eq!(
        reply(&Reply::success("Acknowledged *#3*")),
        "✅ Acknowledged *#3*"
    );
    assert_eq!(
        reply(&Reply::info("*2 open incidents*\n*#2* one")),
        "ℹ️ *2 open incidents*\n*#2* one"
    );
    assert_eq!(
        reply(&Reply::error(
            "unknown duration `1x` — usage: `!note N <text>`"
        )),
        "⚠️ unknown duration `1x` — usage: `!note N &lt;text&gt;`"
    );
    assert_eq!(
        reply(&Reply::success("Noted on *#3* — <!channel> @here")),
        "✅ Noted on *#3* — &lt;!channel&gt; @\u{2060}here"
    );
}

#[test]
fn a_slack_id_that_is_not_one_is_shown_as_the_name() {
    let p = Paged {
        chat_id: Some("U1>|<!channel".into()),
        name: "Eve <!here>".into(),
    };
    assert_eq!(p.mention(), "Eve &lt;!here&gt;");
    let p = Paged {
        chat_id: Some("U0ALICE".into()),
        name: "Alice".into(),
    };
    assert_eq!(p.mention(), "<@U0ALICE>");
}

#[test]
fn times_on_another_day_carry_the_date() {
    let t = at("2026-03-01T23:59:00Z");
    assert_eq!(
        slack_time(t, now()),
        format!(
            "<!date^{}^{{date_short_pretty}} at {{time}}|Sun 01 Mar 23:59 UTC>",
            t.timestamp()
        )
    );
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
            "<!channel>",
            M::Sms,
            1,
            Some("Twilio 21211: invalid 'To' <@U1>")
        ),
        "⚠️ Could not text &lt;!channel&gt; (level 1): Twilio 21211: invalid 'To' &lt;@U1&gt;"
    );
}

//! That nothing pings, links or formats unless firebell meant it: hostile text in every body,
//! `allowed_mentions`, button ids and mentions.

use super::*;
use firebell_commands::Doc;

/// Mention forms that must never appear anywhere in a body built from [`HOSTILE`].
const RAW: &[&str] = &[
    "@everyone",
    "@here",
    "<@123",
    "<@!",
    "<@&",
    "<#",
    "</",
    "<t:1700000000",
];

/// Markdown that must not appear where Discord renders Markdown (footers, labels and thread
/// names show text as is).
const FORMATTING: &[&str] = &["[click](", "**bold**", "||spoiler", "\n# head"];

/// The strings of a body that Discord renders as Markdown.
fn rendered(v: &Value) -> Vec<&str> {
    let mut out = vec![v["content"].as_str().unwrap_or_default()];
    for e in v["embeds"].as_array().into_iter().flatten() {
        out.push(e["title"].as_str().unwrap_or_default());
        out.push(e["description"].as_str().unwrap_or_default());
        for f in e["fields"].as_array().into_iter().flatten() {
            out.push(f["value"].as_str().unwrap_or_default());
        }
    }
    out
}

#[test]
fn hostile_text_never_reaches_discord_in_a_form_it_acts_on() {
    let mut i = incident(5, IncidentStatus::Acknowledged);
    i.title = HOSTILE.to_owned();
    i.source = Some(HOSTILE.to_owned());
    i.service = serde_json::from_value(json!(HOSTILE)).expect("service");
    i.dedup_key = DedupKey::parse(HOSTILE.replace('\n', " ")).expect("key");
    i.acknowledged_by = Some("mallory".to_owned());
    i.details = json!({
        "links": [{"href": "https://ok.example", "text": HOSTILE}],
        "images": [{"src": "https://ok.example/i.png", "alt": HOSTILE}],
    });
    let hostile_names = |_: &str| HOSTILE.to_owned();
    let people = vec![Person {
        chat_id: Some("1>|<@everyone".to_owned()),
        name: HOSTILE.to_owned(),
    }];
    let view = CardView {
        incident: &i,
        paged: &people,
        level: Some(1),
        now: now(),
        names: &hostile_names,
    };
    let storm = vec![i.clone(); 3];
    let b = BundleView {
        incidents: &storm,
        since: now(),
        now: now(),
        paged: &people,
    };
    let mut bodies = vec![card(&view), bundle(&b)];
    let actor = Actor::new("mallory", Channel::Discord);
    let hostile_mention = |_: &str| Person {
        chat_id: None,
        name: HOSTILE.to_owned(),
    };
    for n in [
        Notification::Note {
            actor: actor.clone(),
            text: HOSTILE.to_owned(),
        },
        Notification::Note {
            actor: actor.clone(),
            text: HOSTILE.replace('\n', " "),
        },
        Notification::Resolved {
            actor: actor.clone(),
            note: Some(HOSTILE.to_owned()),
        },
        Notification::Retriggered {
            reason: HOSTILE.to_owned(),
        },
        Notification::PolicyExhausted {
            policy: HOSTILE.to_owned(),
        },
        Notification::Escalated {
            actor: Some(actor.clone()),
            level: 2,
            users: vec!["x".into()],
        },
    ] {
        let text = thread_entry(&n, &i, now(), &hostile_mention).expect("an entry");
        bodies.push(message(Line { text, ping: vec![] }));
    }
    bodies.push(message(Line {
        text: page_sent(
            HOSTILE,
            firebell_engine::ContactMethod::Sms,
            1,
            Some(HOSTILE),
        ),
        ping: vec![],
    }));
    bodies.push(reply_message(
        &Reply::error(Doc::markup(&format!(
            "I don't know `!{HOSTILE}` — {HOSTILE}"
        ))),
        true,
    ));
    bodies.push(json!({ "thread": thread_name(&i) }));
    for v in &bodies {
        let json = v.to_string();
        for raw in RAW {
            assert!(!json.contains(raw), "{raw} in {json}");
        }
        for text in rendered(v) {
            for raw in FORMATTING {
                assert!(!text.contains(raw), "{raw:?} in {text}");
            }
        }
        if v.get("thread").is_none() {
            assert_pings_only(v, &[]);
            assert_within_limits(v);
        }
    }
}

#[test]
fn a_line_pings_only_the_discord_ids_it_lists() {
    let v = message(Line {
        text: format!("📟 <@{ALICE}> you're on call"),
        ping: vec![
            ALICE.to_owned(),
            ALICE.to_owned(),
            "U0SLACK".to_owned(),
            "<@&1>".to_owned(),
        ],
    });
    assert_eq!(v["content"], format!("📟 <@{ALICE}> you're on call"));
    assert_pings_only(&v, &[ALICE]);
    assert_eq!(v["flags"], 4, "no link previews under a timeline line");
    let quiet = message(Line {
        text: "✅ Acknowledged".to_owned(),
        ping: vec![],
    });
    assert_pings_only(&quiet, &[]);
    let long = message(Line {
        text: format!("<@{ALICE}> ").repeat(500),
        ping: vec![],
    });
    assert_within_limits(&long);
    assert!(long["content"].as_str().expect("content").ends_with("> …"));
}

#[test]
fn replies_ping_nobody_and_ephemeral_ones_show_only_to_the_asker() {
    let r = Reply::success("Acknowledged *#3*");
    let v = reply_message(&r, false);
    assert_eq!(v["content"], "✅ Acknowledged **\\#3**");
    assert_pings_only(&v, &[]);
    assert_eq!(v["flags"], 4);
    assert_eq!(reply_message(&r, true)["flags"], 4 | 64);
}

#[test]
fn custom_ids_round_trip_and_strangers_are_rejected() {
    for (id, expected) in [
        ("firebell_ack:42", Some((ACK, "42"))),
        ("firebell_resolve:7", Some((RESOLVE, "7"))),
        ("firebell_escalate:1", Some((ESCALATE, "1"))),
        ("firebell_ack_all:12 13 14", Some((ACK_ALL, "12 13 14"))),
        ("firebell_ack_all:5", Some((ACK_ALL, "5"))),
        ("firebell_ack:1 2", None),
        ("firebell_ack:", None),
        ("firebell_ack:abc", None),
        ("firebell_ack_all:1  2", None),
        ("firebell_ack_all:1 2 ", None),
        ("firebell_ack:99999999999999999999", None),
        ("firebell_snooze:4", None),
        ("other_bot:42", None),
        ("firebell_ack", None),
        ("", None),
    ] {
        assert_eq!(parse_custom_id(id), expected, "{id}");
    }
    let v = card_json(&incident(42, IncidentStatus::Triggered), &[], None);
    for (id, ..) in buttons(&v) {
        let (prefix, numbers) = parse_custom_id(&id).expect("ours");
        assert_eq!(format!("{prefix}:{numbers}"), id);
        assert_eq!(numbers, "42");
    }
}

#[test]
fn a_thread_is_named_after_the_incident_within_100_characters() {
    let mut i = incident(42, IncidentStatus::Triggered);
    i.title = "Disk full on db-01".to_owned();
    assert_eq!(thread_name(&i), "#42 Disk full on db-01");
    i.title = format!("*{}*\n{}", "y".repeat(300), "z");
    let name = thread_name(&i);
    assert_eq!(name.chars().count(), 100);
    assert!(name.starts_with("#42 *yyy") && name.ends_with('…'));
    i.title = "  ".to_owned();
    assert_eq!(thread_name(&i), "#42 (no title)");
}

#[test]
fn only_discord_ids_are_mentioned_and_anything_else_is_the_escaped_name() {
    let p = |id: Option<&str>, name: &str| Person {
        chat_id: id.map(str::to_owned),
        name: name.to_owned(),
    };
    assert_eq!(mention(&p(Some(ALICE), "Alice")), format!("<@{ALICE}>"));
    assert_eq!(
        mention(&p(Some("12345678901234567890"), "X")),
        "<@12345678901234567890>"
    );
    for bad in [
        "1234",
        "123456789012345678901",
        "U0ALICE",
        "11111111111111111>|<@&2",
        "",
    ] {
        assert_eq!(mention(&p(Some(bad), "Eve_1")), r"Eve\_1", "{bad}");
    }
    assert_eq!(mention(&p(None, "@here")), "@\u{200b}here");
}

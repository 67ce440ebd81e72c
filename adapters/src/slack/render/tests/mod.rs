//! The Slack messages as the JSON Slack receives: block types, action ids, colours, limits, and
//! that no hostile text ever reaches Slack in a form it would act on.

use chrono::{DateTime, Duration, Utc};
use firebell_commands::Doc;
use firebell_commands::Reply;
use firebell_engine::notify::{MaintenancePhase, Notification};
use firebell_engine::{
    Actor, Channel, DedupKey, Incident, IncidentNumber, IncidentStatus, Severity, Urgency,
};
use serde_json::{Value, json};

use super::*;

/// Every way an alert could try to notify or link, and a broadcast without brackets.
const HOSTILE: &str = "<!channel> <!here> <!everyone> <@U123> <#C123> <!subteam^S1> \
                       <http://evil.example|click> @here *bold* `code`";

fn at(s: &str) -> DateTime<Utc> {
    s.parse().expect("valid time")
}

/// Incident `n` on `web`, critical, opened 2026-03-02 03:02 UTC; acknowledged by alice at 03:05
/// via Slack and resolved by bob at 04:14 via SMS as far as `status` goes.
fn incident(n: i64, status: IncidentStatus) -> Incident {
    let opened = at("2026-03-02T03:02:00Z");
    let acked = status != IncidentStatus::Triggered;
    let resolved = status == IncidentStatus::Resolved;
    Incident {
        number: IncidentNumber::parse(&n.to_string()).expect("valid number"),
        service: serde_json::from_value(json!("web")).expect("valid service"),
        dedup_key: DedupKey::parse("disk-web01").expect("valid key"),
        title: "Disk full on web-01".to_owned(),
        source: Some("web-01".to_owned()),
        severity: Severity::Critical,
        status,
        alert_count: 1,
        created_at: opened,
        last_alert_at: opened,
        acknowledged_at: acked.then(|| at("2026-03-02T03:05:00Z")),
        acknowledged_by: acked.then(|| "alice".to_owned()),
        acknowledged_via: acked.then_some(Channel::Slack),
        resolved_at: resolved.then(|| at("2026-03-02T04:14:00Z")),
        resolved_by: resolved.then(|| "bob".to_owned()),
        resolved_via: resolved.then_some(Channel::Sms),
        details: json!({}),
    }
}

fn now() -> DateTime<Utc> {
    at("2026-03-02T04:30:00Z")
}

fn names(id: &str) -> String {
    match id {
        "alice" => "Alice Adams".to_owned(),
        "bob" => "Bob Brown".to_owned(),
        other => other.to_owned(),
    }
}

/// As the notifier would: linked users with their Slack id (a mention), the rest by name.
fn mention(id: &str) -> Paged {
    let chat_id = match id {
        "alice" => Some("U0ALICE".to_owned()),
        "bob" => Some("U0BOB".to_owned()),
        _ => None,
    };
    Paged {
        chat_id,
        name: names(id),
    }
}

fn paged() -> Vec<Paged> {
    vec![
        Paged {
            chat_id: Some("U0ALICE".to_owned()),
            name: "Alice Adams".to_owned(),
        },
        Paged {
            chat_id: None,
            name: "Carol Chen".to_owned(),
        },
    ]
}

fn card_json(i: &Incident, paged: &[Paged], level: Option<u32>) -> Value {
    let view = CardView {
        incident: i,
        paged,
        level,
        now: now(),
        names: &names,
    };
    serde_json::to_value(card(&view)).expect("serializable")
}

/// The blocks inside the card's colour attachment.
fn attachment_blocks(v: &Value) -> &Vec<Value> {
    v["attachments"][0]["blocks"].as_array().expect("blocks")
}

fn types(blocks: &[Value]) -> Vec<&str> {
    blocks
        .iter()
        .map(|b| b["type"].as_str().expect("type"))
        .collect()
}

fn actions(v: &Value) -> Vec<(String, String)> {
    attachment_blocks(v)
        .iter()
        .filter(|b| b["type"] == "actions")
        .flat_map(|b| b["elements"].as_array().expect("elements").iter())
        .map(|e| {
            (
                e["action_id"].as_str().expect("id").to_owned(),
                e["value"].as_str().expect("value").to_owned(),
            )
        })
        .collect()
}

/// Every string in the JSON.
fn strings(v: &Value) -> Vec<&str> {
    match v {
        Value::String(s) => vec![s.as_str()],
        Value::Array(a) => a.iter().flat_map(strings).collect(),
        Value::Object(o) => o.values().flat_map(strings).collect(),
        _ => vec![],
    }
}

/// Each `<…>` token in `text` is one we make: a mention of a linked test user, a date, or an
/// http(s) link whose URL has no `<`, `>`, `|` or space.
fn assert_only_our_tokens(text: &str) {
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        let token = &rest[start + 1..];
        if token.starts_with('\u{2060}') {
            rest = token; // `<` and a word joiner: plain text, inert
            continue;
        }
        let end = token
            .find('>')
            .unwrap_or_else(|| panic!("unclosed `<` in {text:?}"));
        let token = &token[..end];
        let ours = token == "@U0ALICE"
            || token == "@U0BOB"
            || token.starts_with("!date^")
            || token.split_once('|').is_some_and(|(url, label)| {
                (url.starts_with("https://") || url.starts_with("http://"))
                    && !url.contains([' ', '<'])
                    && !label.contains(['|', '<'])
            });
        assert!(ours, "unexpected token <{token}> in {text:?}");
        rest = &rest[start + 1 + end + 1..];
    }
    for raw in ["@here", "@channel", "@everyone"] {
        assert!(!text.contains(raw), "bare {raw} in {text:?}");
    }
}

/// Slack's limits, on every block of a message (top level and in attachments).
fn assert_within_limits(v: &Value) {
    let mut blocks: Vec<&Value> = v["blocks"].as_array().into_iter().flatten().collect();
    for a in v["attachments"].as_array().into_iter().flatten() {
        blocks.extend(a["blocks"].as_array().into_iter().flatten());
    }
    assert!(
        blocks.len() <= escape::MAX_BLOCKS,
        "{} blocks",
        blocks.len()
    );
    let chars = |v: &Value| v.as_str().map_or(0, |s| s.chars().count());
    for b in blocks {
        match b["type"].as_str() {
            Some("header") => assert!(chars(&b["text"]["text"]) <= escape::HEADER_TEXT),
            Some("section") => {
                assert!(chars(&b["text"]["text"]) <= escape::SECTION_TEXT);
                let fields = b["fields"].as_array().map_or(&[][..], |f| f.as_slice());
                assert!(fields.len() <= escape::MAX_FIELDS);
                assert!(
                    fields
                        .iter()
                        .all(|f| chars(&f["text"]) <= escape::FIELD_TEXT)
                );
            }
            Some("actions") => {
                for e in b["elements"].as_array().expect("elements") {
                    assert!(chars(&e["text"]["text"]) <= escape::BUTTON_TEXT);
                    assert!(chars(&e["value"]) <= escape::BUTTON_VALUE);
                }
            }
            _ => {}
        }
    }
    assert!(chars(&v["text"]) <= escape::MESSAGE_TEXT);
}

#[test]
fn a_triggered_card_is_a_header_and_a_coloured_attachment_with_three_buttons() {
    let v = card_json(&incident(42, IncidentStatus::Triggered), &paged(), Some(1));
    assert_eq!(
        v["text"],
        "🔴 #42 CRITICAL web: Disk full on web-01 — triggered"
    );
    assert_eq!(v["blocks"][0]["type"], "header");
    assert_eq!(v["blocks"][0]["text"]["type"], "plain_text");
    assert_eq!(v["blocks"][0]["text"]["text"], "🔴 #42 Disk full on web-01");
    let a = &v["attachments"][0];
    assert_eq!(a["color"], "#d92d20");
    assert_eq!(
        types(attachment_blocks(&v)),
        ["section", "context", "actions"]
    );
    let fields: Vec<&str> = a["blocks"][0]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| {
            assert_eq!(f["type"], "mrkdwn");
            assert_eq!(f["verbatim"], true);
            f["text"].as_str().expect("text")
        })
        .collect();
    assert_eq!(
        fields,
        [
            "*Service*\nweb",
            "*Severity*\n🔴 Critical",
            "*Status*\nTriggered",
            "*Paged*\n<@U0ALICE>, Carol Chen · level 1",
            "*Alerts*\n1",
            "*Source*\nweb-01",
        ]
    );
    let context = a["blocks"][1]["elements"][0]["text"]
        .as_str()
        .expect("context");
    let opened = at("2026-03-02T03:02:00Z").timestamp();
    assert_eq!(
        context,
        format!("Opened <!date^{opened}^{{time}}|03:02 UTC> · key `disk-web01`")
    );
    let buttons = &a["blocks"][2];
    assert_eq!(buttons["block_id"], "firebell_incident_42");
    assert_eq!(buttons["elements"][0]["type"], "button");
    assert_eq!(buttons["elements"][0]["style"], "primary");
    assert_eq!(buttons["elements"][0]["text"]["text"], "Acknowledge");
    assert!(buttons["elements"][1].get("style").is_none());
    assert_eq!(
        buttons["elements"][2]["confirm"]["confirm"]["text"],
        "Escalate"
    );
    let expected = [(ACK, "42"), (RESOLVE, "42"), (ESCALATE, "42")];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(a, n)| (a.to_string(), n.to_string()))
        .collect();
    assert_eq!(actions(&v), expected);
}

#[test]
fn each_status_has_its_colour_buttons_and_status_line() {
    let ack_at = at("2026-03-02T03:05:00Z").timestamp();
    for (status, color, buttons, line, text) in [
        (
            IncidentStatus::Acknowledged,
            "#8b5cf6",
            vec![RESOLVE, ESCALATE],
            format!(
                "*Status*\nAcknowledged by Alice Adams at <!date^{ack_at}^{{time}}|03:05 UTC> (via Slack)"
            ),
            "🔴 #7 CRITICAL web: Disk full on web-01 — acknowledged by Alice Adams",
        ),
        (
            IncidentStatus::Resolved,
            "#16a34a",
            vec![],
            "*Status*\nResolved by Bob Brown after 1h 12m (via SMS)".to_owned(),
            "🟢 #7 CRITICAL web: Disk full on web-01 — resolved by Bob Brown",
        ),
    ] {
        let v = card_json(&incident(7, status), &[], None);
        assert_eq!(v["attachments"][0]["color"], color, "{status}");
        let ids: Vec<String> = actions(&v).into_iter().map(|(id, _)| id).collect();
        assert_eq!(ids, buttons, "{status}");
        assert_eq!(v["attachments"][0]["blocks"][0]["fields"][2]["text"], line);
        assert_eq!(v["text"], text);
    }
    let resolved = card_json(&incident(7, IncidentStatus::Resolved), &[], None);
    assert!(!types(attachment_blocks(&resolved)).contains(&"actions"));
    assert_eq!(
        resolved["blocks"][0]["text"]["text"],
        "🟢 #7 Disk full on web-01"
    );
}

#[test]
fn open_cards_are_coloured_by_severity() {
    for (severity, color, icon) in [
        (Severity::Critical, "#d92d20", "🔴"),
        (Severity::Error, "#f97316", "🟠"),
        (Severity::Warning, "#eab308", "🟡"),
        (Severity::Info, "#3b82f6", "🔵"),
    ] {
        let mut i = incident(1, IncidentStatus::Triggered);
        i.severity = severity;
        let v = card_json(&i, &[], None);
        assert_eq!(v["attachments"][0]["color"], color);
        assert!(v["text"].as_str().expect("text").starts_with(icon));
    }
}

#[test]
fn links_and_images_from_the_alert_become_safe_links() {
    let mut i = incident(3, IncidentStatus::Triggered);
    i.details = json!({
        "links": [
            {"href": "https://grafana.example/d/1?a=1&b=2", "text": "Dashboard"},
            {"href": "javascript:alert(1)", "text": "bad"},
            {"href": "https://x.example/a|b>c", "text": "click|me> <!here>"},
            "not an object",
        ],
        "images": [{"src": "https://img.example/p.png", "alt": "CPU graph"}],
    });
    let v = card_json(&i, &[], None);
    assert_eq!(
        types(attachment_blocks(&v)),
        ["section", "section", "context", "actions"]
    );
    assert_eq!(
        v["attachments"][0]["blocks"][1]["text"]["text"],
        "🔗 <https://grafana.example/d/1?a=1&amp;b=2|Dashboard>, \
         🔗 <https://x.example/a%7Cb%3Ec|click∣me&gt; &lt;!here&gt;>, \
         🖼 <https://img.example/p.png|CPU graph>"
    );
}

#[test]
fn a_ten_kilobyte_title_still_gives_a_valid_card_with_the_title_in_full_below() {
    let mut i = incident(9, IncidentStatus::Triggered);
    i.title = format!("{HOSTILE} {}", "x".repeat(10_000));
    i.source = Some("s".repeat(5000));
    let v = card_json(&i, &paged(), Some(2));
    assert_within_limits(&v);
    let header = v["blocks"][0]["text"]["text"].as_str().expect("header");
    assert!(header.ends_with('…'));
    assert_eq!(
        types(attachment_blocks(&v)),
        ["section", "section", "context", "actions"]
    );
    let full = v["attachments"][0]["blocks"][1]["text"]["text"]
        .as_str()
        .expect("title");
    assert!(full.starts_with("&lt;!channel&gt;") && full.ends_with('…'));
}

#[test]
fn hostile_text_never_reaches_slack_in_a_form_it_acts_on() {
    let mut i = incident(5, IncidentStatus::Acknowledged);
    i.title = HOSTILE.to_owned();
    i.source = Some(HOSTILE.to_owned());
    i.service = serde_json::from_value(json!(HOSTILE)).expect("service");
    i.dedup_key = DedupKey::parse(HOSTILE).expect("key");
    i.acknowledged_by = Some("mallory".to_owned());
    i.details = json!({"links": [{"href": "https://ok.example", "text": HOSTILE}]});
    let hostile_names = |_: &str| HOSTILE.to_owned();
    let people = vec![Paged {
        chat_id: Some("U1>|<!channel".to_owned()),
        name: HOSTILE.to_owned(),
    }];
    let view = CardView {
        incident: &i,
        paged: &people,
        level: Some(1),
        now: now(),
        names: &hostile_names,
    };
    let mut messages = vec![
        serde_json::to_value(card(&view)).expect("card"),
        json!(card_text(&view)),
    ];
    let storm = vec![i.clone(); 3];
    let b = BundleView {
        incidents: &storm,
        since: now(),
        now: now(),
        paged: &people,
    };
    messages.push(serde_json::to_value(bundle(&b)).expect("bundle"));
    let actor = Actor::new("mallory", Channel::Slack);
    let hostile_mention = |_: &str| Paged {
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
            text: format!("{HOSTILE}\n{HOSTILE}"),
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
        let entry = thread_entry(&n, Some(&i), now(), &hostile_mention).expect("an entry");
        messages.push(json!(entry));
    }
    messages.push(json!(reply(&Reply::error(Doc::markup(&format!(
        "I don't know `!{HOSTILE}`."
    ))))));
    for v in &messages {
        for s in strings(v) {
            assert_only_our_tokens(s);
        }
        let json = v.to_string();
        for raw in [
            "<!channel>",
            "<!here>",
            "<!everyone>",
            "<@U123>",
            "<#C123>",
            "<!subteam",
            "<http://evil",
        ] {
            assert!(!json.contains(raw), "{raw} in {json}");
        }
    }
}

mod text;

//! The Discord bodies as the JSON Discord receives: embeds, colours, components, limits,
//! `allowed_mentions`, and that no hostile text ever reaches Discord in a form it would act on.

use chrono::{DateTime, Duration, Utc};
use firebell_commands::Reply;
use firebell_engine::notify::{MaintenancePhase, Notification};
use firebell_engine::{
    Actor, Channel, DedupKey, Incident, IncidentNumber, IncidentStatus, Severity, Urgency,
};
use serde_json::{Value, json};

use super::*;

const ALICE: &str = "111111111111111111";
const BOB: &str = "222222222222222222";

/// Every way an alert could try to ping, link or format.
const HOSTILE: &str = "@everyone @here <@123456789012345678> <@!123456789012345678> \
                       <@&987654321098765432> <#123456789012345678> </deploy:1234567890123456789> \
                       <t:1700000000:R> [click](https://evil.example) **bold** ||spoiler||\n# head";

fn at(s: &str) -> DateTime<Utc> {
    s.parse().expect("valid time")
}

fn ts(s: &str) -> i64 {
    at(s).timestamp()
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

/// As the notifier would: linked users with their Discord id (a mention), the rest by name.
fn mention_of(id: &str) -> Person {
    let chat_id = match id {
        "alice" => Some(ALICE.to_owned()),
        "bob" => Some(BOB.to_owned()),
        _ => None,
    };
    Person {
        chat_id,
        name: names(id),
    }
}

fn paged() -> Vec<Person> {
    vec![
        Person {
            chat_id: Some(ALICE.to_owned()),
            name: "Alice Adams".to_owned(),
        },
        Person {
            chat_id: None,
            name: "Carol Chen".to_owned(),
        },
    ]
}

fn card_json(i: &Incident, paged: &[Person], level: Option<u32>) -> Value {
    card(&CardView {
        incident: i,
        paged,
        level,
        now: now(),
        names: &names,
    })
}

fn embed(v: &Value) -> &Value {
    &v["embeds"][0]
}

/// (custom_id, style, label) of every button.
fn buttons(v: &Value) -> Vec<(String, u64, String)> {
    let rows = v["components"].as_array().expect("components is an array");
    rows.iter()
        .inspect(|r| assert_eq!(r["type"], 1, "an action row"))
        .flat_map(|r| r["components"].as_array().expect("buttons").iter())
        .map(|b| {
            assert_eq!(b["type"], 2, "a button");
            (
                b["custom_id"].as_str().expect("id").to_owned(),
                b["style"].as_u64().expect("style"),
                b["label"].as_str().expect("label").to_owned(),
            )
        })
        .collect()
}

fn units(v: &Value) -> usize {
    v.as_str().map_or(0, |s| s.encode_utf16().count())
}

/// Discord's limits, counted in UTF-16 units (never less than characters).
fn assert_within_limits(v: &Value) {
    assert!(units(&v["content"]) <= 2000);
    let embeds = v["embeds"].as_array().map_or(&[][..], |e| e.as_slice());
    let mut total = 0;
    for e in embeds {
        assert!(units(&e["title"]) <= 256, "title {}", units(&e["title"]));
        assert!(units(&e["description"]) <= 4096);
        assert!(units(&e["footer"]["text"]) <= 2048);
        let fields = e["fields"].as_array().map_or(&[][..], |f| f.as_slice());
        assert!(fields.len() <= 25);
        for f in fields {
            assert!(units(&f["name"]) <= 256);
            assert!((1..=1024).contains(&units(&f["value"])), "{f}");
        }
        total += units(&e["title"])
            + units(&e["description"])
            + units(&e["footer"]["text"])
            + fields
                .iter()
                .map(|f| units(&f["name"]) + units(&f["value"]))
                .sum::<usize>();
    }
    assert!(total <= 6000, "embed total {total}");
    let rows = v["components"].as_array().map_or(&[][..], |r| r.as_slice());
    assert!(rows.len() <= 5);
    for r in rows {
        let row = r["components"].as_array().expect("buttons");
        assert!(row.len() <= 5);
        for b in row {
            assert!(units(&b["label"]) <= 80);
            assert!(units(&b["custom_id"]) <= 100);
        }
    }
}

/// Every body pings nobody by parsing: only the ids it lists.
fn assert_pings_only(v: &Value, users: &[&str]) {
    let allowed = &v["allowed_mentions"];
    assert_eq!(allowed["parse"], json!([]), "{v}");
    let listed: Vec<&str> = allowed["users"]
        .as_array()
        .map(|u| u.iter().map(|id| id.as_str().expect("id")).collect())
        .unwrap_or_default();
    assert_eq!(listed, users);
    assert!(allowed.get("roles").is_none());
}

#[test]
fn a_triggered_card_is_a_coloured_embed_with_three_buttons() {
    let v = card_json(&incident(42, IncidentStatus::Triggered), &paged(), Some(1));
    assert_eq!(v["content"], "");
    assert_pings_only(&v, &[]);
    let e = embed(&v);
    assert_eq!(e["title"], "🔴 #42 Disk full on web-01");
    assert_eq!(e["color"], 0xd92d20);
    assert_eq!(e["timestamp"], "2026-03-02T03:02:00Z");
    assert_eq!(e["footer"]["text"], "dedup key: disk-web01");
    assert!(e.get("description").is_none() && e.get("image").is_none());
    assert_eq!(
        e["fields"],
        json!([
            {"name": "Service", "value": "web", "inline": true},
            {"name": "Severity", "value": "🔴 Critical", "inline": true},
            {"name": "Status", "value": "Triggered", "inline": true},
            {"name": "Paged", "value": format!("<@{ALICE}>, Carol Chen · level 1"), "inline": true},
            {"name": "Alerts", "value": "1", "inline": true},
            {"name": "Source", "value": "web-01", "inline": true},
        ])
    );
    assert_eq!(
        buttons(&v),
        [
            ("firebell_ack:42".to_owned(), 1, "Acknowledge".to_owned()),
            ("firebell_resolve:42".to_owned(), 3, "Resolve".to_owned()),
            ("firebell_escalate:42".to_owned(), 2, "Escalate".to_owned()),
        ]
    );
    assert_within_limits(&v);
}

#[test]
fn each_status_has_its_colour_buttons_and_status_line() {
    let acked = ts("2026-03-02T03:05:00Z");
    for (status, color, ids, line, title) in [
        (
            IncidentStatus::Acknowledged,
            0x8b5cf6,
            vec!["firebell_resolve:7", "firebell_escalate:7"],
            format!("Acknowledged by Alice Adams <t:{acked}:R> (via Slack)"),
            "🔴 #7 Disk full on web-01",
        ),
        (
            IncidentStatus::Resolved,
            0x16a34a,
            vec![],
            "Resolved by Bob Brown after 1h 12m (via SMS)".to_owned(),
            "🟢 #7 Disk full on web-01",
        ),
    ] {
        let v = card_json(&incident(7, status), &[], None);
        assert_eq!(embed(&v)["color"], color, "{status}");
        assert_eq!(embed(&v)["title"], title);
        assert_eq!(embed(&v)["fields"][2]["value"], line);
        let got: Vec<String> = buttons(&v).into_iter().map(|(id, ..)| id).collect();
        assert_eq!(got, ids, "{status}");
        assert_pings_only(&v, &[]);
    }
    let resolved = card_json(&incident(7, IncidentStatus::Resolved), &[], None);
    assert_eq!(
        resolved["components"],
        json!([]),
        "an empty array, so the edit removes the buttons"
    );
}

#[test]
fn open_cards_are_coloured_by_severity() {
    for (severity, color, icon) in [
        (Severity::Critical, 0xd92d20, "🔴"),
        (Severity::Error, 0xf97316, "🟠"),
        (Severity::Warning, 0xeab308, "🟡"),
        (Severity::Info, 0x3b82f6, "🔵"),
    ] {
        let mut i = incident(1, IncidentStatus::Triggered);
        i.severity = severity;
        let v = card_json(&i, &[], None);
        assert_eq!(embed(&v)["color"], color);
        assert!(
            embed(&v)["title"]
                .as_str()
                .expect("title")
                .starts_with(icon)
        );
    }
}

#[test]
fn repeated_alerts_show_when_the_last_came() {
    let mut i = incident(2, IncidentStatus::Triggered);
    i.alert_count = 3;
    i.last_alert_at = at("2026-03-02T04:10:00Z");
    let v = card_json(&i, &[], None);
    let last = ts("2026-03-02T04:10:00Z");
    assert_eq!(embed(&v)["fields"][3]["name"], "Alerts");
    assert_eq!(
        embed(&v)["fields"][3]["value"],
        format!("3 · last <t:{last}:R>")
    );
}

#[test]
fn links_become_masked_links_and_the_first_image_shows() {
    let mut i = incident(3, IncidentStatus::Triggered);
    i.details = json!({
        "links": [
            {"href": "https://grafana.example/d/1?a=1&b=(2)", "text": "Dashboard"},
            {"href": "javascript:alert(1)", "text": "bad"},
            {"href": "https://x.example/a b", "text": "click](https://evil) @here"},
            "not an object",
        ],
        "images": [
            {"src": "file:///etc/passwd"},
            {"src": "https://img.example/p.png", "alt": "CPU graph"},
        ],
    });
    let v = card_json(&i, &[], None);
    let e = embed(&v);
    assert_eq!(
        e["description"],
        "🔗 [Dashboard](https://grafana.example/d/1?a=1&b=%282%29)\n\
         🔗 [click\\](https://evil) @\u{200b}here](https://x.example/a%20b)\n\
         🖼 [CPU graph](https://img.example/p.png)"
    );
    assert_eq!(e["image"]["url"], "https://img.example/p.png");
}

#[test]
fn a_ten_kilobyte_title_still_gives_a_valid_card_with_the_title_below() {
    let mut i = incident(9, IncidentStatus::Triggered);
    i.title = format!("{HOSTILE} {}", "x".repeat(10_000));
    i.source = Some("s".repeat(5000));
    i.dedup_key = DedupKey::parse("k".repeat(255)).expect("key");
    i.details = json!({"links": (0..50)
        .map(|k| json!({"href": format!("https://x.example/{}", "p".repeat(900)), "text": format!("{k} {}", "t".repeat(500))}))
        .collect::<Vec<_>>()});
    let many: Vec<Person> = (0..300)
        .map(|k| Person {
            chat_id: Some(format!("{:018}", 100_000_000_000_000_000u64 + k)),
            name: format!("Person {k}"),
        })
        .collect();
    let v = card_json(&i, &many, Some(2));
    assert_within_limits(&v);
    let e = embed(&v);
    assert!(e["title"].as_str().expect("title").ends_with('…'));
    let description = e["description"].as_str().expect("description");
    assert!(
        description.starts_with("@\u{200b}everyone"),
        "{description}"
    );
    let paged = e["fields"][3]["value"].as_str().expect("paged");
    assert!(paged.ends_with("more · level 2"), "{paged}");
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

mod safety;
mod text;

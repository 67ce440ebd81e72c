//! Matcher parsing and matching, table-tested.

use serde_json::json;

use super::*;
use crate::domain::alert::TriggerPayload;
use crate::domain::kinds::{Actor, Channel, Severity};

fn config() -> Config {
    let toml = r#"
[rooms.ops]
[services.web]
integration_keys = ["R0UT1NGKEY0000000000000000000000"]
room = "ops"
[services.db]
integration_keys = ["DBKEY000000000000000000000000001"]
room = "ops"
"#;
    Config::parse(toml, "t.toml", &|_| None).expect("valid")
}

fn trigger(service: &str, source: Option<&str>, details: Value) -> NewAlert {
    NewAlert {
        service: ServiceName::new(service),
        kind: AlertKind::Trigger {
            dedup_key: None,
            payload: TriggerPayload {
                summary: "down".to_owned(),
                source: source.map(str::to_owned),
                severity: Severity::Critical,
                timestamp: None,
                details,
            },
        },
        actor: Actor::new("Prometheus", Channel::Events),
        raw: json!({}),
    }
}

#[test]
fn matchers_parse_hosts_services_and_labels() {
    let c = config();
    let cases = [
        ("web-01", Matcher::Host("web-01".to_owned())),
        (
            "db-01.example.com",
            Matcher::Host("db-01.example.com".to_owned()),
        ),
        ("service:web", Matcher::Service(ServiceName::new("web"))),
        (
            "env=prod",
            Matcher::Label {
                key: "env".to_owned(),
                value: "prod".to_owned(),
            },
        ),
    ];
    for (text, want) in cases {
        let got = Matcher::parse(text, &c).unwrap();
        assert_eq!(got, want, "{text}");
        assert_eq!(
            Matcher::from_db(&got.to_db()).as_ref(),
            Ok(&got),
            "{text} round-trips"
        );
    }
}

#[test]
fn bad_matchers_say_what_would_be_right() {
    let c = config();
    for (text, expect) in [
        ("service:nope", "unknown service `nope` — services: db, web"),
        ("env=", "needs both a label and a value"),
        ("web 01!", "is not a host name"),
        ("", "nothing to match"),
    ] {
        let e = Matcher::parse(text, &c).unwrap_err();
        assert!(e.message().contains(expect), "{text}: {e}");
    }
}

#[test]
fn matching_looks_at_source_instance_labels_and_custom_details() {
    let host = Matcher::Host("web-01".to_owned());
    let env = Matcher::Label {
        key: "env".to_owned(),
        value: "prod".to_owned(),
    };
    let cases = [
        (&host, trigger("web", Some("web-01"), json!({})), true),
        (&host, trigger("web", Some("web-01:9100"), json!({})), true),
        (
            &host,
            trigger("web", None, json!({"labels": {"instance": "web-01:9100"}})),
            true,
        ),
        (&host, trigger("web", Some("web-02"), json!({})), false),
        (
            &env,
            trigger("web", None, json!({"labels": {"env": "prod"}})),
            true,
        ),
        (
            &env,
            trigger("web", None, json!({"custom_details": {"env": "prod"}})),
            true,
        ),
        (
            &env,
            trigger(
                "web",
                None,
                json!({"custom_details": {"labels": {"env": "prod"}}}),
            ),
            true,
        ),
        (
            &env,
            trigger("web", None, json!({"labels": {"env": "staging"}})),
            false,
        ),
    ];
    for (m, alert, want) in cases {
        assert_eq!(m.matches(&alert), want, "{m} vs {:?}", alert.kind);
    }
    let svc = Matcher::Service(ServiceName::new("db"));
    assert!(svc.matches(&trigger("db", None, json!({}))));
    assert!(!svc.matches(&trigger("web", None, json!({}))));
}

#[test]
fn acknowledges_and_resolves_are_never_suppressed() {
    let m = Matcher::Service(ServiceName::new("web"));
    let mut a = trigger("web", None, json!({}));
    a.kind = AlertKind::Resolve {
        dedup_key: crate::domain::ids::DedupKey::parse("k").unwrap(),
    };
    assert!(!m.matches(&a));
}

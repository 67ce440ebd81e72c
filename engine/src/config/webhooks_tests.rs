//! `[webhooks.NAME]`: what a subscription becomes, and each mistake's error with its line.

use super::super::Config;
use super::super::ConfigError;
use super::super::tests::VALID;
use super::{DEFAULT_MAX_ATTEMPTS, DEFAULT_TIMEOUT};
use crate::domain::ids::ServiceName;
use crate::domain::kinds::EventType;

const SECRET: &str = "0123456789abcdef0123456789abcdef";

fn parse(extra: &str) -> Result<Config, Vec<ConfigError>> {
    let text = format!("{VALID}\n{extra}");
    let env = |name: &str| (name == "LAMP_SECRET").then(|| SECRET.to_owned());
    Config::parse(&text, "firebell.toml", &env).map_err(|e| e.0)
}

/// The one error for `extra`, and the 1-based line of `needle` in the whole file.
fn error(extra: &str, needle: &str) -> (ConfigError, usize) {
    let errors = parse(extra).expect_err("invalid");
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let text = format!("{VALID}\n{extra}");
    let line = text
        .lines()
        .position(|l| l.contains(needle))
        .expect("needle in file")
        + 1;
    (errors[0].clone(), line)
}

#[test]
fn a_subscription_with_only_a_url_gets_every_event_for_every_service_unsigned() {
    let c = parse("[webhooks.lamp]\nurl = \"https://lamp.example.com/hook?team=ops\"\n")
        .expect("valid");
    let w = &c.webhooks["lamp"];
    assert_eq!(w.name, "lamp");
    assert_eq!(w.url, "https://lamp.example.com/hook?team=ops");
    assert_eq!(w.events, EventType::ALL.to_vec());
    assert!(w.services.is_none());
    assert!(w.secret.is_none());
    assert_eq!(w.timeout, DEFAULT_TIMEOUT);
    assert_eq!(w.max_attempts, DEFAULT_MAX_ATTEMPTS);
    assert!(w.wants(EventType::Annotated, &ServiceName::new("db".to_owned())));
}

#[test]
fn events_services_secret_timeout_and_budget_are_read_as_written() {
    let c = parse(
        r#"[webhooks.status-lamp]
url = "http://user:pass@127.0.0.1:9000/lamp"
events = ["incident.resolved", "incident.triggered", "incident.resolved"]
services = ["web"]
secret_env = "LAMP_SECRET"
timeout = "10s"
max_attempts = 3
"#,
    )
    .expect("valid");
    let w = &c.webhooks["status-lamp"];
    assert_eq!(w.events, vec![EventType::Triggered, EventType::Resolved]);
    assert_eq!(w.services, Some(vec![ServiceName::new("web".to_owned())]));
    assert_eq!(w.secret.as_ref().map(|s| s.expose()), Some(SECRET));
    assert_eq!(w.timeout, std::time::Duration::from_secs(10));
    assert_eq!(w.max_attempts, 3);
    let (web, db) = (
        ServiceName::new("web".to_owned()),
        ServiceName::new("db".to_owned()),
    );
    assert!(w.wants(EventType::Triggered, &web));
    assert!(!w.wants(EventType::Triggered, &db), "services filter");
    assert!(!w.wants(EventType::Acknowledged, &web), "events filter");
    let shown = format!("{w:?}");
    assert!(
        !shown.contains("pass") && !shown.contains(SECRET),
        "{shown}"
    );
}

#[test]
fn each_mistake_is_reported_at_its_line_with_what_would_be_right() {
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "[webhooks.lamp]\nurl = \"ftp://lamp.example.com/x\"\n",
            "ftp://",
            "webhooks.lamp.url",
            "starts with `https://` or `http://`",
        ),
        (
            "[webhooks.lamp]\nurl = \"lamp.example.com/x\"\n",
            "lamp.example.com/x",
            "webhooks.lamp.url",
            "is not a URL",
        ),
        (
            "[webhooks.lamp]\nurl = \"https://lamp.example.com/x#top\"\n",
            "#top",
            "webhooks.lamp.url",
            "`#fragment`",
        ),
        (
            "[webhooks.lamp]\nurl = \"https://lamp.example.com/\"\nevents = [\"incident.triggered\", \"incident.deleted\"]\n",
            "incident.deleted",
            "webhooks.lamp.events",
            "unknown event `incident.deleted` — expected one of: incident.triggered",
        ),
        (
            "[webhooks.lamp]\nurl = \"https://lamp.example.com/\"\nevents = []\n",
            "events = []",
            "webhooks.lamp.events",
            "leave `events` out",
        ),
        (
            "[webhooks.lamp]\nurl = \"https://lamp.example.com/\"\nservices = [\"web\", \"mail\"]\n",
            "\"mail\"",
            "webhooks.lamp.services",
            "unknown service `mail` — defined services: db, web",
        ),
        (
            "[webhooks.lamp]\nurl = \"https://lamp.example.com/\"\nsecret = \"short\"\n",
            "secret = \"short\"",
            "webhooks.lamp.secret",
            "at least 16 characters (got 5)",
        ),
        (
            "[webhooks.lamp]\nurl = \"https://lamp.example.com/\"\nsecret_env = \"NOT_SET\"\n",
            "NOT_SET",
            "webhooks.lamp.secret_env",
            "environment variable `NOT_SET` is not set",
        ),
        (
            "[webhooks.lamp]\nurl = \"https://lamp.example.com/\"\ntimeout = \"2m\"\n",
            "timeout = \"2m\"",
            "webhooks.lamp.timeout",
            "1s to 30s",
        ),
        (
            "[webhooks.lamp]\nurl = \"https://lamp.example.com/\"\nmax_attempts = 0\n",
            "max_attempts = 0",
            "webhooks.lamp.max_attempts",
            "1 to 100 tries",
        ),
        (
            "[webhooks.\"status lamp\"]\nurl = \"https://lamp.example.com/\"\n",
            "[webhooks.\"status lamp\"]",
            "webhooks.status lamp",
            "letters, digits, `-`, `_` or `.`",
        ),
    ];
    for (extra, needle, key, says) in cases {
        let (e, line) = error(extra, needle);
        assert_eq!(e.line, line, "{extra}: {e}");
        assert_eq!(e.key, *key, "{extra}: {e}");
        assert!(e.message.contains(says), "{extra}: {e}");
    }
}

#[test]
fn a_secret_given_twice_and_an_unknown_key_are_errors() {
    let (e, line) = error(
        &format!(
            "[webhooks.lamp]\nurl = \"https://lamp.example.com/\"\nsecret = \"{SECRET}\"\nsecret_env = \"LAMP_SECRET\"\n"
        ),
        "[webhooks.lamp]",
    );
    assert_eq!((e.line, e.key.as_str()), (line, "webhooks.lamp"));
    assert!(e.message.contains("at most one of `secret`"), "{e}");

    let (e, line) = error(
        "[webhooks.lamp]\nurl = \"https://lamp.example.com/\"\nheaders = []\n",
        "headers",
    );
    assert_eq!(e.line, line, "{e}");
    assert!(e.message.contains("unknown field `headers`"), "{e}");
}

const DEMO: &str = include_str!("../../../firebell.toml");
const README: &str = include_str!("../../../README.md");

#[test]
fn the_readme_and_demo_examples_are_valid_on_the_demo_config() {
    let env = |name: &str| (name == "FIREBELL_WEBHOOK_LAMP_SECRET").then(|| SECRET.to_owned());
    let readme = README
        .split_once("## Outbound webhooks")
        .expect("README has the section")
        .1
        .split_once("```toml\n")
        .expect("a toml block")
        .1
        .split_once("```")
        .expect("closed")
        .0;
    // The demo's commented-out subscription, uncommented.
    let demo: String = DEMO
        .lines()
        .skip_while(|l| !l.starts_with("# [webhooks."))
        .take_while(|l| l.starts_with("# "))
        .map(|l| format!("{}\n", &l[2..]))
        .collect();
    assert!(demo.contains("url = "), "{demo}");
    for (what, block) in [("README", readme), ("firebell.toml", demo.as_str())] {
        let c = Config::parse(&format!("{DEMO}\n{block}"), what, &env)
            .unwrap_or_else(|e| panic!("the {what} webhook example must stay valid:\n{e}"));
        let w = &c.webhooks["status-lamp"];
        assert_eq!(
            w.secret.as_ref().map(|s| s.expose()),
            Some(SECRET),
            "{what}"
        );
        assert!(w.events.contains(&EventType::Resolved), "{what}");
    }
}

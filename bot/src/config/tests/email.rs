//! `[email]`: the SMTP listener (the email_inbound adapter's keys) beside the engine's mail rules
//! and log retention, and each mistake with its line.

use std::time::Duration;

use firebell_adapters::email_inbound;
use firebell_engine::domain::email::rules::{DecidedBy, Decision, decide};
use firebell_engine::domain::email::{Discard, Mail};
use firebell_engine::domain::kinds::Severity;

use super::*;

/// The README's Nagios example on `web`, the listener on, `db` on its default address.
fn with_email() -> String {
    format!(
        "{VALID}{}",
        include_str!("../../../../engine/src/config/tests/email.toml")
    )
}

fn mail(subject: &str, body: &str, from: &str) -> Mail {
    Mail {
        subject: subject.to_owned(),
        body: body.to_owned(),
        from: from.to_owned(),
        ..Mail::default()
    }
}

#[test]
fn the_email_tables_become_a_listener_addresses_and_rules() {
    let config = parse(&with_email()).expect("valid");
    let l = config.email_listener.as_ref().expect("listener on");
    assert_eq!(l.listen.to_string(), "127.0.0.1:0");
    assert_eq!(l.domain, "alerts.example.com");
    assert_eq!(l.max_size, 1_000_000);
    assert_eq!(l.timeout, std::time::Duration::from_secs(30));
    assert!(l.tls.is_none());
    assert_eq!(
        email_inbound::config::max_size(config.email_listener.as_ref()),
        1_000_000
    );

    let name = |s: &str| config.engine.service(s).expect("service").name.clone();
    let (web, db) = (name("web"), name("db"));
    assert_eq!(config.engine.email.address(&web), Some("web-alerts"));
    assert_eq!(
        config.engine.email.address(&db),
        Some("db"),
        "the name is the default address"
    );
    assert_eq!(
        config
            .engine
            .email
            .service_for_address("WEB-alerts+nightly"),
        Some(&web)
    );
    assert_eq!(config.engine.email.service_for_address("db"), Some(&db));
    assert_eq!(config.engine.email.service_for_address("web"), None);

    let rules = config.engine.email.rules(&web);
    assert_eq!(rules.rules.len(), 2);
    let problem = decide(
        rules,
        &mail(
            "** PROBLEM Service Alert: web-01/HTTP is CRITICAL **",
            "Host: web-01\nState: CRITICAL\n",
            "nagios@nagios.example.com",
        ),
    );
    let Decision::Trigger {
        key,
        severity,
        fields,
        by,
    } = problem
    else {
        panic!("not a trigger: {problem:?}")
    };
    assert_eq!(
        (key.as_str(), severity, by),
        ("web-01/HTTP", Severity::Critical, DecidedBy::Rule(1))
    );
    assert_eq!(fields["host"], "web-01");
    assert_eq!(fields["state"], "CRITICAL");
    assert!(matches!(
        decide(
            rules,
            &mail(
                "** RECOVERY Service Alert: web-01/HTTP is OK **",
                "",
                "root@db-01"
            )
        ),
        Decision::Resolve {
            by: DecidedBy::Rule(2),
            ..
        }
    ));
    assert_eq!(
        decide(rules, &mail("PROBLEM", "", "someone@else")),
        Decision::Discard(Discard::Filter)
    );
    assert_eq!(
        config.engine.email.rules(&db).rules.len(),
        0,
        "no table: built-in rules"
    );
}

#[test]
fn client_rates_and_the_log_retention_have_defaults_and_can_be_set() {
    let config = parse(&with_email()).expect("valid");
    let l = config.email_listener.as_ref().expect("listener on");
    assert_eq!((l.connections_per_minute, l.messages_per_minute), (60, 120));
    assert_eq!(
        config.engine.email.log_retention,
        Duration::from_secs(30 * 86_400)
    );

    let text = with_email().replacen(
        "timeout = \"30s\"",
        "timeout = \"30s\"\nconnections_per_minute = 5\nmessages_per_minute = 7\nlog_retention = \"7d\"",
        1,
    );
    let config = parse(&text).expect("valid");
    let l = config.email_listener.as_ref().expect("listener on");
    assert_eq!((l.connections_per_minute, l.messages_per_minute), (5, 7));
    assert_eq!(
        config.engine.email.log_retention,
        Duration::from_secs(7 * 86_400)
    );
}

#[test]
fn without_an_email_table_there_is_no_listener_but_every_service_has_rules() {
    let config = parse(VALID).expect("valid");
    assert!(config.email_listener.is_none());
    assert_eq!(
        config.engine.email.log_retention,
        Duration::from_secs(30 * 86_400),
        "mail over HTTP is logged too, and forgotten on the same schedule"
    );
    assert_eq!(
        email_inbound::config::max_size(config.email_listener.as_ref()),
        10_000_000
    );
    assert!(
        config
            .engine
            .email
            .rules(&config.engine.service("web").expect("web").name)
            .filter
            .is_none()
    );
}

#[test]
fn each_listener_mistake_is_named() {
    let cases = [
        (
            r#"domain = "Alerts.Example.com""#,
            r#"domain = "not a domain""#,
            "email.domain",
            "is not a domain name",
        ),
        (
            r#"max_size = "1MB""#,
            r#"max_size = "1GB""#,
            "email.max_size",
            "is not a size",
        ),
        (
            r#"listen = "127.0.0.1:0""#,
            r#"listen = "localhost""#,
            "email.listen",
            "is not an address and port",
        ),
        (
            r#"timeout = "30s""#,
            r#"timeout = "2h""#,
            "email.timeout",
            "from 1s to 1h",
        ),
        (
            r#"timeout = "30s""#,
            "connections_per_minute = 0",
            "email.connections_per_minute",
            "from 1 to 100000 per minute",
        ),
        (
            r#"timeout = "30s""#,
            "messages_per_minute = -5",
            "email.messages_per_minute",
            "from 1 to 100000 per minute",
        ),
        (
            r#"timeout = "30s""#,
            r#"log_retention = "10m""#,
            "email.log_retention",
            "from 1h to 3650d",
        ),
        (
            r#"timeout = "30s""#,
            r#"tls_cert = "/nonexistent/cert.pem""#,
            "email.tls_cert",
            "needs both",
        ),
        (
            r#"address = "Web-Alerts""#,
            r#"address = "web@example.com""#,
            "services.web.email.address",
            "only the part before the @",
        ),
        (
            r#"severity = "critical""#,
            r#"severity = "fatal""#,
            "services.web.email.severity",
            "unknown severity `fatal`",
        ),
        (
            r#"fallback = "discard""#,
            r#"fallback = "drop""#,
            "services.web.email.fallback",
            "unknown fallback `drop`",
        ),
        (
            r#"action = "resolve""#,
            r#"action = "ack""#,
            "services.web.email.rules[1].action",
            "unknown action `ack`",
        ),
    ];
    for (from, to, key, needle) in cases {
        let text = with_email().replacen(from, to, 1);
        let e = only_error(&text);
        assert_eq!(e.key, key, "{to}: {e}");
        assert!(e.message.contains(needle), "{to}: {e}");
        assert_eq!(e.line, line_of(&text, to), "{to}: {e}");
    }
}

#[test]
fn missing_tls_files_are_reported_at_load() {
    let text = with_email().replacen(
        r#"timeout = "30s""#,
        "tls_cert = \"/nonexistent/cert.pem\"\ntls_key = \"/nonexistent/key.pem\"",
        1,
    );
    let errs = errors(&text);
    assert_eq!(errs.len(), 2, "{errs:#?}");
    assert!(
        errs[0]
            .message
            .starts_with("cannot read `/nonexistent/cert.pem`"),
        "{}",
        errs[0]
    );
    assert_eq!(errs[1].key, "email.tls_key");
}

/// The `n`th ```toml block of the README's "Email integration" section.
fn readme_block(n: usize) -> &'static str {
    const README: &str = include_str!("../../../../README.md");
    let section = README
        .split_once("## Email integration")
        .expect("README has the Email integration section")
        .1;
    let block = section
        .split("```toml\n")
        .nth(n + 1)
        .expect("the toml block");
    block.split_once("```").expect("a closed block").0
}

#[test]
fn the_readme_email_examples_are_valid_on_the_demo_config() {
    const DEMO: &str = include_str!("../../../../firebell.toml");
    let listener = format!("{DEMO}\n{}", readme_block(0));
    let config = parse(&listener).unwrap_or_else(|e| panic!("README [email] example:\n{e}"));
    assert_eq!(
        config.email_listener.as_ref().map(|l| l.domain.as_str()),
        Some("alerts.example.com")
    );
    assert_eq!(
        config
            .engine
            .email
            .address(&config.engine.service("web").expect("web").name),
        Some("web-alerts")
    );

    let examples = format!(
        "{DEMO}\n[email]\ndomain = \"alerts.example.com\"\n{}",
        readme_block(1)
    );
    let config = parse(&examples).unwrap_or_else(|e| panic!("README worked examples:\n{e}"));
    let cron = config
        .engine
        .email
        .service_for_address("cron")
        .expect("cron address")
        .clone();
    assert_eq!(cron.as_str(), "database");
    let d = decide(
        config.engine.email.rules(&cron),
        &mail(
            "Cron <root@db-01> /usr/local/bin/backup.sh",
            "pg_dump: error",
            "root@db-01",
        ),
    );
    assert!(
        matches!(d, Decision::Trigger { ref key, .. } if key == "/usr/local/bin/backup.sh"),
        "{d:?}"
    );
    assert!(config.engine.email.service_for_address("infra").is_some());
}

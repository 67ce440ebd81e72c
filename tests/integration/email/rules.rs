//! Each rule kind over SMTP: contains, exactly, regex, not, match_any, the incident key by regex
//! and by `between`, extracted fields, severity, the filter, and both fallbacks.

use firebell_tests::Backend;

use super::{DOMAIN, MailApp, config};

/// `web`: a filter on the sender, three rules, fallback discard. `db`: one rule, fallback trigger.
const RULES: &str = r#"
[services.web.email]
address = "web-alerts"
filter = { match = [{ part = "from", regex = "@(nagios|mon)\\.example\\.com$" }] }
fallback = "discard"

[[services.web.email.rules]]
action = "trigger"
match = [{ part = "subject", contains = "DOWN" }, { part = "subject", not = { contains = "[test]" } }]
incident_key = { part = "body", regex = "Host: (\\S+)" }
fields = { host = { part = "body", regex = "Host: (\\S+)" }, region = { part = "body", between = ["Region: ", ""] } }

[[services.web.email.rules]]
action = "resolve"
match = [{ part = "subject", exactly = "UP" }]
incident_key = { part = "body", between = ["Host: ", "\n"] }

[[services.web.email.rules]]
action = "trigger"
match_any = [{ part = "from", regex = "^pager@" }, { part = "body", contains = "CRITICAL" }]
severity = "critical"

[services.db.email]
fallback = "trigger"

[[services.db.email.rules]]
action = "trigger"
match = [{ part = "subject", contains = "never in a subject" }]
"#;

fn web() -> String {
    format!("web-alerts@{DOMAIN}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contains_and_not_trigger_with_a_regex_key_and_extracted_fields() {
    let app = MailApp::start(Backend::Sqlite, config("", RULES)).await;
    let said = app
        .send(
            "ops@mon.example.com",
            &web(),
            "web-01 DOWN",
            "Host: web-01\nRegion: eu-west\n",
        )
        .await;
    assert!(said.contains("web: triggered #1"), "{said}");

    let i = app.incident(1).await;
    assert_eq!(i["service"], "web");
    assert_eq!(
        i["dedup_key"], "web-01",
        "the key comes from the body by regex"
    );
    assert_eq!(i["title"], "web-01 DOWN");
    assert_eq!(i["severity"], "error", "the default email severity");
    assert_eq!(i["source"], "web-01", "an extracted host is the source");
    assert_eq!(i["details"]["custom_details"]["host"], "web-01");
    assert_eq!(
        i["details"]["custom_details"]["region"], "eu-west",
        "between to the end of the line"
    );
    assert_eq!(i["details"]["email"]["from"], "ops@mon.example.com");
    assert!(
        i["details"]["email"]["body"]
            .as_str()
            .unwrap()
            .contains("Region: eu-west")
    );

    let log = app.last().await;
    assert_eq!(log["outcome"], "triggered");
    assert_eq!(log["rule"], 1);
    assert_eq!(log["incident"], 1);
    assert_eq!(log["via"], "smtp");
    assert_eq!(log["recipient"], web());
    assert_eq!(log["from"], "ops@mon.example.com");

    // `not` vetoes rule 1; rules 2 and 3 do not match either: the fallback discards, on record.
    let said = app
        .send(
            "ops@mon.example.com",
            &web(),
            "web-01 DOWN [test]",
            "Host: web-01\n",
        )
        .await;
    assert!(said.contains("web: discarded"), "{said}");
    let log = app.last().await;
    assert_eq!(log["outcome"], "discarded");
    assert!(
        log["reason"].as_str().unwrap().starts_with("fallback"),
        "{log}"
    );
    assert_eq!(log["subject"], "web-01 DOWN [test]");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exactly_resolves_with_a_between_key_and_a_second_trigger_deduplicates() {
    let app = MailApp::start(Backend::Sqlite, config("", RULES)).await;
    app.send(
        "ops@mon.example.com",
        &web(),
        "web-01 DOWN",
        "Host: web-01\n",
    )
    .await;
    let said = app
        .send(
            "ops@mon.example.com",
            &web(),
            "web-01 DOWN",
            "Host: web-01\n",
        )
        .await;
    assert!(said.contains("web: deduplicated #1"), "{said}");
    assert_eq!(app.incident(1).await["alert_count"], 2);

    let said = app
        .send(
            "ops@mon.example.com",
            &web(),
            "UP",
            "Host: web-01\nall good\n",
        )
        .await;
    assert!(said.contains("web: resolved #1"), "{said}");
    let i = app.incident(1).await;
    assert_eq!(i["status"], "resolved");
    assert_eq!(i["resolved_via"], "email");
    assert_eq!(i["resolved_by"], "ops@mon.example.com");
    let log = app.last().await;
    assert_eq!(
        (log["outcome"].as_str(), log["rule"].as_i64()),
        (Some("resolved"), Some(2))
    );

    // `exactly` means the whole subject: "UP again" matches no rule.
    app.send("ops@mon.example.com", &web(), "UP again", "Host: web-01\n")
        .await;
    assert_eq!(app.last().await["outcome"], "discarded");
    // A resolve for a key with no open incident is dropped, and says so.
    app.send("ops@mon.example.com", &web(), "UP", "Host: web-02\n")
        .await;
    let log = app.last().await;
    assert_eq!(log["outcome"], "dropped");
    assert_eq!(log["dedup_key"], "web-02");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn match_any_on_a_regex_triggers_with_the_rule_severity() {
    let app = MailApp::start(Backend::Sqlite, config("", RULES)).await;
    app.send(
        "pager@nagios.example.com",
        &web(),
        "PROBLEM: queue backlog",
        "depth 10k",
    )
    .await;
    let i = app.incident(1).await;
    assert_eq!(i["severity"], "critical");
    assert_eq!(
        i["dedup_key"], "queue backlog",
        "no key rule: the subject's key"
    );
    assert_eq!(app.last().await["rule"], 3);

    app.send(
        "ops@mon.example.com",
        &web(),
        "disk",
        "state CRITICAL on db",
    )
    .await;
    assert_eq!(app.last().await["rule"], 3, "the other branch of match_any");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_filter_discards_mail_from_elsewhere_before_any_rule() {
    let app = MailApp::start(Backend::Sqlite, config("", RULES)).await;
    let said = app
        .send(
            "someone@elsewhere.test",
            &web(),
            "web-01 DOWN",
            "Host: web-01\n",
        )
        .await;
    assert!(said.contains("web: discarded"), "{said}");
    let log = app.last().await;
    assert_eq!(log["outcome"], "discarded");
    assert!(
        log["reason"].as_str().unwrap().starts_with("filter"),
        "{log}"
    );
    let (_, list) = app.api("/api/v1/incidents").await;
    assert_eq!(
        list["incidents"].as_array().unwrap().len(),
        0,
        "no incident"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_trigger_fallback_behaves_like_a_service_without_rules() {
    let app = MailApp::start(Backend::Sqlite, config("", RULES)).await;
    let db = format!("DB+nightly@{}", DOMAIN.to_uppercase());
    let said = app
        .send("cron@db-01", &db, "PROBLEM: replication lag", "lag 40s")
        .await;
    assert!(said.contains("db: triggered #1"), "{said}");
    let log = app.last().await;
    assert_eq!(log["rule"], serde_json::Value::Null);
    assert!(
        log["reason"].as_str().unwrap().contains("fallback"),
        "{log}"
    );
    app.send("cron@db-01", &db, "OK: replication lag", "lag 0s")
        .await;
    assert_eq!(app.incident(1).await["status"], "resolved");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_mail_to_two_services_is_applied_to_each() {
    use lettre::AsyncTransport;
    use lettre::message::Message;
    let app = MailApp::start(Backend::Sqlite, config("", RULES)).await;
    let msg = Message::builder()
        .from("ops@mon.example.com".parse().unwrap())
        .to(web().parse().unwrap())
        .to(format!("db@{DOMAIN}").parse().unwrap())
        .to(format!("Web-Alerts@{DOMAIN}").parse().unwrap())
        .subject("web-01 DOWN")
        .body("Host: web-01\n".to_owned())
        .unwrap();
    let reply = app.mailer().send(msg).await.expect("accepted");
    let text = reply.message().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains("web: triggered #") && text.contains("db: triggered #"),
        "{text}"
    );
    assert_eq!(
        app.log(10).await.len(),
        2,
        "one entry per service, not per recipient"
    );
    app.stop().await;
}

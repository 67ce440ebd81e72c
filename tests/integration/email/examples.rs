//! The README's three worked examples, mailed the way the real tools mail them: Nagios'
//! PROBLEM/RECOVERY notifications, a cron `MAILTO` failure mail, and Zabbix-style subjects.

use firebell_tests::Backend;

use super::{DOMAIN, MailApp, Raw, config};

/// The README's "Email integration" worked examples, as written there (its `database` service is
/// the test config's `db`).
fn examples() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md");
    let section = readme
        .split_once("## Email integration")
        .expect("README has the Email integration section")
        .1;
    let block = section
        .split("```toml\n")
        .find(|b| b.starts_with("# Nagios"))
        .expect("the worked examples' toml block");
    let block = block.split_once("```").expect("a closed block").0;
    block.replace("services.database.email", "services.db.email")
}

fn nagios(kind: &str, state: &str, info: &str) -> Vec<u8> {
    format!(
        "From: Nagios <nagios@mon.example.com>\n\
         To: nagios@{DOMAIN}\n\
         Subject: ** {kind} Service Alert: web-01/HTTP is {state} **\n\
         Date: Sat, 21 Nov 2026 03:00:00 +0000\n\
         \n\
         ***** Nagios *****\n\
         \n\
         Notification Type: {kind}\n\
         \n\
         Service: HTTP\n\
         Host: web-01\n\
         Address: 10.0.0.5\n\
         State: {state}\n\
         \n\
         Date/Time: Sat Nov 21 03:00:00 UTC 2026\n\
         \n\
         Additional Info:\n\
         \n\
         {info}\n"
    )
    .into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nagios_problem_then_recovery_resolve_the_same_incident() {
    let app = MailApp::start(Backend::Sqlite, config("", &examples())).await;
    let to = format!("nagios@{DOMAIN}");
    let mut smtp = Raw::hello(app.smtp).await;
    let r = smtp
        .mail(
            "nagios@mon.example.com",
            &to,
            &nagios(
                "PROBLEM",
                "CRITICAL",
                "connect to address 10.0.0.5 and port 80: Connection refused",
            ),
        )
        .await;
    assert!(
        r.starts_with("250 2.0.0") && r.contains("web: triggered #1"),
        "{r}"
    );
    let i = app.incident(1).await;
    assert_eq!(i["dedup_key"], "web-01/HTTP");
    assert_eq!(
        i["title"],
        "** PROBLEM Service Alert: web-01/HTTP is CRITICAL **"
    );
    assert_eq!(i["details"]["custom_details"]["state"], "CRITICAL");
    assert_eq!(i["source"], "web-01");

    // An ACKNOWLEDGEMENT notification matches no rule: discarded, on record.
    let r = smtp
        .mail(
            "nagios@mon.example.com",
            &to,
            &nagios("ACKNOWLEDGEMENT", "CRITICAL", "ack by alice"),
        )
        .await;
    assert!(r.contains("web: discarded"), "{r}");

    let r = smtp
        .mail(
            "nagios@mon.example.com",
            &to,
            &nagios("RECOVERY", "OK", "HTTP OK: HTTP/1.1 200 OK"),
        )
        .await;
    assert!(r.contains("web: resolved #1"), "{r}");
    assert_eq!(app.incident(1).await["status"], "resolved");
    assert_eq!(smtp.cmd("QUIT").await, "221 2.0.0 bye");

    let outcomes: Vec<String> = app
        .log(3)
        .await
        .iter()
        .map(|m| m["outcome"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(outcomes, ["resolved", "discarded", "triggered"]);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cron_mailto_failure_opens_one_incident_per_job() {
    let app = MailApp::start(Backend::Sqlite, config("", &examples())).await;
    let mail = |output: &str| {
        format!(
            "From: root@db-01 (Cron Daemon)\n\
             To: cron@{DOMAIN}\n\
             Subject: Cron <root@db-01> /usr/local/bin/backup.sh\n\
             MIME-Version: 1.0\n\
             Content-Type: text/plain; charset=UTF-8\n\
             Content-Transfer-Encoding: 8bit\n\
             X-Cron-Env: <SHELL=/bin/sh>\n\
             X-Cron-Env: <HOME=/root>\n\
             \n\
             {output}\n"
        )
        .into_bytes()
    };
    let to = format!("cron@{DOMAIN}");
    let mut smtp = Raw::hello(app.smtp).await;
    let r = smtp
        .mail(
            "root@db-01",
            &to,
            &mail("pg_dump: error: connection to server failed: Connection refused"),
        )
        .await;
    assert!(r.contains("db: triggered #1"), "{r}");
    let i = app.incident(1).await;
    assert_eq!(i["service"], "db");
    assert_eq!(i["dedup_key"], "/usr/local/bin/backup.sh");
    assert_eq!(i["source"], "db-01");
    assert_eq!(i["details"]["email"]["from"], "root@db-01");
    assert!(
        i["details"]["email"]["body"]
            .as_str()
            .unwrap()
            .contains("pg_dump: error")
    );

    // The next night fails too: the same incident, one more alert.
    let r = smtp
        .mail("root@db-01", &to, &mail("pg_dump: error: disk full"))
        .await;
    assert!(r.contains("db: deduplicated #1"), "{r}");
    assert_eq!(app.incident(1).await["alert_count"], 2);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zabbix_problem_and_resolved_subjects_pair_up_without_rules() {
    let app = MailApp::start(Backend::Sqlite, config("", &examples())).await;
    let to = format!("infra@{DOMAIN}");
    let said = app
        .send(
            "Zabbix <zabbix@mon.example.com>",
            &to,
            "Problem: Disk space is low on db-01",
            "Trigger: Disk space is low\nSeverity: High\n",
        )
        .await;
    assert!(said.contains("infra: triggered #1"), "{said}");
    assert_eq!(
        app.incident(1).await["dedup_key"],
        "disk space is low on db-01"
    );
    let said = app
        .send(
            "Zabbix <zabbix@mon.example.com>",
            &to,
            "Resolved in 12m 3s: Disk space is low on db-01",
            "Recovered\n",
        )
        .await;
    assert!(said.contains("infra: resolved #1"), "{said}");
    let log = app.last().await;
    assert_eq!(
        log["reason"],
        "no rules: one incident per subject; resolved #1"
    );
    app.stop().await;
}

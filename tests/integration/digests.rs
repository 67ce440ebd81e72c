//! Scheduled report digests (`[[reports]]`): posted to their room once per cron occurrence,
//! across a restart, with the summary of the period that ends at the occurrence.

use chrono::Duration;
use firebell::Loaded;
use firebell_tests::fixtures::config_toml;
use firebell_tests::{Backend, TestApp};

use crate::ingest_flow::trigger;

fn config() -> Loaded {
    let toml = format!(
        "{}\n[[reports]]\nname = \"weekly\"\nschedule = \"0 9 * * Mon\"\ntimezone = \"Europe/Berlin\"\nroom = \"ops\"\nperiod = \"last-week\"\n",
        config_toml()
    );
    Loaded::parse(&toml, "digest-test.toml", &|_| None).expect("valid")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_weekly_digest_is_posted_once_per_occurrence_even_across_a_restart() {
    // t0 is Saturday 2026-11-21 03:00 UTC; Monday 09:00 in Berlin is 2026-11-23 08:00 UTC.
    let app = TestApp::spawn_with(Backend::Sqlite, config()).await;
    let (code, body) = app
        .post_json(
            "/v2/enqueue",
            &trigger(
                firebell_tests::fixtures::WEB_KEY,
                "disk",
                "Disk full on db-01",
            ),
        )
        .await;
    assert!(code.is_success(), "{body}");

    // Sunday: nothing yet.
    app.advance(Duration::hours(24));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!app.console_text().contains("Report `weekly`"), "too early");

    // Monday 08:00:30 UTC = 09:00:30 in Berlin: the digest goes to the room (the console here).
    let mark = app.console_mark();
    app.advance(Duration::hours(29) + Duration::seconds(30));
    let out = app.console_wait(mark, "Report `weekly`").await;
    assert!(out.contains("📊"), "{out}");

    // A restart moments later does not send it again.
    let app = app.restart().await;
    app.advance(Duration::minutes(1));
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(
        !app.console_text().contains("Report `weekly`"),
        "sent twice: {}",
        app.console_text()
    );

    // The next Monday's occurrence is sent, once.
    let mark = app.console_mark();
    app.advance(Duration::days(7));
    app.console_wait(mark, "Report `weekly`").await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(app.console_text().matches("Report `weekly`").count(), 1);
    app.stop().await;
}

#[test]
fn bad_report_schedules_rooms_and_periods_say_what_would_be_right() {
    let toml = format!(
        "{}\n[[reports]]\nschedule = \"every monday\"\nroom = \"managers\"\nperiod = \"fortnight\"\ntimezone = \"Mars/Olympus\"\n",
        config_toml()
    );
    let errs = Loaded::parse(&toml, "bad.toml", &|_| None)
        .expect_err("invalid")
        .0;
    let keys: Vec<&str> = errs.iter().map(|e| e.key.as_str()).collect();
    for key in [
        "reports[0].schedule",
        "reports[0].room",
        "reports[0].period",
        "reports[0].timezone",
    ] {
        assert!(keys.contains(&key), "{key}: {errs:#?}");
    }
    let all: String = errs
        .iter()
        .map(|e| e.message.clone())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(all.contains("0 9 * * Mon"), "{all}");
    assert!(all.contains("last-week"), "{all}");
}

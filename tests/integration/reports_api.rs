//! The manager summary over HTTP (`/api/v1/reports/summary` in json, csv, md and png) and in chat
//! (`!report`), on the real app with a manual clock.

use chrono::Duration;
use firebell_tests::fixtures::WEB_KEY;
use firebell_tests::{Backend, TestApp};
use reqwest::StatusCode;

use crate::ingest_flow::trigger;

/// An incident acknowledged after 4 minutes and resolved after 40, on 2026-11-21.
async fn history() -> TestApp {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let (code, body) = app
        .post_json(
            "/v2/enqueue",
            &trigger(WEB_KEY, "disk", "Disk full on db-01"),
        )
        .await;
    assert!(code.is_success(), "{body}");
    app.advance(Duration::minutes(4));
    let (code, body) = app.api_post("/api/v1/incidents/1/acknowledge", None).await;
    assert!(code.is_success(), "{body}");
    app.advance(Duration::minutes(36));
    let (code, body) = app.api_post("/api/v1/incidents/1/resolve", None).await;
    assert!(code.is_success(), "{body}");
    app
}

const RANGE: &str = "since=2026-11-20&until=2026-11-22";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_summary_comes_as_json_csv_markdown_and_a_png_chart() {
    let app = history().await;

    let (code, json) = app
        .api_get(&format!("/api/v1/reports/summary?{RANGE}"))
        .await;
    assert_eq!(code, StatusCode::OK, "{json}");
    let text = json.to_string();
    assert!(
        text.contains("current") && text.contains("previous"),
        "{text}"
    );

    let (code, kind, csv) = app
        .api_get_raw(&format!("/api/v1/reports/summary?{RANGE}&format=csv"))
        .await;
    assert_eq!(code, StatusCode::OK);
    assert!(kind.starts_with("text/csv"), "{kind}");
    let csv = String::from_utf8(csv).expect("utf-8");
    assert!(csv.lines().count() > 5, "{csv}");

    let (code, kind, md) = app
        .api_get_raw(&format!("/api/v1/reports/summary?{RANGE}&format=md"))
        .await;
    assert_eq!(code, StatusCode::OK);
    assert!(kind.starts_with("text/markdown"), "{kind}");
    let md = String::from_utf8(md).expect("utf-8");
    assert!(md.contains("MTTA") && md.contains("MTTR"), "{md}");

    let (code, kind, png) = app
        .api_get_raw(&format!("/api/v1/reports/summary?{RANGE}&format=png"))
        .await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(kind, "image/png");
    assert_eq!(
        crate::chat_files::png_size(&png),
        (1000, 600),
        "decodes, 1000×600"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_report_requests_say_what_would_be_right() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    for (query, status, needle) in [
        (
            "format=xml",
            StatusCode::BAD_REQUEST,
            "json, csv, md or png",
        ),
        ("since=yesterday", StatusCode::BAD_REQUEST, "RFC 3339"),
        (
            "since=2026-11-22&until=2026-11-20",
            StatusCode::UNPROCESSABLE_ENTITY,
            "before",
        ),
        (
            "since=2020-01-01&until=2026-11-20",
            StatusCode::UNPROCESSABLE_ENTITY,
            "at most",
        ),
        ("service=nope", StatusCode::UNPROCESSABLE_ENTITY, "web"),
    ] {
        let (code, body) = app
            .api_get(&format!("/api/v1/reports/summary?{query}"))
            .await;
        assert_eq!(code, status, "{query}: {body}");
        assert!(
            body["message"]
                .as_str()
                .unwrap_or_default()
                .contains(needle),
            "{query}: {body}"
        );
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_in_chat_shows_the_figures_and_mistakes_get_help() {
    let mut app = history().await;
    let mark = app.console_mark();
    app.type_line("report week").await;
    let out = app.console_wait(mark, "MTTA").await;
    assert!(out.contains("MTTR"), "{out}");

    let mark = app.console_mark();
    app.type_line("report week nosuch").await;
    let out = app.console_wait(mark, "neither a service nor a team").await;
    assert!(out.contains("web"), "{out}");
    app.stop().await;
}

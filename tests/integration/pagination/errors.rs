//! Cursors and limits the API cannot use: a 400 in the API's error shape that says what was wrong
//! and to start again without `cursor` — never a 500, never a silently wrong page.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use firebell_tests::fixtures::{DB_KEY, WEB_KEY};
use firebell_tests::{TestApp, backends};
use reqwest::StatusCode;
use serde_json::Value;

use super::{config, get};
use crate::ingest_flow::trigger;

/// The seven lists, with the key of their rows.
const LISTS: [(&str, &str); 7] = [
    ("/api/v1/incidents", "incidents"),
    ("/api/v1/alerts", "alerts"),
    ("/api/v1/changes", "changes"),
    ("/api/v1/email/log", "mails"),
    ("/api/v1/maintenance", "windows"),
    ("/api/v1/overrides", "overrides"),
    ("/api/v1/heartbeats", "heartbeats"),
];

fn assert_bad(status: StatusCode, body: &Value, needles: &[&str], what: &str) {
    assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {body}");
    assert_eq!(body["error"], "bad_request", "{what}: {body}");
    let message = body["message"].as_str().unwrap_or_default();
    for needle in needles {
        assert!(
            message.contains(needle),
            "{what}: `{needle}` in {message:?}"
        );
    }
}

/// The `next_cursor` of the first page of `path` at limit 1 (there must be a second page).
async fn cursor(app: &TestApp, path: &str, filters: &[(&str, &str)]) -> String {
    let mut params = filters.to_vec();
    params.push(("limit", "1"));
    let (s, body) = get(app, path, &params).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body["next_cursor"]
        .as_str()
        .unwrap_or_else(|| panic!("{path} has a second page: {body}"))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_outside_1_to_1000_are_refused_on_every_list() {
    for backend in backends() {
        let app = TestApp::spawn_with(backend, config()).await;
        for (path, key) in LISTS {
            for bad in ["0", "1001", "abc", "-1", "2.5"] {
                let (s, body) = get(&app, path, &[("limit", bad)]).await;
                let expected = format!("limit `{bad}` must be a whole number from 1 to 1000");
                assert_bad(
                    s,
                    &body,
                    &[&expected],
                    &format!("{backend:?} {path} limit={bad}"),
                );
            }
            let (s, body) = get(&app, path, &[("limit", "1000")]).await;
            assert_eq!(s, StatusCode::OK, "{path}: {body}");
            assert!(body[key].is_array(), "{path}: {body}");
        }
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbled_forged_foreign_and_refiltered_cursors_are_refused() {
    for backend in backends() {
        let app = TestApp::spawn_with(backend, config()).await;
        for (i, key) in [WEB_KEY, DB_KEY, WEB_KEY, DB_KEY].into_iter().enumerate() {
            app.post_json("/v2/enqueue", &trigger(key, &format!("k{i}"), "problem"))
                .await;
        }
        let start_again = "without `cursor`";
        let good = cursor(&app, "/api/v1/incidents", &[]).await;
        let forged = [
            "not a cursor!".to_owned(),
            "AAAA".to_owned(),
            good[..good.len() - 3].to_owned(),
            format!("{good}x"),
            URL_SAFE_NO_PAD.encode(br#"{"v":1}"#),
            URL_SAFE_NO_PAD.encode(b"[1,2,3]"),
        ];
        for (path, _) in LISTS {
            for bad in &forged {
                let (s, body) = get(&app, path, &[("cursor", bad)]).await;
                let what = format!("{backend:?} {path} cursor={bad}");
                assert_bad(s, &body, &["cursor", start_again], &what);
            }
        }

        let alerts = cursor(&app, "/api/v1/alerts", &[]).await;
        let (s, body) = get(&app, "/api/v1/incidents", &[("cursor", &alerts)]).await;
        assert_bad(
            s,
            &body,
            &["/api/v1/alerts", start_again],
            "an alerts cursor on incidents",
        );
        let (s, body) = get(&app, "/api/v1/changes", &[("cursor", &good)]).await;
        assert_bad(
            s,
            &body,
            &["/api/v1/incidents", start_again],
            "an incidents cursor on changes",
        );

        let web = cursor(&app, "/api/v1/incidents", &[("service", "web")]).await;
        for changed in [
            vec![("service", "db")],
            vec![],
            vec![("service", "web"), ("status", "triggered")],
        ] {
            let mut params = changed.clone();
            params.push(("cursor", &web));
            let (s, body) = get(&app, "/api/v1/incidents", &params).await;
            let what = format!("{backend:?} a service=web cursor with {changed:?}");
            assert_bad(s, &body, &["filters", start_again], &what);
        }
        let same = [("service", "web"), ("cursor", web.as_str())];
        let (s, body) = get(&app, "/api/v1/incidents", &same).await;
        assert_eq!(s, StatusCode::OK, "the same filters go on: {body}");
        app.stop().await;
    }
}

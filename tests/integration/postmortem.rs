//! Postmortem drafts end to end: an incident is paged, acknowledged, noted and resolved from the
//! console, then its draft is read over the API and asked for in chat.

use chrono::Duration;
use firebell_tests::fixtures::{self, WEB_KEY};
use firebell_tests::{TestApp, backends};
use reqwest::StatusCode;
use serde_json::Value;

use crate::ingest_flow::trigger;

/// The standard app, with `web`'s ack timeout off: the ack at +4 min would otherwise re-trigger
/// the incident at +34, before the resolve at +40 this story needs.
async fn app(backend: firebell_tests::Backend) -> TestApp {
    let toml = fixtures::config_toml().replace(
        "[services.web]\n",
        "[services.web]\nack_timeout = \"off\"\n",
    );
    let config = firebell::Loaded::parse(&toml, "test.toml", &|_| None).expect("valid");
    TestApp::spawn_with(backend, config).await
}

/// `GET path` with the API token: status, content type, body text.
async fn get_text(app: &TestApp, path: &str) -> (StatusCode, String, String) {
    let (status, content_type, body) = app.api_get_raw(path).await;
    (
        status,
        content_type,
        String::from_utf8(body).expect("UTF-8"),
    )
}

/// The lines of section `heading`, up to the next `## `.
fn section<'a>(md: &'a str, heading: &str) -> Vec<&'a str> {
    md.lines()
        .skip_while(|l| *l != heading)
        .skip(1)
        .take_while(|l| !l.starts_with("## "))
        .collect()
}

async fn type_and_wait(app: &mut TestApp, line: &str, needle: &str) -> String {
    let mark = app.console_mark();
    app.type_line(line).await;
    app.console_wait(mark, needle).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resolved_incident_drafts_a_postmortem_with_its_times_timeline_and_action_items() {
    for backend in backends() {
        let mut app = app(backend).await;
        let (status, _) = app
            .post_json(
                "/v2/enqueue",
                &trigger(WEB_KEY, "disk/db-01", "Disk full on db-01"),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED);
        // Level 1 pages alice in chat; wait for it so the timeline's order is settled.
        let alice_paged = |i: &Value| {
            i["notifications"].as_array().is_some_and(|n| {
                n.iter()
                    .any(|d| d["method"] == "chat" && !d["delivered_at"].is_null())
            })
        };
        app.api_wait("/api/v1/incidents/1", alice_paged).await;

        app.advance(Duration::minutes(4));
        type_and_wait(&mut app, "ack 1", "acknowledged by alice (console)").await;
        app.advance(Duration::minutes(6));
        type_and_wait(&mut app, "!note 1 rotated /var/log, 12% free", "Noted on").await;
        type_and_wait(
            &mut app,
            "!note 1 action: add disk alert at 80%",
            "Noted on",
        )
        .await;
        app.advance(Duration::minutes(30));
        type_and_wait(
            &mut app,
            "resolve 1 grew the volume",
            "resolved by alice (console)",
        )
        .await;

        let (status, content_type, md) = get_text(&app, "/api/v1/incidents/1/postmortem.md").await;

        assert_eq!(status, StatusCode::OK, "{backend:?}: {md}");
        assert_eq!(content_type, "text/markdown; charset=utf-8");
        assert_eq!(
            md.lines().next(),
            Some("# Postmortem: #1 Disk full on db-01")
        );
        assert!(!md.contains("Still open"), "{md}");
        let response = section(&md, "## Detection, acknowledgement, resolution");
        for want in [
            "| First acknowledged | 2026-11-21 03:04:00 | Alice Adams (alice) via console | 4m |",
            "| Resolved | 2026-11-21 03:40:00 | Alice Adams (alice) via console | 40m |",
            "- **Time to acknowledge:** 4m",
            "- **Time to resolve:** 40m",
        ] {
            assert!(
                response.contains(&want),
                "{backend:?}: missing {want:?} in\n{md}"
            );
        }
        let rows: Vec<Vec<&str>> = section(&md, "## Timeline")
            .into_iter()
            .filter(|l| l.starts_with("| 2026"))
            .map(|l| l.trim_matches('|').split(" | ").map(str::trim).collect())
            .collect();
        let times: Vec<&str> = rows.iter().map(|r| r[0]).collect();
        assert!(
            times.windows(2).all(|w| w[0] <= w[1]),
            "in order: {times:?}"
        );
        let people: Vec<(&str, &str)> = rows
            .iter()
            .filter(|r| !["escalated", "paged"].contains(&r[1]))
            .map(|r| (r[0], r[1]))
            .collect();
        assert_eq!(
            people,
            [
                ("2026-11-21 03:00:00", "triggered"),
                ("2026-11-21 03:04:00", "acknowledged"),
                ("2026-11-21 03:10:00", "note"),
                ("2026-11-21 03:10:00", "action item"),
                ("2026-11-21 03:40:00", "resolved"),
            ],
            "{backend:?}: {md}"
        );
        assert_eq!(rows.last().map(|r| r[4]), Some("Resolved: grew the volume"));
        let items: Vec<&str> = section(&md, "## Action items")
            .into_iter()
            .filter(|l| l.starts_with("- [ ]"))
            .collect();
        assert_eq!(
            items,
            [
                "- [ ] add disk alert at 80% _(noted by Alice Adams (alice), 2026-11-21 03:10:00 UTC)_"
            ]
        );
        let paged = section(&md, "## Who was paged and how").join("\n");
        assert!(
            paged.contains("| Alice Adams (alice) | in chat | page, level 1 |"),
            "{paged}"
        );

        let out = type_and_wait(&mut app, "!postmortem 1", "postmortem.md").await;
        assert!(
            out.contains("✔ *#1* postmortem draft — Disk full on db-01"),
            "{out}"
        );
        assert!(
            out.contains("Acknowledged after 4m · resolved after 40m · 1 alert · 1 action item"),
            "{out}"
        );
        assert!(
            out.contains("`GET /api/v1/incidents/1/postmortem.md`"),
            "{out}"
        );
        assert!(out.contains("• add disk alert at 80%"), "{out}");
        // The console cannot show a file: it saves the draft and says where.
        let saved = out
            .lines()
            .find_map(|l| l.trim().strip_prefix("📎 saved: "))
            .unwrap_or_else(|| panic!("no saved path in {out}"));
        assert!(saved.ends_with("postmortem-1.md"), "{saved}");
        let file = std::fs::read_to_string(saved).expect("the saved draft");
        assert!(file.contains("## Timeline"), "{file}");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_incident_gets_the_draft_so_far_and_says_it_is_not_resolved() {
    for backend in backends() {
        let mut app = app(backend).await;
        app.post_json(
            "/v2/enqueue",
            &trigger(WEB_KEY, "cpu/web-01", "CPU at 100%"),
        )
        .await;
        app.advance(Duration::minutes(7));

        let out = type_and_wait(&mut app, "!postmortem 1", "postmortem.md").await;
        assert!(
            out.contains(
                "is not resolved yet (triggered) — CPU at 100%. Here is the draft so far."
            ),
            "{backend:?}: {out}"
        );
        assert!(out.contains("ask again once it is resolved"), "{out}");

        let (status, _, md) = get_text(&app, "/api/v1/incidents/1/postmortem.md").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            md.contains("> **Still open:** #1 is triggered, not resolved yet."),
            "{md}"
        );
        assert!(
            md.contains("- **Time to resolve:** not resolved yet (open for 7m so far)"),
            "{md}"
        );
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_postmortem_endpoint_answers_bad_numbers_and_unknown_incidents_in_json() {
    let mut app = app(firebell_tests::Backend::Sqlite).await;

    let (status, body) = app.api_get("/api/v1/incidents/9/postmortem.md").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"], "not_found");
    assert_eq!(body["message"], "there is no incident #9");

    let (status, body) = app.api_get("/api/v1/incidents/abc/postmortem.md").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"], "bad_request");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("`abc` is not an incident number")),
        "{body}"
    );

    let anonymous = app
        .client
        .get(format!("{}/api/v1/incidents/1/postmortem.md", app.base))
        .send()
        .await
        .expect("request");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    type_and_wait(&mut app, "!postmortem 9", "there is no incident #9").await;
    app.stop().await;
}

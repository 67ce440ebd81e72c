//! The PagerDuty REST API v2's incident endpoints at `/pagerduty/v2`, on every backend, the way
//! PagerDuty clients call them: `Authorization: Token token=…`, `From:` on writes, `statuses[]`
//! arrays, classic `limit/offset/more/total` pages, wrapped entities and references, and every
//! mistake answered in PagerDuty's error body with its code — never a 5xx.

use firebell_tests::fixtures::{API_TOKEN, DB_KEY, WEB_KEY};
use firebell_tests::{TestApp, backends};

use super::{config, pd};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::ingest_flow::trigger;

pub(super) async fn get(app: &TestApp, path: &str) -> Value {
    let (status, body) = pd(app, Method::GET, path, Some(API_TOKEN), None, None).await;
    assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
    body
}

pub(super) async fn put(
    app: &TestApp,
    path: &str,
    from: &str,
    body: &Value,
) -> (StatusCode, Value) {
    pd(
        app,
        Method::PUT,
        path,
        Some(API_TOKEN),
        Some(from),
        Some(body),
    )
    .await
}

/// PagerDuty's error body with `code`; never a 5xx.
pub(crate) fn assert_pd_error(
    status: StatusCode,
    body: &Value,
    want: StatusCode,
    code: u64,
    needle: &str,
) {
    assert_eq!(status, want, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(body["error"]["message"].is_string(), "{body}");
    let errors = body["error"]["errors"].to_string();
    assert!(errors.contains(needle), "`{needle}` not in {body}");
}

fn ids(body: &Value, key: &str) -> Vec<String> {
    body[key]
        .as_array()
        .unwrap_or_else(|| panic!("no `{key}` list in {body}"))
        .iter()
        .map(|i| i["id"].as_str().expect("string id").to_owned())
        .collect()
}

/// Three incidents: #1 web/disk, #2 web/cpu (acknowledged by bob), #3 db/conn (resolved).
async fn three(app: &TestApp) {
    for (key, dedup, summary) in [
        (WEB_KEY, "disk", "Disk full on web-01"),
        (WEB_KEY, "cpu", "CPU pegged on web-02"),
        (DB_KEY, "conn", "Too many connections"),
    ] {
        let (status, body) = app
            .post_json("/v2/enqueue", &trigger(key, dedup, summary))
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    }
    // The first level is paged by the timer worker just after the commit: wait for it, so that
    // `assignments` is there to be checked.
    app.api_wait("/pagerduty/v2/incidents/1", |b| {
        b["incident"]["assignments"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
    })
    .await;
    let ack = json!({"incident": {"type": "incident_reference", "status": "acknowledged"}});
    let (status, body) = put(app, "/incidents/2", "bob@example.com", &ack).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let resolve = json!({"incident": {"type": "incident_reference", "status": "resolved"}});
    let (status, body) = put(app, "/incidents/3", "alice@example.com", &resolve).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incidents_are_listed_and_shown_in_pagerduty_shapes_with_its_filters() {
    for backend in backends() {
        let app = TestApp::spawn_with(backend, config()).await;
        three(&app).await;

        let all = get(&app, "/incidents").await;
        assert_eq!(
            ids(&all, "incidents"),
            ["1", "2", "3"],
            "oldest first, as PagerDuty"
        );
        assert_eq!(
            (all["limit"].as_u64(), all["offset"].as_u64()),
            (Some(25), Some(0))
        );
        assert_eq!(all["more"], false);
        assert_eq!(all["total"], Value::Null, "counted only with total=true");
        let first = &all["incidents"][0];
        assert_eq!(first["type"], "incident");
        assert_eq!(first["summary"], "[#1] Disk full on web-01");
        assert_eq!(first["incident_number"], 1);
        assert_eq!(first["title"], "Disk full on web-01");
        assert_eq!(first["status"], "triggered");
        assert_eq!(first["incident_key"], "disk");
        assert_eq!(first["urgency"], "high");
        let self_url = first["self"].as_str().unwrap();
        assert!(
            self_url.ends_with("/pagerduty/v2/incidents/1"),
            "{self_url}"
        );
        assert_eq!(first["service"]["id"], "web");
        assert_eq!(first["service"]["type"], "service_reference");
        assert!(
            first["service"]["self"]
                .as_str()
                .unwrap()
                .ends_with("/pagerduty/v2/services/web")
        );
        assert_eq!(first["escalation_policy"]["id"], "default");
        assert_eq!(
            first["assignments"][0]["assignee"]["id"], "alice",
            "paged now: {first}"
        );
        let second = &all["incidents"][1];
        assert_eq!(second["status"], "acknowledged");
        assert_eq!(second["acknowledgements"][0]["acknowledger"]["id"], "bob");
        assert_eq!(second["last_status_change_by"]["type"], "user_reference");
        assert_eq!(
            all["incidents"][2]["assignments"],
            json!([]),
            "resolved: nobody paged"
        );

        let q = |p: &'static str| get(&app, p);
        assert_eq!(
            ids(
                &q("/incidents?statuses[]=triggered&statuses[]=acknowledged").await,
                "incidents"
            ),
            ["1", "2"]
        );
        assert_eq!(
            ids(&q("/incidents?statuses%5B%5D=resolved").await, "incidents"),
            ["3"],
            "URL-encoded brackets"
        );
        assert_eq!(
            ids(&q("/incidents?service_ids[]=db").await, "incidents"),
            ["3"]
        );
        assert_eq!(
            ids(&q("/incidents?incident_key=cpu").await, "incidents"),
            ["2"]
        );
        assert_eq!(
            ids(
                &q("/incidents?sort_by=incident_number:desc").await,
                "incidents"
            ),
            ["3", "2", "1"]
        );
        let page = q("/incidents?limit=1&offset=1&total=True").await;
        assert_eq!(ids(&page, "incidents"), ["2"]);
        assert_eq!(
            (page["more"].clone(), page["total"].clone()),
            (json!(true), json!(3))
        );
        let last = q("/incidents?limit=2&offset=2&total=true").await;
        assert_eq!(
            (ids(&last, "incidents"), last["more"].clone()),
            (vec!["3".to_owned()], json!(false))
        );
        assert_eq!(
            q("/incidents?limit=500").await["limit"],
            100,
            "cut to PagerDuty's largest page"
        );

        let one = get(&app, "/incidents/2").await;
        assert_eq!(one["incident"]["id"], "2", "wrapped: {one}");
        assert_eq!(one["incident"]["status"], "acknowledged");

        // PagerDuty's default window is the last 30 days; date_range=all lifts it.
        app.advance(chrono::Duration::days(31));
        assert_eq!(ids(&get(&app, "/incidents").await, "incidents").len(), 0);
        assert_eq!(
            ids(&get(&app, "/incidents?date_range=all").await, "incidents").len(),
            3
        );
        let since = (firebell_tests::t0() - chrono::Duration::hours(1)).to_rfc3339();
        let until = (firebell_tests::t0() + chrono::Duration::hours(1)).to_rfc3339();
        let path = format!(
            "/incidents?since={}&until={}",
            urlencode(&since),
            urlencode(&until)
        );
        let (status, body) = pd(&app, Method::GET, &path, Some(API_TOKEN), None, None).await;
        assert_eq!(
            (status, ids(&body, "incidents").len()),
            (StatusCode::OK, 3),
            "{body}"
        );
        app.stop().await;
    }
}

fn urlencode(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incidents_are_acknowledged_and_resolved_in_bulk_as_the_from_user() {
    for backend in backends() {
        let app = TestApp::spawn_with(backend, config()).await;
        for k in ["a", "b", "c"] {
            app.post_json("/v2/enqueue", &trigger(WEB_KEY, k, &format!("problem {k}")))
                .await;
        }
        let ack = json!({"incidents": [
            {"id": "1", "type": "incident_reference", "status": "acknowledged"},
            {"id": "2", "type": "incident_reference", "status": "acknowledged"},
        ]});
        let (status, body) = put(&app, "/incidents", "ALICE@example.com", &ack).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(ids(&body, "incidents"), ["1", "2"]);
        for i in body["incidents"].as_array().unwrap() {
            assert_eq!(i["status"], "acknowledged");
            assert_eq!(
                i["acknowledgements"][0]["acknowledger"]["id"], "alice",
                "From: names the actor, any case"
            );
        }
        let v1 = app.api_get("/api/v1/incidents/1").await.1;
        assert_eq!(v1["incident"]["acknowledged_by"], "alice");
        assert_eq!(v1["incident"]["acknowledged_via"], "api");

        // Acknowledging again changes nothing and succeeds, as PagerDuty.
        let (status, body) = put(&app, "/incidents", "bob@example.com", &ack).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            body["incidents"][0]["acknowledgements"][0]["acknowledger"]["id"],
            "alice"
        );

        // A resolve by number (PagerDuty clients may send it as a number).
        let resolve = json!({"incidents": [{"id": 1, "type": "incident", "status": "resolved"}, {"id": "3", "type": "incident_reference", "status": "resolved"}]});
        let (status, body) = put(&app, "/incidents", "bob@example.com", &resolve).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["incidents"][1]["status"], "resolved");
        assert_eq!(body["incidents"][1]["last_status_change_by"]["id"], "bob");

        // Anything on a resolved incident is PagerDuty's 1001.
        let again = json!({"incident": {"type": "incident_reference", "status": "acknowledged"}});
        let (status, body) = put(&app, "/incidents/3", "bob@example.com", &again).await;
        assert_pd_error(
            status,
            &body,
            StatusCode::BAD_REQUEST,
            1001,
            "already resolved",
        );

        // One bad entry in a bulk change changes nothing.
        let mixed = json!({"incidents": [
            {"id": "2", "type": "incident_reference", "status": "resolved"},
            {"id": "2", "type": "incident_reference", "status": "snoozed"},
        ]});
        let (status, body) = put(&app, "/incidents", "bob@example.com", &mixed).await;
        assert_pd_error(
            status,
            &body,
            StatusCode::BAD_REQUEST,
            2001,
            "incidents[1].status",
        );
        assert_eq!(
            get(&app, "/incidents/2").await["incident"]["status"],
            "acknowledged"
        );
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notes_log_entries_and_alerts_of_an_incident() {
    for backend in backends() {
        let app = TestApp::spawn_with(backend, config()).await;
        for _ in 0..2 {
            app.post_json(
                "/v2/enqueue",
                &trigger(WEB_KEY, "disk", "Disk full on web-01"),
            )
            .await;
        }
        let note = json!({"note": {"content": "Looking into it"}});
        let (status, body) = pd(
            &app,
            Method::POST,
            "/incidents/1/notes",
            Some(API_TOKEN),
            Some("alice@example.com"),
            Some(&note),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["note"]["content"], "Looking into it");
        assert_eq!(body["note"]["user"]["id"], "alice");
        assert_eq!(body["note"]["user"]["type"], "user_reference");
        assert!(body["note"]["id"].is_string());

        let notes = get(&app, "/incidents/1/notes").await;
        assert_eq!(notes["notes"].as_array().unwrap().len(), 1, "{notes}");
        assert_eq!(notes["notes"][0]["content"], "Looking into it");

        let log = get(&app, "/incidents/1/log_entries?total=true").await;
        let types: Vec<&str> = log["log_entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["type"].as_str().unwrap())
            .collect();
        assert_eq!(types.first(), Some(&"trigger_log_entry"), "{types:?}");
        assert!(types.contains(&"annotate_log_entry"), "{types:?}");
        assert_eq!(log["total"].as_u64(), Some(types.len() as u64));
        let entry = &log["log_entries"][0];
        assert_eq!(entry["incident"]["id"], "1");
        assert_eq!(entry["incident"]["type"], "incident_reference");
        assert_eq!(entry["service"]["id"], "web");
        assert!(entry["created_at"].is_string());
        let paged = get(&app, "/incidents/1/log_entries?limit=1&offset=1").await;
        assert_eq!(paged["log_entries"][0]["id"], log["log_entries"][1]["id"]);
        assert_eq!(paged["more"], types.len() > 2);

        let alerts = get(&app, "/incidents/1/alerts").await;
        let list = alerts["alerts"].as_array().unwrap();
        assert_eq!(
            list.len(),
            2,
            "both triggers are alerts of the incident: {alerts}"
        );
        assert_eq!(list[0]["type"], "alert");
        assert_eq!(list[0]["alert_key"], "disk");
        assert_eq!(list[0]["status"], "triggered");
        assert_eq!(list[0]["summary"], "Disk full on web-01");
        assert_eq!(
            list[0]["body"]["details"]["payload"]["custom_details"]["free"],
            "0%"
        );
        assert_eq!(
            ids(
                &get(&app, "/incidents/1/alerts?statuses[]=resolved").await,
                "alerts"
            )
            .len(),
            0
        );
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offset_pages_oldest_first_neither_skip_nor_repeat_while_incidents_arrive() {
    for backend in backends() {
        let app = TestApp::spawn_with(backend, config()).await;
        let before: Vec<Value> = (0..60)
            .map(|k| trigger(WEB_KEY, &format!("k{k}"), "storm"))
            .collect();
        for e in &before {
            app.post_json("/v2/enqueue", e).await;
        }
        let writer = {
            let (client, base) = (app.client.clone(), app.base.clone());
            tokio::spawn(async move {
                for k in 0..40 {
                    let e = trigger(WEB_KEY, &format!("late{k}"), "late");
                    client
                        .post(format!("{base}/v2/enqueue"))
                        .json(&e)
                        .send()
                        .await
                        .unwrap();
                }
            })
        };
        let mut seen = Vec::new();
        let mut offset = 0;
        loop {
            let page = get(
                &app,
                &format!("/incidents?date_range=all&limit=7&offset={offset}"),
            )
            .await;
            let got = ids(&page, "incidents");
            offset += got.len();
            seen.extend(got);
            if page["more"] == false {
                break;
            }
        }
        writer.await.unwrap();
        let numbers: Vec<i64> = seen.iter().map(|s| s.parse().unwrap()).collect();
        let mut sorted = numbers.clone();
        sorted.dedup();
        assert_eq!(sorted.len(), numbers.len(), "no repeats");
        assert!(numbers.windows(2).all(|w| w[0] < w[1]), "oldest first");
        assert_eq!(
            &numbers[..60],
            &(1..=60).collect::<Vec<_>>()[..],
            "every incident that was there, none skipped"
        );
        app.stop().await;
    }
}

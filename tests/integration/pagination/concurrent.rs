//! A storm: 2,500 incidents, walked at limit 1000 and at limit 37 while new incidents keep
//! arriving between pages. Keyset pages never skip a row that was there when the walk began and
//! never show one twice.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use firebell_tests::{TestApp, backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{STORM_KEY, config, get_on, ids, rows_of};
use crate::ingest_flow::trigger;

const BEFORE: usize = 2_500;
const BATCH: usize = 250;

/// Alertmanager payload of `BATCH` firing alerts, fingerprints `pre-{from}`…: one incident each.
fn storm(from: usize) -> Value {
    let alerts: Vec<Value> = (from..from + BATCH)
        .map(|i| {
            json!({"status": "firing", "fingerprint": format!("pre-{i}"),
                   "labels": {"alertname": "Storm", "instance": format!("web-{i}")},
                   "annotations": {"summary": format!("storm {i}")}})
        })
        .collect();
    json!({"version": "4", "status": "firing", "alerts": alerts})
}

async fn create_storm(app: &TestApp) {
    let posts = (0..BEFORE / BATCH).map(|b| {
        let (client, base) = (app.client.clone(), app.base.clone());
        tokio::spawn(async move {
            let resp = client
                .post(format!("{base}/integrations/alertmanager/{STORM_KEY}"))
                .json(&storm(b * BATCH))
                .send()
                .await
                .expect("request");
            assert_eq!(resp.status(), StatusCode::OK, "{:?}", resp.text().await);
        })
    });
    for p in posts.collect::<Vec<_>>() {
        p.await.expect("storm batch");
    }
}

/// New incidents one after another until `stop`; `made` counts the ones committed.
fn keep_inserting(
    app: &TestApp,
    stop: Arc<AtomicBool>,
    made: Arc<AtomicUsize>,
) -> tokio::task::JoinHandle<()> {
    let (client, base) = (app.client.clone(), app.base.clone());
    tokio::spawn(async move {
        let mut i = 0;
        while !stop.load(Ordering::SeqCst) {
            let body = trigger(STORM_KEY, &format!("live-{i}"), "arrived during the walk");
            let resp = client
                .post(format!("{base}/v2/enqueue"))
                .json(&body)
                .send()
                .await
                .expect("request");
            assert_eq!(resp.status(), StatusCode::ACCEPTED);
            made.fetch_add(1, Ordering::SeqCst);
            i += 1;
        }
    })
}

/// Every incident served by a walk at `limit`, waiting after each page until at least one more
/// incident has been committed, so every page boundary sees new rows.
async fn walk_during_inserts(app: &TestApp, limit: usize, made: &AtomicUsize) -> Vec<Value> {
    let limit_text = limit.to_string();
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let seen = made.load(Ordering::SeqCst);
        let mut params = vec![("limit", limit_text.as_str())];
        if let Some(c) = &cursor {
            params.push(("cursor", c));
        }
        let (s, body) = get_on(&app.client, &app.base, "/api/v1/incidents", &params).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let (rows, next) = rows_of(&body, "incidents", limit);
        all.extend(rows);
        let Some(next) = next else { return all };
        cursor = Some(next);
        let deadline = Instant::now() + Duration::from_secs(10);
        while made.load(Ordering::SeqCst) == seen {
            assert!(Instant::now() < deadline, "the inserter stalled");
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
}

fn assert_complete(rows: &[Value], limit: usize) {
    let numbers = ids(rows, "number");
    assert!(
        numbers.windows(2).all(|w| w[0] > w[1]),
        "limit {limit}: newest first with no duplicate"
    );
    let pre: HashSet<&str> = rows
        .iter()
        .filter_map(|r| r["dedup_key"].as_str())
        .filter(|k| k.starts_with("pre-"))
        .collect();
    assert_eq!(
        pre.len(),
        BEFORE,
        "limit {limit}: every incident there before the walk, once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn walking_a_storm_while_incidents_arrive_skips_and_repeats_nothing() {
    for backend in backends() {
        let app = TestApp::spawn_with(backend, config()).await;
        create_storm(&app).await;
        let stop = Arc::new(AtomicBool::new(false));
        let made = Arc::new(AtomicUsize::new(0));
        let inserter = keep_inserting(&app, stop.clone(), made.clone());
        for limit in [1000, 37] {
            let before = made.load(Ordering::SeqCst);
            let rows = walk_during_inserts(&app, limit, &made).await;
            assert_complete(&rows, limit);
            let pages = rows.len().div_ceil(limit);
            assert!(
                made.load(Ordering::SeqCst) - before >= pages - 1,
                "{backend:?}: new incidents arrived between every two pages"
            );
        }
        stop.store(true, Ordering::SeqCst);
        inserter.await.expect("inserter");
        app.stop().await;
    }
}

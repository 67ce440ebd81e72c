//! The key check: the imported "Web Primary" schedule (a daily rotation handing off at 12:00
//! under weekday 09:00-17:00 restrictions, over an evening layer, in America/New_York) gives the
//! same on-call answers in firebell as PagerDuty's own `final_schedule` for two weeks around the
//! 2026-03-08 DST change. The expected entries are computed by hand from PagerDuty's documented
//! semantics: tests/fixtures/pagerduty/import/README.md.

use chrono::{DateTime, Duration, Utc};
use firebell::Loaded;
use firebell_tests::fixtures::API_TOKEN;
use firebell_tests::{TestApp, backends};
use serde_json::Value;

use super::fake::fixture;
use super::imported_toml;

/// PD user id → the firebell id the import gives them.
fn firebell_id(pd: &str) -> &'static str {
    match pd {
        "PAL1CE1" => "alice-adams",
        "PB0B002" => "bob-brown",
        "PCAR003" => "carol-chen",
        "PDAV004" => "dave-diaz",
        other => panic!("unexpected PD user {other}"),
    }
}

/// PagerDuty's rendered entries: (start, end, firebell user id).
fn pd_entries() -> Vec<(DateTime<Utc>, DateTime<Utc>, &'static str)> {
    let detail = fixture("schedule.PWEB001.json");
    let entries = detail["schedule"]["final_schedule"]["rendered_schedule_entries"]
        .as_array()
        .expect("entries")
        .clone();
    entries
        .iter()
        .map(|e: &Value| {
            let t = |k: &str| {
                DateTime::parse_from_rfc3339(e[k].as_str().expect("time"))
                    .expect("RFC 3339")
                    .to_utc()
            };
            (
                t("start"),
                t("end"),
                firebell_id(e["user"]["id"].as_str().expect("id")),
            )
        })
        .collect()
}

/// Who firebell says is on call for `web-primary` at `t`.
async fn firebell_at(app: &TestApp, t: DateTime<Utc>) -> Option<String> {
    app.clock.set(t);
    let (status, body) = app.api_get("/api/v1/oncall?schedule=web-primary").await;
    assert!(status.is_success(), "{body}");
    body["oncall"][0]["user"]["id"].as_str().map(str::to_owned)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_imported_schedule_matches_pagerdutys_final_schedule_across_the_dst_change() {
    let (text, _) = imported_toml("dst").await;
    let entries = pd_entries();
    assert_eq!(entries.len(), 33);
    let window_start = DateTime::parse_from_rfc3339("2026-03-02T00:00:00-05:00")
        .expect("valid")
        .to_utc();
    let window_end = DateTime::parse_from_rfc3339("2026-03-16T00:00:00-04:00")
        .expect("valid")
        .to_utc();
    for backend in backends() {
        // The import writes no API token; the harness asks with its own.
        let with_api =
            format!("{text}\n[api]\ntokens = [{{ name = \"ci\", token = \"{API_TOKEN}\" }}]\n");
        let config = Loaded::parse(&with_api, "imported.toml", &|_| None).expect("valid import");
        let app = TestApp::spawn_with(backend, config).await;
        let mut mismatches = Vec::new();
        // Inside every entry: its start, middle and last second.
        for (start, end, who) in &entries {
            for t in [
                *start,
                *start + (*end - *start) / 2,
                *end - Duration::seconds(1),
            ] {
                let got = firebell_at(&app, t).await;
                if got.as_deref() != Some(*who) {
                    mismatches.push(format!("{t}: PagerDuty {who}, firebell {got:?}"));
                }
            }
        }
        // In every gap between entries: nobody, as in PagerDuty.
        let mut edges = vec![window_start];
        for (start, end, _) in &entries {
            edges.extend([*start, *end]);
        }
        edges.push(window_end);
        for gap in edges.chunks(2) {
            let (from, to) = (gap[0], gap[1]);
            if from >= to {
                continue;
            }
            for t in [from, from + (to - from) / 2, to - Duration::seconds(1)] {
                let got = firebell_at(&app, t).await;
                if got.is_some() {
                    mismatches.push(format!("{t}: PagerDuty nobody, firebell {got:?}"));
                }
            }
        }
        assert!(
            mismatches.is_empty(),
            "firebell disagrees with PagerDuty at {} instants:\n{}",
            mismatches.len(),
            mismatches.join("\n")
        );
        app.stop().await;
    }
}

//! Schedules with their layers and rendered final schedule, overrides, and on-calls over the
//! PagerDuty REST API; the rendered schedule must say what `!oncall` (`/api/v1/oncall`) says.

use chrono::{DateTime, Duration, Utc};
use firebell_engine::Clock;
use firebell_tests::{TestApp, backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{FROM, assert_error, assert_ref, get, ids, ok, spawn, walk, write};

/// The entry of `entries` covering `t`, as its user's id (None: nobody).
fn user_at(entries: &Value, t: DateTime<Utc>) -> Option<String> {
    entries.as_array().expect("entries").iter().find_map(|e| {
        let start = DateTime::parse_from_rfc3339(e["start"].as_str()?).ok()?;
        let end = DateTime::parse_from_rfc3339(e["end"].as_str()?).ok()?;
        (start <= t && t < end).then(|| e["user"]["id"].as_str().map(str::to_owned))?
    })
}

/// `(start, end, user)` of each rendered entry.
fn spans(entries: &Value) -> Vec<(String, String, String)> {
    entries
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            (
                e["start"].as_str().expect("start").to_owned(),
                e["end"].as_str().expect("end").to_owned(),
                e["user"]["id"].as_str().expect("user").to_owned(),
            )
        })
        .collect()
}

fn span(start: &str, end: &str, user: &str) -> (String, String, String) {
    (start.into(), end.into(), user.into())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schedules_are_listed_and_shown_with_layers_and_the_final_schedule() {
    for backend in backends() {
        let app = spawn(backend).await;

        let body = ok(&app, "/schedules").await;

        assert_eq!(ids(&body["schedules"]), ["nights", "primary"]);
        let primary = &body["schedules"][1];
        assert_eq!(primary["type"], "schedule", "{primary}");
        assert_eq!(primary["name"], "primary", "{primary}");
        assert_eq!(primary["time_zone"], "UTC", "{primary}");
        assert_eq!(ids(&primary["users"]), ["alice", "bob"]);
        assert_ref(&primary["users"][0], "user", "users", "alice");
        assert_eq!(ids(&primary["escalation_policies"]), ["follow"]);
        assert_ref(
            &primary["escalation_policies"][0],
            "escalation_policy",
            "escalation_policies",
            "follow",
        );
        assert_eq!(walk(&app, "/schedules", "schedules").await.len(), 2);
        let q = ok(&app, "/schedules?query=nig").await;
        assert_eq!(ids(&q["schedules"]), ["nights"]);

        let window = "since=2026-11-21T00:00:00Z&until=2026-12-01T00:00:00Z";
        let one = ok(&app, &format!("/schedules/primary?{window}")).await;
        let s = &one["schedule"];
        let layer = &s["schedule_layers"][0];
        assert_eq!(layer["rotation_turn_length_seconds"], 604800, "{layer}");
        assert_eq!(layer["rotation_virtual_start"], "2026-11-16T09:00:00Z");
        assert_eq!(layer["start"], "2026-11-16T09:00:00Z");
        assert_ref(&layer["users"][0]["user"], "user", "users", "alice");
        assert_ref(&layer["users"][1]["user"], "user", "users", "bob");
        assert_eq!(layer["restrictions"], json!([]));
        let want = vec![
            span("2026-11-21T00:00:00Z", "2026-11-23T09:00:00Z", "alice"),
            span("2026-11-23T09:00:00Z", "2026-11-30T09:00:00Z", "bob"),
            span("2026-11-30T09:00:00Z", "2026-12-01T00:00:00Z", "alice"),
        ];
        assert_eq!(
            spans(&s["final_schedule"]["rendered_schedule_entries"]),
            want
        );
        assert_ref(
            &s["final_schedule"]["rendered_schedule_entries"][0]["user"],
            "user",
            "users",
            "alice",
        );
        assert_eq!(
            s["overrides_subschedule"]["rendered_schedule_entries"],
            json!([])
        );

        let berlin = ok(
            &app,
            &format!("/schedules/primary?{window}&time_zone=Europe/Berlin"),
        )
        .await;
        let first = &berlin["schedule"]["final_schedule"]["rendered_schedule_entries"][0];
        assert_eq!(first["start"], "2026-11-21T01:00:00+01:00", "{first}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schedule_shows_its_restrictions_and_refuses_a_bad_window() {
    for backend in backends() {
        let app = spawn(backend).await;

        let nights = ok(&app, "/schedules/nights").await;
        let r = &nights["schedule"]["schedule_layers"][0]["restrictions"];
        assert_eq!(r.as_array().map(Vec::len), Some(5), "{r}");
        assert_eq!(
            r[0],
            json!({"type": "weekly_restriction", "start_day_of_week": 1,
                   "start_time_of_day": "18:00:00", "duration_seconds": 50400})
        );

        for bad in [
            "since=yesterday",
            "time_zone=Mars/Olympus",
            "since=2026-12-01&until=2026-11-01",
        ] {
            let (status, body) = get(&app, &format!("/schedules/primary?{bad}")).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
            assert!(body["error"]["code"].is_number(), "{body}");
        }
        let (status, body) = get(&app, "/schedules/nope").await;
        assert_error(status, &body, StatusCode::NOT_FOUND, 2100);
    }
}

/// Who `/api/v1/oncall` says has `schedule` now.
async fn oncall_now(app: &TestApp, schedule: &str) -> Option<String> {
    let (status, body) = app
        .api_get(&format!("/api/v1/oncall?schedule={schedule}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["oncall"][0]["user"]["id"].as_str().map(str::to_owned)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_final_schedule_agrees_with_oncall_including_an_override() {
    for backend in backends() {
        let app = spawn(backend).await;
        let t0 = app.clock.now();
        let take = json!({"override": {
            "start": t0.to_rfc3339(),
            "end": (t0 + Duration::hours(2)).to_rfc3339(),
            "user": {"id": "bob", "type": "user_reference"},
        }});

        let (status, body) = write(
            &app,
            Method::POST,
            "/schedules/primary/overrides",
            Some(FROM),
            Some(&take),
        )
        .await;

        assert_eq!(status, StatusCode::CREATED, "{body}");
        let o = &body["override"];
        assert!(o["id"].is_string(), "{o}");
        assert_eq!(o["start"], "2026-11-21T03:00:00Z", "{o}");
        assert_eq!(o["end"], "2026-11-21T05:00:00Z", "{o}");
        assert_ref(&o["user"], "user", "users", "bob");
        let path = "/schedules/primary?since=2026-11-21T03:00:00Z&until=2026-11-28T03:00:00Z";
        let s = ok(&app, path).await;
        let entries = &s["schedule"]["final_schedule"]["rendered_schedule_entries"];
        assert_eq!(
            spans(entries),
            vec![
                span("2026-11-21T03:00:00Z", "2026-11-21T05:00:00Z", "bob"),
                span("2026-11-21T05:00:00Z", "2026-11-23T09:00:00Z", "alice"),
                span("2026-11-23T09:00:00Z", "2026-11-28T03:00:00Z", "bob"),
            ]
        );
        assert_eq!(
            spans(&s["schedule"]["overrides_subschedule"]["rendered_schedule_entries"]),
            vec![span("2026-11-21T03:00:00Z", "2026-11-21T05:00:00Z", "bob")]
        );
        let listed = ok(
            &app,
            "/schedules/primary/overrides?since=2026-11-21T00:00:00Z&until=2026-11-22T00:00:00Z",
        )
        .await;
        assert_eq!(listed["overrides"], json!([o]));

        let mut at = t0;
        for step in [
            Duration::minutes(30),
            Duration::hours(2),
            Duration::days(2),
            Duration::hours(12),
        ] {
            at += step;
            app.clock.set(at);
            assert_eq!(
                oncall_now(&app, "primary").await,
                user_at(entries, at),
                "at {at}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overrides_are_created_in_bulk_and_bad_ones_are_refused_in_pagerduty_shape() {
    for backend in backends() {
        let app = spawn(backend).await;
        let t0 = app.clock.now();
        let entry = |start: DateTime<Utc>, user: &str| {
            json!({"start": start.to_rfc3339(), "end": (t0 + Duration::hours(4)).to_rfc3339(),
                   "user": {"id": user, "type": "user_reference"}})
        };
        let path = "/schedules/primary/overrides";
        let bulk =
            json!({"overrides": [entry(t0, "bob"), entry(t0 + Duration::hours(1), "carol")]});

        let (status, body) = write(&app, Method::POST, path, Some(FROM), Some(&bulk)).await;

        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body[0]["status"], 201, "{body}");
        assert_ref(&body[0]["override"]["user"], "user", "users", "bob");
        assert_eq!(body[1]["status"], 400, "{body}");
        assert!(body[1]["errors"].to_string().contains("future"), "{body}");

        let id = body[0]["override"]["id"]
            .as_str()
            .expect("an id")
            .to_owned();
        let window = "since=2026-11-21T00:00:00Z&until=2026-11-22T00:00:00Z";
        let listed = ok(&app, &format!("{path}?{window}")).await;
        assert_eq!(ids(&listed["overrides"]), [id.as_str()]);
        let one_path = format!("{path}/{id}");
        let (status, reply) = write(&app, Method::DELETE, &one_path, None, None).await;
        assert_error(status, &reply, StatusCode::BAD_REQUEST, 2001);
        let (status, reply) = write(&app, Method::DELETE, &one_path, Some(FROM), None).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{reply}");
        let listed = ok(&app, &format!("{path}?{window}")).await;
        assert_eq!(listed["overrides"], json!([]), "{listed}");
        let (status, reply) = write(&app, Method::DELETE, &one_path, Some(FROM), None).await;
        assert_error(status, &reply, StatusCode::BAD_REQUEST, 2001);
        let (status, reply) = write(
            &app,
            Method::DELETE,
            &format!("{path}/999"),
            Some(FROM),
            None,
        )
        .await;
        assert_error(status, &reply, StatusCode::NOT_FOUND, 2100);

        let one = |v: Value| json!({"override": v});
        for (from, body) in [
            (None, one(entry(t0, "bob"))),
            (Some("mallory@example.com"), one(entry(t0, "bob"))),
            (Some(FROM), one(entry(t0, "nobody"))),
            (Some(FROM), one(entry(t0 + Duration::hours(1), "bob"))),
            (
                Some(FROM),
                one(json!({"start": "now", "end": "later", "user": {"id": "bob"}})),
            ),
            (Some(FROM), json!({"something": []})),
        ] {
            let (status, reply) = write(&app, Method::POST, path, from, Some(&body)).await;
            assert_error(status, &reply, StatusCode::BAD_REQUEST, 2001);
        }
        let (status, body) = write(
            &app,
            Method::POST,
            "/schedules/nope/overrides",
            Some(FROM),
            Some(&one(entry(t0, "bob"))),
        )
        .await;
        assert_error(status, &body, StatusCode::NOT_FOUND, 2100);
        let (status, body) = get(&app, "/schedules/primary/overrides").await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, 2001);
    }
}

/// `(policy, level, schedule or "-", user, start or "-", end or "-")` of each on-call.
fn rows(body: &Value) -> Vec<String> {
    body["oncalls"]
        .as_array()
        .expect("oncalls")
        .iter()
        .map(|o| {
            format!(
                "{} {} {} {} {} {}",
                o["escalation_policy"]["id"].as_str().expect("policy"),
                o["escalation_level"],
                o["schedule"]["id"].as_str().unwrap_or("-"),
                o["user"]["id"].as_str().expect("user"),
                o["start"].as_str().unwrap_or("-"),
                o["end"].as_str().unwrap_or("-"),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oncalls_say_who_is_on_call_at_each_level_now_and_over_a_window() {
    for backend in backends() {
        let app = spawn(backend).await;

        let body = ok(&app, "/oncalls").await;

        assert_eq!(
            rows(&body),
            [
                "default 1 - alice - -",
                "default 2 - bob - -",
                "default 2 - carol - -",
                "follow 1 primary alice 2026-11-16T09:00:00Z 2026-11-23T09:00:00Z",
                "follow 2 nights carol 2026-11-20T17:00:00Z 2026-11-21T07:00:00Z",
                "solo 1 - bob - -",
            ]
        );
        let follow = &body["oncalls"][3];
        assert_ref(
            &follow["escalation_policy"],
            "escalation_policy",
            "escalation_policies",
            "follow",
        );
        assert_ref(&follow["schedule"], "schedule", "schedules", "primary");
        assert_ref(&follow["user"], "user", "users", "alice");
        assert_eq!(body["oncalls"][0]["schedule"], json!(null));
        assert_eq!(walk(&app, "/oncalls", "oncalls").await.len(), 6);

        let bob = ok(&app, "/oncalls?user_ids[]=bob").await;
        assert_eq!(rows(&bob), ["default 2 - bob - -", "solo 1 - bob - -"]);
        let follow = ok(&app, "/oncalls?escalation_policy_ids[]=follow").await;
        assert_eq!(rows(&follow).len(), 2);

        let window = "since=2026-11-21T03:00:00Z&until=2026-12-05T03:00:00Z";
        let over = ok(&app, &format!("/oncalls?schedule_ids[]=primary&{window}")).await;
        assert_eq!(
            rows(&over),
            [
                "follow 1 primary alice 2026-11-16T09:00:00Z 2026-11-23T09:00:00Z",
                "follow 1 primary bob 2026-11-23T09:00:00Z 2026-11-30T09:00:00Z",
                "follow 1 primary alice 2026-11-30T09:00:00Z 2026-12-07T09:00:00Z",
            ]
        );
        let earliest = ok(
            &app,
            &format!("/oncalls?schedule_ids[]=primary&{window}&earliest=true"),
        )
        .await;
        assert_eq!(rows(&earliest), rows(&over)[..2]);

        for (bad, code) in [
            ("since=soon", 2004),
            (
                "since=2026-12-01T00:00:00Z&until=2026-11-01T00:00:00Z",
                2002,
            ),
            ("schedule_ids[]=nope", 2001),
            ("earliest=maybe", 2001),
        ] {
            let (status, body) = get(&app, &format!("/oncalls?{bad}")).await;
            assert_error(status, &body, StatusCode::BAD_REQUEST, code);
        }
    }
}

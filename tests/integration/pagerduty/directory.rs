//! Services, escalation policies, users and maintenance windows over the PagerDuty REST API.

use firebell_engine::Clock;
use firebell_tests::backends;
use firebell_tests::fixtures::API_TOKEN;
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{FROM, assert_error, assert_ref, get, ids, ok, pd, spawn, walk, write};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn services_are_listed_and_shown_in_pagerduty_shape() {
    for backend in backends() {
        let app = spawn(backend).await;

        let body = ok(&app, "/services").await;

        assert_eq!(ids(&body["services"]), ["api", "db", "web"], "{body}");
        assert_eq!(body["more"], false, "{body}");
        assert_eq!(body["total"], json!(null), "{body}");
        let web = &body["services"][2];
        assert_eq!(web["type"], "service", "{web}");
        assert_eq!(web["name"], "web", "{web}");
        assert_eq!(web["description"], "Public website", "{web}");
        assert_eq!(web["status"], "active", "{web}");
        assert_eq!(web["acknowledgement_timeout"], 1800, "{web}");
        assert_eq!(web["auto_resolve_timeout"], json!(null), "{web}");
        assert_eq!(
            web["incident_urgency_rule"],
            json!({"type": "constant", "urgency": "high"})
        );
        assert_eq!(web["integrations"], json!([]), "{web}");
        assert_eq!(web["teams"], json!([]), "{web}");
        assert!(web["created_at"].is_string(), "{web}");
        assert_ref(
            &web["escalation_policy"],
            "escalation_policy",
            "escalation_policies",
            "default",
        );
        let api = &body["services"][0];
        assert_eq!(api["acknowledgement_timeout"], json!(null), "{api}");
        assert_eq!(api["auto_resolve_timeout"], 14400, "{api}");
        assert_eq!(api["incident_urgency_rule"]["urgency"], "severity_based");
        let text = body.to_string();
        assert!(
            !text.contains("R0UT1NGKEY"),
            "integration keys leak: {text}"
        );

        let one = ok(&app, "/services/web").await;
        assert_eq!(one["service"], *web, "{one}");
        let found = ok(&app, "/services?query=WE").await;
        assert_eq!(ids(&found["services"]), ["web"], "{found}");
        let walked = walk(&app, "/services", "services").await;
        assert_eq!(ids(&json!(walked)), ["api", "db", "web"]);

        let (status, body) = get(&app, "/services/nope").await;
        assert_error(status, &body, StatusCode::NOT_FOUND, 2100);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn escalation_policies_show_their_rules_targets_loops_and_services() {
    for backend in backends() {
        let app = spawn(backend).await;

        let body = ok(&app, "/escalation_policies").await;

        assert_eq!(
            ids(&body["escalation_policies"]),
            ["default", "follow", "solo"]
        );
        let default = &body["escalation_policies"][0];
        assert_eq!(default["type"], "escalation_policy", "{default}");
        assert_eq!(default["name"], "default", "{default}");
        assert_eq!(default["num_loops"], 1, "{default}");
        let rules = default["escalation_rules"].as_array().expect("rules");
        assert_eq!(rules.len(), 2, "{default}");
        assert_eq!(rules[0]["escalation_delay_in_minutes"], 15, "{default}");
        assert!(rules[0]["id"].is_string(), "{default}");
        assert_ref(&rules[0]["targets"][0], "user", "users", "alice");
        assert_eq!(ids(&rules[1]["targets"]), ["bob", "carol"]);
        assert_eq!(ids(&default["services"]), ["db", "web"]);
        assert_ref(&default["services"][1], "service", "services", "web");
        let follow = &body["escalation_policies"][1];
        assert_ref(
            &follow["escalation_rules"][0]["targets"][0],
            "schedule",
            "schedules",
            "primary",
        );
        assert_eq!(follow["num_loops"], 2, "{follow}");
        assert_eq!(body["escalation_policies"][2]["services"], json!([]));

        // alice is a direct target of `default` and on `primary`, which `follow` pages.
        let mine = ok(&app, "/escalation_policies?user_ids[]=alice").await;
        assert_eq!(ids(&mine["escalation_policies"]), ["default", "follow"]);
        let q = ok(&app, "/escalation_policies?query=sol").await;
        assert_eq!(ids(&q["escalation_policies"]), ["solo"]);
        let one = ok(&app, "/escalation_policies/follow").await;
        assert_eq!(one["escalation_policy"], *follow);
        let walked = walk(&app, "/escalation_policies", "escalation_policies").await;
        assert_eq!(walked.len(), 3);

        let (status, body) = get(&app, "/escalation_policies?user_ids[]=nobody").await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, 2001);
        let (status, body) = get(&app, "/escalation_policies/nope").await;
        assert_error(status, &body, StatusCode::NOT_FOUND, 2100);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_are_listed_with_their_contact_methods() {
    for backend in backends() {
        let app = spawn(backend).await;

        let body = ok(&app, "/users").await;

        assert_eq!(ids(&body["users"]), ["alice", "bob", "carol"]);
        let alice = &body["users"][0];
        assert_eq!(alice["type"], "user", "{alice}");
        assert_eq!(alice["name"], "Alice Adams", "{alice}");
        assert_eq!(alice["summary"], "Alice Adams", "{alice}");
        assert_eq!(alice["email"], "alice@example.com", "{alice}");
        assert_eq!(alice["time_zone"], "Europe/Berlin", "{alice}");
        assert_eq!(alice["role"], "user", "{alice}");
        assert_eq!(alice["teams"], json!([]), "{alice}");
        let methods = alice["contact_methods"].as_array().expect("methods");
        assert_eq!(methods.len(), 1, "{alice}");
        assert_eq!(methods[0]["type"], "email_contact_method_reference");
        assert_eq!(body["users"][2]["contact_methods"], json!([]));
        assert!(
            body["users"][2].get("email").is_none(),
            "carol has no email: left out"
        );

        let q = ok(&app, "/users?query=brown").await;
        assert_eq!(ids(&q["users"]), ["bob"]);
        let one = ok(&app, "/users/alice").await;
        assert_eq!(one["user"], *alice);
        assert_eq!(walk(&app, "/users", "users").await.len(), 3);
        let (status, body) = get(&app, "/users/nobody").await;
        assert_error(status, &body, StatusCode::NOT_FOUND, 2100);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_directory_endpoint_wants_a_known_token_and_good_paging() {
    for backend in backends() {
        let app = spawn(backend).await;
        for path in [
            "/services",
            "/services/web",
            "/escalation_policies",
            "/escalation_policies/default",
            "/users",
            "/users/alice",
            "/schedules",
            "/schedules/primary",
            "/oncalls",
            "/maintenance_windows",
        ] {
            let (status, body) = pd(&app, Method::GET, path, None, None, None).await;
            assert_error(status, &body, StatusCode::UNAUTHORIZED, 2006);
            let (status, body) = pd(&app, Method::GET, path, Some("wrong"), None, None).await;
            assert_error(status, &body, StatusCode::UNAUTHORIZED, 2006);
        }
        for path in ["/services", "/escalation_policies", "/users", "/oncalls"] {
            let (status, body) = get(&app, &format!("{path}?limit=lots")).await;
            assert_error(status, &body, StatusCode::BAD_REQUEST, 2001);
            let (status, body) = get(&app, &format!("{path}?offset=9990&limit=20")).await;
            assert_error(status, &body, StatusCode::BAD_REQUEST, 2002);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_maintenance_window_is_opened_listed_and_ended_and_its_service_says_so() {
    for backend in backends() {
        let app = spawn(backend).await;
        let now = app.clock.now();
        let window = json!({"maintenance_window": {
            "type": "maintenance_window",
            "start_time": now.to_rfc3339(),
            "end_time": (now + chrono::Duration::hours(1)).to_rfc3339(),
            "description": "kernel upgrade",
            "services": [{"id": "web", "type": "service_reference"}],
        }});

        let (status, body) = write(
            &app,
            Method::POST,
            "/maintenance_windows",
            Some(FROM),
            Some(&window),
        )
        .await;

        assert_eq!(status, StatusCode::CREATED, "{body}");
        let w = &body["maintenance_window"];
        assert_eq!(w["type"], "maintenance_window", "{w}");
        assert_eq!(w["description"], "kernel upgrade", "{w}");
        assert_eq!(w["start_time"], "2026-11-21T03:00:00Z", "{w}");
        assert_eq!(w["end_time"], "2026-11-21T04:00:00Z", "{w}");
        assert_ref(&w["services"][0], "service", "services", "web");
        assert_ref(&w["created_by"], "user", "users", "alice");
        let id = w["id"].as_str().expect("a string id").to_owned();
        let shown = ok(&app, &format!("/maintenance_windows/{id}")).await;
        assert_eq!(shown["maintenance_window"], *w, "{shown}");
        let (status, body) = get(&app, "/maintenance_windows/seven").await;
        assert_error(status, &body, StatusCode::NOT_FOUND, 2100);
        let web = ok(&app, "/services/web").await;
        assert_eq!(web["service"]["status"], "maintenance", "{web}");
        let db = ok(&app, "/services/db").await;
        assert_eq!(db["service"]["status"], "active", "{db}");
        let ongoing = ok(&app, "/maintenance_windows?filter=ongoing").await;
        assert_eq!(ids(&ongoing["maintenance_windows"]), [id.as_str()]);
        assert_eq!(ongoing["maintenance_windows"][0], *w);
        let past = ok(&app, "/maintenance_windows?filter=past").await;
        assert_eq!(past["maintenance_windows"], json!([]));
        let other = ok(&app, "/maintenance_windows?service_ids[]=db").await;
        assert_eq!(other["maintenance_windows"], json!([]));

        app.advance(chrono::Duration::minutes(10));
        let path = format!("/maintenance_windows/{id}");
        let (status, body) = write(&app, Method::DELETE, &path, Some(FROM), None).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

        let past = ok(&app, "/maintenance_windows?filter=past").await;
        assert_eq!(ids(&past["maintenance_windows"]), [id.as_str()]);
        assert_eq!(
            past["maintenance_windows"][0]["end_time"],
            "2026-11-21T03:10:00Z"
        );
        let open = ok(&app, "/maintenance_windows?filter=open").await;
        assert_eq!(open["maintenance_windows"], json!([]));
        let web = ok(&app, "/services/web").await;
        assert_eq!(web["service"]["status"], "active", "{web}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn maintenance_writes_refuse_what_firebell_cannot_do_in_pagerduty_shape() {
    for backend in backends() {
        let app = spawn(backend).await;
        let now = app.clock.now();
        let window = |start: chrono::DateTime<chrono::Utc>, services: serde_json::Value| {
            json!({"maintenance_window": {
                "type": "maintenance_window",
                "start_time": start.to_rfc3339(),
                "end_time": (now + chrono::Duration::hours(3)).to_rfc3339(),
                "services": services,
            }})
        };
        let web = json!([{"id": "web", "type": "service_reference"}]);
        let post = |from: Option<&'static str>, body: serde_json::Value| {
            let app = &app;
            async move { write(app, Method::POST, "/maintenance_windows", from, Some(&body)).await }
        };

        let (status, body) = post(None, window(now, web.clone())).await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, 2001);
        let (status, body) = post(Some("mallory@example.com"), window(now, web.clone())).await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, 2001);
        let later = now + chrono::Duration::hours(1);
        let (status, body) = post(Some(FROM), window(later, web.clone())).await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, 2001);
        assert!(body.to_string().contains("future"), "{body}");
        let (status, body) = post(
            Some(FROM),
            window(now, json!([{"id": "nope", "type": "service_reference"}])),
        )
        .await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, 2001);
        let (status, body) = post(Some(FROM), window(now, json!([]))).await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, 2001);
        let (status, body) = post(
            Some(FROM),
            json!({"maintenance_window": {"start_time": "soon"}}),
        )
        .await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, 2001);
        let (status, body) = get(&app, "/maintenance_windows?filter=someday").await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, 2001);
        let (status, body) = write(
            &app,
            Method::DELETE,
            "/maintenance_windows/77",
            Some(FROM),
            None,
        )
        .await;
        assert_error(status, &body, StatusCode::NOT_FOUND, 2100);
        let (status, body) = pd(
            &app,
            Method::DELETE,
            "/maintenance_windows/77",
            Some(API_TOKEN),
            None,
            None,
        )
        .await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, 2001);
        assert_eq!(
            ok(&app, "/maintenance_windows").await["maintenance_windows"],
            json!([])
        );
    }
}

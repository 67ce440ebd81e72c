//! The manager summary's SQL on both databases: a small history played through the engine on a
//! manual clock (opened, acknowledged, resolved, escalated by timeout and by hand, re-triggered
//! by the ack timeout, repeats, a maintenance window, pages by chat and SMS, a failed SMS,
//! auto-resolve, an override), then every figure asserted exactly.

use firebell_engine::duration::HumanDuration;
use firebell_engine::maintenance::{Matcher, WindowRequest};
use firebell_engine::notify::NotifyError;
use firebell_engine::reports::{
    Durations, Interruptions, NoisyKey, Notifications, Period, Report, SummaryQuery, TeamLoad,
};
use firebell_engine::{Config, ContactMethod, UserId};

use super::*;

mod week;

use week::the_summary_counts_a_week_of_incidents_exactly;

contract_tests! {
    the_summary_counts_a_week_of_incidents_exactly,
    unknown_services_and_teams_are_refused_with_the_valid_ones,
    a_report_for_one_service_or_team_counts_only_its_incidents,
}

const REPORTS_TOML: &str = r#"
[rooms.ops]
slack = "C0OPS"

[users.alice]
name = "Alice Adams"
timezone = "Europe/Berlin"
phone = "+14155550101"
notify.high = { chat = 0, sms = 2 }

[users.bob]
name = "Bob Brown"
timezone = "America/New_York"
phone = "+14155550102"
notify.high = { chat = 0, sms = 2 }

[schedules.primary]
timezone = "UTC"
[[schedules.primary.layers]]
users = ["alice", "bob"]
rotation = "1w"
start = "2026-11-02T00:00"

[escalation_policies.ops]
levels = [
  { targets = ["schedule:primary"], delay_minutes = 15 },
  { targets = ["bob"], delay_minutes = 15 },
]

[escalation_policies.spare]
levels = [{ targets = ["bob"], delay_minutes = 15 }]

[services.web]
integration_keys = ["R0UT1NGKEY0000000000000000000000"]
room = "ops"
escalation_policy = "ops"

[services.db]
integration_keys = ["DBKEY000000000000000000000000001"]
room = "ops"
escalation_policy = "ops"
urgency = "by-severity"
ack_timeout = "off"
auto_resolve = "1h"

[providers]
public_url = "http://127.0.0.1:9"

[providers.twilio]
account_sid = "AC0123456789abcdef0123456789abcdef"
auth_token = "not-used-by-the-recorder"
from = "+15005550006"
api_url = "http://127.0.0.1:9"
"#;

fn reports_config() -> Config {
    firebell::Loaded::parse(REPORTS_TOML, "reports.toml", &|_| None)
        .unwrap_or_else(|e| panic!("report test config is invalid:\n{e}"))
        .engine
}

fn at(t: &str) -> DateTime<Utc> {
    t.parse().expect("RFC 3339 time")
}

/// A trigger for `svc` with dedup key `k`, from host web-01.
fn alert(svc: &str, k: &str, severity: Severity) -> NewAlert {
    let mut a = trigger("web", k, &format!("{k} is failing"));
    a.service = reports_config().service(svc).expect("service").name.clone();
    if let AlertKind::Trigger { payload, .. } = &mut a.kind {
        payload.severity = severity;
    }
    a
}

async fn open_alert(engine: &Engine, svc: &str, k: &str, severity: Severity) -> IncidentNumber {
    match engine.ingest(alert(svc, k, severity)).await {
        Ok(Ingested::Created { number, .. }) => number,
        other => panic!("expected a new incident for `{k}`, got {other:?}"),
    }
}

/// Runs timer ticks and deliveries until nothing is due.
async fn settle(engine: &Engine, rec: &Recorder) {
    for _ in 0..50 {
        let busy =
            engine.tick().await.expect("tick") + engine.deliver_due(rec).await.expect("deliver");
        if busy == 0 {
            return;
        }
    }
    panic!("the timers never settled");
}

/// Sets the clock and lets everything due by then happen.
async fn at_time(h: &Harness, rec: &Recorder, t: &str) {
    h.clock.set(at(t));
    settle(&h.engine, rec).await;
}

fn person(name: &str, channel: Channel) -> Actor {
    Actor::new(name, channel)
}

/// Thursday 2026-11-12 (bob's week) and Monday 2026-11-16 (alice's): see the module doc.
async fn play_history(h: &Harness, rec: &Recorder) {
    let alice = person("alice", Channel::Slack);
    let bob = person("bob", Channel::Slack);

    // The previous week: one incident, bob paged at 07:00 New York time (evening).
    let p = open_alert(&h.engine, "web", "old", Severity::Critical).await;
    at_time(h, rec, "2026-11-12T12:00:00Z").await;
    at_time(h, rec, "2026-11-12T12:01:00Z").await;
    h.engine.acknowledge(p, &bob).await.expect("ack P");
    at_time(h, rec, "2026-11-12T12:02:00Z").await; // bob's SMS is cancelled
    at_time(h, rec, "2026-11-12T12:20:00Z").await;
    h.engine.resolve(p, &bob, None).await.expect("resolve P");

    // A: acknowledged in a minute, two repeats, resolved at 10 minutes.
    at_time(h, rec, "2026-11-16T08:00:00Z").await;
    let a = open_alert(&h.engine, "web", "disk-full", Severity::Critical).await;
    settle(&h.engine, rec).await; // alice: chat (09:00 in Berlin)
    at_time(h, rec, "2026-11-16T08:01:00Z").await;
    h.engine.acknowledge(a, &alice).await.expect("ack A");
    at_time(h, rec, "2026-11-16T08:02:00Z").await; // alice's SMS is cancelled
    for t in ["2026-11-16T08:03:00Z", "2026-11-16T08:04:00Z"] {
        h.clock.set(at(t));
        let again = h
            .engine
            .ingest(alert("web", "disk-full", Severity::Critical))
            .await;
        assert!(
            matches!(again, Ok(Ingested::Deduplicated { .. })),
            "{again:?}"
        );
    }
    at_time(h, rec, "2026-11-16T08:10:00Z").await;
    h.engine.resolve(a, &alice, None).await.expect("resolve A");

    // B: nobody answers level 1 (alice's SMS fails), bob is paged at level 2 and acknowledges
    // at 20 minutes; the ack timeout re-triggers it at 09:10, alice acknowledges again at 09:11
    // and resolves it at 09:20.
    at_time(h, rec, "2026-11-16T08:20:00Z").await;
    let b = open_alert(&h.engine, "web", "cpu-high", Severity::Critical).await;
    settle(&h.engine, rec).await; // alice: chat
    rec.fail_next([NotifyError::permanent("carrier rejected the number")]);
    at_time(h, rec, "2026-11-16T08:22:00Z").await; // alice: SMS, failed
    at_time(h, rec, "2026-11-16T08:35:00Z").await; // level 2, bob: chat (03:35 in New York)
    at_time(h, rec, "2026-11-16T08:37:00Z").await; // bob: SMS
    at_time(h, rec, "2026-11-16T08:40:00Z").await;
    h.engine.acknowledge(b, &bob).await.expect("ack B");

    // C: alice escalates it by hand at once; bob acknowledges at 5 minutes, resolves at 30.
    at_time(h, rec, "2026-11-16T09:00:00Z").await;
    let c = open_alert(&h.engine, "web", "mem", Severity::Critical).await;
    settle(&h.engine, rec).await; // alice: chat
    at_time(h, rec, "2026-11-16T09:01:00Z").await;
    h.engine.escalate(c, &alice).await.expect("escalate C");
    settle(&h.engine, rec).await; // bob: chat
    at_time(h, rec, "2026-11-16T09:02:00Z").await; // alice's SMS: the ladder moved
    at_time(h, rec, "2026-11-16T09:03:00Z").await; // bob: SMS
    at_time(h, rec, "2026-11-16T09:05:00Z").await;
    h.engine.acknowledge(c, &bob).await.expect("ack C");

    at_time(h, rec, "2026-11-16T09:10:00Z").await; // B re-triggers; alice: chat
    assert_eq!(
        incident(&h.engine, b).await.status,
        IncidentStatus::Triggered
    );
    at_time(h, rec, "2026-11-16T09:11:00Z").await;
    h.engine.acknowledge(b, &alice).await.expect("ack B again"); // tells bob by SMS
    at_time(h, rec, "2026-11-16T09:12:00Z").await; // alice's SMS is cancelled
    at_time(h, rec, "2026-11-16T09:20:00Z").await;
    h.engine.resolve(b, &alice, None).await.expect("resolve B"); // tells bob by SMS
    at_time(h, rec, "2026-11-16T09:30:00Z").await;
    h.engine.resolve(c, &bob, None).await.expect("resolve C");

    // Bob takes the pager for two hours at noon.
    at_time(h, rec, "2026-11-16T12:00:00Z").await;
    let two_hours = HumanDuration::parse("2h", Duration::days(1)).expect("duration");
    h.engine
        .create_override("primary", &user_id("bob"), two_hours, &bob)
        .await
        .expect("override");

    // D: a low-urgency warning at 18:30 in Berlin (chat only), acknowledged at 3 minutes,
    // auto-resolved an hour after its only alert.
    at_time(h, rec, "2026-11-16T17:30:00Z").await;
    let d = open_alert(&h.engine, "db", "replication-lag", Severity::Warning).await;
    settle(&h.engine, rec).await; // alice: chat
    at_time(h, rec, "2026-11-16T17:33:00Z").await;
    h.engine.acknowledge(d, &alice).await.expect("ack D");

    // A maintenance window on db silences one alert.
    at_time(h, rec, "2026-11-16T17:35:00Z").await;
    let matcher = Matcher::parse("service:db", h.engine.config()).expect("matcher");
    let ten_minutes = HumanDuration::parse("10m", Duration::days(1)).expect("duration");
    h.engine
        .start_maintenance(
            WindowRequest {
                matcher,
                duration: ten_minutes,
                reason: Some("failover test"),
                room: None,
            },
            &alice,
        )
        .await
        .expect("maintenance");
    at_time(h, rec, "2026-11-16T17:36:00Z").await;
    let silenced = h
        .engine
        .ingest(alert("db", "disk-io", Severity::Critical))
        .await;
    assert!(
        matches!(silenced, Ok(Ingested::Suppressed { .. })),
        "{silenced:?}"
    );

    at_time(h, rec, "2026-11-16T18:30:00Z").await; // D auto-resolves
    let d = incident(&h.engine, d).await;
    assert_eq!(d.status, IncidentStatus::Resolved);
    assert_eq!(d.resolved_by.as_deref(), Some("firebell"));
}

fn user_id(name: &str) -> UserId {
    serde_json::from_value(json!(name)).expect("user id")
}

fn the_week() -> Period {
    Period {
        since: at("2026-11-16T00:00:00Z"),
        until: at("2026-11-23T00:00:00Z"),
    }
}

async fn report(
    h: &Harness,
    service: Option<&str>,
    team: Option<&str>,
) -> Result<Report, EngineError> {
    h.engine
        .report(&SummaryQuery {
            period: the_week(),
            service: service.map(|s| serde_json::from_value(json!(s)).expect("service name")),
            team: team.map(str::to_owned),
        })
        .await
}

fn secs(count: u64, mean: f64, median: f64, p90: f64) -> Durations {
    Durations {
        count,
        mean_seconds: Some(mean),
        median_seconds: Some(median),
        p90_seconds: Some(p90),
    }
}

fn sent(method: ContactMethod, sent: u64, delivered: u64, failed: u64) -> Notifications {
    Notifications {
        method,
        sent,
        delivered,
        failed,
    }
}

async fn unknown_services_and_teams_are_refused_with_the_valid_ones(backend: Backend) {
    let h = Harness::start_with(backend, reports_config(), at("2026-11-16T08:00:00Z")).await;
    assert_eq!(
        user_error(report(&h, Some("payments"), None).await),
        "unknown service `payments` — services: db, web"
    );
    assert_eq!(
        user_error(report(&h, None, Some("sre")).await),
        "unknown team `sre` — teams (escalation policies): ops, spare"
    );
    assert!(
        user_error(report(&h, Some("web"), Some("spare")).await)
            .starts_with("service `web` is not on team `spare`")
    );
    let backwards = h
        .engine
        .report(&SummaryQuery {
            period: Period {
                since: the_week().until,
                until: the_week().since,
            },
            service: None,
            team: None,
        })
        .await;
    assert!(user_error(backwards).contains("must start before it ends"));
}

async fn a_report_for_one_service_or_team_counts_only_its_incidents(backend: Backend) {
    let h = Harness::start_with(backend, reports_config(), at("2026-11-12T12:00:00Z")).await;
    let rec = Recorder::default();
    Box::pin(play_history(&h, &rec)).await;

    let db = report(&h, Some("db"), None).await.expect("db report");
    let c = &db.current;
    assert_eq!(db.service.as_deref(), Some("db"));
    assert_eq!((c.incidents.total, c.incidents.by_urgency.low), (1, 1));
    assert_eq!((c.alerts.received, c.alerts.suppressed), (2, 1));
    assert_eq!(c.mtta, secs(1, 180.0, 180.0, 180.0));
    assert_eq!(c.mttr, secs(1, 3600.0, 3600.0, 3600.0));
    assert_eq!(c.escalations.escalated, 0);
    assert_eq!(c.notifications[0], sent(ContactMethod::Chat, 1, 1, 0));
    assert_eq!(c.notifications[1], sent(ContactMethod::Sms, 0, 0, 0));
    assert_eq!(c.interruptions.len(), 1);
    assert_eq!(
        (c.interruptions[0].user.as_str(), c.interruptions[0].evening),
        ("alice", 1)
    );
    assert_eq!(c.acknowledged_then_auto_resolved, 1);
    assert_eq!(db.previous.incidents.total, 0);

    let web = report(&h, Some("web"), None).await.expect("web report");
    assert_eq!(web.current.mtta, secs(3, 520.0, 300.0, 1020.0));
    assert_eq!(web.current.escalations.escalated, 2);
    assert_eq!(
        web.current.notifications[1],
        sent(ContactMethod::Sms, 5, 4, 1)
    );

    let spare = report(&h, None, Some("spare")).await.expect("spare report");
    assert_eq!(spare.current.incidents.total, 0);
    assert_eq!(spare.current.alerts.received, 0);
    assert_eq!(spare.current.mtta, Durations::default());
    assert!(spare.current.interruptions.is_empty());
    let team: Vec<&str> = spare
        .current
        .teams
        .iter()
        .map(|t| t.team.as_str())
        .collect();
    assert_eq!(team, ["spare"]);
    // Its policy pages bob directly, no schedule: nobody's on-call hours.
    assert!(spare.current.on_call.is_empty());
}

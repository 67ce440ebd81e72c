//! The paging ladder on a manual clock, through the engine's timer and outbox steps: who is
//! reached how and when, what stops it, and that restarts and replicas neither skip nor repeat a
//! step. (The same ladder over real HTTP with a fake Twilio is in `paging.rs`.)

use firebell_engine::{Config, ContactMethod as M, TimelineKind};

use super::*;

mod races;
mod sweeps;

contract_tests! {
    an_unacknowledged_incident_climbs_the_ladder_chat_then_sms_then_call_then_level_two,
    acknowledging_stops_the_ladder_and_tells_those_reached_by_sms,
    a_restart_in_the_middle_of_a_ladder_neither_skips_nor_repeats_a_step,
    two_engines_on_one_database_page_each_step_once,
    a_level_with_nobody_on_call_is_skipped_and_the_timeline_says_so,
    escalate_moves_to_the_next_level_at_once_and_cancels_the_current_ones_steps,
}

/// Saturday 2026-11-21, 03:00 UTC: the primary schedule has alice until 09:00, then bob.
fn night() -> DateTime<Utc> {
    "2026-11-21T03:00:00Z".parse().expect("time")
}

const ONCALL_TOML: &str = r#"
[rooms.ops]
slack = "C0OPS"

[users.alice]
name = "Alice Adams"
phone = "+14155550101"

[users.bob]
name = "Bob Brown"
phone = "+14155550102"

[users.carol]
name = "Carol Chen"
phone = "+14155550103"

[users.dave]
name = "Dave Diaz"
phone = "+14155550104"
notify.low = { chat = 0, sms = 0 }

[schedules.primary]
timezone = "UTC"
[[schedules.primary.layers]]
users = ["alice", "bob"]
rotation = "1d"
start = "2026-11-16T09:00"

[schedules.secondary]
timezone = "UTC"
[[schedules.secondary.layers]]
users = ["carol"]
rotation = "1w"
start = "2026-11-16T09:00"
restrictions = [{ days = ["mon", "tue", "wed", "thu", "fri"], start = "09:00", end = "17:00" }]

[escalation_policies.ladder]
levels = [
  { targets = ["schedule:primary"], delay_minutes = 15 },
  { targets = ["bob"], delay_minutes = 15 },
  { targets = ["carol"], delay_minutes = 15 },
]

[escalation_policies.gap]
levels = [
  { targets = ["schedule:secondary"], delay_minutes = 10 },
  { targets = ["carol"], delay_minutes = 10 },
]

[escalation_policies.dave]
levels = [{ targets = ["dave"], delay_minutes = 30 }]

[services.web]
integration_keys = ["R0UT1NGKEY0000000000000000000000"]
room = "ops"
escalation_policy = "ladder"

[services.db]
integration_keys = ["DBKEY000000000000000000000000001"]
room = "ops"
escalation_policy = "gap"
ack_timeout = "off"
auto_resolve = "1h"

[services.quiet]
integration_keys = ["QU1ETKEY000000000000000000000001"]
room = "ops"
escalation_policy = "dave"
urgency = "low"
support_hours = { timezone = "UTC", days = ["mon", "tue", "wed", "thu", "fri"], start = "09:00", end = "17:00" }

[providers]
public_url = "http://127.0.0.1:9"

[providers.twilio]
account_sid = "AC0123456789abcdef0123456789abcdef"
auth_token = "not-used-by-the-recorder"
from = "+15005550006"
api_url = "http://127.0.0.1:9"
"#;

fn oncall_config() -> Config {
    firebell::Loaded::parse(ONCALL_TOML, "oncall.toml", &|_| None)
        .unwrap_or_else(|e| panic!("on-call test config is invalid:\n{e}"))
        .engine
}

async fn start(backend: Backend) -> Harness {
    Harness::start_with(backend, oncall_config(), night()).await
}

fn event_for(svc: &str, k: &str) -> NewAlert {
    let mut a = trigger("web", k, &format!("{k} is failing"));
    a.service = oncall_config().service(svc).expect("service").name.clone();
    a
}

async fn open_on(engine: &Engine, svc: &str, k: &str) -> IncidentNumber {
    match engine.ingest(event_for(svc, k)).await {
        Ok(Ingested::Created { number, .. }) => number,
        other => panic!("expected a new incident, got {other:?}"),
    }
}

/// Runs timer ticks and outbox deliveries on every engine until nothing is due (bounded).
async fn settle(engines: &[&Engine], rec: &Recorder) {
    for _ in 0..50 {
        let mut busy = 0;
        for e in engines {
            busy += e.tick().await.expect("tick");
            busy += e.deliver_due(rec).await.expect("deliver");
        }
        if busy == 0 {
            return;
        }
    }
    panic!("the timers never settled");
}

/// Person-addressed deliveries as (user, method), in order.
fn pages(rec: &Recorder) -> Vec<(String, M)> {
    rec.delivered().into_iter().filter_map(|g| g.to).collect()
}

fn page(user: &str, m: M) -> (String, M) {
    (user.to_owned(), m)
}

async fn timeline_text(engine: &Engine, n: IncidentNumber) -> String {
    let entries = engine.timeline(n).await.expect("timeline");
    entries
        .iter()
        .map(|e| format!("{:?}: {}", e.kind, e.message))
        .collect::<Vec<_>>()
        .join("\n")
}

async fn an_unacknowledged_incident_climbs_the_ladder_chat_then_sms_then_call_then_level_two(
    backend: Backend,
) {
    let h = start(backend).await;
    let rec = Recorder::default();
    let n = open_on(&h.engine, "web", "disk-full").await;

    settle(&[&h.engine], &rec).await;
    assert_eq!(pages(&rec), vec![page("alice", M::Chat)], "chat at once");

    h.advance(Duration::minutes(2));
    settle(&[&h.engine], &rec).await;
    assert_eq!(
        pages(&rec).last(),
        Some(&page("alice", M::Sms)),
        "SMS after 2 min"
    );

    h.advance(Duration::minutes(3));
    settle(&[&h.engine], &rec).await;
    assert_eq!(
        pages(&rec).last(),
        Some(&page("alice", M::Voice)),
        "call after 5 min"
    );

    h.advance(Duration::minutes(9));
    settle(&[&h.engine], &rec).await;
    assert_eq!(pages(&rec).len(), 3, "level 2 waits the full 15 minutes");

    h.advance(Duration::minutes(1));
    settle(&[&h.engine], &rec).await;
    assert_eq!(
        pages(&rec),
        vec![
            page("alice", M::Chat),
            page("alice", M::Sms),
            page("alice", M::Voice),
            page("bob", M::Chat),
        ]
    );
    let room_posts: Vec<Notification> = rec
        .delivered()
        .into_iter()
        .filter(|g| g.to.is_none())
        .map(|g| g.notification)
        .collect();
    assert!(
        matches!(
            room_posts.as_slice(),
            [
                Notification::IncidentOpened,
                Notification::PageSent {
                    method: M::Sms,
                    level: 1,
                    failed: None,
                    ..
                },
                Notification::PageSent {
                    method: M::Voice,
                    level: 1,
                    failed: None,
                    ..
                },
                Notification::Escalated { level: 2, .. }
            ]
        ),
        "the room hears of the opening, each page by phone, and the escalation: {room_posts:?}"
    );
    let t = timeline_text(&h.engine, n).await;
    for line in [
        "Escalated: Level 1 (high urgency): paging Alice Adams (alice)",
        "Notified: Notified Alice Adams (alice) by SMS (level 1) via recorder",
        "Notified: Notified Alice Adams (alice) by voice call (level 1) via recorder",
        "Escalated: Level 2 (high urgency): paging Bob Brown (bob)",
    ] {
        assert!(t.contains(line), "missing {line:?} in\n{t}");
    }
}

async fn acknowledging_stops_the_ladder_and_tells_those_reached_by_sms(backend: Backend) {
    let h = start(backend).await;
    let rec = Recorder::default();
    let n = open_on(&h.engine, "web", "disk-full").await;
    settle(&[&h.engine], &rec).await;
    h.advance(Duration::minutes(15));
    settle(&[&h.engine], &rec).await; // alice: chat, SMS, call; bob: chat
    assert_eq!(pages(&rec).len(), 4);

    h.advance(Duration::minutes(1));
    h.engine.acknowledge(n, &bob()).await.expect("ack");
    settle(&[&h.engine], &rec).await;
    // Past bob's SMS (+17) and level 3 (+30), short of the ack timeout (+46).
    h.advance(Duration::minutes(29));
    settle(&[&h.engine], &rec).await;

    assert_eq!(
        pages(&rec)[4..],
        [page("alice", M::Sms)],
        "only alice's SMS status notice; bob's SMS and level 3 never happen"
    );
    let notice = rec.delivered().last().cloned().expect("notice");
    assert!(matches!(
        notice.notification,
        Notification::StatusNotice {
            status: IncidentStatus::Acknowledged,
            ..
        }
    ));
}

async fn a_restart_in_the_middle_of_a_ladder_neither_skips_nor_repeats_a_step(backend: Backend) {
    let mut h = start(backend).await;
    let rec = Recorder::default();
    open_on(&h.engine, "web", "disk-full").await;
    settle(&[&h.engine], &rec).await;
    h.advance(Duration::minutes(2));
    // Level started and SMS step due, but the process dies before the SMS goes out.
    h.engine.tick().await.expect("tick");
    h.restart().await;
    h.advance(Duration::minutes(13));
    settle(&[&h.engine], &rec).await;
    assert_eq!(
        pages(&rec),
        vec![
            page("alice", M::Chat),
            page("alice", M::Sms),
            page("alice", M::Voice),
            page("bob", M::Chat),
        ]
    );
}

async fn two_engines_on_one_database_page_each_step_once(backend: Backend) {
    let mut h = start(backend).await;
    let other = h.replica().await;
    let rec = Recorder::default();
    let mut numbers = Vec::new();
    for i in 0..12 {
        numbers.push(open_on(&h.engine, "web", &format!("k{i}")).await);
    }
    for step in [0, 2, 3, 10] {
        h.advance(Duration::minutes(step));
        let (first, second) = ([&h.engine], [&other]);
        tokio::join!(settle(&first, &rec), settle(&second, &rec));
        settle(&[&h.engine, &other], &rec).await;
    }
    let got = rec.delivered();
    for n in numbers {
        let mine: Vec<(String, M)> = got
            .iter()
            .filter(|g| g.incident == Some(n.get()))
            .filter_map(|g| g.to.clone())
            .collect();
        assert_eq!(
            mine,
            vec![
                page("alice", M::Chat),
                page("alice", M::Sms),
                page("alice", M::Voice),
                page("bob", M::Chat),
            ],
            "incident {n}"
        );
    }
}

async fn a_level_with_nobody_on_call_is_skipped_and_the_timeline_says_so(backend: Backend) {
    let h = start(backend).await;
    let rec = Recorder::default();
    let n = open_on(&h.engine, "db", "replication-lag").await;
    settle(&[&h.engine], &rec).await;
    assert_eq!(pages(&rec), vec![page("carol", M::Chat)]);
    let t = timeline_text(&h.engine, n).await;
    assert!(
        t.contains("Level 1 skipped: nobody on call for schedule `secondary`"),
        "{t}"
    );
}

async fn escalate_moves_to_the_next_level_at_once_and_cancels_the_current_ones_steps(
    backend: Backend,
) {
    let h = start(backend).await;
    let rec = Recorder::default();
    let n = open_on(&h.engine, "web", "disk-full").await;
    settle(&[&h.engine], &rec).await;
    h.engine.escalate(n, &alice()).await.expect("escalate");
    settle(&[&h.engine], &rec).await;
    assert_eq!(
        pages(&rec),
        vec![page("alice", M::Chat), page("bob", M::Chat)]
    );
    h.advance(Duration::minutes(2));
    settle(&[&h.engine], &rec).await;
    assert_eq!(
        pages(&rec)[2..],
        [page("bob", M::Sms)],
        "alice's SMS was cancelled by the escalation; bob's runs"
    );
    h.engine.escalate(n, &alice()).await.expect("to level 3");
    settle(&[&h.engine], &rec).await;
    let err = user_error(h.engine.escalate(n, &alice()).await);
    assert!(err.contains("every level of policy `ladder`"), "{err}");
}

//! People acting on incident numbers (`!ack 1`, a button, the API), notes, and the timeline that
//! records every change with actor and channel.

use firebell_engine::{TimelineEntry, TimelineKind};

use super::*;

contract_tests! {
    acknowledge_by_number_sets_who_how_and_when_and_adds_a_timeline_entry,
    second_acknowledge_is_a_user_error_saying_who_already_acknowledged,
    resolve_by_number_sets_the_fields_and_keeps_the_note,
    acting_on_a_resolved_incident_says_it_is_already_resolved,
    acting_on_an_unknown_number_is_not_found,
    empty_note_is_a_user_error_and_records_nothing,
    timeline_lists_trigger_repeat_ack_note_and_resolve_in_order_with_actor_and_channel,
    timeline_keeps_the_order_of_events_that_share_a_timestamp,
}

async fn acknowledge_by_number_sets_who_how_and_when_and_adds_a_timeline_entry(backend: Backend) {
    let h = Harness::start(backend).await;
    let n = open(&h.engine, "web", "disk-full").await;
    h.advance(Duration::minutes(2));

    let acked = h.engine.acknowledge(n, &alice()).await.expect("ack");

    assert_eq!(acked.status, IncidentStatus::Acknowledged);
    assert_eq!(
        (acked.acknowledged_by.as_deref(), acked.acknowledged_via),
        (Some("alice"), Some(Channel::Slack))
    );
    assert_eq!(acked.acknowledged_at, Some(h.now()));
    assert_eq!(
        incident(&h.engine, n).await,
        acked,
        "what is returned is what is stored"
    );
    let last = h
        .engine
        .timeline(n)
        .await
        .expect("timeline")
        .pop()
        .expect("entries");
    assert_eq!(
        (last.kind, last.actor.as_str(), last.channel, last.at),
        (TimelineKind::Acknowledged, "alice", Channel::Slack, h.now())
    );
}

async fn second_acknowledge_is_a_user_error_saying_who_already_acknowledged(backend: Backend) {
    let h = Harness::start(backend).await;
    let n = open(&h.engine, "web", "disk-full").await;
    h.engine.acknowledge(n, &alice()).await.expect("first ack");
    h.advance(Duration::minutes(2));

    let again = h.engine.acknowledge(n, &bob()).await;

    assert_eq!(
        user_error(again),
        "incident #1 is already acknowledged (by alice, 2 min ago)"
    );
    assert_eq!(
        incident(&h.engine, n).await.acknowledged_by.as_deref(),
        Some("alice")
    );
    assert_eq!(
        queued(&h.engine, n).await.len(),
        2,
        "opened + one acknowledged"
    );
}

async fn resolve_by_number_sets_the_fields_and_keeps_the_note(backend: Backend) {
    let h = Harness::start(backend).await;
    let n = open(&h.engine, "web", "disk-full").await;
    h.advance(Duration::minutes(30));

    let resolved = h
        .engine
        .resolve(n, &bob(), Some("cleaned /var/log"))
        .await
        .expect("resolve");

    assert_eq!(resolved.status, IncidentStatus::Resolved);
    assert_eq!(
        (resolved.resolved_by.as_deref(), resolved.resolved_via),
        (Some("bob"), Some(Channel::Discord))
    );
    assert_eq!(resolved.resolved_at, Some(h.now()));
    let last = h
        .engine
        .timeline(n)
        .await
        .expect("timeline")
        .pop()
        .expect("entries");
    assert_eq!(
        (last.kind, last.message.as_str()),
        (TimelineKind::Resolved, "Resolved: cleaned /var/log")
    );
    let note = Some("cleaned /var/log".to_owned());
    assert_eq!(
        queued(&h.engine, n).await.last(),
        Some(&Notification::Resolved { actor: bob(), note })
    );
}

async fn acting_on_a_resolved_incident_says_it_is_already_resolved(backend: Backend) {
    let h = Harness::start(backend).await;
    let n = open(&h.engine, "web", "disk-full").await;
    h.engine.resolve(n, &alice(), None).await.expect("resolve");
    h.advance(Duration::seconds(20));

    let resolve_again = h.engine.resolve(n, &bob(), None).await;
    let ack_after = h.engine.acknowledge(n, &bob()).await;

    assert_eq!(
        user_error(resolve_again),
        "incident #1 is already resolved (by alice, 20 s ago) — nothing to resolve"
    );
    assert_eq!(
        user_error(ack_after),
        "incident #1 is already resolved (by alice, 20 s ago) — nothing to acknowledge"
    );
    assert_eq!(
        incident(&h.engine, n).await.resolved_by.as_deref(),
        Some("alice")
    );
}

async fn acting_on_an_unknown_number_is_not_found(backend: Backend) {
    let h = Harness::start(backend).await;
    open(&h.engine, "web", "disk-full").await;

    let ack = h.engine.acknowledge(number(7), &alice()).await;
    let resolve = h.engine.resolve(number(7), &alice(), None).await;
    let note = h.engine.add_note(number(7), &alice(), "hello").await;
    let get = h.engine.incident(number(7)).await;

    for result in [
        ack.map(|_| ()),
        resolve.map(|_| ()),
        note.map(|_| ()),
        get.map(|_| ()),
    ] {
        assert!(
            matches!(&result, Err(EngineError::NotFound(m)) if m == "there is no incident #7"),
            "{result:?}"
        );
    }
}

async fn empty_note_is_a_user_error_and_records_nothing(backend: Backend) {
    let h = Harness::start(backend).await;
    let n = open(&h.engine, "web", "disk-full").await;

    let note = h.engine.add_note(n, &alice(), "   ").await;

    assert_eq!(user_error(note), "a note needs some text");
    assert_eq!(
        h.engine.timeline(n).await.expect("timeline").len(),
        1,
        "only the trigger"
    );
}

fn summary(entries: &[TimelineEntry]) -> Vec<(TimelineKind, &str, Channel, &str)> {
    entries
        .iter()
        .map(|e| (e.kind, e.actor.as_str(), e.channel, e.message.as_str()))
        .collect()
}

async fn timeline_lists_trigger_repeat_ack_note_and_resolve_in_order_with_actor_and_channel(
    backend: Backend,
) {
    let h = Harness::start(backend).await;
    let n = open(&h.engine, "web", "disk-full").await;
    let mut times = vec![h.now()];
    let minute = || {
        h.advance(Duration::minutes(1));
        h.now()
    };
    times.push(minute());
    h.engine
        .ingest(trigger("web", "disk-full", "Disk full now"))
        .await
        .expect("repeat");
    times.push(minute());
    h.engine.acknowledge(n, &alice()).await.expect("ack");
    times.push(minute());
    h.engine
        .add_note(n, &bob(), "rotating logs")
        .await
        .expect("note");
    times.push(minute());
    h.engine
        .resolve(n, &Actor::new("alice", Channel::Console), Some("done"))
        .await
        .expect("resolve");

    let timeline = h.engine.timeline(n).await.expect("timeline");

    assert_eq!(
        summary(&timeline),
        vec![
            (
                TimelineKind::Triggered,
                "Prometheus",
                Channel::Events,
                "Triggered: disk-full is failing"
            ),
            (
                TimelineKind::AlertAdded,
                "Prometheus",
                Channel::Events,
                "Alert again: Disk full now"
            ),
            (
                TimelineKind::Acknowledged,
                "alice",
                Channel::Slack,
                "Acknowledged"
            ),
            (TimelineKind::Note, "bob", Channel::Discord, "rotating logs"),
            (
                TimelineKind::Resolved,
                "alice",
                Channel::Console,
                "Resolved: done"
            ),
        ]
    );
    assert_eq!(timeline.iter().map(|e| e.at).collect::<Vec<_>>(), times);
}

async fn timeline_keeps_the_order_of_events_that_share_a_timestamp(backend: Backend) {
    // Events committed in one group-commit batch share one `now`; here the clock stands still.
    let h = Harness::start(backend).await;
    let first = open(&h.engine, "web", "disk-full").await;
    for text in ["checking", "still checking", "found it"] {
        h.engine
            .add_note(first, &alice(), text)
            .await
            .expect("note");
    }
    let n = open(&h.engine, "web", "cpu-high").await;

    h.engine
        .ingest(trigger("web", "cpu-high", "CPU still high"))
        .await
        .expect("repeat");

    let kinds: Vec<TimelineKind> = h
        .engine
        .timeline(n)
        .await
        .expect("timeline")
        .iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        vec![TimelineKind::Triggered, TimelineKind::AlertAdded]
    );
}

//! Triggers: opening incidents, numbering them, and deduplicating repeats exactly as PagerDuty does
//! (per service, per open incident).

use super::*;

contract_tests! {
    trigger_opens_incident_one_as_triggered_with_the_alerts_fields,
    incident_numbers_increase_one_by_one_across_services,
    same_key_on_the_same_service_while_open_is_deduplicated_without_a_new_page,
    same_key_on_another_service_opens_a_separate_incident,
    same_key_after_resolve_opens_a_new_incident,
    trigger_without_dedup_key_gets_a_generated_key_that_later_events_can_use,
    incidents_are_listed_newest_first_and_filtered_by_status_and_service,
    an_unreadable_severity_or_status_fails_the_read_naming_the_column_and_the_value,
}

async fn trigger_opens_incident_one_as_triggered_with_the_alerts_fields(backend: Backend) {
    let h = Harness::start(backend).await;

    let outcome = h
        .engine
        .ingest(trigger("web", "disk-full", "Disk almost full on web-01"))
        .await;

    assert_eq!(
        outcome.expect("ingest"),
        Ingested::Created {
            number: number(1),
            dedup_key: key("disk-full")
        }
    );
    let i = incident(&h.engine, number(1)).await;
    assert_eq!(
        (i.service.as_str(), i.dedup_key.as_str()),
        ("web", "disk-full")
    );
    assert_eq!(i.status, IncidentStatus::Triggered);
    assert_eq!(i.alert_count, 1);
    assert_eq!(i.title, "Disk almost full on web-01");
    assert_eq!(i.source.as_deref(), Some("web-01"));
    assert_eq!(i.severity, Severity::Critical);
    assert_eq!(
        i.details,
        json!({ "custom_details": { "free_disk": "2%" }, "component": "nginx" })
    );
    assert_eq!((i.created_at, i.last_alert_at), (h.now(), h.now()));
    assert_eq!(
        (i.acknowledged_at, i.acknowledged_by, i.resolved_at),
        (None, None, None)
    );
    let log = h.engine.alert_log(None, None, 10).await.expect("alert log");
    assert_eq!(log.len(), 1);
    assert_eq!(
        (
            log[0].action.as_str(),
            log[0].outcome.as_str(),
            log[0].incident
        ),
        ("trigger", "created", Some(1))
    );
}

async fn incident_numbers_increase_one_by_one_across_services(backend: Backend) {
    let h = Harness::start(backend).await;

    let numbers = vec![
        open(&h.engine, "web", "a").await,
        open(&h.engine, "db", "b").await,
        open(&h.engine, "web", "c").await,
        open(&h.engine, "db", "d").await,
    ];

    assert_eq!(numbers, vec![number(1), number(2), number(3), number(4)]);
    assert_eq!(incident(&h.engine, number(2)).await.service.as_str(), "db");
}

async fn same_key_on_the_same_service_while_open_is_deduplicated_without_a_new_page(
    backend: Backend,
) {
    let h = Harness::start(backend).await;
    let n = open(&h.engine, "web", "disk-full").await;
    let opened_at = h.now();
    h.advance(Duration::minutes(3));

    let outcome = h
        .engine
        .ingest(trigger("web", "disk-full", "Disk full now"))
        .await;

    assert_eq!(
        outcome.expect("ingest"),
        Ingested::Deduplicated {
            number: n,
            dedup_key: key("disk-full"),
            status: IncidentStatus::Triggered
        }
    );
    let i = incident(&h.engine, n).await;
    assert_eq!(i.alert_count, 2);
    assert_eq!((i.created_at, i.last_alert_at), (opened_at, h.now()));
    assert_eq!(
        i.title, "disk-full is failing",
        "the first trigger names the incident"
    );
    assert_eq!(
        queued(&h.engine, n).await,
        vec![Notification::IncidentOpened, Notification::AlertsAdded],
        "no second page"
    );
    assert_eq!(
        h.engine
            .incidents(&Default::default())
            .await
            .expect("list")
            .len(),
        1
    );
}

async fn same_key_on_another_service_opens_a_separate_incident(backend: Backend) {
    let h = Harness::start(backend).await;
    let on_web = open(&h.engine, "web", "high-latency").await;

    let on_db = h
        .engine
        .ingest(trigger("db", "high-latency", "Slow queries"))
        .await;

    assert_eq!(
        on_db.expect("ingest"),
        Ingested::Created {
            number: number(2),
            dedup_key: key("high-latency")
        }
    );
    assert_eq!(incident(&h.engine, on_web).await.alert_count, 1);
    assert_eq!(incident(&h.engine, number(2)).await.service.as_str(), "db");
}

async fn same_key_after_resolve_opens_a_new_incident(backend: Backend) {
    let h = Harness::start(backend).await;
    let first = open(&h.engine, "web", "disk-full").await;
    h.engine
        .ingest(resolve_event("web", "disk-full"))
        .await
        .expect("resolve");

    let again = h
        .engine
        .ingest(trigger("web", "disk-full", "Disk full again"))
        .await;

    assert_eq!(
        again.expect("ingest"),
        Ingested::Created {
            number: number(2),
            dedup_key: key("disk-full")
        }
    );
    let old = incident(&h.engine, first).await;
    assert_eq!((old.status, old.alert_count), (IncidentStatus::Resolved, 1));
    assert_eq!(
        incident(&h.engine, number(2)).await.status,
        IncidentStatus::Triggered
    );
}

async fn trigger_without_dedup_key_gets_a_generated_key_that_later_events_can_use(
    backend: Backend,
) {
    let h = Harness::start(backend).await;

    let first = h
        .engine
        .ingest(trigger_without_key("web", "Backup failed"))
        .await
        .expect("ingest");
    let second = h
        .engine
        .ingest(trigger_without_key("web", "Backup failed"))
        .await
        .expect("ingest");

    let Ingested::Created {
        number: n,
        dedup_key: generated,
    } = first
    else {
        panic!("not created: {first:?}")
    };
    assert!(!generated.as_str().is_empty());
    assert_eq!(incident(&h.engine, n).await.dedup_key, generated);
    assert!(
        matches!(&second, Ingested::Created { dedup_key, .. } if *dedup_key != generated),
        "a second keyless trigger is a new problem: {second:?}"
    );
    let resolved = h
        .engine
        .ingest(resolve_event("web", generated.as_str()))
        .await
        .expect("resolve");
    assert_eq!(
        resolved,
        Ingested::Resolved {
            number: n,
            dedup_key: generated
        }
    );
}

async fn incidents_are_listed_newest_first_and_filtered_by_status_and_service(backend: Backend) {
    let h = Harness::start(backend).await;
    let web_a = open(&h.engine, "web", "a").await;
    let db_b = open(&h.engine, "db", "b").await;
    let web_c = open(&h.engine, "web", "c").await;
    h.engine.acknowledge(web_c, &alice()).await.expect("ack");
    let filter =
        |statuses: Vec<IncidentStatus>, svc: Option<&str>| firebell_engine::IncidentFilter {
            statuses,
            service: svc.map(service),
            limit: None,
        };
    let numbers = |list: Vec<Incident>| list.into_iter().map(|i| i.number).collect::<Vec<_>>();

    let all = h
        .engine
        .incidents(&filter(vec![], None))
        .await
        .expect("list");
    let triggered = h
        .engine
        .incidents(&filter(vec![IncidentStatus::Triggered], None))
        .await
        .expect("list");
    let web = h
        .engine
        .incidents(&filter(vec![], Some("web")))
        .await
        .expect("list");

    assert_eq!(numbers(all), vec![web_c, db_b, web_a]);
    assert_eq!(numbers(triggered), vec![db_b, web_a]);
    assert_eq!(numbers(web), vec![web_c, web_a]);
}

async fn an_unreadable_severity_or_status_fails_the_read_naming_the_column_and_the_value(
    backend: Backend,
) {
    let h = Harness::start(backend).await;
    for (n, column, value) in [(1, "severity", "loud"), (2, "status", "paused")] {
        h.engine
            .ingest(trigger("web", &format!("key-{n}"), "Disk almost full"))
            .await
            .expect("ingest");
        hand_edit(&h.engine, n, column, value).await;

        let err = h
            .engine
            .incident(number(n))
            .await
            .expect_err("a value the store cannot read is an error, not a guess");

        assert!(err.user_message().is_none(), "an internal error: {err}");
        let chain = firebell_engine::error::cause_chain(&err);
        assert!(
            chain.contains(&format!("column \"{column}\""))
                && chain.contains(&format!("`{value}`")),
            "{chain}"
        );
    }
}

/// Writes `value` into `column` of incident `id` behind the engine's back and past the schema's
/// CHECK, as a hand edit (or a migration gone wrong) could.
async fn hand_edit(engine: &Engine, id: i64, column: &str, value: &str) {
    let update = format!("UPDATE incidents SET {column} = $1 WHERE id = $2");
    let update = sqlx::AssertSqlSafe(update);
    let rows = match engine.store() {
        firebell_engine::Store::Sqlite(pool, _) => {
            let mut conn = pool.acquire().await.expect("connection");
            sqlx::query("PRAGMA ignore_check_constraints = ON")
                .execute(&mut *conn)
                .await
                .expect("checks off");
            let done = sqlx::query(update).bind(value).bind(id);
            let done = done.execute(&mut *conn).await.expect("hand edit");
            sqlx::query("PRAGMA ignore_check_constraints = OFF")
                .execute(&mut *conn)
                .await
                .expect("checks on");
            done.rows_affected()
        }
        firebell_engine::Store::Postgres(pool) => {
            // The schema is this test's own.
            let drop = format!("ALTER TABLE incidents DROP CONSTRAINT incidents_{column}_check");
            sqlx::query(sqlx::AssertSqlSafe(drop))
                .execute(pool)
                .await
                .expect("checks off");
            let done = sqlx::query(update).bind(value).bind(id);
            done.execute(pool).await.expect("hand edit").rows_affected()
        }
    };
    assert_eq!(rows, 1);
}

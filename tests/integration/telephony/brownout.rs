//! Pages stop at the acknowledgement, whatever is queued or retrying: a provider brownout while
//! people ack, then the provider recovers.

use firebell_tests::backends;

use super::*;

const INCIDENTS: usize = 4;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_retrying_through_a_brownout_are_cancelled_by_the_ack_and_never_sent() {
    for backend in backends() {
        let rig = Rig::start(backend, Providers::BOTH).await;
        rig.phones.brownout(true);
        let mut numbers = Vec::new();
        for i in 0..INCIDENTS {
            numbers.push(
                rig.open_incident(&format!("brownout-{i}"), &format!("disk full {i}"))
                    .await,
            );
        }

        // Two minutes without an ack: each incident texts alice; both providers fail.
        rig.app.advance(chrono::Duration::minutes(2));
        // Each try ends with the second provider failing too (Twilio first, then Vonage).
        rig.phones
            .wait_for("a failed SMS try for every incident", |r| {
                r.iter().filter(|r| r.is_vonage_sms()).count() >= INCIDENTS
            })
            .await;

        // Everyone is acknowledged during the brownout.
        for n in &numbers {
            let (s, body) = rig
                .app
                .api_post(&format!("/api/v1/incidents/{}/acknowledge", n.get()), None)
                .await;
            assert_eq!(s, StatusCode::OK, "{body}");
        }

        // The providers recover, and every retry comes due (and the call step would too).
        rig.phones.brownout(false);
        rig.app.advance(chrono::Duration::minutes(10));

        // Each cancelled page says so on the timeline, and the ack itself (a status notice, not a
        // page) is still posted to the room.
        for n in &numbers {
            rig.app
                .api_wait(&format!("/api/v1/incidents/{}", n.get()), |b| {
                    let cancelled = timeline(b).iter().any(|m| {
                        m.starts_with("SMS to Alice Adams (alice) cancelled: acknowledged by ci")
                    });
                    let posted = b["notifications"].as_array().is_some_and(|a| {
                        a.iter().any(|d| {
                            d["method"] == "room"
                                && d["notification"]["kind"] == "acknowledged"
                                && !d["delivered_at"].is_null()
                        })
                    });
                    cancelled && posted
                })
                .await;
        }
        // Let the workers run a little longer: nothing may get through afterwards either.
        rig.app.advance(chrono::Duration::hours(1));
        tokio::time::sleep(Duration::from_millis(300)).await;
        let accepted = rig.phones.accepted();
        assert!(
            accepted.is_empty(),
            "{backend:?}: pages went out for acknowledged incidents: {accepted:#?}"
        );
        rig.app.stop().await;
    }
}

/// Runs one SQL statement on the test's database over a connection of its own.
async fn sql(url: &str, backend: firebell_tests::Backend, statement: &str) {
    use sqlx::Connection as _;
    match backend {
        firebell_tests::Backend::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(url).await.expect("connect");
            sqlx::query(sqlx::AssertSqlSafe(statement))
                .execute(&mut c)
                .await
                .expect(statement);
        }
        firebell_tests::Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(url).await.expect("connect");
            sqlx::query(sqlx::AssertSqlSafe(statement))
                .execute(&mut c)
                .await
                .expect(statement);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_error_before_sending_a_page_is_a_retry_not_a_lost_page() {
    for backend in backends() {
        let rig = Rig::start(backend, Providers::BOTH).await;
        rig.phones.brownout(true);
        let n = rig.open_incident("db-blip", "disk full").await;
        rig.app.advance(chrono::Duration::minutes(2));
        // The try is over once Vonage, tried after Twilio, has failed too.
        rig.phones
            .wait_for("a failed SMS try", |r| r.iter().any(|r| r.is_vonage_sms()))
            .await;

        // The providers recover, but reading the incident fails while the retry comes due.
        rig.phones.brownout(false);
        let url = rig.app.db.url.clone();
        sql(
            &url,
            backend,
            "ALTER TABLE incidents RENAME TO incidents_away",
        )
        .await;
        rig.app.advance(chrono::Duration::seconds(10));
        // Longer than the outbox worker's poll: it claims the row and fails to read the incident.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        sql(
            &url,
            backend,
            "ALTER TABLE incidents_away RENAME TO incidents",
        )
        .await;

        // The page is still waiting, and goes out once the database answers again.
        rig.app.advance(chrono::Duration::minutes(1));
        let sent = rig
            .phones
            .wait_for("the page after the database recovered", |r| {
                r.iter().any(|r| r.is_twilio_sms() && r.id.is_some())
            })
            .await;
        let ok: Vec<_> = sent.iter().filter(|r| r.id.is_some()).collect();
        assert_eq!(ok.len(), 1, "{backend:?}: {ok:#?}");
        let show = rig
            .app
            .api_wait(&format!("/api/v1/incidents/{}", n.get()), |b| {
                timeline(b)
                    .iter()
                    .any(|m| m.starts_with("Notified Alice Adams (alice) by SMS"))
            })
            .await;
        assert!(
            !timeline(&show)
                .iter()
                .any(|m| m.contains("Could not reach")),
            "{backend:?}: {:#?}",
            timeline(&show)
        );
        rig.app.stop().await;
    }
}

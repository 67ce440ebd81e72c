//! The ingest writers are supervised: one that dies is restarted on the same queue, `/readyz`
//! says not ready while a queue has no writer, and no event answered 202 is lost — not those
//! committed before the crash, not those that waited in the queue meanwhile.

use std::time::{Duration, Instant};

use firebell_tests::fixtures::WEB_KEY;
use firebell_tests::{TestApp, backends};
use reqwest::StatusCode;
use serde_json::Value;

use crate::ingest_flow::trigger;

async fn readyz(app: &TestApp) -> (StatusCode, Value) {
    let r = app
        .client
        .get(format!("{}/readyz", app.base))
        .send()
        .await
        .expect("GET /readyz");
    let status = r.status();
    (status, r.json().await.expect("a JSON body"))
}

async fn send(app: &TestApp, dedup: &str) -> StatusCode {
    let (status, body) = app
        .post_json(
            "/v2/enqueue",
            &trigger(WEB_KEY, dedup, &format!("alert {dedup}")),
        )
        .await;
    assert!(
        status == StatusCode::ACCEPTED || status == StatusCode::SERVICE_UNAVAILABLE,
        "{status} {body}"
    );
    status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crashed_ingest_writer_is_restarted_readyz_says_so_meanwhile_and_nothing_accepted_is_lost()
 {
    for backend in backends() {
        // Arrange: events committed before anything goes wrong.
        let app = TestApp::spawn(backend).await;
        for dedup in ["before-1", "before-2"] {
            assert_eq!(send(&app, dedup).await, StatusCode::ACCEPTED);
        }
        assert_eq!(readyz(&app).await.0, StatusCode::OK);

        // Act: the writer dies on the next batch, as a bug would make it.
        app.engine().crash_next_ingest_batch();
        let crashed = send(&app, "crash").await;

        // Assert: the event it died on was not accepted (the sender retries it) ...
        assert_eq!(crashed, StatusCode::SERVICE_UNAVAILABLE, "{backend:?}");
        // ... and /readyz says why not ready, from the moment the sender hears about it.
        let (status, body) = readyz(&app).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert_eq!(body["status"], "unavailable", "{body}");
        assert_eq!(body["reason"], "ingest_writer_down", "{body}");
        assert!(
            body["message"]
                .as_str()
                .is_some_and(|m| m.contains("ingest writer")),
            "{body}"
        );

        // Events sent while it is down wait in its queue and are accepted once it is back.
        let during = (1..=4).map(|i| {
            let (client, base) = (app.client.clone(), app.base.clone());
            tokio::spawn(async move {
                client
                    .post(format!("{base}/v2/enqueue"))
                    .json(&trigger(WEB_KEY, &format!("during-{i}"), "alert during"))
                    .send()
                    .await
                    .expect("enqueue")
                    .status()
            })
        });
        let during: Vec<_> = during.collect();
        let deadline = Instant::now() + Duration::from_secs(10);
        while readyz(&app).await.0 != StatusCode::OK {
            assert!(Instant::now() < deadline, "the writer was never restarted");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        for d in during {
            assert_eq!(d.await.expect("task"), StatusCode::ACCEPTED);
        }
        assert_eq!(send(&app, "after").await, StatusCode::ACCEPTED);

        // Every accepted event is committed; the one that failed is not there.
        let (status, list) = app.api_get("/api/v1/incidents?limit=100").await;
        assert_eq!(status, StatusCode::OK, "{list}");
        let mut keys: Vec<&str> = list["incidents"]
            .as_array()
            .expect("incidents")
            .iter()
            .filter_map(|i| i["dedup_key"].as_str())
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "after", "before-1", "before-2", "during-1", "during-2", "during-3", "during-4"
            ],
            "{backend:?}"
        );
        app.stop().await;
    }
}

//! The real `firebell` binary, several at once on one PostgreSQL: what in-process engines sharing
//! one runtime cannot show (leases between processes, `kill -9`, signals, sockets).
//!
//! # Layout
//! - `mod.rs`: a cluster of replicas with a slow fake Twilio, and counting what it was sent.
//! - `replicas`: every page exactly once across replicas, and after one of them is killed.

mod replicas;

use std::collections::BTreeMap;
use std::time::Duration;

use firebell_tests::fake_smtp::FakeSmtp;
use firebell_tests::fake_telephony::{FakeTelephony, Recorded};
use firebell_tests::fixtures::WEB_KEY;
use firebell_tests::process::FirebellProcess;
use firebell_tests::{Backend, TestDb};

use crate::ingest_flow::trigger;
use crate::telephony::{Providers, config_text};

/// The PostgreSQL URL, or `None` (with a note) when `DATABASE_URL` is not set: replicas need
/// PostgreSQL; CI always sets it.
pub fn postgres() -> Option<()> {
    if std::env::var("DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
        Some(())
    } else {
        eprintln!("note: DATABASE_URL is not set; the multi-process tests need PostgreSQL");
        None
    }
}

/// Several `firebell serve` processes on one fresh PostgreSQL schema, paging alice and bob by
/// SMS at once (level 1 names both) through a fake Twilio.
pub struct Cluster {
    pub replicas: Vec<FirebellProcess>,
    pub phones: FakeTelephony,
    _smtp: FakeSmtp,
    _db: TestDb,
    client: reqwest::Client,
}

impl Cluster {
    pub async fn start(n: usize, provider_latency: Duration) -> Cluster {
        let phones = FakeTelephony::start().await;
        phones.set_latency(provider_latency);
        let smtp = FakeSmtp::start().await;
        let providers = Providers {
            twilio: true,
            vonage: false,
        };
        let toml = config_text(
            &phones.url,
            smtp.port,
            providers,
            "notify.high = { sms = 0 }\n",
        )
        .replace("targets = [\"alice\"]", "targets = [\"alice\", \"bob\"]");
        let db = TestDb::new(Backend::Postgres).await;
        // The first replica migrates the fresh schema; the others start on it once it is ready.
        let mut replicas = Vec::new();
        for i in 0..n {
            let mut r = FirebellProcess::spawn(&format!("replica-{i}"), &toml, &db.url);
            if i == 0 {
                r.wait_ready().await;
            }
            replicas.push(r);
        }
        for r in &mut replicas {
            r.wait_ready().await;
        }
        Cluster {
            replicas,
            phones,
            _smtp: smtp,
            _db: db,
            client: reqwest::Client::new(),
        }
    }

    /// Opens `count` incidents on `web`, spread over the replicas' HTTP servers.
    pub async fn burst(&self, count: usize) {
        for i in 0..count {
            let base = &self.replicas[i % self.replicas.len()].base;
            let resp = self
                .client
                .post(format!("{base}/v2/enqueue"))
                .json(&trigger(
                    WEB_KEY,
                    &format!("burst-{i}"),
                    &format!("burst {i}"),
                ))
                .send()
                .await
                .expect("enqueue");
            assert_eq!(
                resp.status(),
                202,
                "{}",
                resp.text().await.unwrap_or_default()
            );
        }
    }

    /// SMS pages Twilio accepted, by (phone, incident number): how many times each.
    pub fn pages(&self) -> BTreeMap<(String, i64), usize> {
        count_pages(&self.phones.accepted())
    }

    /// Waits (up to `limit`) until `want` distinct pages were accepted, then `settle` more for
    /// any late duplicate; returns the counts.
    pub async fn wait_pages(
        &self,
        want: usize,
        limit: Duration,
        settle: Duration,
    ) -> BTreeMap<(String, i64), usize> {
        let deadline = tokio::time::Instant::now() + limit;
        while self.pages().len() < want {
            if tokio::time::Instant::now() > deadline {
                let logs: Vec<String> = self.replicas.iter().map(|r| r.log()).collect();
                panic!(
                    "only {} of {want} pages went out in {limit:?}; replica logs:\n{}",
                    self.pages().len(),
                    logs.join("\n-----\n")
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        tokio::time::sleep(settle).await;
        self.pages()
    }
}

/// Twilio SMS requests by (To, incident number from "firebell #N …").
pub fn count_pages(sent: &[Recorded]) -> BTreeMap<(String, i64), usize> {
    let mut out = BTreeMap::new();
    for r in sent.iter().filter(|r| r.is_twilio_sms()) {
        let body = r.field("Body").unwrap_or_default();
        let number: i64 = body
            .strip_prefix("firebell #")
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("not a page SMS: {body}"));
        let to = r.field("To").unwrap_or_default().to_owned();
        *out.entry((to, number)).or_insert(0) += 1;
    }
    out
}

/// The pages sent more than once.
pub fn duplicates(pages: &BTreeMap<(String, i64), usize>) -> Vec<(&(String, i64), &usize)> {
    pages.iter().filter(|(_, n)| **n > 1).collect()
}

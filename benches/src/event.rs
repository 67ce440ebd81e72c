//! The bodies a run sends: one realistic alert per request, as a monitoring system would send it,
//! about 450 bytes — a PagerDuty v2 trigger for firebell, or the same alert in Alertmanager's
//! `POST /api/v2/alerts` shape for the comparison with Prometheus Alertmanager.
//!
//! The dedup key decides what the server has to do: a new key opens a new incident (an insert
//! plus its notifications), a known key only appends an alert to the open incident. Both paths
//! are measured separately because real traffic is mostly the second kind during an outage.

use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;

/// How dedup keys are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KeyMode {
    /// Every request has a new key: every request opens a new incident.
    Distinct,
    /// One key for every request: one incident, every later request deduplicated into it.
    One,
    /// Keys drawn from a set of [`KEYS100`]: after the first hundred, every request is
    /// deduplicated into an open incident (the shape of an alert storm).
    #[value(alias = "repeated")]
    Keys100,
}

impl KeyMode {
    pub fn name(self) -> &'static str {
        match self {
            KeyMode::Distinct => "distinct",
            KeyMode::One => "one",
            KeyMode::Keys100 => "keys100",
        }
    }
}

/// The size of the key set in `keys100` mode.
pub const KEYS100: u64 = 100;

/// Which API the bodies are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A PagerDuty Events API v2 trigger (`POST /v2/enqueue`, answered `202`).
    PagerDuty,
    /// A one-alert array for Alertmanager's `POST /api/v2/alerts` (answered `200`); the dedup key
    /// is a label, so a repeated key is the same alert again.
    Alertmanager,
}

impl Format {
    /// The status that means "accepted".
    pub fn accepted(self) -> u16 {
        match self {
            Format::PagerDuty => 202,
            Format::Alertmanager => 200,
        }
    }
}

/// Produces one connection's request bodies.
pub struct Events {
    mode: KeyMode,
    format: Format,
    /// Appends ` t=<unix micros>` to each summary, so a fake chat server can tell how long after
    /// sending the alert showed up in chat.
    stamp: bool,
    routing_key: String,
    /// Makes distinct keys unique across connections and across runs against the same database.
    prefix: String,
    seq: u64,
    rng: u64,
}

impl Events {
    /// `run` distinguishes runs (e.g. process id and start time), `conn` the connection.
    pub fn new(mode: KeyMode, format: Format, routing_key: &str, run: &str, conn: usize) -> Self {
        Self {
            mode,
            format,
            stamp: false,
            routing_key: routing_key.to_owned(),
            prefix: format!("bench-{run}-c{conn}"),
            seq: 0,
            // Any odd, connection-specific seed: the stream only needs to look unordered.
            rng: 0x9E37_79B9_7F4A_7C15 ^ (((conn as u64) << 1) | 1),
        }
    }

    pub fn stamped(self, stamp: bool) -> Self {
        Self { stamp, ..self }
    }

    /// The next request body.
    pub fn next_body(&mut self) -> Bytes {
        self.seq += 1;
        let key = match self.mode {
            KeyMode::Distinct => format!("{}-{}", self.prefix, self.seq),
            KeyMode::One => "bench-one".to_owned(),
            KeyMode::Keys100 => format!("bench-keys100-{:03}", self.next_rand() % KEYS100),
        };
        let mut summary = SUMMARY.to_owned();
        if self.stamp {
            summary.push_str(&format!(" t={}", unix_micros()));
        }
        Bytes::from(match self.format {
            Format::PagerDuty => trigger(&self.routing_key, &key, &summary, self.seq),
            Format::Alertmanager => alertmanager(&key, &summary, self.seq),
        })
    }

    /// xorshift64: deterministic, dependency-free, good enough to spread keys.
    fn next_rand(&mut self) -> u64 {
        let mut x = self.rng;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.rng = x;
        x
    }
}

pub fn unix_micros() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}

/// What every alert says (a stamp may follow).
pub const SUMMARY: &str = "High 5xx rate on checkout-api: 12.4% of requests failing";

/// One trigger event. Keys and summaries contain nothing JSON needs to escape.
pub fn trigger(routing_key: &str, dedup_key: &str, summary: &str, seq: u64) -> String {
    format!(
        concat!(
            r#"{{"routing_key":"{rk}","event_action":"trigger","dedup_key":"{dk}","#,
            r#""client":"Prometheus","#,
            r#""payload":{{"summary":"{summary}","#,
            r#""source":"checkout-api-7f9c.prod.example.com","severity":"critical","#,
            r#""custom_details":{{"error_ratio":"12.4%","window":"5m","region":"eu-west-1","#,
            r#""sample":{seq}}}}},"#,
            r#""links":[{{"href":"https://grafana.example.com/d/checkout","text":"Checkout"}}]}}"#,
        ),
        rk = routing_key,
        dk = dedup_key,
        summary = summary,
        seq = seq,
    )
}

/// The same alert as Prometheus would post it to Alertmanager: the dedup key is the `key` label
/// (Alertmanager identifies an alert by its label set).
pub fn alertmanager(dedup_key: &str, summary: &str, seq: u64) -> String {
    format!(
        concat!(
            r#"[{{"labels":{{"alertname":"HighErrorRate","key":"{dk}","service":"checkout-api","#,
            r#""instance":"checkout-api-7f9c.prod.example.com","severity":"critical","#,
            r#""region":"eu-west-1"}},"#,
            r#""annotations":{{"summary":"{summary}","error_ratio":"12.4%","window":"5m","#,
            r#""sample":"{seq}"}},"#,
            r#""generatorURL":"https://grafana.example.com/d/checkout"}}]"#,
        ),
        dk = dedup_key,
        summary = summary,
        seq = seq,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "benchkey000000000000000000000001";

    fn dedup_key(format: Format, body: &Bytes) -> String {
        let v: serde_json::Value = serde_json::from_slice(body).unwrap();
        match format {
            Format::PagerDuty => v["dedup_key"].as_str().unwrap().to_owned(),
            Format::Alertmanager => v[0]["labels"]["key"].as_str().unwrap().to_owned(),
        }
    }

    #[test]
    fn a_trigger_is_valid_for_the_real_parser_and_realistically_sized() {
        let body = trigger(KEY, "bench-x-c0-1", SUMMARY, 1);
        assert!(
            firebell_adapters::http::parse_event_v2(body.as_bytes()).is_ok(),
            "{body}"
        );
        assert!((400..500).contains(&body.len()), "{} bytes", body.len());
        let am = alertmanager("bench-x-c0-1", SUMMARY, 1);
        assert!((350..500).contains(&am.len()), "{} bytes", am.len());
    }

    #[test]
    fn each_key_mode_keeps_to_its_key_set_in_both_formats() {
        for format in [Format::PagerDuty, Format::Alertmanager] {
            let keys = |mode, n| {
                let mut events = Events::new(mode, format, KEY, "r", 3);
                (0..n)
                    .map(|_| dedup_key(format, &events.next_body()))
                    .collect::<std::collections::HashSet<_>>()
                    .len() as u64
            };
            assert_eq!(keys(KeyMode::Distinct, 1000), 1000);
            assert_eq!(keys(KeyMode::One, 100), 1);
            let k = keys(KeyMode::Keys100, 5000);
            assert!(k <= KEYS100 && k > 90, "{k}");
        }
    }

    #[test]
    fn a_stamped_summary_ends_with_the_send_time() {
        let mut events = Events::new(KeyMode::One, Format::PagerDuty, KEY, "r", 0).stamped(true);
        let before = unix_micros();
        let body = events.next_body();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let summary = v["payload"]["summary"].as_str().unwrap();
        let t: u64 = summary.rsplit_once(" t=").unwrap().1.parse().unwrap();
        assert!(t >= before && t - before < 1_000_000, "{summary}");
        assert!(firebell_adapters::http::parse_event_v2(&body).is_ok());
    }
}

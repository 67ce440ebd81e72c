//! The bodies a run sends: a realistic PagerDuty v2 trigger, as a monitoring system would send it
//! (summary, source, severity, custom details, a link, client), about 450 bytes.
//!
//! The dedup key decides what the server has to do: a new key opens a new incident (an insert
//! plus its notifications), a known key only appends an alert to the open incident. Both paths
//! are measured separately because real traffic is mostly the second kind during an outage.

use bytes::Bytes;

/// How dedup keys are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KeyMode {
    /// Every request has a new key: every request opens a new incident.
    Distinct,
    /// Keys are drawn from a set of [`REPEATED_KEYS`]: after the first hundred, every request is
    /// deduplicated into an open incident.
    Repeated,
}

impl KeyMode {
    pub fn name(self) -> &'static str {
        match self {
            KeyMode::Distinct => "distinct",
            KeyMode::Repeated => "repeated",
        }
    }
}

/// The size of the key set in `repeated` mode.
pub const REPEATED_KEYS: u64 = 100;

/// Produces one connection's request bodies.
pub struct Events {
    mode: KeyMode,
    routing_key: String,
    /// Makes distinct keys unique across connections and across runs against the same database.
    prefix: String,
    seq: u64,
    rng: u64,
}

impl Events {
    /// `run` distinguishes runs (e.g. process id and start time), `conn` the connection.
    pub fn new(mode: KeyMode, routing_key: &str, run: &str, conn: usize) -> Self {
        Self {
            mode,
            routing_key: routing_key.to_owned(),
            prefix: format!("bench-{run}-c{conn}"),
            seq: 0,
            // Any odd, connection-specific seed: the stream only needs to look unordered.
            rng: 0x9E37_79B9_7F4A_7C15 ^ (((conn as u64) << 1) | 1),
        }
    }

    /// The next request body.
    pub fn next_body(&mut self) -> Bytes {
        self.seq += 1;
        let key = match self.mode {
            KeyMode::Distinct => format!("{}-{}", self.prefix, self.seq),
            KeyMode::Repeated => format!("bench-repeated-{:03}", self.next_rand() % REPEATED_KEYS),
        };
        Bytes::from(trigger(&self.routing_key, &key, self.seq))
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

/// One trigger event. Keys contain only `[A-Za-z0-9-]`, so no JSON escaping is needed.
pub fn trigger(routing_key: &str, dedup_key: &str, seq: u64) -> String {
    format!(
        concat!(
            r#"{{"routing_key":"{rk}","event_action":"trigger","dedup_key":"{dk}","#,
            r#""client":"Prometheus","#,
            r#""payload":{{"summary":"High 5xx rate on checkout-api: 12.4% of requests failing","#,
            r#""source":"checkout-api-7f9c.prod.example.com","severity":"critical","#,
            r#""custom_details":{{"error_ratio":"12.4%","window":"5m","region":"eu-west-1","#,
            r#""sample":{seq}}}}},"#,
            r#""links":[{{"href":"https://grafana.example.com/d/checkout","text":"Checkout"}}]}}"#,
        ),
        rk = routing_key,
        dk = dedup_key,
        seq = seq,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "benchkey000000000000000000000001";

    #[test]
    fn a_trigger_is_valid_for_the_real_parser_and_realistically_sized() {
        let body = trigger(KEY, "bench-x-c0-1", 1);
        assert!(
            firebell_adapters::http::parse_event_v2(body.as_bytes()).is_ok(),
            "{body}"
        );
        assert!((400..500).contains(&body.len()), "{} bytes", body.len());
    }

    #[test]
    fn distinct_mode_never_repeats_a_key_and_repeated_mode_stays_in_its_set() {
        let dedup_key = |b: &Bytes| {
            let v: serde_json::Value = serde_json::from_slice(b).unwrap();
            v["dedup_key"].as_str().unwrap().to_owned()
        };
        let mut distinct = Events::new(KeyMode::Distinct, KEY, "r", 3);
        let keys: std::collections::HashSet<_> = (0..1000)
            .map(|_| dedup_key(&distinct.next_body()))
            .collect();
        assert_eq!(keys.len(), 1000);
        let mut repeated = Events::new(KeyMode::Repeated, KEY, "r", 3);
        let keys: std::collections::HashSet<_> = (0..5000)
            .map(|_| dedup_key(&repeated.next_body()))
            .collect();
        assert!(
            keys.len() as u64 <= REPEATED_KEYS && keys.len() > 90,
            "{}",
            keys.len()
        );
    }
}

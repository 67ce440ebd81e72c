//! What a run observed: a latency histogram of accepted requests and every failure, kept per
//! connection (no sharing on the hot path) and merged at the end into one result line.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use hdrhistogram::Histogram;

/// Failure samples kept per connection; the counts by kind are always complete.
const SAMPLES_PER_CONNECTION: usize = 3;

/// The longest latency the histogram resolves (longer ones are clamped and still counted).
const MAX_TRACKED: Duration = Duration::from_secs(60);

pub struct Stats {
    /// Latency in microseconds of every `202` completed inside the measured window.
    pub latency_us: Histogram<u64>,
    /// Replies of any status completed inside the measured window.
    pub replies: u64,
    /// Failures over the whole run, warm-up included, by kind (`status 429`, `timeout`, …).
    pub errors: BTreeMap<String, u64>,
    /// A few failures verbatim (status and body, or the transport error).
    pub samples: Vec<String>,
}

impl Default for Stats {
    fn default() -> Self {
        Self::new()
    }
}

impl Stats {
    pub fn new() -> Self {
        let max = MAX_TRACKED.as_micros() as u64;
        Self {
            latency_us: Histogram::new_with_bounds(1, max, 3).expect("static histogram bounds"),
            replies: 0,
            errors: BTreeMap::new(),
            samples: Vec::new(),
        }
    }

    pub fn accepted(&mut self, latency: Duration) {
        let us = (latency.as_micros() as u64).clamp(1, self.latency_us.high());
        self.latency_us.saturating_record(us);
    }

    pub fn failed(&mut self, kind: String, detail: String) {
        if self.samples.len() < SAMPLES_PER_CONNECTION {
            self.samples.push(format!("{kind}: {detail}"));
        }
        *self.errors.entry(kind).or_default() += 1;
    }

    pub fn merge(&mut self, other: Stats) {
        self.latency_us
            .add(&other.latency_us)
            .expect("histograms share their bounds");
        self.replies += other.replies;
        for (kind, n) in other.errors {
            *self.errors.entry(kind).or_default() += n;
        }
        self.samples.extend(other.samples);
    }

    pub fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }

    /// The greppable result line: `key=value` pairs separated by single spaces.
    pub fn line(&self, label: &str, keys: &str, conns: usize, window: Duration) -> String {
        let h = &self.latency_us;
        let ms = |us: u64| format!("{:.3}ms", us as f64 / 1000.0);
        let mut out = format!(
            "scenario={label} keys={keys} conns={conns} requests={} errors={} throughput={:.0}/s",
            self.replies,
            self.error_count(),
            h.len() as f64 / window.as_secs_f64(),
        );
        for (name, q) in [("p50", 0.5), ("p90", 0.9), ("p99", 0.99), ("p999", 0.999)] {
            let _ = write!(out, " {name}={}", ms(h.value_at_quantile(q)));
        }
        let _ = write!(out, " max={}", ms(h.max()));
        out
    }

    /// Failures for stderr: counts by kind, then the distinct samples.
    pub fn error_report(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .errors
            .iter()
            .map(|(kind, n)| format!("errors: {n} x {kind}"))
            .collect();
        let mut seen = std::collections::BTreeSet::new();
        let distinct = self.samples.iter().filter(|s| seen.insert(s.as_str()));
        lines.extend(distinct.take(10).map(|s| format!("  e.g. {s}")));
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_stats_count_both_sides_and_the_line_is_greppable() {
        let mut a = Stats::new();
        let mut b = Stats::new();
        for _ in 0..99 {
            a.accepted(Duration::from_micros(1000));
        }
        b.accepted(Duration::from_millis(20));
        a.replies = 99;
        b.replies = 101;
        b.failed("status 429".into(), "throttled".into());
        b.failed("status 429".into(), "throttled".into());
        a.merge(b);
        let line = a.line("sqlite", "distinct", 2, Duration::from_secs(2));
        assert!(
            line.starts_with("scenario=sqlite keys=distinct conns=2 requests=200 errors=2 "),
            "{line}"
        );
        assert!(line.contains(" throughput=50/s "), "{line}");
        assert!(line.contains(" p50=1.000ms "), "{line}");
        assert!(line.ends_with(" max=20.015ms"), "{line}");
        assert_eq!(a.error_report()[0], "errors: 2 x status 429");
    }
}

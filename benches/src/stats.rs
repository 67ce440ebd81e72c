//! What a run observed: a latency histogram of accepted requests, accepted counts per time
//! window, and every failure, kept per connection (no sharing on the hot path) and merged at the
//! end into one result line.

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
    /// Accepted replies over the whole run, warm-up included: what the server did while a
    /// script sampled its CPU time around the whole run.
    pub accepted_all: u64,
    /// Accepted replies per slice of the measured window (`--windows`), in order.
    pub windows: Vec<u64>,
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
            accepted_all: 0,
            windows: Vec::new(),
            errors: BTreeMap::new(),
            samples: Vec::new(),
        }
    }

    /// An accepted reply inside the measured window, in slice `window` of it (if sliced).
    pub fn accepted(&mut self, latency: Duration, window: Option<usize>) {
        if let Some(i) = window {
            if self.windows.len() <= i {
                self.windows.resize(i + 1, 0);
            }
            self.windows[i] += 1;
        }
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
        self.accepted_all += other.accepted_all;
        if self.windows.len() < other.windows.len() {
            self.windows.resize(other.windows.len(), 0);
        }
        for (mine, theirs) in self.windows.iter_mut().zip(other.windows) {
            *mine += theirs;
        }
        for (kind, n) in other.errors {
            *self.errors.entry(kind).or_default() += n;
        }
        self.samples.extend(other.samples);
    }

    pub fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }

    /// The greppable result line: `key=value` pairs separated by single spaces; with `slice`,
    /// ` w1=…/s w2=…/s …`, the accepted throughput of each slice of the measured window (the
    /// last one may be shorter).
    pub fn line(
        &self,
        label: &str,
        keys: &str,
        conns: usize,
        measured: Duration,
        slice: Option<Duration>,
    ) -> String {
        let h = &self.latency_us;
        let ms = |us: u64| format!("{:.3}ms", us as f64 / 1000.0);
        let mut out = format!(
            "scenario={label} keys={keys} conns={conns} requests={} errors={} accepted_all={} \
             throughput={:.0}/s",
            self.replies,
            self.error_count(),
            self.accepted_all,
            h.len() as f64 / measured.as_secs_f64(),
        );
        for (name, q) in [("p50", 0.5), ("p90", 0.9), ("p99", 0.99), ("p999", 0.999)] {
            let _ = write!(out, " {name}={}", ms(h.value_at_quantile(q)));
        }
        let _ = write!(out, " max={}", ms(h.max()));
        if let Some(slice) = slice {
            let n = measured.as_nanos().div_ceil(slice.as_nanos()) as usize;
            for i in 0..n {
                let len = slice.min(measured - slice * i as u32);
                let count = self.windows.get(i).copied().unwrap_or(0);
                let _ = write!(out, " w{}={:.0}/s", i + 1, count as f64 / len.as_secs_f64());
            }
        }
        out
    }

    /// Which slice of the measured window a moment `since_start` after its start falls in.
    pub fn slice_of(since_start: Duration, slice: Option<Duration>) -> Option<usize> {
        slice.map(|s| (since_start.as_nanos() / s.as_nanos()) as usize)
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
        for i in 0..99 {
            a.accepted(Duration::from_micros(1000), Some(i % 2));
        }
        b.accepted(Duration::from_millis(20), Some(2));
        a.replies = 99;
        b.replies = 101;
        a.accepted_all = 120;
        b.accepted_all = 1;
        b.failed("status 429".into(), "throttled".into());
        b.failed("status 429".into(), "throttled".into());
        a.merge(b);
        let line = a.line("sqlite", "distinct", 2, Duration::from_secs(2), None);
        assert!(
            line.starts_with(
                "scenario=sqlite keys=distinct conns=2 requests=200 errors=2 accepted_all=121 "
            ),
            "{line}"
        );
        assert!(line.contains(" throughput=50/s "), "{line}");
        assert!(line.contains(" p50=1.000ms "), "{line}");
        assert!(line.ends_with(" max=20.015ms"), "{line}");
        assert_eq!(a.error_report()[0], "errors: 2 x status 429");
        // 50 + 49 + 1 accepted in slices of 0.75 s, 0.75 s and the last 0.5 s.
        let slice = Some(Duration::from_millis(750));
        let sliced = a.line("s", "k", 2, Duration::from_secs(2), slice);
        assert!(
            sliced.ends_with(" max=20.015ms w1=67/s w2=65/s w3=2/s"),
            "{sliced}"
        );
    }

    #[test]
    fn a_moment_falls_in_the_slice_that_contains_it() {
        let s = Some(Duration::from_secs(20));
        assert_eq!(Stats::slice_of(Duration::from_secs(0), s), Some(0));
        assert_eq!(Stats::slice_of(Duration::from_millis(19_999), s), Some(0));
        assert_eq!(Stats::slice_of(Duration::from_secs(20), s), Some(1));
        assert_eq!(Stats::slice_of(Duration::from_secs(20), None), None);
    }
}

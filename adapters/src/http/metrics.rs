//! Prometheus metrics: counters updated on the request path, gauges read from the database at
//! scrape time (so every replica reports the shared truth).

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use firebell_engine::Ingested;
use firebell_engine::alert::OUTCOMES;
use firebell_engine::engine::Stats;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EventLabels {
    source: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RejectLabels {
    reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabels {
    status: &'static str,
}

pub struct Metrics {
    registry: Registry,
    events: Family<EventLabels, Counter>,
    rejected: Family<RejectLabels, Counter>,
    incidents: Family<StatusLabels, Gauge>,
    outbox_depth: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("firebell");
        let events = Family::<EventLabels, Counter>::default();
        let rejected = Family::<RejectLabels, Counter>::default();
        let incidents = Family::<StatusLabels, Gauge>::default();
        let outbox_depth = Gauge::default();
        registry.register(
            "events",
            "Events accepted, by source and outcome",
            events.clone(),
        );
        registry.register(
            "events_rejected",
            "Events rejected before ingest, by reason",
            rejected.clone(),
        );
        registry.register("incidents", "Incidents by status", incidents.clone());
        registry.register(
            "outbox_depth",
            "Notifications waiting for delivery",
            outbox_depth.clone(),
        );
        for outcome in OUTCOMES {
            let _ = events.get_or_create(&EventLabels {
                source: "events_v2",
                outcome,
            });
        }
        Self {
            registry,
            events,
            rejected,
            incidents,
            outbox_depth,
        }
    }

    pub fn ingested(&self, source: &'static str, outcome: &Ingested) {
        self.events
            .get_or_create(&EventLabels {
                source,
                outcome: outcome.outcome(),
            })
            .inc();
    }

    pub fn rejected(&self, reason: &'static str) {
        self.rejected.get_or_create(&RejectLabels { reason }).inc();
    }

    /// The text exposition, with gauges set from `stats`.
    pub fn render(&self, stats: &Stats) -> String {
        for (status, n) in &stats.incidents_by_status {
            self.incidents
                .get_or_create(&StatusLabels {
                    status: status.as_str(),
                })
                .set(*n);
        }
        self.outbox_depth.set(stats.outbox_depth);
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

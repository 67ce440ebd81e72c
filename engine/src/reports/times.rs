//! The percentiles of the times to acknowledge and to resolve, read from the duration indexes a
//! few entries at a time, and the incidents acknowledged then auto-resolved.
//!
//! Time to acknowledge is to the *first* acknowledgement. `acknowledged_at` says so, except for
//! the few incidents whose acknowledgement was cleared (a re-trigger by the ack timeout, a
//! person's `!escalate` of an acknowledged incident) and given again later: for those the index
//! holds the later time. They are taken out of the index's order by their exact index keys, and
//! their first acknowledgements (from the timeline) put in, without a sort or a `NOT IN` over
//! the walk.

use super::build::count;
use super::figures::{self, Durations, MEDIAN, P90};
use crate::store::C;
use crate::store::reports::{self as rows, ClearedRow, DurationKey, Metric};

/// Incidents in a period above which percentiles walk the duration index instead of sorting.
const WALK_FROM: u64 = 100_000;

/// Percentiles of the times to acknowledge and resolve, and the incidents acknowledged then
/// auto-resolved. Means (and the counts they are over) come from the pass over the incidents.
#[derive(Default)]
pub(super) struct Times {
    pub mtta: Durations,
    pub mttr: Durations,
    pub auto_after_ack: u64,
    /// The incidents whose acknowledgement was cleared, for correcting the means.
    pub cleared: Vec<ClearedRow>,
}

/// The percentiles (skipped for a period without incidents: `opened` = 0), and the incidents
/// acknowledged then auto-resolved. `acked` and `resolved`: how many incidents opened in the
/// period have `acknowledged_at` and `resolved_at` (from the pass over them).
pub(super) async fn response_times(
    c: &mut C<'_>,
    s: &rows::Scope<'_>,
    opened: u64,
    acked: u64,
    resolved: u64,
    cleared: Vec<ClearedRow>,
) -> Result<Times, sqlx::Error> {
    let mut times = Times::default();
    if opened == 0 {
        return Ok(times);
    }
    // Counted by `acknowledged_at`; add those auto-resolved after their acknowledgement was
    // cleared.
    let auto = rows::auto_resolved_after_ack(c, s).await?
        + cleared
            .iter()
            .filter(|r| {
                r.acknowledged_at.is_none()
                    && r.first_ack.is_some()
                    && r.resolved_via.as_deref() == Some("system")
            })
            .count() as i64;
    times.auto_after_ack = count(auto);
    // The incidents the index orders by `acknowledged_at` (a later acknowledgement, for those
    // whose acknowledgement was cleared and given again), less those, plus the first
    // acknowledgements.
    let mut excluded: Vec<DurationKey> = Vec::new();
    let mut first_acks: Vec<i64> = Vec::new();
    for r in &cleared {
        let (remove, add) = correction(r);
        if let Some(v) = remove {
            excluded.push((v, r.created_at, r.service.clone(), r.id));
        }
        first_acks.extend(add);
    }
    excluded.sort();
    first_acks.sort_unstable();
    let in_index = acked;
    let ack = Population {
        metric: Metric::Ack,
        in_index,
        excluded: &excluded,
        extra: &first_acks,
    };
    times.mtta = Durations {
        count: (in_index + first_acks.len() as u64).saturating_sub(excluded.len() as u64),
        mean_seconds: None,
        median_seconds: percentile(c, s, &ack, MEDIAN).await?,
        p90_seconds: percentile(c, s, &ack, P90).await?,
    };
    let resolve = Population {
        metric: Metric::Resolve,
        in_index: resolved,
        excluded: &[],
        extra: &[],
    };
    times.mttr = Durations {
        count: resolve.in_index,
        mean_seconds: None,
        median_seconds: percentile(c, s, &resolve, MEDIAN).await?,
        p90_seconds: percentile(c, s, &resolve, P90).await?,
    };
    times.cleared = cleared;
    Ok(times)
}

/// How a cleared incident's time to acknowledge changes: the index's value to take out (it
/// holds a later acknowledgement) and the first acknowledgement's to put in.
pub(super) fn correction(r: &ClearedRow) -> (Option<i64>, Option<i64>) {
    match (r.acknowledged_at, r.first_ack) {
        (Some(a), Some(f)) if a != f => (Some(a - r.created_at), Some(f - r.created_at)),
        (None, Some(f)) => (None, Some(f - r.created_at)),
        _ => (None, None),
    }
}

/// The durations a percentile is over: `in_index` entries of the metric's index for the
/// period, less `excluded` (sorted, in index order), plus `extra` (sorted).
struct Population<'a> {
    metric: Metric,
    in_index: u64,
    excluded: &'a [DurationKey],
    extra: &'a [i64],
}

/// The p-quantile of a population, in seconds.
async fn percentile(
    c: &mut C<'_>,
    s: &rows::Scope<'_>,
    pop: &Population<'_>,
    p: f64,
) -> Result<Option<f64>, sqlx::Error> {
    let (x, e) = (pop.excluded.len() as u64, pop.extra.len() as u64);
    let n = (pop.in_index + e).saturating_sub(x);
    let Some((lo, frac)) = figures::position(n, p) else {
        return Ok(None);
    };
    let (offset, limit) = figures::window_for(lo, e, x);
    let take = (offset + limit).min(pop.in_index).saturating_sub(offset);
    // Few incidents: sort them. Many: walk the duration index, from the nearer end.
    let walk = pop.in_index >= WALK_FROM;
    let window = if take == 0 {
        Vec::new()
    } else if walk && offset > pop.in_index / 2 {
        let skip = pop.in_index - offset - take;
        let mut w =
            rows::duration_window(c, s, pop.metric, true, true, skip as i64, take as i64).await?;
        w.reverse();
        w
    } else {
        rows::duration_window(c, s, pop.metric, walk, false, offset as i64, take as i64).await?
    };
    let ranks: Vec<u64> = [lo, lo + 1].into_iter().filter(|r| *r < n).collect();
    let values =
        figures::union_ranks_excluding(offset, &window, |k| k.0, pop.excluded, pop.extra, &ranks);
    // To the microsecond, as stored.
    Ok(values.map(|v| figures::interpolate(v[0], v.get(1).copied(), frac).round() / 1e6))
}

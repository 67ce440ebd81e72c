//! Percentile math, pure: where a percentile sits among n sorted values, and how to read the
//! values at given ranks of a union of two sorted sets when one is known only through a small
//! window read from the database (the incidents whose first acknowledgement had to be looked up
//! in the timeline are the other set).

use serde::Serialize;

/// The percentiles a report gives, with the mean.
pub const MEDIAN: f64 = 0.5;
pub const P90: f64 = 0.9;

/// Mean, median and 90th percentile of a set of durations, in seconds. `None` when there was
/// nothing to measure.
///
/// Percentiles interpolate linearly between the two nearest ranks (as PostgreSQL's
/// `percentile_cont` and a spreadsheet's `PERCENTILE.INC` do): for n sorted values the
/// p-quantile sits at position h = (n − 1)·p, between the values at ranks ⌊h⌋ and ⌊h⌋ + 1.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Durations {
    /// How many incidents the figures are over.
    pub count: u64,
    pub mean_seconds: Option<f64>,
    pub median_seconds: Option<f64>,
    pub p90_seconds: Option<f64>,
}

/// Where the p-quantile of `n` sorted values sits: the lower rank and how far towards the next.
pub(crate) fn position(n: u64, p: f64) -> Option<(u64, f64)> {
    if n == 0 {
        return None;
    }
    let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor();
    Some((lo as u64, h - lo))
}

/// The value at `frac` of the way from `lo` to `hi` (`hi` absent: `lo` is the last value).
pub(crate) fn interpolate(lo: i64, hi: Option<i64>, frac: f64) -> f64 {
    match hi {
        Some(hi) if frac > 0.0 => lo as f64 + frac * (hi - lo) as f64,
        _ => lo as f64,
    }
}

/// The p-quantile of values already sorted ascending (the reference the windowed reads are
/// tested against).
pub fn quantile(sorted: &[i64], p: f64) -> Option<f64> {
    let (lo, frac) = position(sorted.len() as u64, p)?;
    let lo = lo as usize;
    Some(interpolate(sorted[lo], sorted.get(lo + 1).copied(), frac))
}

/// Which entries to read so that ranks `lo` and `lo + 1` of the union of D and C (|C| =
/// `c_len`) can be told: `(offset, limit)` into the index sorted ascending, which holds D and
/// `excluded_len` entries that are not part of it.
pub(crate) fn window_for(lo: u64, c_len: u64, excluded_len: u64) -> (u64, u64) {
    let offset = lo.saturating_sub(c_len);
    (offset, lo + 2 + excluded_len - offset)
}

/// The values at `ranks` of the sorted union U of D and C, where D is known only through
/// `window` = D[offset .. offset + window.len()) as read for [`window_for`] (shorter at D's
/// end), and C is known entirely, sorted. Every rank must be `lo` or `lo + 1` for the `lo` the
/// window was read for, and below |D| + |C|.
///
/// Why it works: let k be the number of C values below `window[0]`. U starts with the offset
/// values of D before the window and those k values of C (in some order), then continues with
/// the merge of the window and the rest of C for as long as the window lasts. The window was
/// read starting |C| ranks before `lo`, so (offset > 0) `offset + k ≤ lo`, and it reaches at
/// least two ranks past `lo`; with offset = 0 the part before is C's first k values alone.
/// `None` if a rank falls outside what was read (the data changed between the count and the
/// read).
pub(crate) fn union_ranks(
    offset: u64,
    window: &[i64],
    c: &[i64],
    ranks: &[u64],
) -> Option<Vec<i64>> {
    let Some(&first) = window.first() else {
        // Nothing of D at or after `offset`: U is C, if D is empty.
        if offset > 0 {
            return None;
        }
        return ranks.iter().map(|&r| c.get(r as usize).copied()).collect();
    };
    let k = c.partition_point(|v| *v < first);
    let mut merged = Vec::with_capacity(window.len() + c.len() - k);
    let (mut i, mut j) = (0, k);
    while i < window.len() || j < c.len() {
        if j >= c.len() || (i < window.len() && window[i] <= c[j]) {
            merged.push(window[i]);
            i += 1;
        } else {
            merged.push(c[j]);
            j += 1;
        }
    }
    let start = offset as usize + k;
    ranks
        .iter()
        .map(|&r| {
            let r = r as usize;
            if r < start {
                // With offset = 0, ranks below the window are C's smallest values (with
                // offset > 0 they cannot be below it).
                if offset == 0 { c.get(r).copied() } else { None }
            } else {
                merged.get(r - start).copied()
            }
        })
        .collect()
}

/// [`union_ranks`] for a window read from an index that also holds the entries in `excluded`
/// (sorted, in the index's order; not part of D): they are dropped from the window, and the
/// window's place in D is its offset less the excluded entries before it (at most its offset,
/// so it still starts |C| ranks or more before `lo`), and the `excluded_len` extra entries
/// [`window_for`] reads keep it reaching two ranks past `lo`.
pub(crate) fn union_ranks_excluding<K: Ord>(
    offset: u64,
    window: &[K],
    value: impl Fn(&K) -> i64,
    excluded: &[K],
    c: &[i64],
    ranks: &[u64],
) -> Option<Vec<i64>> {
    let Some(first) = window.first() else {
        return union_ranks(offset, &[], c, ranks);
    };
    let before = excluded.partition_point(|x| x < first) as u64;
    let kept: Vec<i64> = window
        .iter()
        .filter(|k| excluded.binary_search(k).is_err())
        .map(value)
        .collect();
    union_ranks(offset.saturating_sub(before), &kept, c, ranks)
}

/// A mean in seconds from a sum and a count in microseconds, `None` for nothing.
pub(crate) fn mean_seconds(sum_us: i64, n: u64) -> Option<f64> {
    (n > 0).then(|| sum_us as f64 / n as f64 / 1e6)
}

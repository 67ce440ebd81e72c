//! Percentiles: interpolation, and ranks read through index windows.

use super::*;

// ---- percentiles ----

#[test]
fn percentiles_interpolate_between_the_nearest_ranks() {
    let ten: Vec<i64> = (1..=10).collect();
    assert_eq!(quantile(&ten, 0.5), Some(5.5));
    assert_eq!(quantile(&ten, 0.9), Some(9.1));
    assert_eq!(quantile(&[7], 0.9), Some(7.0));
    assert_eq!(quantile(&[10, 20], 0.5), Some(15.0));
    assert_eq!(quantile(&[60, 120, 600], 0.9), Some(504.0));
    assert_eq!(quantile(&[], 0.5), None);
}

/// A small deterministic generator, so the property tests need no crate.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below.max(1)
    }
}

#[test]
fn ranks_of_a_union_read_through_a_window_match_sorting_everything() {
    let mut rng = Lcg(7);
    for round in 0..3000 {
        let d_len = rng.next(40) as usize;
        let c_len = rng.next(6) as usize;
        let spread = 1 + rng.next(50);
        let mut d: Vec<i64> = (0..d_len).map(|_| rng.next(spread) as i64).collect();
        let mut c: Vec<i64> = (0..c_len).map(|_| rng.next(spread) as i64).collect();
        d.sort_unstable();
        c.sort_unstable();
        let mut all: Vec<i64> = d.iter().chain(&c).copied().collect();
        all.sort_unstable();
        for p in [0.0, 0.1, 0.5, 0.9, 1.0] {
            let Some((lo, _)) = figures::position(all.len() as u64, p) else {
                continue;
            };
            let (offset, limit) = window_for(lo, c.len() as u64, 0);
            let window: Vec<i64> = d
                .iter()
                .skip(offset as usize)
                .take(limit as usize)
                .copied()
                .collect();
            let ranks: Vec<u64> = [lo, lo + 1]
                .into_iter()
                .filter(|r| (*r as usize) < all.len())
                .collect();
            let got = union_ranks(offset, &window, &c, &ranks).unwrap();
            let want: Vec<i64> = ranks.iter().map(|r| all[*r as usize]).collect();
            assert_eq!(got, want, "round {round}: d={d:?} c={c:?} p={p}");
        }
    }
}

#[test]
fn excluded_index_entries_are_skipped_by_their_keys() {
    let mut rng = Lcg(11);
    for round in 0..3000 {
        // Index entries: (value, tie-break, id), some of which are excluded (stale values).
        let n = rng.next(40) as usize;
        let spread = 1 + rng.next(30);
        let mut index: Vec<(i64, i64, i64)> = (0..n)
            .map(|id| (rng.next(spread) as i64, rng.next(3) as i64, id as i64))
            .collect();
        index.sort();
        let excluded: Vec<(i64, i64, i64)> =
            index.iter().filter(|_| rng.next(4) == 0).copied().collect();
        let mut extra: Vec<i64> = (0..rng.next(5)).map(|_| rng.next(spread) as i64).collect();
        extra.sort_unstable();
        let mut all: Vec<i64> = index
            .iter()
            .filter(|k| !excluded.contains(k))
            .map(|k| k.0)
            .chain(extra.iter().copied())
            .collect();
        all.sort_unstable();
        for p in [0.0, 0.5, 0.9, 1.0] {
            let Some((lo, _)) = figures::position(all.len() as u64, p) else {
                continue;
            };
            let (offset, limit) = window_for(lo, extra.len() as u64, excluded.len() as u64);
            let window: Vec<(i64, i64, i64)> = index
                .iter()
                .skip(offset as usize)
                .take(limit as usize)
                .copied()
                .collect();
            let ranks: Vec<u64> = [lo, lo + 1]
                .into_iter()
                .filter(|r| (*r as usize) < all.len())
                .collect();
            let got =
                union_ranks_excluding(offset, &window, |k| k.0, &excluded, &extra, &ranks).unwrap();
            let want: Vec<i64> = ranks.iter().map(|r| all[*r as usize]).collect();
            assert_eq!(
                got, want,
                "round {round}: index={index:?} excluded={excluded:?} extra={extra:?} p={p}"
            );
        }
    }
}

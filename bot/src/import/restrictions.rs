//! PagerDuty restrictions (daily, or weekly of any length up to a week) → firebell's weekday
//! windows: each restriction is cut into pieces that end by midnight, and pieces with the same
//! hours are grouped over their days. A window ending at midnight is written `end = "00:00"`
//! (firebell reads `end <= start` as running past midnight), a whole day as 00:00 to 00:00.

use chrono::{NaiveTime, Timelike, Weekday};

use super::model;

/// A firebell restriction: `days` from `start` to `end` (`end <= start` runs past midnight).
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    pub days: Vec<Weekday>,
    pub start: NaiveTime,
    pub end: NaiveTime,
}

/// PagerDuty restrictions → firebell windows, or why they cannot be carried (then the layer is
/// left out: without its restrictions it would page around the clock).
pub fn windows(restrictions: &[model::Restriction]) -> Result<Vec<Window>, String> {
    // (weekday index from Monday, start minute, end minute in 1..=1440)
    let mut pieces: Vec<(u32, u32, u32)> = Vec::new();
    for r in restrictions {
        let start = NaiveTime::parse_from_str(&r.start_time_of_day, "%H:%M:%S")
            .or_else(|_| NaiveTime::parse_from_str(&r.start_time_of_day, "%H:%M"))
            .map_err(|_| {
                format!(
                    "restriction start `{}` is not a time of day",
                    r.start_time_of_day
                )
            })?;
        if start.second() != 0 || r.duration_seconds % 60 != 0 || r.duration_seconds <= 0 {
            return Err(format!(
                "restriction {} + {} s is not in whole minutes (firebell windows are HH:MM)",
                r.start_time_of_day, r.duration_seconds
            ));
        }
        let minute = start.hour() * 60 + start.minute();
        let length = u32::try_from(r.duration_seconds / 60).unwrap_or(u32::MAX);
        let days: Vec<u32> = match (r.kind.as_str(), r.start_day_of_week) {
            ("daily_restriction", _) if length >= 1440 => return Ok(Vec::new()),
            ("daily_restriction", _) => (0..7).collect(),
            ("weekly_restriction", _) if length >= 7 * 1440 => return Ok(Vec::new()),
            ("weekly_restriction", Some(d @ 1..=7)) => vec![d - 1],
            (kind, _) => return Err(format!("restriction of type `{kind}` is not understood")),
        };
        for day in days {
            split(&mut pieces, day, minute, length);
        }
    }
    Ok(group(pieces))
}

/// Cuts `length` minutes from `day` at `minute` into pieces that each end by midnight.
fn split(pieces: &mut Vec<(u32, u32, u32)>, mut day: u32, mut minute: u32, mut length: u32) {
    while length > 0 {
        let today = (1440 - minute).min(length);
        pieces.push((day % 7, minute, minute + today));
        length -= today;
        day += 1;
        minute = 0;
    }
}

/// Pieces with the same hours become one window over several days, Monday first.
fn group(mut pieces: Vec<(u32, u32, u32)>) -> Vec<Window> {
    pieces.sort_by_key(|&(d, s, e)| (s, e, d));
    pieces.dedup();
    let mut out: Vec<Window> = Vec::new();
    for (day, s, e) in pieces {
        let time = |m: u32| NaiveTime::from_hms_opt((m % 1440) / 60, m % 60, 0).unwrap_or_default();
        let (start, end) = (time(s), time(e));
        let weekday = weekday(day);
        match out.last_mut() {
            Some(w) if w.start == start && w.end == end => w.days.push(weekday),
            _ => out.push(Window {
                days: vec![weekday],
                start,
                end,
            }),
        }
    }
    out
}

fn weekday(from_monday: u32) -> Weekday {
    (0..from_monday).fold(Weekday::Mon, |d, _| d.succ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(kind: &str, start: &str, secs: i64, day: Option<u32>) -> model::Restriction {
        model::Restriction {
            kind: kind.to_owned(),
            start_time_of_day: start.to_owned(),
            duration_seconds: secs,
            start_day_of_week: day,
        }
    }

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).expect("time")
    }

    #[test]
    fn weekday_office_hours_become_one_window() {
        let five: Vec<_> = (1..=5)
            .map(|d| r("weekly_restriction", "09:00:00", 28_800, Some(d)))
            .collect();
        let w = windows(&five).expect("maps");
        assert_eq!(
            w,
            [Window {
                days: vec![
                    Weekday::Mon,
                    Weekday::Tue,
                    Weekday::Wed,
                    Weekday::Thu,
                    Weekday::Fri
                ],
                start: t(9, 0),
                end: t(17, 0)
            }]
        );
    }

    #[test]
    fn a_weekend_restriction_spans_whole_days() {
        // Friday 18:00 for 63 h: to Monday 09:00. Windows are ordered by their hours.
        let w = windows(&[r("weekly_restriction", "18:00:00", 63 * 3600, Some(5))]).expect("maps");
        let all = |s, e| (t(s, 0), t(e, 0));
        let got: Vec<_> = w
            .iter()
            .map(|w| (w.days.clone(), (w.start, w.end)))
            .collect();
        assert_eq!(
            got,
            [
                (vec![Weekday::Mon], all(0, 9)),
                (vec![Weekday::Sat, Weekday::Sun], all(0, 0)),
                (vec![Weekday::Fri], all(18, 0)),
            ]
        );
    }

    #[test]
    fn a_daily_night_window_crosses_midnight_and_a_full_day_is_no_restriction() {
        let w = windows(&[r("daily_restriction", "22:00:00", 4 * 3600, None)]).expect("maps");
        assert_eq!(w.len(), 2);
        assert_eq!(
            (w[0].start, w[0].end, w[0].days.len()),
            (t(0, 0), t(2, 0), 7)
        );
        assert_eq!(
            (w[1].start, w[1].end, w[1].days.len()),
            (t(22, 0), t(0, 0), 7)
        );
        assert!(
            windows(&[r("daily_restriction", "00:00:00", 86_400, None)])
                .expect("maps")
                .is_empty()
        );
        assert!(windows(&[r("daily_restriction", "09:00:30", 3600, None)]).is_err());
    }
}

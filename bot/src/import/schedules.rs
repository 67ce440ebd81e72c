//! PagerDuty schedules → `[schedules.*]`. PagerDuty lists `schedule_layers` with the
//! highest-priority layer first; firebell's later layers cover earlier ones, so the order is
//! reversed. A layer's turns count from `rotation_virtual_start`; firebell counts from the
//! layer's `start`, so the start becomes the last handoff at or before PagerDuty's `start` and
//! the users are rotated to match. Restrictions (daily, or weekly of any length) become
//! per-weekday windows grouped by time of day.

use chrono::{DateTime, Duration, NaiveDateTime, NaiveTime, Timelike, Utc, Weekday};
use chrono_tz::Tz;

use super::map::{Ids, Losses, Slugs, labels};
use super::model;

pub struct ScheduleOut {
    pub id: String,
    pub pd_id: String,
    pub timezone: String,
    /// Lowest first, as firebell reads them.
    pub layers: Vec<LayerOut>,
    pub comments: Vec<String>,
}

pub struct LayerOut {
    pub users: Vec<String>,
    pub rotation: String,
    pub start: NaiveDateTime,
    pub restrictions: Vec<Window>,
    pub comments: Vec<String>,
}

/// A firebell restriction: `days` from `start` to `end` (`end <= start` runs past midnight).
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    pub days: Vec<Weekday>,
    pub start: NaiveTime,
    pub end: NaiveTime,
}

pub fn map_all(
    schedules: &[model::Schedule],
    ids: &Ids,
    now: DateTime<Utc>,
    losses: &mut Losses,
) -> Vec<ScheduleOut> {
    let mut slugs = Slugs::default();
    schedules
        .iter()
        .filter_map(|s| schedule(s, ids, now, &mut slugs, losses))
        .collect()
}

fn schedule(
    s: &model::Schedule,
    ids: &Ids,
    now: DateTime<Utc>,
    slugs: &mut Slugs,
    losses: &mut Losses,
) -> Option<ScheduleOut> {
    let subject = format!("schedule {} ({})", s.name, s.id);
    let mut comments = vec![format!("PagerDuty schedule {} \"{}\"", s.id, s.name)];
    let Ok(tz) = s.time_zone.parse::<Tz>() else {
        losses.note(
            &mut comments,
            &subject,
            format!(
                "time zone `{}` is not an IANA name, so the schedule is left out",
                s.time_zone
            ),
        );
        return None;
    };
    if !s.teams.is_empty() {
        losses.note(
            &mut comments,
            &subject,
            format!("teams {} (firebell has no teams)", labels(&s.teams)),
        );
    }
    comments
        .push("overrides are not imported: take them again with `!override` once live".to_owned());
    let layers: Vec<LayerOut> = s
        .schedule_layers
        .iter()
        .rev()
        .filter_map(|l| layer(l, tz, ids, now, &subject, &mut comments, losses))
        .collect();
    if layers.is_empty() {
        losses.note(
            &mut Vec::new(),
            &subject,
            "no layer could be imported, so the schedule is left out",
        );
        return None;
    }
    Some(ScheduleOut {
        id: slugs.take(&s.name, &format!("schedule {}", s.id)),
        pd_id: s.id.clone(),
        timezone: tz.name().to_owned(),
        layers,
        comments,
    })
}

fn layer(
    l: &model::Layer,
    tz: Tz,
    ids: &Ids,
    now: DateTime<Utc>,
    subject: &str,
    schedule_comments: &mut Vec<String>,
    losses: &mut Losses,
) -> Option<LayerOut> {
    let label = l.label();
    let mut skip = |why: String| {
        losses.note(schedule_comments, subject, format!("{label}: {why}"));
        None
    };
    if let Some(end) = l.end.filter(|e| e.to_utc() <= now) {
        return skip(format!(
            "ended {}, so it is history, not a rotation",
            end.to_rfc3339()
        ));
    }
    let Some(rotation) = rotation(l.rotation_turn_length_seconds) else {
        return skip(format!(
            "turns of {} s (firebell rotates in whole hours, days or weeks)",
            l.rotation_turn_length_seconds
        ));
    };
    let mut users = Vec::new();
    for u in &l.users {
        match ids.users.get(&u.user.id) {
            Some(id) => users.push(id.clone()),
            None => {
                return skip(format!(
                    "user {} is not among the imported users",
                    u.user.label()
                ));
            }
        }
    }
    if users.is_empty() {
        return skip("no users".to_owned());
    }
    let restrictions = match windows(&l.restrictions) {
        Ok(w) => w,
        Err(why) => return skip(why),
    };
    let (start, turns) = anchor(l, tz);
    let k = usize::try_from(turns.rem_euclid(users.len() as i64)).unwrap_or(0);
    users.rotate_left(k);
    let mut comments = vec![format!("PagerDuty {label}")];
    if turns > 0 {
        comments.push(format!(
            "turns counted from {} in PagerDuty; {} is on call from this start",
            l.rotation_virtual_start.to_rfc3339(),
            users[0]
        ));
    }
    if let Some(end) = l.end {
        losses.note(
            &mut comments,
            subject,
            format!(
                "{label} ends {} in PagerDuty; firebell layers do not end: delete this layer then",
                end.to_rfc3339()
            ),
        );
    }
    Some(LayerOut {
        users,
        rotation,
        start,
        restrictions,
        comments,
    })
}

/// `604800` → `1w`, `86400` → `1d`, `43200` → `12h`; `None` for what firebell cannot rotate by.
fn rotation(secs: i64) -> Option<String> {
    match secs {
        s if s > 0 && s % 604_800 == 0 && s / 604_800 <= 52 => Some(format!("{}w", s / 604_800)),
        s if s > 0 && s % 86_400 == 0 && s / 86_400 <= 365 => Some(format!("{}d", s / 86_400)),
        s if s > 0 && s % 3_600 == 0 && s / 3_600 <= 8_760 => Some(format!("{}h", s / 3_600)),
        _ => None,
    }
}

/// firebell's layer start (local) and how many turns after PagerDuty's virtual start it is.
/// Day and week turns count in local calendar days (handoffs keep their wall-clock time across
/// DST), hour turns in exact seconds, as firebell evaluates them.
fn anchor(l: &model::Layer, tz: Tz) -> (NaiveDateTime, i64) {
    let turn = l.rotation_turn_length_seconds;
    let virtual_start = l.rotation_virtual_start.with_timezone(&tz);
    let start = l.start.with_timezone(&tz);
    if turn % 86_400 == 0 {
        let (v, s) = (virtual_start.naive_local(), start.naive_local());
        let n = ((s - v).num_seconds().div_euclid(turn)).max(0);
        (v + Duration::seconds(n * turn), n)
    } else {
        let n = ((start - virtual_start).num_seconds().div_euclid(turn)).max(0);
        let at = virtual_start + Duration::seconds(n * turn);
        (at.naive_local(), n)
    }
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
        // Friday 18:00 for 63 h: to Monday 09:00.
        let w = windows(&[r("weekly_restriction", "18:00:00", 63 * 3600, Some(5))]).expect("maps");
        let all = |s, e| (t(s, 0), t(e, 0));
        let got: Vec<_> = w
            .iter()
            .map(|w| (w.days.clone(), (w.start, w.end)))
            .collect();
        assert_eq!(
            got,
            [
                (vec![Weekday::Sat, Weekday::Sun], all(0, 0)),
                (vec![Weekday::Mon], all(0, 9)),
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

    #[test]
    fn rotations_map_to_weeks_days_or_hours_only() {
        assert_eq!(rotation(604_800).as_deref(), Some("1w"));
        assert_eq!(rotation(172_800).as_deref(), Some("2d"));
        assert_eq!(rotation(43_200).as_deref(), Some("12h"));
        assert_eq!(rotation(5_400), None);
    }
}

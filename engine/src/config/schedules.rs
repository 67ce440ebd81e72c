//! `[schedules.NAME]` → [`Schedule`]: a time zone and layers of rotations, each checked with its
//! line and what would be valid.
//!
//! ```toml
//! [schedules.primary]
//! timezone = "Europe/Berlin"
//! [[schedules.primary.layers]]
//! users = ["alice", "bob"]
//! rotation = "1w"              # 12h, 1d, 2w …
//! start = "2026-03-02T09:00"   # first handoff, local time
//! restrictions = [{ days = ["mon", "tue", "wed", "thu", "fri"], start = "09:00", end = "17:00" }]
//! ```

use std::collections::BTreeMap;

use chrono::{NaiveDateTime, NaiveTime, Weekday};
use chrono_tz::Tz;
use toml::Spanned;

use super::Collector;
use super::User;
use super::raw::{RawLayer, RawRestriction, RawSchedule};
use super::validate::names;
use crate::domain::ids::UserId;
use crate::domain::schedule::{Layer, Restriction, Rotation, Schedule};

pub(super) fn validate(
    c: &mut Collector<'_>,
    raw: &BTreeMap<String, Spanned<RawSchedule>>,
    users: &BTreeMap<UserId, User>,
) -> BTreeMap<String, Schedule> {
    let mut out = BTreeMap::new();
    for (name, spanned) in raw {
        let key = format!("schedules.{name}");
        let s = spanned.get_ref();
        let time_zone = time_zone(c, &format!("{key}.timezone"), &s.timezone);
        if s.layers.is_empty() {
            c.at(
                spanned.span(),
                format!("{key}.layers"),
                "a schedule needs at least one layer",
            );
        }
        let layers = s
            .layers
            .iter()
            .enumerate()
            .filter_map(|(i, l)| layer(c, &format!("{key}.layers[{i}]"), l, users))
            .collect();
        out.insert(
            name.clone(),
            Schedule {
                name: name.clone(),
                time_zone,
                layers,
            },
        );
    }
    out
}

fn layer(
    c: &mut Collector<'_>,
    key: &str,
    spanned: &Spanned<RawLayer>,
    users: &BTreeMap<UserId, User>,
) -> Option<Layer> {
    let l = spanned.get_ref();
    if l.users.is_empty() {
        c.at(
            spanned.span(),
            format!("{key}.users"),
            "a layer needs at least one user",
        );
    }
    let mut ids = Vec::new();
    for u in &l.users {
        let id = UserId::new(u.get_ref().clone());
        if users.contains_key(&id) {
            ids.push(id);
        } else {
            c.at(
                u.span(),
                format!("{key}.users"),
                format!(
                    "unknown user `{}` — defined users: {}",
                    u.get_ref(),
                    names(users.keys())
                ),
            );
        }
    }
    let rotation = parse_rotation(l.rotation.get_ref());
    if let Err(e) = &rotation {
        c.at(l.rotation.span(), format!("{key}.rotation"), e.clone());
    }
    let start = NaiveDateTime::parse_from_str(l.start.get_ref(), "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(l.start.get_ref(), "%Y-%m-%dT%H:%M:%S"));
    if start.is_err() {
        c.at(
            l.start.span(),
            format!("{key}.start"),
            format!(
                "`{}` is not a local date-time — write it like `2026-03-02T09:00`",
                l.start.get_ref()
            ),
        );
    }
    let restrictions: Vec<Restriction> = l
        .restrictions
        .iter()
        .enumerate()
        .filter_map(|(i, r)| restriction(c, &format!("{key}.restrictions[{i}]"), r.get_ref()))
        .collect();
    if ids.len() != l.users.len()
        || l.users.is_empty()
        || restrictions.len() != l.restrictions.len()
    {
        return None;
    }
    Some(Layer {
        users: ids,
        rotation: rotation.ok()?,
        start: start.ok()?,
        restrictions,
    })
}

/// `12h`, `1d`, `2w`: a positive whole number and a unit.
fn parse_rotation(s: &str) -> Result<Rotation, String> {
    let bad = || {
        format!(
            "`{s}` is not a rotation length — use hours, days or weeks such as `12h`, `1d` or `1w`"
        )
    };
    let Some((last, _)) = s.char_indices().last() else {
        return Err(bad());
    };
    let (n, unit) = s.split_at(last);
    let n: u32 = n.parse().map_err(|_| bad())?;
    match (n, unit) {
        (0, _) => Err(bad()),
        (1..=8760, "h") => Ok(Rotation::Hours(n)),
        (1..=365, "d") => Ok(Rotation::Days(n)),
        (1..=52, "w") => Ok(Rotation::Weeks(n)),
        _ => Err(bad()),
    }
}

fn restriction(c: &mut Collector<'_>, key: &str, r: &RawRestriction) -> Option<Restriction> {
    let (days, start, end) = weekly_window(c, key, r.days.as_deref(), &r.start, &r.end)?;
    Some(Restriction { days, start, end })
}

/// An IANA time zone (`key` is the full dotted key); UTC after reporting a bad one.
pub(super) fn time_zone(c: &mut Collector<'_>, key: &str, v: &Spanned<String>) -> Tz {
    v.get_ref().parse::<Tz>().unwrap_or_else(|_| {
        c.at(
            v.span(),
            key,
            format!(
                "unknown time zone `{}` — use an IANA name such as `Europe/Berlin`, `America/New_York` or `UTC`",
                v.get_ref()
            ),
        );
        Tz::UTC
    })
}

/// `days` (every day when absent), `start` and `end` of a weekly window, shared by schedule
/// restrictions and service support hours; `None` after reporting any part that is wrong.
pub(super) fn weekly_window(
    c: &mut Collector<'_>,
    key: &str,
    days: Option<&[Spanned<String>]>,
    start: &Spanned<String>,
    end: &Spanned<String>,
) -> Option<(Vec<Weekday>, NaiveTime, NaiveTime)> {
    let time = |c: &mut Collector<'_>, v: &Spanned<String>, field: &str| {
        let t = NaiveTime::parse_from_str(v.get_ref(), "%H:%M").ok();
        if t.is_none() {
            c.at(
                v.span(),
                format!("{key}.{field}"),
                format!(
                    "`{}` is not a time of day — write it like `09:00`",
                    v.get_ref()
                ),
            );
        }
        t
    };
    let start = time(c, start, "start");
    let end = time(c, end, "end");
    let mut weekdays = Vec::new();
    let mut bad_day = false;
    match days {
        None => weekdays.extend([
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ]),
        Some(list) => {
            for d in list {
                match d.get_ref().to_ascii_lowercase().parse::<Weekday>() {
                    Ok(w) => weekdays.push(w),
                    Err(_) => {
                        bad_day = true;
                        c.at(
                            d.span(),
                            format!("{key}.days"),
                            format!(
                                "`{}` is not a weekday — use mon, tue, wed, thu, fri, sat or sun",
                                d.get_ref()
                            ),
                        );
                    }
                }
            }
        }
    }
    if bad_day {
        return None;
    }
    Some((weekdays, start?, end?))
}

#[cfg(test)]
mod tests {
    use super::parse_rotation;
    use crate::domain::schedule::Rotation;

    #[test]
    fn rotation_lengths_parse_hours_days_and_weeks_only() {
        assert_eq!(parse_rotation("12h"), Ok(Rotation::Hours(12)));
        assert_eq!(parse_rotation("1d"), Ok(Rotation::Days(1)));
        assert_eq!(parse_rotation("2w"), Ok(Rotation::Weeks(2)));
        for bad in ["", "w", "0d", "1m", "-1d", "1.5d", "53w", "é"] {
            assert!(
                parse_rotation(bad)
                    .unwrap_err()
                    .contains("is not a rotation length"),
                "{bad}"
            );
        }
    }
}

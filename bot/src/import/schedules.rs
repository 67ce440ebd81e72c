//! PagerDuty schedules → `[schedules.*]`. PagerDuty lists `schedule_layers` with the
//! highest-priority layer first; firebell's later layers cover earlier ones, so the order is
//! reversed. A layer's turns count from `rotation_virtual_start`; firebell counts from the
//! layer's `start`, so the start becomes the last handoff at or before PagerDuty's `start` and
//! the users are rotated to match. Restrictions are in `restrictions.rs`.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use chrono_tz::Tz;

use super::map::{Ids, Losses, Slugs, labels};
use super::model;
use super::restrictions::{Window, windows};

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
    let at = Anchor {
        start,
        turns,
        first: &users[0],
        now,
    };
    let comments = layer_notes(l, tz, &at, subject, losses);
    Some(LayerOut {
        users,
        rotation,
        start,
        restrictions,
        comments,
    })
}

/// Where firebell's layer starts and who has the first turn there.
struct Anchor<'a> {
    start: NaiveDateTime,
    turns: i64,
    first: &'a str,
    now: DateTime<Utc>,
}

/// The comments on a carried layer: where it came from, and what differs from PagerDuty.
fn layer_notes(
    l: &model::Layer,
    tz: Tz,
    at: &Anchor<'_>,
    subject: &str,
    losses: &mut Losses,
) -> Vec<String> {
    let label = l.label();
    let (start, now) = (at.start, at.now);
    let mut comments = vec![format!("PagerDuty {label}")];
    if at.turns > 0 {
        comments.push(format!(
            "turns counted from {} in PagerDuty; {} is on call from this start",
            l.rotation_virtual_start.to_rfc3339(),
            at.first
        ));
    }
    let pd_start = l.start.with_timezone(&tz).naive_local();
    if start < pd_start && l.start.to_utc() > now {
        losses.note(
            &mut comments,
            subject,
            format!(
                "{label} starts {} in PagerDuty, between handoffs; here it starts at the handoff \
                 before, {start}",
                l.start.to_rfc3339()
            ),
        );
    }
    if l.rotation_turn_length_seconds % 86_400 != 0 {
        comments.push(
            "hour rotations are exact durations here: check handoffs around DST changes".to_owned(),
        );
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
    comments
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

#[cfg(test)]
mod tests {
    use super::rotation;

    #[test]
    fn rotations_map_to_weeks_days_or_hours_only() {
        assert_eq!(rotation(604_800).as_deref(), Some("1w"));
        assert_eq!(rotation(172_800).as_deref(), Some("2d"));
        assert_eq!(rotation(43_200).as_deref(), Some("12h"));
        assert_eq!(rotation(5_400), None);
    }
}

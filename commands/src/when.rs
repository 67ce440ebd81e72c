//! Times as the asking person reads them: on their wall clock (`Mon 09 Mar 09:00 CET`, UTC when
//! they have no time zone) and how far away (`in 2h`, `3d ago`).

use chrono::{DateTime, Duration, Utc};
use firebell_engine::config::User;
use firebell_engine::wording::duration;
use firebell_engine::{Actor, Engine};

/// Who reads a reply, and when: what every time in it is written for.
#[derive(Clone, Copy)]
pub(crate) struct Viewer<'a> {
    /// The configured user who asked (their time zone), if they are one.
    pub user: Option<&'a User>,
    pub now: DateTime<Utc>,
}

impl<'a> Viewer<'a> {
    pub(crate) fn of(engine: &'a Engine, actor: &Actor) -> Self {
        Self {
            user: engine.config().user(&actor.name),
            now: engine.clock().now(),
        }
    }

    /// [`local`] for this viewer.
    pub(crate) fn local(&self, t: DateTime<Utc>) -> String {
        local(t, self.user)
    }

    /// [`local_and_relative`] for this viewer, now.
    pub(crate) fn local_and_relative(&self, t: DateTime<Utc>) -> String {
        local_and_relative(t, self.now, self.user)
    }
}

/// `Mon 09 Mar 09:00 CET` in `viewer`'s time zone, or `Mon 09 Mar 08:00 UTC`.
pub(crate) fn local(t: DateTime<Utc>, viewer: Option<&User>) -> String {
    const FORMAT: &str = "%a %d %b %H:%M %Z";
    match viewer {
        Some(u) => t.with_timezone(&u.timezone).format(FORMAT).to_string(),
        None => t.format(FORMAT).to_string(),
    }
}

/// `in 2h`, `in 6d 23h`, `in 45m`, `5m ago`, `now`: the two largest units, rounded down.
pub(crate) fn relative(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let d = t - now;
    if d.num_minutes() == 0 {
        return "now".to_owned();
    }
    if d > Duration::zero() {
        format!("in {}", duration(d))
    } else {
        format!("{} ago", duration(-d))
    }
}

/// `Mon 09 Mar 09:00 CET (in 6d 23h)`
pub(crate) fn local_and_relative(
    t: DateTime<Utc>,
    now: DateTime<Utc>,
    viewer: Option<&User>,
) -> String {
    format!("{} ({})", local(t, viewer), relative(t, now))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::config;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().expect("valid time")
    }

    #[test]
    fn times_are_shown_on_the_viewers_clock_else_in_utc() {
        let config = config();
        let at = t("2026-03-09T08:00:00Z");
        assert_eq!(
            local(at, config.user("alice")),
            "Mon 09 Mar 09:00 CET",
            "alice is in Berlin"
        );
        assert_eq!(local(at, config.user("bob")), "Mon 09 Mar 08:00 UTC");
        assert_eq!(local(at, None), "Mon 09 Mar 08:00 UTC");
    }

    #[test]
    fn relative_times_keep_the_two_largest_units() {
        let now = t("2026-03-02T09:00:00Z");
        let r = |s: &str| relative(t(s), now);
        assert_eq!(r("2026-03-02T09:00:30Z"), "now");
        assert_eq!(r("2026-03-02T09:45:00Z"), "in 45m");
        assert_eq!(r("2026-03-02T11:00:00Z"), "in 2h");
        assert_eq!(r("2026-03-02T11:30:00Z"), "in 2h 30m");
        assert_eq!(r("2026-03-09T08:00:00Z"), "in 6d 23h");
        assert_eq!(r("2026-03-04T09:10:00Z"), "in 2d");
        assert_eq!(r("2026-03-02T08:55:00Z"), "5m ago");
    }
}

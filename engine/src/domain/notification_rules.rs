//! Per-user notification rules (the chat-first ladder), urgency, and support hours: the values
//! the escalation planner reads to decide who is reached how, and when.

use chrono::{DateTime, Datelike, Duration, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

use crate::domain::kinds::{ContactMethod, Severity, Urgency};
use crate::domain::schedule::in_weekly_window;

/// One rung of a person's ladder: reach them by `method` this many minutes after they are paged,
/// unless the incident was acknowledged first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub method: ContactMethod,
    pub after_minutes: u32,
}

/// A person's ladder per urgency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationRules {
    pub high: Vec<Rule>,
    pub low: Vec<Rule>,
}

/// Default minutes after paging: chat at once, SMS after 2, a call after 5.
pub const DEFAULT_SMS_AFTER: u32 = 2;
pub const DEFAULT_VOICE_AFTER: u32 = 5;

impl NotificationRules {
    /// The defaults for someone with (or without) a phone and an email address: high urgency is
    /// chat at once, SMS after 2 minutes, a call after 5; low urgency is chat (and email) only.
    pub fn defaults(has_phone: bool, has_email: bool) -> Self {
        let rule = |method, after_minutes| Rule {
            method,
            after_minutes,
        };
        let mut high = vec![rule(ContactMethod::Chat, 0)];
        let mut low = vec![rule(ContactMethod::Chat, 0)];
        if has_phone {
            high.push(rule(ContactMethod::Sms, DEFAULT_SMS_AFTER));
            high.push(rule(ContactMethod::Voice, DEFAULT_VOICE_AFTER));
        }
        if has_email {
            low.push(rule(ContactMethod::Email, 0));
        }
        Self { high, low }
    }

    pub fn for_urgency(&self, u: Urgency) -> &[Rule] {
        match u {
            Urgency::High => &self.high,
            Urgency::Low => &self.low,
        }
    }
}

/// How a service decides an incident's urgency (fixed at the time the incident opens).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrgencyRule {
    High,
    Low,
    /// critical and error are high; warning and info are low.
    BySeverity,
    /// High inside the service's support hours, low outside.
    SupportHours,
}

impl UrgencyRule {
    pub fn urgency(
        self,
        severity: Severity,
        opened_at: DateTime<Utc>,
        support: Option<&SupportHours>,
    ) -> Urgency {
        match self {
            UrgencyRule::High => Urgency::High,
            UrgencyRule::Low => Urgency::Low,
            UrgencyRule::BySeverity => match severity {
                Severity::Critical | Severity::Error => Urgency::High,
                Severity::Warning | Severity::Info => Urgency::Low,
            },
            UrgencyRule::SupportHours => match support {
                Some(s) if !s.contains(opened_at) => Urgency::Low,
                _ => Urgency::High,
            },
        }
    }
}

/// A weekly window in a time zone, e.g. Monday–Friday 09:00–17:00 Europe/Berlin. `end <= start`
/// crosses midnight (the window opens on a listed day and closes the next morning).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportHours {
    pub time_zone: Tz,
    pub days: Vec<Weekday>,
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl SupportHours {
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        let local = t.with_timezone(&self.time_zone).naive_local();
        in_weekly_window(&self.days, self.start, self.end, local)
    }

    /// The next instant support hours begin at or after `t` (`t` itself when already inside).
    /// `None` only when no day is listed.
    pub fn next_start(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if self.contains(t) {
            return Some(t);
        }
        let local_date = t.with_timezone(&self.time_zone).date_naive();
        (0..=8).find_map(|d| {
            let date = local_date + Duration::days(d);
            if !self.days.contains(&date.weekday()) {
                return None;
            }
            // A start inside a DST gap opens at the first valid instant after it.
            let naive = date.and_time(self.start);
            let opens = (0..=120).find_map(|m| {
                self.time_zone
                    .from_local_datetime(&(naive + Duration::minutes(m)))
                    .earliest()
            })?;
            let opens = opens.with_timezone(&Utc);
            (opens >= t).then_some(opens)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn berlin_office() -> SupportHours {
        SupportHours {
            time_zone: chrono_tz::Europe::Berlin,
            days: vec![
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
            ],
            start: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            end: NaiveTime::from_hms_opt(17, 0, 0).unwrap(),
        }
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn support_hours_edges_and_next_start() {
        let s = berlin_office();
        // 2026-11-20 is a Friday; Berlin is UTC+1 in November.
        let cases = [
            ("2026-11-20T07:59:59Z", false, "2026-11-20T08:00:00Z"),
            ("2026-11-20T08:00:00Z", true, "2026-11-20T08:00:00Z"),
            ("2026-11-20T15:59:59Z", true, "2026-11-20T15:59:59Z"),
            ("2026-11-20T16:00:00Z", false, "2026-11-23T08:00:00Z"),
            ("2026-11-21T03:00:00Z", false, "2026-11-23T08:00:00Z"),
            ("2026-11-19T20:00:00Z", false, "2026-11-20T08:00:00Z"),
        ];
        for (t, inside, next) in cases {
            assert_eq!(s.contains(utc(t)), inside, "{t}");
            assert_eq!(s.next_start(utc(t)), Some(utc(next)), "{t}");
        }
    }

    #[test]
    fn overnight_windows_close_the_next_morning() {
        let s = SupportHours {
            time_zone: chrono_tz::UTC,
            days: vec![Weekday::Fri],
            start: NaiveTime::from_hms_opt(22, 0, 0).unwrap(),
            end: NaiveTime::from_hms_opt(6, 0, 0).unwrap(),
        };
        assert!(s.contains(utc("2026-11-20T23:00:00Z")));
        assert!(s.contains(utc("2026-11-21T05:59:00Z")));
        assert!(!s.contains(utc("2026-11-21T06:00:00Z")));
        assert!(!s.contains(utc("2026-11-21T23:00:00Z")), "Saturday night");
    }

    #[test]
    fn urgency_by_severity_and_by_support_hours() {
        let s = berlin_office();
        let night = utc("2026-11-21T03:00:00Z");
        let day = utc("2026-11-20T10:00:00Z");
        let u = |r: UrgencyRule, sev, t| r.urgency(sev, t, Some(&s));
        assert_eq!(
            u(UrgencyRule::BySeverity, Severity::Critical, night),
            Urgency::High
        );
        assert_eq!(
            u(UrgencyRule::BySeverity, Severity::Warning, day),
            Urgency::Low
        );
        assert_eq!(
            u(UrgencyRule::SupportHours, Severity::Critical, night),
            Urgency::Low
        );
        assert_eq!(
            u(UrgencyRule::SupportHours, Severity::Info, day),
            Urgency::High
        );
        assert_eq!(u(UrgencyRule::Low, Severity::Critical, day), Urgency::Low);
    }

    #[test]
    fn default_ladders_are_chat_then_sms_then_voice() {
        let r = NotificationRules::defaults(true, true);
        let methods: Vec<_> = r.high.iter().map(|r| (r.method, r.after_minutes)).collect();
        assert_eq!(
            methods,
            vec![
                (ContactMethod::Chat, 0),
                (ContactMethod::Sms, 2),
                (ContactMethod::Voice, 5)
            ]
        );
        assert!(r.low.iter().all(|r| r.method != ContactMethod::Sms));
        let no_phone = NotificationRules::defaults(false, false);
        assert_eq!(no_phone.high.len(), 1);
    }
}

//! `[users.ID]` → [`User`]: time zone, contact details and the per-urgency notification ladder,
//! checked against the providers that would carry each rung.
//!
//! ```toml
//! [users.alice]
//! name = "Alice Adams"
//! phone = "+14155550101"
//! notify.high = { chat = 0, sms = 2, voice = 5 }
//! ```

use std::collections::BTreeMap;

use toml::Spanned;

use super::raw::{RawLadder, RawUser};
use super::schedules::time_zone;
use super::{Carriers, Collector, User};
use crate::domain::ids::{PhoneNumber, UserId};
use crate::domain::kinds::ContactMethod;
use crate::domain::notification_rules::{
    DEFAULT_SMS_AFTER, DEFAULT_VOICE_AFTER, NotificationRules, Rule,
};

/// The longest a rung may wait after the page: a day.
pub(super) const MAX_AFTER_MINUTES: i64 = 1440;

/// What one user can be reached by, for checking their rules.
struct Reach<'a> {
    id: &'a str,
    phone: bool,
    email: bool,
    carriers: &'a Carriers,
}

pub(super) fn validate(
    c: &mut Collector<'_>,
    raw: &BTreeMap<String, Spanned<RawUser>>,
    carriers: &Carriers,
) -> BTreeMap<UserId, User> {
    let mut users = BTreeMap::new();
    for (id, spanned) in raw {
        let key = format!("users.{id}");
        let u = spanned.get_ref();
        let timezone = time_zone(c, &format!("{key}.timezone"), &u.timezone);
        let phone = u.phone.as_ref().and_then(|p| {
            PhoneNumber::parse(p.get_ref())
                .map_err(|e| c.at(p.span(), format!("{key}.phone"), e.message()))
                .ok()
        });
        let email = u.email.as_ref().and_then(|e| {
            if is_email(e.get_ref()) {
                Some(e.get_ref().clone())
            } else {
                c.at(
                    e.span(),
                    format!("{key}.email"),
                    format!(
                        "`{}` is not an email address — write it like `alice@example.com`",
                        e.get_ref()
                    ),
                );
                None
            }
        });
        let reach = Reach {
            id,
            phone: u.phone.is_some(),
            email: u.email.is_some(),
            carriers,
        };
        let defaults =
            NotificationRules::defaults(phone.is_some(), email.is_some() && carriers.email);
        let high = match &u.notify.high {
            Some(l) => ladder(c, &format!("{key}.notify.high"), "high", l, &reach),
            None => {
                if let Some(p) = &u.phone {
                    check_default_phone_ladder(c, &key, p, &reach);
                }
                defaults.high
            }
        };
        let low = match &u.notify.low {
            Some(l) => ladder(c, &format!("{key}.notify.low"), "low", l, &reach),
            None => defaults.low,
        };
        users.insert(
            UserId::new(id.clone()),
            User {
                id: UserId::new(id.clone()),
                name: u.name.clone(),
                timezone,
                slack_id: u.slack.clone(),
                discord_id: u.discord.clone(),
                phone,
                email,
                rules: NotificationRules { high, low },
            },
        );
    }
    users
}

/// The default high-urgency ladder texts and calls anyone with a phone, so it needs SMS and
/// voice providers; the error sits on `phone`, the key that switched those rungs on.
fn check_default_phone_ladder(
    c: &mut Collector<'_>,
    key: &str,
    phone: &Spanned<String>,
    reach: &Reach<'_>,
) {
    let carriers = reach.carriers;
    if carriers.sms && carriers.voice {
        return;
    }
    let (missing, drop) = if carriers.sms {
        (
            "calls need [providers.twilio] and only Vonage is configured",
            "voice",
        )
    } else {
        ("no SMS provider is configured", "sms/voice")
    };
    c.at(
        phone.span(),
        format!("{key}.phone"),
        format!(
            "{id} has a phone number, so high-urgency pages go by SMS after {DEFAULT_SMS_AFTER} min \
             and a call after {DEFAULT_VOICE_AFTER} min, but {missing} — add [providers.twilio] \
             (or set {key}.notify.high without {drop})",
            id = reach.id
        ),
    );
}

/// One explicit ladder, sorted by minutes and then chat, sms, voice, email.
fn ladder(
    c: &mut Collector<'_>,
    key: &str,
    urgency: &str,
    spanned: &Spanned<RawLadder>,
    reach: &Reach<'_>,
) -> Vec<Rule> {
    let l = spanned.get_ref();
    let given = [
        (ContactMethod::Chat, &l.chat),
        (ContactMethod::Sms, &l.sms),
        (ContactMethod::Voice, &l.voice),
        (ContactMethod::Email, &l.email),
    ];
    let mut rules = Vec::new();
    for (order, (method, minutes)) in given.into_iter().enumerate() {
        let Some(minutes) = minutes else { continue };
        let rule_key = format!("{key}.{method}");
        let n = *minutes.get_ref();
        if !(0..=MAX_AFTER_MINUTES).contains(&n) {
            c.at(
                minutes.span(),
                &rule_key,
                format!(
                    "`{n}` is out of range — a rule fires 0 to {MAX_AFTER_MINUTES} minutes (a day) \
                     after the page"
                ),
            );
            continue;
        }
        if let Some(problem) = unreachable_by(method, reach) {
            c.at(minutes.span(), rule_key, problem);
            continue;
        }
        let rule = Rule {
            method,
            after_minutes: u32::try_from(n).unwrap_or(0),
        };
        rules.push((rule.after_minutes, order, rule));
    }
    if given_none(l) {
        c.at(
            spanned.span(),
            key,
            format!(
                "this ladder is empty, so {} would never hear about {urgency}-urgency pages — give \
                 at least one of chat, sms, voice, email, e.g. {{ chat = 0 }}",
                reach.id
            ),
        );
    }
    rules.sort_by_key(|(after, order, _)| (*after, *order));
    rules.into_iter().map(|(_, _, r)| r).collect()
}

fn given_none(l: &RawLadder) -> bool {
    l.chat.is_none() && l.sms.is_none() && l.voice.is_none() && l.email.is_none()
}

/// Why `method` cannot reach this user, if it cannot: a missing address or a missing provider.
fn unreachable_by(method: ContactMethod, reach: &Reach<'_>) -> Option<String> {
    let id = reach.id;
    let carriers = reach.carriers;
    match method {
        ContactMethod::Chat => None,
        ContactMethod::Sms | ContactMethod::Voice if !reach.phone => Some(format!(
            "{method} needs a phone number — set users.{id}.phone (E.164, such as \
             `+14155550100`) or drop {method} from this ladder"
        )),
        ContactMethod::Sms if !carriers.sms => Some(
            "sms needs an SMS provider and none is configured — add [providers.twilio] or \
             [providers.vonage]"
                .to_owned(),
        ),
        ContactMethod::Voice if !carriers.voice && carriers.vonage_only => Some(
            "voice needs [providers.twilio] — Vonage is configured, but it only carries SMS here"
                .to_owned(),
        ),
        ContactMethod::Voice if !carriers.voice => {
            Some("voice needs [providers.twilio], which is not configured".to_owned())
        }
        ContactMethod::Email if !reach.email => Some(format!(
            "email needs an address — set users.{id}.email or drop email from this ladder"
        )),
        ContactMethod::Email if !carriers.email => {
            Some("email needs [providers.smtp], which is not configured".to_owned())
        }
        _ => None,
    }
}

/// `local@domain.tld`: enough to catch a typo or a pasted name, not a full RFC 5322 parser.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let labels: Vec<&str> = domain.split('.').collect();
    !local.is_empty()
        && !s.contains(|ch: char| ch.is_whitespace() || "<>,;\"".contains(ch))
        && !domain.contains('@')
        && labels.len() >= 2
        && labels.iter().all(|l| !l.is_empty())
}

#[cfg(test)]
mod tests {
    use super::is_email;

    #[test]
    fn email_addresses_need_a_local_part_and_a_dotted_domain() {
        for good in ["alice@example.com", "a.b+pager@mail.example.co.uk"] {
            assert!(is_email(good), "{good}");
        }
        for bad in [
            "alice",
            "alice@example",
            "@example.com",
            "alice@@example.com",
            "alice@example..com",
            "alice @example.com",
            "Alice <alice@example.com>",
            "",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }
}

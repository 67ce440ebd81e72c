//! PagerDuty users → `[users.*]`: name, time zone, one email and one phone number. Contact
//! methods firebell has no use for (push to the PagerDuty app) and second addresses are noted.

use chrono_tz::Tz;
use firebell_engine::PhoneNumber;

use super::map::{Losses, Slugs, labels};
use super::model;

pub struct UserOut {
    pub id: String,
    pub pd_id: String,
    pub name: String,
    pub timezone: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub comments: Vec<String>,
}

pub fn user(u: &model::User, slugs: &mut Slugs, losses: &mut Losses) -> UserOut {
    let subject = format!("user {} ({})", u.name, u.id);
    let local = u
        .email
        .as_deref()
        .and_then(|e| e.split('@').next())
        .unwrap_or("");
    let id = slugs.take(&u.name, &format!("{local} user {}", u.id));
    let mut comments = vec![format!("PagerDuty user {}", u.id)];
    let timezone = match u.time_zone.as_deref() {
        Some(tz) if tz.parse::<Tz>().is_ok() => tz.to_owned(),
        Some(tz) => {
            losses.note(
                &mut comments,
                &subject,
                format!("time zone `{tz}` is not an IANA name; UTC here"),
            );
            "UTC".to_owned()
        }
        None => "UTC".to_owned(),
    };
    let (emails, mut phones) = contacts(u, &subject, &mut comments, losses);
    let email = emails.first().cloned().or_else(|| u.email.clone());
    let mut seen = std::collections::HashSet::new();
    phones.retain(|p| seen.insert(p.clone()));
    for extra in emails.iter().skip(1).filter(|e| Some(*e) != email.as_ref()) {
        losses.note(
            &mut comments,
            &subject,
            format!("second email address {extra} (firebell keeps one)"),
        );
    }
    for extra in phones.iter().skip(1) {
        losses.note(
            &mut comments,
            &subject,
            format!("second phone number {extra} (firebell keeps one)"),
        );
    }
    if !u.teams.is_empty() {
        comments.push(format!(
            "PagerDuty teams: {} (firebell has no teams)",
            labels(&u.teams)
        ));
    }
    comments.push(
        "PagerDuty notification rules are not read: firebell pages in chat at once, then by the \
         ladder in notify.high / notify.low"
            .to_owned(),
    );
    let email = email.filter(|e| {
        let ok = firebell_engine::config::is_email(e);
        if !ok {
            losses.note(
                &mut comments,
                &subject,
                format!("email `{e}` is not an address"),
            );
        }
        ok
    });
    UserOut {
        id,
        pd_id: u.id.clone(),
        name: u.name.clone(),
        timezone,
        email,
        phone: phones.first().cloned(),
        comments,
    }
}

/// The user's email addresses and E.164 phone numbers, in PagerDuty's order; anything else is
/// noted as lost.
fn contacts(
    u: &model::User,
    subject: &str,
    comments: &mut Vec<String>,
    losses: &mut Losses,
) -> (Vec<String>, Vec<String>) {
    let mut emails = Vec::new();
    let mut phones = Vec::new();
    for cm in &u.contact_methods {
        let kind = cm.kind.trim_end_matches("_reference");
        let address = cm.address.clone().unwrap_or_default();
        let phone = matches!(kind, "phone_contact_method" | "sms_contact_method");
        // A reference without its address (an API that did not honour
        // `include[]=contact_methods`): the login email still stands in for an email method; a
        // phone cannot be guessed.
        if address.trim().is_empty() && (phone || kind == "email_contact_method") {
            if phone {
                losses.note(
                    comments,
                    subject,
                    format!("phone {} came without its number", cm.id),
                );
            }
            continue;
        }
        match kind {
            "email_contact_method" => emails.push(address),
            "phone_contact_method" | "sms_contact_method" => {
                let digits: String = address.chars().filter(char::is_ascii_digit).collect();
                let e164 = format!("+{}{digits}", cm.country_code.unwrap_or(1));
                match PhoneNumber::parse(&e164) {
                    Ok(_) => phones.push(e164),
                    Err(e) => losses.note(comments, subject, format!("phone {} ({}): {}", cm.id, address, e.message())),
                }
            }
            "push_notification_contact_method" => losses.note(
                comments,
                subject,
                format!(
                    "push notifications to \"{}\" ({}): firebell pages in chat, by SMS, call or email, not through a mobile app",
                    cm.label.as_deref().unwrap_or("device"),
                    cm.id
                ),
            ),
            other => losses.note(comments, subject, format!("contact method {} of type {other}", cm.id)),
        }
    }
    (emails, phones)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An account that answers contact methods as references (no `include[]=contact_methods`,
    /// as firebell's own PagerDuty API does) still gives each user the login email, and a phone
    /// listed without its number is noted, not turned into an empty address.
    #[test]
    fn contact_method_references_without_addresses_fall_back_to_the_login_email() {
        let u: model::User = serde_json::from_value(serde_json::json!({
            "id": "alice", "name": "Alice Adams", "email": "alice@example.com",
            "time_zone": "Europe/Berlin",
            "contact_methods": [
                {"id": "alice-email", "type": "email_contact_method_reference"},
                {"id": "alice-phone", "type": "phone_contact_method_reference"}
            ]
        }))
        .unwrap();
        let mut losses = Losses(Vec::new());
        let out = user(&u, &mut Slugs::default(), &mut losses);
        assert_eq!(out.email.as_deref(), Some("alice@example.com"));
        assert_eq!(out.phone, None);
        assert_eq!(losses.0.len(), 1, "{:?}", losses.0);
        assert!(losses.0[0].contains("alice-phone"), "{:?}", losses.0);
    }
}

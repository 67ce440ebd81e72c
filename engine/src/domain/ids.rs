//! Parsed identifiers: once a value of these types exists it is valid, so nothing downstream
//! re-checks lengths or characters. Each has a private field and a `parse` constructor whose error
//! says what was wrong and what would be right.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::domain::error::UserError;

/// The per-installation incident number users see everywhere: `#42` in chat, SMS, voice and API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IncidentNumber(i64);

impl IncidentNumber {
    /// Accepts `42` or `#42`.
    pub fn parse(s: &str) -> Result<Self, UserError> {
        let digits = s.strip_prefix('#').unwrap_or(s);
        let all_digits = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
        match digits.parse::<i64>().ok().filter(|_| all_digits) {
            Some(n) if n > 0 => Ok(Self(n)),
            _ => Err(UserError::new(format!(
                "`{s}` is not an incident number — try `42` or `#42`"
            ))),
        }
    }

    pub fn get(self) -> i64 {
        self.0
    }

    /// A number that arrives as a number (an API cursor): every positive one is a valid number.
    pub fn positive(n: i64) -> Option<Self> {
        (n > 0).then_some(Self(n))
    }

    pub(crate) fn from_db(n: i64) -> Self {
        Self(n)
    }
}

impl fmt::Display for IncidentNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// What makes two alerts "the same problem" within one service. At most 255 characters, as in
/// PagerDuty's Events API v2.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DedupKey(String);

impl DedupKey {
    pub const MAX_LEN: usize = 255;

    pub fn parse(s: impl Into<String>) -> Result<Self, UserError> {
        let s = s.into();
        if s.is_empty() {
            return Err(UserError::new("dedup key is empty"));
        }
        if s.chars().count() > Self::MAX_LEN {
            return Err(UserError::new(format!(
                "dedup key is {} characters long; the limit is {}",
                s.chars().count(),
                Self::MAX_LEN
            )));
        }
        Ok(Self(s))
    }

    /// A fresh key for an event that arrived without one (PagerDuty returns it to the caller).
    pub fn generate() -> Self {
        Self(uuid::Uuid::new_v4().simple().to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub(crate) fn from_db(s: String) -> Self {
        Self(s)
    }
}

impl fmt::Display for DedupKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An integration (routing) key: exactly 32 ASCII letters or digits, as PagerDuty issues them.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RoutingKey(String);

impl RoutingKey {
    pub const LEN: usize = 32;

    pub fn parse(s: &str) -> Result<Self, UserError> {
        if s.len() != Self::LEN || !s.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(UserError::new(format!(
                "an integration key is exactly {} letters or digits (got {} characters)",
                Self::LEN,
                s.chars().count()
            )));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Keys are secrets: never print them whole.
impl fmt::Debug for RoutingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RoutingKey({}…)", &self.0[..4])
    }
}

/// A configured service's name (the table key under `[services.NAME]`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ServiceName(String);

impl ServiceName {
    pub(crate) fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ServiceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A configured user's id (the table key under `[users.ID]`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(String);

impl UserId {
    pub(crate) fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for UserId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A phone number in E.164 form (`+` then 8 to 15 digits, no leading zero): what Twilio and
/// Vonage accept, and what their webhooks send back in `From`, so lookups compare equal strings.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(s: &str) -> Result<Self, UserError> {
        let digits = s.strip_prefix('+').unwrap_or("");
        let ok = (8..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(UserError::new(format!(
                "`{s}` is not an E.164 phone number — write `+` then the country code and number, digits only, e.g. `+14155550100`"
            )))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incident_numbers_accept_plain_and_hash_forms_and_reject_the_rest() {
        assert_eq!(IncidentNumber::parse("42").unwrap().get(), 42);
        assert_eq!(IncidentNumber::parse("#7").unwrap().get(), 7);
        for bad in [
            "0",
            "-1",
            "+5",
            "#+5",
            "abc",
            "#",
            "",
            "4 2",
            "99999999999999999999",
        ] {
            let err = IncidentNumber::parse(bad).unwrap_err();
            assert!(
                err.to_string().contains("not an incident number"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn dedup_keys_are_limited_to_255_characters() {
        assert!(DedupKey::parse("a".repeat(255)).is_ok());
        assert!(
            DedupKey::parse("é".repeat(255)).is_ok(),
            "characters, not bytes"
        );
        let err = DedupKey::parse("a".repeat(256)).unwrap_err();
        assert!(err.to_string().contains("limit is 255"));
        assert!(DedupKey::parse("").is_err());
    }

    #[test]
    fn generated_dedup_keys_differ() {
        assert_ne!(DedupKey::generate(), DedupKey::generate());
    }

    #[test]
    fn routing_keys_are_32_alphanumerics() {
        assert!(RoutingKey::parse("R0UT1NGKEY0000000000000000000000").is_ok());
        assert!(RoutingKey::parse("short").is_err());
        assert!(RoutingKey::parse("R0UT1NGKEY000000000000000000000!").is_err());
        let dbg = format!(
            "{:?}",
            RoutingKey::parse("R0UT1NGKEY0000000000000000000000").unwrap()
        );
        assert!(
            !dbg.contains("0000000000"),
            "debug output must not leak the key: {dbg}"
        );
    }

    #[test]
    fn phone_numbers_must_be_e164() {
        assert_eq!(
            PhoneNumber::parse("+14155550100").unwrap().as_str(),
            "+14155550100"
        );
        for bad in [
            "14155550100",
            "+1 415 555 0100",
            "+0415555010",
            "+1234567",
            "+1234567890123456",
            "",
            "+",
        ] {
            let err = PhoneNumber::parse(bad).unwrap_err();
            assert!(err.message().contains("E.164"), "{bad}: {err}");
        }
    }
}

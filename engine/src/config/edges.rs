//! What the engine needs to know about the edges' tables, passed in by whoever composes the
//! config (`bot`): the engine never reads `[slack]`, `[discord]`, `[providers.*]` or the SMTP
//! listener's keys itself; each adapter owns and validates its own table.

/// Which contact methods have a provider, judged by which `[providers.*]` tables exist (so a
/// provider with a mistake of its own does not also fail every user who relies on it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Carriers {
    pub sms: bool,
    pub voice: bool,
    pub email: bool,
    /// Vonage is the only SMS provider (it carries no calls here).
    pub vonage_only: bool,
}

impl Carriers {
    /// What the `[providers.*]` tables that exist carry: Twilio texts and calls, Vonage only
    /// texts, an SMTP relay sends email.
    pub fn of(twilio: bool, vonage: bool, smtp: bool) -> Carriers {
        Carriers {
            sms: twilio || vonage,
            voice: twilio,
            email: smtp,
            vonage_only: vonage && !twilio,
        }
    }
}

/// The edges' facts the engine's own checks and links depend on. `Default` is "no edge is
/// configured".
#[derive(Debug, Clone, Default)]
pub struct Edges {
    pub carriers: Carriers,
    /// `[providers] public_url`, validated: the base of the API links firebell hands out.
    pub public_url: Option<String>,
}

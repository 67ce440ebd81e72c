// Shared by the engine's config tests and `bot`'s (which `include!` this file): the on-call
// fixture with its secrets, and the error helpers over each crate's own `parse`.

/// Every on-call feature at once: contacts and ladders, two schedules, a policy paging them,
/// urgency and timeouts, and all three providers with secrets from the environment ([`env`]).
pub(super) const ONCALL: &str = include_str!("oncall.toml");

/// The provider secrets [`ONCALL`] reads from the environment.
pub(super) fn env(name: &str) -> Option<String> {
    let value = match name {
        "FIREBELL_TWILIO_AUTH_TOKEN" => "twilio-auth-token",
        "FIREBELL_VONAGE_API_SECRET" => "vonage-api-secret",
        "FIREBELL_SMTP_PASSWORD" => "smtp-password",
        _ => return None,
    };
    Some(value.to_owned())
}

/// `ONCALL` with `from` replaced by `to` (fails if `from` is not in it).
pub(super) fn oncall_with(from: &str, to: &str) -> String {
    assert!(
        ONCALL.contains(from),
        "`{from}` is not in the on-call config"
    );
    ONCALL.replacen(from, to, 1)
}

pub(super) fn errors(text: &str) -> Vec<ConfigError> {
    parse(text).expect_err("config should have been rejected").0
}

/// The single error `text` produces (fails if there are none or several).
pub(super) fn only_error(text: &str) -> ConfigError {
    let mut errs = errors(text);
    assert_eq!(errs.len(), 1, "expected exactly one error, got {errs:#?}");
    errs.remove(0)
}

/// 1-based number of the first line of `text` containing `needle`.
pub(super) fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("`{needle}` not in text"))
        + 1
}

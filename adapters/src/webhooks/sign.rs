//! `X-PagerDuty-Signature`: `v1=` and the hex HMAC-SHA256 of the raw body, keyed with the
//! subscription's secret — PagerDuty's v3 format, so receivers written for PagerDuty verify
//! firebell's requests unchanged.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The header value for `body` signed with `secret`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC accepts any key");
    mac.update(body);
    format!("v1={}", hex::encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::signature;

    #[test]
    fn the_signature_is_v1_and_the_hex_hmac_sha256_of_the_body() {
        // RFC 4231, test case 2: key "Jefe".
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "v1=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn any_change_to_the_body_or_the_secret_changes_the_signature() {
        let body = br#"{"event":{"id":"1"}}"#;
        let base = signature("0123456789abcdef", body);
        assert_ne!(base, signature("0123456789abcdeg", body));
        assert_ne!(
            base,
            signature("0123456789abcdef", br#"{"event":{"id":"2"}}"#)
        );
    }
}

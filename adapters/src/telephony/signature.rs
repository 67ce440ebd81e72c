//! `X-Twilio-Signature`: Twilio signs every webhook with base64(HMAC-SHA1(auth token, URL +
//! every POST parameter sorted by name, each as name then value)). The URL is the one Twilio
//! called — our configured public URL plus the path and query, never the Host header a proxy
//! or an attacker may have rewritten.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

type HmacSha1 = Hmac<Sha1>;

fn mac(auth_token: &str, url: &str, params: &[(String, String)]) -> HmacSha1 {
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac = HmacSha1::new_from_slice(auth_token.as_bytes()).expect("HMAC accepts any key");
    mac.update(url.as_bytes());
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    for (name, value) in sorted {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    mac
}

/// The signature Twilio would send for this request (tests use it to sign their requests).
pub fn compute(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    STANDARD.encode(mac(auth_token, url, params).finalize().into_bytes())
}

/// Whether `presented` is the signature of this request, compared in constant time.
pub fn is_valid(auth_token: &str, url: &str, params: &[(String, String)], presented: &str) -> bool {
    let Ok(bytes) = STANDARD.decode(presented.trim()) else {
        return false;
    };
    mac(auth_token, url, params).verify_slice(&bytes).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Twilio's published example.
    fn example() -> (&'static str, &'static str, Vec<(String, String)>) {
        let params = [
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+12349013030"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("To", "+18005551212"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        (
            "12345",
            "https://mycompany.com/myapp.php?foo=1&bar=2",
            params,
        )
    }

    /// The signature Twilio publishes for [`example`].
    const EXAMPLE_SIGNATURE: &str = "0/KCTR6DLpKmkAf8muzZqo1nDgQ=";

    #[test]
    fn twilios_test_vector_matches() {
        let (token, url, params) = example();
        assert_eq!(compute(token, url, &params), EXAMPLE_SIGNATURE);
        assert!(is_valid(token, url, &params, EXAMPLE_SIGNATURE));
    }

    #[test]
    fn parameter_order_in_the_body_does_not_matter() {
        let (token, url, mut params) = example();
        params.reverse();
        assert!(is_valid(token, url, &params, EXAMPLE_SIGNATURE));
    }

    #[test]
    fn any_change_breaks_the_signature() {
        let (token, url, params) = example();
        let good = EXAMPLE_SIGNATURE;
        assert!(!is_valid("12346", url, &params, good), "other token");
        assert!(
            !is_valid(
                token,
                "https://evil.example/myapp.php?foo=1&bar=2",
                &params,
                good
            ),
            "other host"
        );
        let mut digits = params.clone();
        digits[2].1 = "4".into();
        assert!(!is_valid(token, url, &digits, good), "other digits");
        let mut extra = params.clone();
        extra.push(("Body".into(), "6".into()));
        assert!(!is_valid(token, url, &extra, good), "an added parameter");
        assert!(!is_valid(token, url, &params, ""), "empty");
        assert!(!is_valid(token, url, &params, "not base64!"), "garbage");
        assert!(
            !is_valid(token, url, &params, "0/KCTR6DLpKmkAf8muzZqo1nDgQ"),
            "truncated"
        );
    }
}

//! The replies the listener sends, each with an enhanced status code (RFC 3463) and a text that
//! says what was wrong and what would be right. Written by smtp-proto.

use std::fmt::Display;

use smtp_proto::{
    EXT_8BIT_MIME, EXT_ENHANCED_STATUS_CODES, EXT_PIPELINING, EXT_SIZE, EXT_START_TLS,
    EhloResponse, Response,
};

/// One reply line: `code x.y.z text`.
pub(super) fn line(code: u16, [a, b, c]: [u8; 3], text: impl Display) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    // Writing into a Vec cannot fail.
    let _ = Response::new(code, a, b, c, text).write(&mut out);
    out
}

/// The greeting, sent once per connection (not again after STARTTLS).
pub(super) fn greeting(domain: &str) -> Vec<u8> {
    format!("220 {domain} ESMTP firebell\r\n").into_bytes()
}

/// The EHLO reply: SIZE with the limit, STARTTLS while it is available and not yet on.
pub(super) fn ehlo(domain: &str, max_size: usize, offer_tls: bool) -> Vec<u8> {
    let mut r = EhloResponse::new(domain);
    r.capabilities = EXT_8BIT_MIME | EXT_ENHANCED_STATUS_CODES | EXT_PIPELINING | EXT_SIZE;
    if offer_tls {
        r.capabilities |= EXT_START_TLS;
    }
    r.size = max_size;
    let mut out = Vec::with_capacity(160);
    let _ = r.write(&mut out);
    out
}

/// A size in the words of a reply: `10000000 bytes (10 MB)`.
pub(super) fn size(bytes: usize) -> String {
    if bytes >= 1_000_000 {
        format!("{bytes} bytes ({} MB)", bytes / 1_000_000)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_carry_an_enhanced_status_code() {
        assert_eq!(
            line(550, [5, 1, 1], "no such address"),
            b"550 5.1.1 no such address\r\n"
        );
    }

    #[test]
    fn ehlo_advertises_size_and_starttls_only_when_offered() {
        let with = String::from_utf8(ehlo("alerts.example.com", 1000, true)).unwrap();
        assert!(with.starts_with("250-alerts.example.com"), "{with}");
        assert!(
            with.contains("SIZE 1000\r\n") && with.contains("STARTTLS"),
            "{with}"
        );
        assert!(
            with.contains("PIPELINING") && with.contains("8BITMIME"),
            "{with}"
        );
        let without = String::from_utf8(ehlo("alerts.example.com", 1000, false)).unwrap();
        assert!(!without.contains("STARTTLS"), "{without}");
        assert!(without.ends_with("\r\n") && without.lines().last().unwrap().starts_with("250 "));
    }
}

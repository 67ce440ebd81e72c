//! Raw RFC 5322 bytes → the [`Mail`] rules look at, by mail-parser: MIME structure, transfer
//! encodings, charsets, RFC 2047 encoded words, and an HTML-only mail rendered to text.
//!
//! Real-world mail is often wrong, and a monitor's mail must still page. Two repairs:
//! - a header with raw 8-bit bytes that are not UTF-8 (an old mailer writing Latin-1) is read as
//!   Windows-1252, rather than shown with replacement characters;
//! - a multipart mail whose boundary never appears (broken MIME) keeps its body as text, so body
//!   rules still see it.
//!
//! What is refused: bytes mail-parser finds no message in, and a "message" with none of
//! `From:`, `Subject:` or `Date:` — a random upload, not a mail.

use chrono::{DateTime, Utc};
use firebell_engine::email::Mail;
use mail_parser::decoders::charsets::map::charset_decoder;
use mail_parser::decoders::html::html_to_text;
use mail_parser::{HeaderName, Message, MessageParser, PartType};

/// Why a message could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unparseable(pub &'static str);

/// Parses `raw`; `envelope_from` (SMTP `MAIL FROM`) stands in when the mail has no `From:`.
pub fn parse(raw: &[u8], envelope_from: Option<&str>) -> Result<Mail, Unparseable> {
    let msg = MessageParser::default()
        .parse(raw)
        .ok_or(Unparseable("no RFC 5322 message found: it must start with header lines such as `From:` and `Subject:`, then an empty line, then the body"))?;
    let has = |name: HeaderName<'_>| msg.header(name).is_some();
    if !has(HeaderName::From) && !has(HeaderName::Subject) && !has(HeaderName::Date) {
        return Err(Unparseable(
            "not a mail: it has none of the `From:`, `Subject:` or `Date:` headers",
        ));
    }
    let subject = header_text(&msg, HeaderName::Subject, msg.subject().unwrap_or(""));
    let first = msg.from().and_then(|a| a.first());
    let from = first
        .and_then(|a| a.address())
        .or(envelope_from)
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let from_name = first
        .and_then(|a| a.name())
        .map(|n| header_text(&msg, HeaderName::From, n))
        .filter(|n| !n.is_empty());
    Ok(Mail {
        subject: fold(&subject),
        body: bounded(body(&msg)),
        from,
        from_name,
        message_id: msg.message_id().map(str::to_owned),
        date: msg
            .date()
            .and_then(|d| DateTime::<Utc>::from_timestamp(d.to_timestamp(), 0)),
    })
}

/// The decoded value, or — when decoding met raw bytes that are not UTF-8 — the raw header
/// read as Windows-1252.
fn header_text(msg: &Message<'_>, name: HeaderName<'_>, decoded: &str) -> String {
    if !decoded.contains('\u{FFFD}') {
        return decoded.to_owned();
    }
    let raw = msg.headers().iter().find(|h| h.name == name).and_then(|h| {
        msg.raw_message()
            .get(h.offset_start as usize..h.offset_end as usize)
    });
    match (raw, charset_decoder(b"windows-1252")) {
        (Some(bytes), Some(decode)) if std::str::from_utf8(bytes).is_err() => {
            let text = decode(bytes);
            match name {
                // The raw From: is the whole field; keep the display name part.
                HeaderName::From => text
                    .split('<')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .trim_matches('"')
                    .to_owned(),
                _ => text,
            }
        }
        _ => decoded.to_owned(),
    }
}

fn body(msg: &Message<'_>) -> String {
    if let Some(text) = msg.body_text(0) {
        return text.into_owned();
    }
    // Broken MIME: mail-parser keeps a multipart whose boundary never appears as one text part
    // (filed under attachments), or as a multipart without parts. Either way, its text.
    match msg.parts.first().map(|p| (&p.body, p.offset_body)) {
        Some((PartType::Text(text), _)) => text.to_string(),
        Some((PartType::Html(html), _)) => html_to_text(html),
        Some((PartType::Multipart(children), offset)) if children.is_empty() => {
            let raw = msg.raw_message().get(offset as usize..).unwrap_or(&[]);
            String::from_utf8_lossy(raw).into_owned()
        }
        _ => String::new(),
    }
}

fn fold(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn bounded(mut body: String) -> String {
    if let Some((at, _)) = body.char_indices().nth(Mail::BODY_MAX_CHARS) {
        body.truncate(at);
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(raw: &[u8]) -> Mail {
        parse(raw, Some("envelope@sender.test")).expect("parses")
    }

    #[test]
    fn quoted_printable_and_encoded_words_are_decoded() {
        let m = ok(b"From: \"Ops\" <Ops@Example.COM>\r\nSubject: =?UTF-8?Q?Probl=C3=A8me:_disque?=\r\nMessage-ID: <1@x>\r\nDate: Sat, 21 Nov 2026 03:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nHost: db=2D01 caf=C3=A9\r\n");
        assert_eq!(m.subject, "Problème: disque");
        assert_eq!(m.from, "ops@example.com");
        assert_eq!(m.from_name.as_deref(), Some("Ops"));
        assert_eq!(m.body.trim(), "Host: db-01 café");
        assert_eq!(m.message_id.as_deref(), Some("1@x"));
        assert_eq!(
            m.date.map(|d| d.to_rfc3339()).as_deref(),
            Some("2026-11-21T03:00:00+00:00")
        );
    }

    #[test]
    fn base64_multipart_takes_the_text_part() {
        let raw = b"From: a@b\r\nSubject: mp\r\nContent-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\nSG9zdDogd2ViLTAx\r\n--b1\r\nContent-Type: text/html\r\n\r\n<p>Host: web-01</p>\r\n--b1--\r\n";
        assert_eq!(ok(raw).body.trim(), "Host: web-01");
    }

    #[test]
    fn an_html_only_mail_is_rendered_to_text() {
        let m = ok(b"From: a@b\r\nSubject: h\r\nContent-Type: text/html\r\n\r\n<html><body><p>Disk <b>full</b> on db-01</p></body></html>\r\n");
        assert!(m.body.contains("Disk full on db-01"), "{:?}", m.body);
        assert!(!m.body.contains('<'));
    }

    #[test]
    fn undeclared_latin1_headers_are_read_as_windows_1252() {
        let m =
            ok(b"From: Ren\xe9 <rene@x.fr>\r\nSubject: Probl\xe8me: disque plein\r\n\r\nCorps\r\n");
        assert_eq!(m.subject, "Problème: disque plein");
        assert_eq!(m.from_name.as_deref(), Some("René"));
    }

    #[test]
    fn a_broken_boundary_keeps_the_raw_body() {
        let m = ok(b"From: a@b\r\nSubject: x\r\nContent-Type: multipart/mixed; boundary=\"abc\"\r\n\r\n--xyz\r\nContent-Type: text/plain\r\n\r\nHost: db-01\r\n--xyz--\r\n");
        assert!(m.body.contains("Host: db-01"), "{:?}", m.body);
    }

    #[test]
    fn missing_subject_and_from_fall_back() {
        let m = ok(b"Date: Sat, 21 Nov 2026 03:00:00 +0000\r\n\r\nbody\r\n");
        assert_eq!(m.subject, "");
        assert_eq!(m.from, "envelope@sender.test");
    }

    #[test]
    fn folded_subjects_are_unfolded() {
        assert_eq!(
            ok(b"Subject: PROBLEM:\r\n  disk\r\n\tfull\r\nFrom: a@b\r\n\r\nx").subject,
            "PROBLEM: disk full"
        );
    }

    #[test]
    fn things_that_are_not_mail_are_refused_with_a_reason() {
        for raw in [
            &b""[..],
            b"hello world\r\n",
            b"\x00\x01\x02 binary junk",
            b"this: is not\r\nreally a mail",
        ] {
            let e = parse(raw, None).expect_err("refused");
            assert!(e.0.contains("From:"), "{e:?}");
        }
    }

    #[test]
    fn a_huge_body_is_bounded() {
        let mut raw = b"From: a@b\r\nSubject: big\r\n\r\n".to_vec();
        raw.extend(std::iter::repeat_n(b'x', Mail::BODY_MAX_CHARS + 10));
        assert_eq!(ok(&raw).body.chars().count(), Mail::BODY_MAX_CHARS);
    }
}

//! What the edges' config tables share: the API URL and base URL checks, and a chat platform's
//! storm settings. Each adapter owns its table (`slack::config`, `discord::config`,
//! `telephony::config`, `email::config`, `email_inbound::config`) and reports through the
//! engine's [`Collector`], so `firebell check` lists every problem in file order.

use firebell_engine::config::Collector;
use firebell_engine::duration::HumanDuration;
use toml::Spanned;

const STORM_AFTER: u32 = 3;
const STORM_WINDOW_MINUTES: i64 = 2;

/// `storm_after` (at least 1, default 3) and `storm_window` (at most an hour, default 2m) of a
/// chat platform's section.
pub(crate) fn storm(
    c: &mut Collector<'_>,
    section: &str,
    after: Option<&Spanned<u32>>,
    window: Option<&Spanned<String>>,
) -> (u32, Option<chrono::Duration>) {
    let after = after.map_or(STORM_AFTER, |n| {
        if *n.get_ref() == 0 {
            c.at(
                n.span(),
                format!("{section}.storm_after"),
                "must be at least 1 (the first incident of a storm always gets its own card)",
            );
        }
        *n.get_ref()
    });
    let window = match window {
        None => Some(chrono::Duration::minutes(STORM_WINDOW_MINUTES)),
        Some(w) => HumanDuration::parse(w.get_ref(), chrono::Duration::hours(1))
            .map(HumanDuration::get)
            .map_err(|e| c.at(w.span(), format!("{section}.storm_window"), e.to_string()))
            .ok(),
    };
    (after.max(1), window)
}

pub(crate) fn api_url(
    c: &mut Collector<'_>,
    key: &str,
    v: Option<&Spanned<String>>,
    default: &str,
) -> Option<String> {
    let Some(v) = v else {
        return Some(default.to_owned());
    };
    match split_url(v.get_ref()) {
        Some((base, rest)) if !rest.contains(['?', '#']) => {
            Some(format!("{base}{rest}").trim_end_matches('/').to_owned())
        }
        _ => {
            c.at(
                v.span(),
                key,
                format!(
                    "`{}` is not an API URL — write it like `{default}`",
                    v.get_ref()
                ),
            );
            None
        }
    }
}

/// `https://host[:port]` with an optional trailing slash (stripped); no path, query or fragment.
pub(crate) fn base_url(s: &str) -> Result<String, String> {
    match split_url(s) {
        Some((base, "" | "/")) => Ok(base.to_owned()),
        _ => Err(format!(
            "`{s}` is not a base URL — write the scheme and host firebell is reached at, such as \
             `https://firebell.example.com` (no path or query)"
        )),
    }
}

/// (`scheme://authority`, the rest) for an http(s) URL with a plausible host, else `None`.
fn split_url(s: &str) -> Option<(&str, &str)> {
    let after = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))?;
    let end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let authority = &after[..end];
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !p.contains(']') => (h, Some(p)),
        _ => (authority, None),
    };
    let host_ok = match host.strip_prefix('[') {
        Some(v6) => v6.strip_suffix(']').is_some_and(|a| {
            !a.is_empty() && a.bytes().all(|b| b.is_ascii_hexdigit() || b == b':')
        }),
        None => {
            !host.is_empty()
                && host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        }
    };
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|p| p > 0));
    (host_ok && port_ok).then(|| s.split_at(s.len() - after.len() + end))
}

#[cfg(test)]
mod tests {
    use super::base_url;

    #[test]
    fn base_urls_keep_scheme_host_and_port_and_drop_a_trailing_slash() {
        for (given, kept) in [
            (
                "https://firebell.example.com",
                "https://firebell.example.com",
            ),
            (
                "https://firebell.example.com/",
                "https://firebell.example.com",
            ),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("http://[::1]:8080/", "http://[::1]:8080"),
        ] {
            assert_eq!(base_url(given).as_deref(), Ok(kept), "{given}");
        }
        for bad in [
            "firebell.example.com",
            "ftp://firebell.example.com",
            "https://",
            "https://firebell.example.com/pager",
            "https://firebell.example.com?x=1",
            "https://fire bell.example.com",
            "https://firebell.example.com:http",
        ] {
            assert!(
                base_url(bad).unwrap_err().contains("is not a base URL"),
                "{bad}"
            );
        }
    }
}

//! Database URLs as they may be shown: in logs, errors and `firebell migrate`'s output. A URL's
//! userinfo may hold the password (`postgres://user:secret@host/db`), and logs travel further
//! than secrets should.

/// `url` with the userinfo password replaced by `****` (`postgres://user:****@host/db`); a URL
/// that does not parse is shown as its scheme alone, since where its password is cannot be told.
pub fn redacted_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.password().is_some() && parsed.set_password(Some("****")).is_err() {
                return hidden(url);
            }
            parsed.to_string()
        }
        Err(_) => hidden(url),
    }
}

fn hidden(url: &str) -> String {
    match url.split_once(':') {
        Some((scheme, _)) if !scheme.is_empty() && !scheme.contains('@') => {
            format!("{scheme}:(unparsable URL hidden)")
        }
        _ => "(unparsable URL hidden)".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redacted_url;

    #[test]
    fn a_postgres_password_is_masked_and_the_rest_kept() {
        assert_eq!(
            redacted_url("postgres://u:s3cretpw@127.0.0.1:5432/db?sslmode=require"),
            "postgres://u:****@127.0.0.1:5432/db?sslmode=require"
        );
    }

    #[test]
    fn urls_without_a_password_are_shown_as_given() {
        assert_eq!(
            redacted_url("postgres://postgres@127.0.0.1:5432/test"),
            "postgres://postgres@127.0.0.1:5432/test"
        );
        assert_eq!(redacted_url("sqlite://firebell.db"), "sqlite://firebell.db");
    }

    #[test]
    fn an_unparsable_url_shows_no_part_that_could_be_a_password() {
        let shown = redacted_url("postgres://u:s3cret pw@[bad/db");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.starts_with("postgres:"), "{shown}");
    }
}

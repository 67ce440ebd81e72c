//! One page of a newest-first list read by keyset: the rows whose id is below `before` (all rows
//! when `None`), at most `limit` of them, newest first.
//!
//! Keyset, not offset: a row written while a client walks the pages is newer than its cursor, so
//! it lands before the pages still to come and can shift nothing into a gap or a repeat.

/// Where a newest-first page starts and how many rows it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// Only rows with an id below this one (the last id of the previous page).
    pub before: Option<i64>,
    pub limit: i64,
}

impl Page {
    /// The newest `limit` rows.
    pub fn first(limit: i64) -> Self {
        Page {
            before: None,
            limit,
        }
    }

    /// The `before` bound as SQL compares it: every id is below `i64::MAX` when there is none.
    pub fn before_or_max(&self) -> i64 {
        self.before.unwrap_or(i64::MAX)
    }
}

/// A bare limit is the first page, so callers that never page keep passing a number.
impl From<i64> for Page {
    fn from(limit: i64) -> Self {
        Page::first(limit)
    }
}

#[cfg(test)]
mod tests {
    use super::Page;

    #[test]
    fn a_bare_limit_is_the_first_page_and_no_bound_admits_every_id() {
        let p = Page::from(25);
        assert_eq!(
            p,
            Page {
                before: None,
                limit: 25
            }
        );
        assert_eq!(p.before_or_max(), i64::MAX);
        assert_eq!(
            Page {
                before: Some(7),
                limit: 1
            }
            .before_or_max(),
            7
        );
    }
}

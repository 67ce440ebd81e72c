//! Cursor pagination for every `/api/v1` list: `?limit=` (1–1000, default 100) and `?cursor=`
//! in, `"next_cursor"` out (a string while more rows may follow, `null` on the last page).
//!
//! Pages are keysets, never offsets: a cursor names the last row served (its id in a
//! newest-first list, its name in a list ordered by name) and the next page starts after it, so a
//! row written while a client walks the pages cannot shift another into a gap or a repeat.
//!
//! The cursor is opaque to clients: base64url of a small versioned JSON object naming its list,
//! a fingerprint of the filters it was made under, and the key. A cursor used on another list,
//! under other filters, or cut short or edited is a 400 that says to start again without it.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use firebell_engine::Page;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::error::ApiError;

/// The cursor format; a cursor of another version is refused (start again).
const VERSION: u8 = 1;
/// The longest cursor accepted: far above any this module makes, far below abuse.
const MAX_CURSOR_CHARS: usize = 1024;
const START_AGAIN: &str = "start again without `cursor`";

/// Where a cursor points: after the last row served.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub(super) enum Key {
    /// The id of the last row of a newest-first list: the next page holds smaller ids.
    Id(i64),
    /// The name of the last row of a list ordered by name: the next page holds later names.
    Name(String),
}

/// The cursor as encoded (short field names keep it short in a URL).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Cursor {
    v: u8,
    /// The list's path, so a cursor from another list is told apart and named.
    l: String,
    /// [`fingerprint`] of the filters it was made under.
    f: String,
    k: Key,
}

/// `limit` and `cursor` of one request to `list`, checked against its filters.
pub(super) struct Paging {
    list: &'static str,
    fingerprint: String,
    limit: usize,
    after: Option<Key>,
}

/// `?limit=`: a whole number from 1 to 1000, 100 when absent.
pub(super) fn limit(q: &HashMap<String, String>) -> Result<i64, ApiError> {
    match q.get("limit") {
        None => Ok(100),
        Some(s) => match s.parse::<i64>() {
            Ok(n) if (1..=1000).contains(&n) => Ok(n),
            _ => Err(ApiError::bad_request(format!(
                "limit `{s}` must be a whole number from 1 to 1000"
            ))),
        },
    }
}

/// A short digest of the filters (name=value, in the order given, empty values included), so a
/// cursor carries what it was made under without carrying the values themselves.
fn fingerprint(filters: &[(&str, &str)]) -> String {
    let mut h = Sha256::new();
    for (name, value) in filters {
        h.update(name.as_bytes());
        h.update([0x1f]);
        h.update(value.as_bytes());
        h.update([0x1e]);
    }
    hex::encode(&h.finalize()[..8])
}

impl Paging {
    /// A newest-first list keyed by id. `filters`: every filter of the list, normalised (the same
    /// request always gives the same values), with `""` for one not given.
    pub(super) fn newest_first(
        list: &'static str,
        q: &HashMap<String, String>,
        filters: &[(&str, &str)],
    ) -> Result<Self, ApiError> {
        Self::new(list, q, filters, |k| matches!(k, Key::Id(id) if *id > 0))
    }

    /// A list ordered by name (lists made from the configuration).
    pub(super) fn by_name(
        list: &'static str,
        q: &HashMap<String, String>,
        filters: &[(&str, &str)],
    ) -> Result<Self, ApiError> {
        Self::new(
            list,
            q,
            filters,
            |k| matches!(k, Key::Name(n) if !n.is_empty() && n.len() <= 256),
        )
    }

    fn new(
        list: &'static str,
        q: &HashMap<String, String>,
        filters: &[(&str, &str)],
        key_fits: impl Fn(&Key) -> bool,
    ) -> Result<Self, ApiError> {
        let limit = usize::try_from(limit(q)?).unwrap_or(100);
        let fingerprint = fingerprint(filters);
        let after = match q.get("cursor") {
            None => None,
            Some(raw) => {
                let c = decode(raw).filter(|c| c.v == VERSION && key_fits(&c.k));
                let c = c.ok_or_else(garbled)?;
                if c.l != list {
                    return Err(foreign(&c.l, list));
                }
                if c.f != fingerprint {
                    return Err(refiltered(filters));
                }
                Some(c.k)
            }
        };
        Ok(Paging {
            list,
            fingerprint,
            limit,
            after,
        })
    }

    /// The rows to read for a newest-first list: below the cursor's id, one more than the page
    /// holds, so [`Paging::finish`] knows whether another page follows.
    pub(super) fn page(&self) -> Page {
        Page {
            before: match self.after {
                Some(Key::Id(id)) => Some(id),
                _ => None,
            },
            limit: self.fetch(),
        }
    }

    /// How many rows to read: one more than the page holds.
    pub(super) fn fetch(&self) -> i64 {
        i64::try_from(self.limit).unwrap_or(1000) + 1
    }

    /// The page of `rows` (read with [`Paging::page`], in order) and the cursor after its last.
    pub(super) fn finish<T>(
        &self,
        mut rows: Vec<T>,
        key: impl Fn(&T) -> Key,
    ) -> (Vec<T>, Option<String>) {
        if rows.len() <= self.limit {
            return (rows, None);
        }
        rows.truncate(self.limit);
        let next = rows.last().map(|last| self.encode(key(last)));
        (rows, next)
    }

    /// One page of a whole list held in memory, ordered by `name`: the rows after the cursor's.
    pub(super) fn of_named<T>(
        &self,
        mut rows: Vec<T>,
        name: impl Fn(&T) -> &str,
    ) -> (Vec<T>, Option<String>) {
        rows.sort_by(|a, b| name(a).cmp(name(b)));
        if let Some(Key::Name(after)) = &self.after {
            rows.retain(|r| name(r) > after.as_str());
        }
        rows.truncate(self.limit + 1);
        self.finish(rows, |r| Key::Name(name(r).to_owned()))
    }

    fn encode(&self, k: Key) -> String {
        let c = Cursor {
            v: VERSION,
            l: self.list.to_owned(),
            f: self.fingerprint.clone(),
            k,
        };
        let json = serde_json::to_vec(&c).expect("a cursor is plain JSON");
        URL_SAFE_NO_PAD.encode(json)
    }
}

fn decode(raw: &str) -> Option<Cursor> {
    if raw.len() > MAX_CURSOR_CHARS {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(raw.trim()).ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn garbled() -> ApiError {
    ApiError::bad_request(format!(
        "`cursor` is not one this API gave out (cut short, edited, or from another firebell \
         version): pass `next_cursor` exactly as a page returned it, or {START_AGAIN}"
    ))
}

fn foreign(other: &str, list: &str) -> ApiError {
    if !other.starts_with("/api/v1/") || other.len() > 64 {
        return garbled();
    }
    ApiError::bad_request(format!(
        "`cursor` belongs to {other}, not {list}: a cursor only pages the list that made it; \
         {START_AGAIN}"
    ))
}

fn refiltered(filters: &[(&str, &str)]) -> ApiError {
    let names: Vec<String> = filters.iter().map(|(n, _)| format!("`{n}`")).collect();
    let same = if names.is_empty() {
        String::new()
    } else {
        format!(" (send the same {} with it)", names.join(", "))
    };
    ApiError::bad_request(format!(
        "`cursor` was made under other filters than this request's{same}; to change filters, \
         {START_AGAIN}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn ok(p: Result<Paging, ApiError>) -> Paging {
        p.unwrap_or_else(|_| panic!("the request was refused"))
    }

    #[test]
    fn a_cursor_resumes_after_the_last_row_of_its_page() {
        let first = ok(Paging::newest_first(
            "/api/v1/x",
            &query(&[("limit", "2")]),
            &[],
        ));
        assert_eq!(
            first.page(),
            Page {
                before: None,
                limit: 3
            }
        );
        let (rows, next) = first.finish(vec![9, 8, 7], |n| Key::Id(*n));
        assert_eq!(rows, [9, 8]);
        let q = query(&[("limit", "2"), ("cursor", next.as_deref().unwrap())]);
        let second = ok(Paging::newest_first("/api/v1/x", &q, &[]));
        assert_eq!(
            second.page(),
            Page {
                before: Some(8),
                limit: 3
            }
        );
        assert_eq!(second.finish(vec![7], |n| Key::Id(*n)), (vec![7], None));
    }

    #[test]
    fn named_rows_page_in_name_order() {
        let p = ok(Paging::by_name("/api/v1/n", &query(&[("limit", "2")]), &[]));
        let (rows, next) = p.of_named(vec!["c", "a", "b"], |s| s);
        assert_eq!(rows, ["a", "b"]);
        let q = query(&[("limit", "2"), ("cursor", next.as_deref().unwrap())]);
        let p = ok(Paging::by_name("/api/v1/n", &q, &[]));
        assert_eq!(p.of_named(vec!["c", "a", "b"], |s| s), (vec!["c"], None));
    }

    #[test]
    fn the_key_kind_must_match_the_list() {
        let by_name = ok(Paging::by_name("/api/v1/n", &query(&[("limit", "1")]), &[]));
        let (_, next) = by_name.of_named(vec!["a", "b"], |s| s);
        let c = next.unwrap();
        // The same path, but a newest-first reading of it: an id was expected.
        assert!(Paging::newest_first("/api/v1/n", &query(&[("cursor", &c)]), &[]).is_err());
    }
}

//! Reads for the manager summary ([`crate::reports`]): aggregates over one period, each shaped
//! so that SQLite can answer it from one index (see `migrations/*/0005_reports.sql`) without
//! sorting a million rows, and PostgreSQL from the same SQL text. Percentiles never load a whole
//! column: [`duration_window`] reads the few values around a rank in index order.

use super::{C, sql};

/// Microseconds in a UTC day, as written in the SQL (the day expression must match the index's).
pub(crate) const DAY_US: i64 = 86_400_000_000;

/// What one query looks at: `[since, until)` in microseconds and, when filtered, the services.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scope<'a> {
    pub since: i64,
    pub until: i64,
    /// `None`: every service, configured or not; `Some`: only these (possibly none).
    pub services: Option<&'a [String]>,
}

impl Scope<'_> {
    /// ` AND column IN ($first, …)` for the filtered services (bound after the fixed arguments).
    fn filter(&self, column: &str, first: usize) -> String {
        match self.services {
            None => String::new(),
            Some([]) => " AND 1 = 0".to_owned(),
            Some(names) => {
                let params: Vec<String> = (first..first + names.len())
                    .map(|i| format!("${i}"))
                    .collect();
                format!(" AND {column} IN ({})", params.join(", "))
            }
        }
    }

    /// The filter for tables that know only the incident: ` AND column IN (incidents of …)`.
    fn incident_filter(&self, column: &str, first: usize) -> String {
        match self.services {
            None => String::new(),
            Some(_) => format!(
                " AND {column} IN (SELECT id FROM incidents WHERE 1 = 1{})",
                self.filter("service", first)
            ),
        }
    }

    /// The first and last UTC day (days since the epoch) the scope touches.
    fn days(&self) -> (i64, i64) {
        (
            self.since.div_euclid(DAY_US),
            (self.until - 1).div_euclid(DAY_US),
        )
    }

    fn names(&self) -> &[String] {
        self.services.unwrap_or(&[])
    }
}

/// `sql!` for a query whose text ends in a scope filter: binds the fixed arguments, then every
/// filtered service name.
macro_rules! scoped {
    ($fetch:ident $t:ty, $c:expr, $q:expr, $scope:expr $(, $arg:expr)* $(,)?) => {{
        let q = sqlx::AssertSqlSafe($q);
        let names = $scope.names();
        match $c {
            C::Sqlite(c) => {
                let mut q = sqlx::query_as::<_, $t>(q)$(.bind($arg))*;
                for s in names {
                    q = q.bind(s.as_str());
                }
                sql!(@fetch $fetch, q, c)
            }
            C::Pg(c) => {
                let mut q = sqlx::query_as::<_, $t>(q)$(.bind($arg))*;
                for s in names {
                    q = q.bind(s.as_str());
                }
                sql!(@fetch $fetch, q, c)
            }
        }
    }};
}

mod alerts;
mod incidents;
mod people;

pub(crate) use alerts::*;
pub(crate) use incidents::*;
pub(crate) use people::*;

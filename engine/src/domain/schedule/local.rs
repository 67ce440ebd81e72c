//! Local wall-clock times to instants. A time skipped by a DST gap (02:30 on a spring-forward
//! night) maps to the moment the clocks jump (03:00 local); a time that happens twice (02:30 on a
//! fall-back night) maps to its first occurrence. Schedules therefore never lose or double a
//! handoff.

use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

pub(super) fn instant(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        LocalResult::None => {
            // In a gap: walk forward minute by minute to the first time that exists (gaps are at
            // most a few hours long in the tz database).
            let mut probe = local;
            for _ in 0..(24 * 60) {
                probe += chrono::Duration::minutes(1);
                if let Some(t) = tz.from_local_datetime(&probe).earliest() {
                    return t.with_timezone(&Utc);
                }
            }
            Utc.from_utc_datetime(&local)
        }
    }
}

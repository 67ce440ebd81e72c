//! A scheduled digest's chart as a file, the same for every room: Slack and Discord upload it
//! with the digest's text, the console saves it and prints where.

use firebell_commands::{Attachment, Doc};
use firebell_engine::notify::Notification;
use firebell_engine::reports::ChartSeries;

/// The digest's chart drawn to a PNG, named `firebell-report-<name>-<last day>.png`. `None` for
/// any other notification, a digest without a chart, or when drawing fails (logged: the digest's
/// text still goes out, without the picture).
pub fn digest_chart(n: &Notification) -> Option<Attachment> {
    let Notification::Digest {
        report,
        since,
        until,
        chart: Some(series),
        ..
    } = n
    else {
        return None;
    };
    let series: ChartSeries = match serde_json::from_value(series.clone()) {
        Ok(series) => series,
        Err(e) => {
            tracing::warn!(error = %e, report, "a digest's chart data does not read back");
            return None;
        }
    };
    let from_micros = |us: i64| chrono::DateTime::from_timestamp_micros(us).unwrap_or_default();
    let (since, until) = (from_micros(since.micros()), from_micros(until.micros()));
    let data = super::chart_data(&series, since, until);
    let (w, h) = super::chart::DEFAULT_SIZE;
    let png = match super::chart::render_png(&data, w, h) {
        Ok(png) => png,
        Err(e) => {
            tracing::warn!(error = %e, report, "could not draw the digest's chart");
            return None;
        }
    };
    // The last day the report covers: `until` is the exclusive end.
    let last_day = until - chrono::Duration::microseconds(1);
    Some(Attachment {
        filename: format!(
            "firebell-report-{}-{}.png",
            file_safe(report),
            last_day.format("%Y-%m-%d")
        ),
        content_type: "image/png".to_owned(),
        bytes: png,
        caption: Doc::new()
            .text("📈 Incidents per day and response times, report ")
            .code(report),
        incident: None,
    })
}

/// A report name as a file-name part: letters, digits and `-`; anything else becomes `_`.
fn file_safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::file_safe;

    #[test]
    fn a_report_name_cannot_leave_the_directory() {
        assert_eq!(file_safe("weekly-ops"), "weekly-ops");
        assert_eq!(file_safe("../../etc/passwd"), "______etc_passwd");
        assert_eq!(file_safe("ops managers"), "ops_managers");
    }
}

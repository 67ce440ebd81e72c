use std::io::Cursor;

use chrono::{Days, NaiveDate};

use super::*;

fn days(n: usize) -> Vec<NaiveDate> {
    let start = NaiveDate::from_ymd_opt(2026, 11, 9).expect("valid date");
    (0..n as u64).map(|i| start + Days::new(i)).collect()
}

fn week() -> ChartData {
    ChartData {
        title: "Incidents per day, 2026-11-09 – 2026-11-16 (UTC)".to_owned(),
        days: days(7),
        services: vec![
            ("checkout-api".to_owned(), vec![3, 1, 0, 4, 2, 0, 1]),
            ("payments".to_owned(), vec![1, 0, 2, 1, 0, 0, 0]),
            ("search".to_owned(), vec![0, 2, 1, 0, 3, 1, 0]),
        ],
        mtta_minutes: vec![
            Some(4.5),
            Some(12.0),
            None,
            Some(7.25),
            Some(3.0),
            None,
            Some(9.0),
        ],
        mttr_minutes: vec![
            Some(42.0),
            Some(95.0),
            Some(30.0),
            None,
            Some(61.5),
            Some(20.0),
            Some(48.0),
        ],
    }
}

fn empty_week() -> ChartData {
    ChartData {
        title: "Incidents per day (UTC)".to_owned(),
        days: days(7),
        services: vec![("quiet".to_owned(), vec![0; 7])],
        mtta_minutes: vec![None; 7],
        mttr_minutes: vec![None; 7],
    }
}

/// Decodes with the same `png` crate that encoded; returns width, height and RGB pixels.
fn decode(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let mut reader = png::Decoder::new(Cursor::new(bytes))
        .read_info()
        .expect("a valid PNG");
    let mut pixels = vec![0; reader.output_buffer_size().expect("fits in memory")];
    let frame = reader.next_frame(&mut pixels).expect("one frame");
    assert_eq!(frame.color_type, png::ColorType::Rgb);
    pixels.truncate(frame.buffer_size());
    (frame.width, frame.height, pixels)
}

fn has_colour(pixels: &[u8], colour: RGBColor) -> bool {
    pixels
        .chunks_exact(3)
        .any(|p| p == [colour.0, colour.1, colour.2])
}

#[test]
fn png_has_exactly_the_requested_size() {
    for (width, height) in [DEFAULT_SIZE, MIN_SIZE, (333, 211), (1920, 1080)] {
        let png = render_png(&week(), width, height).expect("renders");
        let (w, h, _) = decode(&png);
        assert_eq!((w, h), (width, height));
    }
}

#[test]
fn a_week_of_three_services_draws_each_service_and_both_trends() {
    let png = render_png(&week(), DEFAULT_SIZE.0, DEFAULT_SIZE.1).expect("renders");
    let (_, _, pixels) = decode(&png);
    for colour in [PALETTE[0], PALETTE[1], PALETTE[2], MTTA_COLOUR, MTTR_COLOUR] {
        assert!(has_colour(&pixels, colour), "colour {colour:?} is missing");
    }
    assert!(
        !has_colour(&pixels, PALETTE[3]),
        "only three services were given"
    );
}

#[test]
fn no_incidents_still_renders_a_chart_that_says_so() {
    let png = render_png(&empty_week(), DEFAULT_SIZE.0, DEFAULT_SIZE.1).expect("renders");
    let (w, h, pixels) = decode(&png);
    assert_eq!((w, h), DEFAULT_SIZE);
    assert!(!has_colour(&pixels, PALETTE[0]), "no bars");
    // "No incidents" is written in black in the middle of the plot, where nothing else is dark.
    let (w, h) = (w as usize, h as usize);
    let dark = (h * 2 / 5..h * 3 / 5)
        .flat_map(|y| (w / 4..w * 2 / 3).map(move |x| (y * w + x) * 3))
        .filter(|&i| pixels[i..i + 3].iter().all(|&c| c < 60))
        .count();
    assert!(dark > 100, "only {dark} dark pixels in the middle");
}

#[test]
fn no_days_at_all_renders_too() {
    let data = ChartData {
        title: String::new(),
        days: vec![],
        services: vec![],
        mtta_minutes: vec![],
        mttr_minutes: vec![],
    };
    let png = render_png(&data, 400, 300).expect("renders");
    assert_eq!(decode(&png).0, 400);
}

#[test]
fn a_sixty_day_series_renders() {
    let n = 60;
    let data = ChartData {
        title: "Incidents per day, last 60 days (UTC)".to_owned(),
        days: days(n),
        services: vec![
            ("api".to_owned(), (0..n).map(|i| (i % 5) as u32).collect()),
            (
                "db".to_owned(),
                (0..n).map(|i| (i % 3 == 0) as u32).collect(),
            ),
        ],
        mtta_minutes: (0..n).map(|i| (i % 4 != 0).then_some(i as f64)).collect(),
        mttr_minutes: (0..n).map(|i| Some(30.0 + i as f64)).collect(),
    };
    let png = render_png(&data, DEFAULT_SIZE.0, DEFAULT_SIZE.1).expect("renders");
    assert_eq!(decode(&png).0, DEFAULT_SIZE.0);
}

#[test]
fn out_of_range_sizes_are_errors() {
    for (width, height) in [(0, 0), (199, 600), (1000, 149), (4001, 600), (1000, 4001)] {
        let err = render_png(&week(), width, height).expect_err("bad size");
        assert!(
            matches!(err, ChartError::BadSize { .. }),
            "{width}x{height}: {err}"
        );
        assert!(err.to_string().contains("200–4000"), "{err}");
    }
}

#[test]
fn a_service_with_the_wrong_number_of_days_is_an_error() {
    let mut data = week();
    data.services[1].1.pop();
    let err = render_png(&data, 1000, 600).expect_err("mismatch");
    assert_eq!(
        err.to_string(),
        "service `payments` has 6 daily counts but the chart has 7 days"
    );
}

#[test]
fn trend_series_with_the_wrong_number_of_days_are_errors() {
    let mut data = week();
    data.mttr_minutes.push(None);
    let err = render_png(&data, 1000, 600).expect_err("mismatch");
    assert!(
        matches!(
            err,
            ChartError::SeriesLength {
                series: "MTTR",
                got: 8,
                expected: 7
            }
        ),
        "{err}"
    );
}

#[test]
fn negative_or_nan_minutes_are_errors() {
    for bad in [-1.0, f64::NAN, f64::INFINITY] {
        let mut data = week();
        data.mtta_minutes[2] = Some(bad);
        let err = render_png(&data, 1000, 600).expect_err("bad minutes");
        assert!(
            matches!(err, ChartError::BadMinutes { series: "MTTA", .. }),
            "{err}"
        );
    }
}

#[test]
fn more_than_a_year_of_days_is_an_error() {
    let n = MAX_DAYS + 1;
    let data = ChartData {
        title: String::new(),
        days: days(n),
        services: vec![],
        mtta_minutes: vec![None; n],
        mttr_minutes: vec![None; n],
    };
    assert!(matches!(
        render_png(&data, 1000, 600),
        Err(ChartError::TooManyDays { days: 367 })
    ));
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let a = render_png(&week(), 800, 500).expect("renders");
    let b = render_png(&week(), 800, 500).expect("renders");
    assert!(a == b);
}

#[test]
fn many_services_become_eight_named_and_other() {
    let services: Vec<(String, Vec<u32>)> = (1..=12u32)
        .map(|i| (format!("svc-{i}"), vec![i, 0]))
        .collect();
    let stacks = stacks(&services, 2);
    let legend: Vec<(&str, u64)> = stacks.iter().map(|s| (s.name.as_str(), s.total)).collect();
    assert_eq!(legend[0], ("svc-12", 12));
    assert_eq!(legend[7], ("svc-5", 5));
    assert_eq!(legend[8], ("other, 4 services", 10));
    assert_eq!(stacks[8].counts, vec![1 + 2 + 3 + 4, 0]);
    assert_eq!(stacks[8].colour, OTHER);
}

#[test]
fn nine_services_are_all_named_and_silent_ones_are_left_out() {
    let mut services: Vec<(String, Vec<u32>)> =
        (1..=9u32).map(|i| (format!("svc-{i}"), vec![i])).collect();
    services.push(("silent".to_owned(), vec![0]));
    let stacks = stacks(&services, 1);
    assert_eq!(stacks.len(), 9);
    assert!(
        stacks
            .iter()
            .all(|s| !s.name.starts_with("other") && s.name != "silent")
    );
}

#[test]
fn hostile_service_names_are_cleaned_and_cut_for_the_legend() {
    assert_eq!(legend_name("checkout-api"), "checkout-api");
    assert_eq!(
        legend_name("a\u{202E}evil\nname\t\u{200B}x"),
        "aevil name x"
    );
    assert_eq!(legend_name(" \u{7}\n "), "(unnamed)");
    let long = legend_name(&"x".repeat(500));
    assert_eq!(long.chars().count(), MAX_NAME_CHARS);
    assert!(long.ends_with('…'));
}

#[test]
fn a_hostile_legend_and_title_still_render() {
    let mut data = week();
    data.title = "t\n".repeat(2000);
    data.services[0].0 = "\u{202E}".to_owned() + &"W".repeat(10_000);
    data.services[1].0 = "🔥🔥🔥 payments 支付".to_owned();
    let png = render_png(&data, 300, 200).expect("renders");
    assert_eq!(decode(&png).0, 300);
}

/// Writes `target/chart-sample.png` for a human to look at:
/// `cargo test -p firebell-adapters chart_sample -- --ignored`.
#[test]
#[ignore]
fn chart_sample() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/chart-sample.png");
    let png = render_png(&week(), DEFAULT_SIZE.0, DEFAULT_SIZE.1).expect("renders");
    std::fs::write(path, png).expect("target/ is writable");
}

//! The weekly report chart: incidents opened per day stacked by service, with the MTTA and MTTR
//! trends as lines on a second axis in minutes, rendered to PNG bytes for a chat upload.
//!
//! Everything happens in memory: plotters draws into an RGB buffer and `png` encodes it. Text uses
//! DejaVu Sans bundled in the binary (`assets/`), so the chart needs no system fonts, looks the
//! same on every machine, and the same input always gives the same bytes.
//!
//! This file holds the input, validation, service ranking and page layout; `bars` draws the axes,
//! bars and trend lines, `legend` the key beside them.

mod bars;
mod legend;

use std::sync::OnceLock;

use chrono::NaiveDate;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// What the engine's weekly report hands over; every per-day vector has one entry per `days`.
pub struct ChartData {
    /// e.g. "Incidents per day, 2026-11-09 – 2026-11-16 (UTC)".
    pub title: String,
    /// Consecutive days, oldest first.
    pub days: Vec<NaiveDate>,
    /// Per service, incidents opened on each day.
    pub services: Vec<(String, Vec<u32>)>,
    /// Per day, mean minutes to acknowledge (`None`: nothing acknowledged that day).
    pub mtta_minutes: Vec<Option<f64>>,
    /// Per day, mean minutes to resolve (`None`: nothing resolved that day).
    pub mttr_minutes: Vec<Option<f64>>,
}

/// Readable in a Slack or Discord preview without zooming.
pub const DEFAULT_SIZE: (u32, u32) = (1000, 600);
/// Below this, labels no longer fit.
pub const MIN_SIZE: (u32, u32) = (200, 150);
/// Caps the buffer at 48 MB.
pub const MAX_SIDE: u32 = 4000;
/// A year of days; beyond that the bars are too thin to read.
pub const MAX_DAYS: usize = 366;

#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error(
        "chart size {width}x{height} is out of range: width must be {}–{MAX_SIDE} \
         and height {}–{MAX_SIDE} pixels",
        MIN_SIZE.0,
        MIN_SIZE.1
    )]
    BadSize { width: u32, height: u32 },
    #[error("{days} days do not fit in one chart (at most {MAX_DAYS})")]
    TooManyDays { days: usize },
    #[error("service `{service}` has {got} daily counts but the chart has {expected} days")]
    ServiceLength {
        service: String,
        got: usize,
        expected: usize,
    },
    #[error("{series} has {got} daily values but the chart has {expected} days")]
    SeriesLength {
        series: &'static str,
        got: usize,
        expected: usize,
    },
    #[error("{series} on {day} is {value} minutes; expected a finite number of minutes ≥ 0")]
    BadMinutes {
        series: &'static str,
        day: NaiveDate,
        value: f64,
    },
    #[error("the bundled chart font could not be loaded")]
    Font,
    #[error("drawing the chart failed: {0}")]
    Draw(String),
    #[error("encoding the chart as PNG failed")]
    Encode(#[from] png::EncodingError),
}

/// Services named in the legend; the rest are summed into one "other" bar segment.
const MAX_NAMED: usize = 8;
/// Longer service names are cut with "…" so the legend keeps a sane width.
const MAX_NAME_CHARS: usize = 24;
/// Family name the font is registered under; plotters' axis labels default to it.
const FONT: &str = "sans-serif";
static DEJAVU_SANS: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

/// Tableau 10 without its red (red is MTTR's): distinct, and readable for most colour-blind eyes.
const PALETTE: [RGBColor; MAX_NAMED + 1] = [
    RGBColor(0x4E, 0x79, 0xA7),
    RGBColor(0xF2, 0x8E, 0x2B),
    RGBColor(0x76, 0xB7, 0xB2),
    RGBColor(0x59, 0xA1, 0x4F),
    RGBColor(0xED, 0xC9, 0x48),
    RGBColor(0xB0, 0x7A, 0xA1),
    RGBColor(0xFF, 0x9D, 0xA7),
    RGBColor(0x9C, 0x75, 0x5F),
    RGBColor(0xA0, 0xCB, 0xE8),
];
const OTHER: RGBColor = RGBColor(0xBA, 0xB0, 0xAC);
const MTTA_COLOUR: RGBColor = RGBColor(0x22, 0x22, 0x22);
const MTTR_COLOUR: RGBColor = RGBColor(0xC0, 0x1F, 0x2F);
const GRID: RGBColor = RGBColor(0xE4, 0xE4, 0xE4);

/// Draws `data` as a `width`×`height` PNG.
pub fn render_png(data: &ChartData, width: u32, height: u32) -> Result<Vec<u8>, ChartError> {
    validate(data, width, height)?;
    register_font()?;
    let mut rgb = vec![0u8; width as usize * height as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (width, height)).into_drawing_area();
        draw(&root, data)?;
        root.present().map_err(draw_err)?;
    }
    encode(&rgb, width, height)
}

fn validate(data: &ChartData, width: u32, height: u32) -> Result<(), ChartError> {
    if !(MIN_SIZE.0..=MAX_SIDE).contains(&width) || !(MIN_SIZE.1..=MAX_SIDE).contains(&height) {
        return Err(ChartError::BadSize { width, height });
    }
    let days = data.days.len();
    if days > MAX_DAYS {
        return Err(ChartError::TooManyDays { days });
    }
    for (name, counts) in &data.services {
        if counts.len() != days {
            let (service, got) = (legend_name(name), counts.len());
            return Err(ChartError::ServiceLength {
                service,
                got,
                expected: days,
            });
        }
    }
    for (series, values) in [("MTTA", &data.mtta_minutes), ("MTTR", &data.mttr_minutes)] {
        if values.len() != days {
            return Err(ChartError::SeriesLength {
                series,
                got: values.len(),
                expected: days,
            });
        }
        for (&day, value) in data.days.iter().zip(values) {
            if let Some(value) = *value
                && !(value.is_finite() && value >= 0.0)
            {
                return Err(ChartError::BadMinutes { series, day, value });
            }
        }
    }
    Ok(())
}

/// plotters keeps fonts in a process-wide table; registering once is enough for every chart.
fn register_font() -> Result<(), ChartError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font(FONT, FontStyle::Normal, DEJAVU_SANS).is_ok()
    });
    if ok { Ok(()) } else { Err(ChartError::Font) }
}

/// One band of the stacked bars, bottom band first.
struct Stack {
    /// Cleaned for the legend, see [`legend_name`].
    name: String,
    total: u64,
    colour: RGBColor,
    counts: Vec<u64>,
}

/// Orders services by incidents (most at the bottom of each bar and the top of the legend;
/// ties keep the engine's order), drops silent ones, and folds the tail into "other" so the
/// legend stays short. Nine services still fit without an "other" of one.
fn stacks(services: &[(String, Vec<u32>)], days: usize) -> Vec<Stack> {
    let mut ranked: Vec<(&str, Vec<u64>, u64)> = services
        .iter()
        .map(|(name, counts)| {
            let counts: Vec<u64> = counts.iter().map(|&c| u64::from(c)).collect();
            let total = counts.iter().sum();
            (name.as_str(), counts, total)
        })
        .filter(|(_, _, total)| *total > 0)
        .collect();
    ranked.sort_by_key(|s| std::cmp::Reverse(s.2));
    let named = if ranked.len() <= MAX_NAMED + 1 {
        ranked.len()
    } else {
        MAX_NAMED
    };
    let rest = ranked.split_off(named);
    let mut out: Vec<Stack> = ranked
        .into_iter()
        .zip(PALETTE)
        .map(|((name, counts, total), colour)| Stack {
            name: legend_name(name),
            total,
            colour,
            counts,
        })
        .collect();
    if !rest.is_empty() {
        let mut counts = vec![0u64; days];
        for (_, service, _) in &rest {
            counts
                .iter_mut()
                .zip(service)
                .for_each(|(sum, c)| *sum += c);
        }
        let total: u64 = counts.iter().sum();
        let name = format!("other, {} services", rest.len());
        out.push(Stack {
            name,
            total,
            colour: OTHER,
            counts,
        });
    }
    out
}

/// Service names come from alert payloads: drop control and bidi/zero-width characters (which
/// could reorder or hide the legend text), collapse whitespace and cut long names.
fn legend_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .filter(|&c| c.is_whitespace() || !(c.is_control() || is_invisible_format(c)))
        .collect();
    let words: Vec<&str> = cleaned.split_whitespace().collect();
    let name = words.join(" ");
    if name.is_empty() {
        return "(unnamed)".to_owned();
    }
    if name.chars().count() <= MAX_NAME_CHARS {
        return name;
    }
    let mut cut: String = name.chars().take(MAX_NAME_CHARS - 1).collect();
    cut.truncate(cut.trim_end().len());
    cut + "…"
}

/// Zero-width characters, direction marks and bidi overrides/isolates.
fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}'
    )
}

/// Pixel sizes scaled from the 1000×600 design, with floors that keep tiny charts legible.
struct Sizes {
    title: f64,
    label: f64,
    pad: i32,
}

impl Sizes {
    fn for_area(w: u32, h: u32) -> Self {
        let s = (f64::from(w) / 1000.0).min(f64::from(h) / 600.0);
        Sizes {
            title: (20.0 * s).max(10.0),
            label: (13.0 * s).max(8.0),
            pad: (10.0 * s).max(3.0) as i32,
        }
    }
}

fn draw(root: &DrawingArea<BitMapBackend<'_>, Shift>, data: &ChartData) -> Result<(), ChartError> {
    let (w, h) = root.dim_in_pixel();
    let sizes = Sizes::for_area(w, h);
    root.fill(&WHITE).map_err(draw_err)?;

    let title_style = centred(TextStyle::from((FONT, sizes.title).into_font()).color(&BLACK));
    let title = fit(
        root,
        &plain_text(&data.title),
        &title_style,
        w.saturating_sub(2 * sizes.pad as u32),
    )?;
    let title_height = sizes.pad + (sizes.title * 1.3) as i32;
    let (title_area, body) = root.split_vertically(title_height);
    let centre = (
        w as i32 / 2,
        (title_height + sizes.pad) / 2 + nudge(sizes.title),
    );
    title_area
        .draw(&Text::new(title, centre, title_style))
        .map_err(draw_err)?;

    let stacks = stacks(&data.services, data.days.len());
    let legend = legend::Legend::new(&body, &stacks, &sizes)?;
    let (plot_area, legend_area) =
        body.split_horizontally(body.dim_in_pixel().0 as i32 - legend.width);
    bars::draw(&plot_area, data, &stacks, &sizes)?;
    legend.draw(&legend_area)
}

/// Titles are one line: newlines and other control characters become spaces.
fn plain_text(text: &str) -> String {
    text.split(|c: char| c.is_control())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Cuts `text` with "…" until it is at most `max_width` pixels wide in `style`.
fn fit<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
    max_width: u32,
) -> Result<String, ChartError> {
    let width = |t: &str| {
        area.estimate_text_size(t, style)
            .map(|(w, _)| w)
            .map_err(draw_err)
    };
    if width(text)? <= max_width {
        return Ok(text.to_owned());
    }
    // Nothing wider than the widest chart is worth measuring char by char.
    let chars: Vec<char> = text.chars().take(400).collect();
    for keep in (1..chars.len()).rev() {
        let cut: String = chars[..keep]
            .iter()
            .collect::<String>()
            .trim_end()
            .to_owned()
            + "…";
        if width(&cut)? <= max_width {
            return Ok(cut);
        }
    }
    Ok("…".to_owned())
}

fn centred(style: TextStyle<'_>) -> TextStyle<'_> {
    style.pos(Pos::new(HPos::Center, VPos::Center))
}

/// plotters' ab_glyph text sits about a fifth of the font size above the point it is centred on
/// (it measures text 0.8 px per px tall but puts the baseline half a size below the top); text we
/// place ourselves moves down by this much to line up with its swatch or band.
fn nudge(font_size: f64) -> i32 {
    (font_size * 0.18).round() as i32
}

fn encode(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, ChartError> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()?;
    Ok(out)
}

fn draw_err(e: impl std::fmt::Display) -> ChartError {
    ChartError::Draw(e.to_string())
}

#[cfg(test)]
mod tests;

//! The plot itself: axes, stacked bars on the left axis, MTTA/MTTR lines on the right one.

use plotters::chart::DualCoordChartContext;
use plotters::coord::Shift;
use plotters::coord::ranged1d::{SegmentValue, SegmentedCoord};
use plotters::coord::types::{RangedCoordf64, RangedCoordi32, RangedCoordu64};
use plotters::element::DashedPathElement;
use plotters::prelude::*;

use super::{
    ChartData, ChartError, FONT, GRID, MTTA_COLOUR, MTTR_COLOUR, Sizes, Stack, centred, draw_err,
    nudge,
};

/// How a trend line is drawn; the legend draws its sample with the same values.
pub(super) struct Trend {
    pub(super) name: &'static str,
    pub(super) colour: RGBColor,
    pub(super) dashed: bool,
}

pub(super) const TRENDS: [Trend; 2] = [
    Trend {
        name: "MTTA (min)",
        colour: MTTA_COLOUR,
        dashed: false,
    },
    Trend {
        name: "MTTR (min)",
        colour: MTTR_COLOUR,
        dashed: true,
    },
];

/// Day segments across; incidents opened on the left axis, minutes on the right one.
type Chart<'a, 'b> = DualCoordChartContext<
    'a,
    BitMapBackend<'b>,
    Cartesian2d<SegmentedCoord<RangedCoordi32>, RangedCoordu64>,
    Cartesian2d<SegmentedCoord<RangedCoordi32>, RangedCoordf64>,
>;

pub(super) fn draw(
    area: &DrawingArea<BitMapBackend<'_>, Shift>,
    data: &ChartData,
    stacks: &[Stack],
    sizes: &Sizes,
) -> Result<(), ChartError> {
    let days = data.days.len();
    // A discrete axis of `days` segments (plotters' integer ranges include their end).
    let last = days.max(1) as i32 - 1;
    let max_total = (0..days)
        .map(|d| stacks.iter().map(|s| s.counts[d]).sum::<u64>())
        .max()
        .unwrap_or(0);
    // Headroom above the tallest bar; an empty week still gets a 0–5 axis rather than 0–0.
    let y_top = if max_total == 0 {
        5
    } else {
        max_total + (max_total / 10).max(1)
    };
    let minutes = data
        .mtta_minutes
        .iter()
        .chain(&data.mttr_minutes)
        .flatten()
        .copied();
    let max_minutes = minutes.fold(0.0_f64, f64::max);
    let y2_top = if max_minutes > 0.0 {
        max_minutes * 1.1
    } else {
        60.0
    };

    let label = sizes.label;
    let mut chart = ChartBuilder::on(area)
        .margin(sizes.pad)
        .x_label_area_size(label * 2.2)
        .y_label_area_size(label * 5.0)
        .right_y_label_area_size(label * 5.0)
        .build_cartesian_2d((0..last).into_segmented(), 0u64..y_top)
        .map_err(draw_err)?
        .set_secondary_coord((0..last).into_segmented(), 0.0..y2_top);
    let plot_width = chart.plotting_area().dim_in_pixel().0;
    draw_axes(&mut chart, area, data, label, y2_top)?;
    draw_bars(&mut chart, stacks, days, plot_width)?;
    draw_trends(&mut chart, data, sizes, plot_width / days.max(1) as u32)?;
    if max_total == 0 {
        let plot = chart.plotting_area().strip_coord_spec();
        let (pw, ph) = plot.dim_in_pixel();
        let style = centred(TextStyle::from((FONT, sizes.title).into_font()).color(&BLACK));
        let centre = (pw as i32 / 2, ph as i32 / 2 + nudge(sizes.title));
        let text = Text::new("No incidents", centre, style);
        plot.draw(&text).map_err(draw_err)?;
    }
    Ok(())
}

/// The grid, the day labels under it, and both value axes with their titles.
fn draw_axes(
    chart: &mut Chart<'_, '_>,
    area: &DrawingArea<BitMapBackend<'_>, Shift>,
    data: &ChartData,
    label: f64,
    y2_top: f64,
) -> Result<(), ChartError> {
    let label_style = TextStyle::from((FONT, label).into_font()).color(&BLACK);
    let plot_width = chart.plotting_area().dim_in_pixel().0;
    let (format, x_labels) = day_labels(area, &label_style, plot_width, data.days.len())?;
    let day_label = |v: &SegmentValue<i32>| match v {
        SegmentValue::CenterOf(i) => usize::try_from(*i)
            .ok()
            .and_then(|i| data.days.get(i))
            .map_or_else(String::new, |d| d.format(format).to_string()),
        _ => String::new(),
    };
    let count_label = |v: &u64| v.to_string();
    let minute_label = |v: &f64| {
        if y2_top < 10.0 {
            format!("{v:.1}")
        } else {
            format!("{v:.0}")
        }
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .bold_line_style(GRID)
        .light_line_style(WHITE)
        .x_labels(x_labels)
        .y_labels(6)
        .y_label_offset(nudge(label))
        .x_label_formatter(&day_label)
        .y_label_formatter(&count_label)
        .label_style(label_style.clone())
        .axis_desc_style(label_style.clone())
        .y_desc("Incidents opened")
        .draw()
        .map_err(draw_err)?;
    chart
        .configure_secondary_axes()
        .y_labels(6)
        .y_label_offset(nudge(label))
        .y_label_formatter(&minute_label)
        .label_style(label_style.clone())
        .axis_desc_style(label_style)
        .y_desc("Minutes")
        .draw()
        .map_err(draw_err)
}

/// Each day's incidents as bands stacked in `stacks` order. Bars fill 70% of their day; a
/// one-pixel top margin separates the bands.
fn draw_bars(
    chart: &mut Chart<'_, '_>,
    stacks: &[Stack],
    days: usize,
    plot_width: u32,
) -> Result<(), ChartError> {
    let gap = (f64::from(plot_width) / days.max(1) as f64 * 0.15).round() as u32;
    let mut base = vec![0u64; days];
    for stack in stacks {
        let mut rects = Vec::new();
        for (day, &count) in stack.counts.iter().enumerate().filter(|(_, c)| **c > 0) {
            let (x, y0) = (day as i32, base[day]);
            base[day] += count;
            let corners = [
                (SegmentValue::Exact(x), y0),
                (SegmentValue::Exact(x + 1), base[day]),
            ];
            let mut rect = Rectangle::new(corners, stack.colour.filled());
            rect.set_margin(1, 0, gap, gap);
            rects.push(rect);
        }
        chart.draw_series(rects).map_err(draw_err)?;
    }
    Ok(())
}

/// The MTTA and MTTR lines with a dot on each day. Lines and dots shrink with the days
/// (`per_day` pixels each) so a 60-day chart is not a string of beads.
fn draw_trends(
    chart: &mut Chart<'_, '_>,
    data: &ChartData,
    sizes: &Sizes,
    per_day: u32,
) -> Result<(), ChartError> {
    let stroke = ((sizes.label / 6.0).round() as u32 + 1)
        .min(per_day / 4)
        .max(1);
    let dot = (stroke + 2).min(per_day / 4).max(stroke);
    for (trend, values) in TRENDS.iter().zip([&data.mtta_minutes, &data.mttr_minutes]) {
        for run in runs(values) {
            let style = trend.colour.stroke_width(stroke);
            if trend.dashed {
                let dash = DashedPathElement::new(run.clone(), stroke * 4, stroke * 2, style);
                chart
                    .draw_secondary_series(std::iter::once(dash))
                    .map_err(draw_err)?;
            } else {
                let line = PathElement::new(run.clone(), style);
                chart
                    .draw_secondary_series(std::iter::once(line))
                    .map_err(draw_err)?;
            }
            let dots = run
                .into_iter()
                .map(|p| Circle::new(p, dot, trend.colour.filled()));
            chart.draw_secondary_series(dots).map_err(draw_err)?;
        }
    }
    Ok(())
}

/// Consecutive days with a value, as points at the centre of each day; `None` days split the
/// line so a gap shows where there was nothing to measure.
fn runs(values: &[Option<f64>]) -> Vec<Vec<(SegmentValue<i32>, f64)>> {
    let mut runs = vec![Vec::new()];
    for (day, value) in values.iter().enumerate() {
        match value {
            Some(v) => runs
                .last_mut()
                .expect("never empty")
                .push((SegmentValue::CenterOf(day as i32), *v)),
            None if runs.last().is_some_and(|r| !r.is_empty()) => runs.push(Vec::new()),
            None => {}
        }
    }
    runs.retain(|r| !r.is_empty());
    runs
}

/// A week gets "Mon 11-09" under every bar; longer ranges get "11-09" as often as fits.
fn day_labels(
    area: &DrawingArea<BitMapBackend<'_>, Shift>,
    style: &TextStyle,
    plot_width: u32,
    days: usize,
) -> Result<(&'static str, usize), ChartError> {
    let days = days.max(1);
    let width = |t: &str| {
        area.estimate_text_size(t, style)
            .map(|(w, _)| w + 10)
            .map_err(draw_err)
    };
    let per_day = plot_width as usize / days;
    if per_day >= width("Wed 00-00")? as usize {
        return Ok(("%a %m-%d", days));
    }
    let fits = (plot_width / width("00-00")?).max(1) as usize;
    Ok(("%m-%d", fits.min(days)))
}

//! The legend, in its own column right of the plot so it never hides a bar.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::bars::{TRENDS, Trend};
use super::{ChartError, FONT, Sizes, Stack, draw_err, fit, nudge};

enum Key {
    Swatch(RGBColor),
    Line(&'static Trend),
}

pub(super) struct Legend {
    entries: Vec<(Key, String)>,
    style: TextStyle<'static>,
    /// Columns this legend takes from the right of the chart, in pixels.
    pub(super) width: i32,
    key_width: i32,
    line_height: i32,
    pad: i32,
    nudge: i32,
}

impl Legend {
    /// Measures the entries; labels are cut so the legend takes at most 30% of the width.
    pub(super) fn new(
        area: &DrawingArea<BitMapBackend<'_>, Shift>,
        stacks: &[Stack],
        sizes: &Sizes,
    ) -> Result<Self, ChartError> {
        let style = TextStyle::from((FONT, sizes.label).into_font())
            .color(&BLACK)
            .pos(Pos::new(HPos::Left, VPos::Center));
        let pad = sizes.pad;
        let key_width = (sizes.label * 2.0) as i32;
        let max_text = (area.dim_in_pixel().0 as i32 * 3 / 10 - key_width - 3 * pad).max(10) as u32;
        let width = |t: &str| {
            area.estimate_text_size(t, &style)
                .map(|(w, _)| w)
                .map_err(draw_err)
        };
        let mut entries = Vec::new();
        for stack in stacks {
            // The count stays whole; only the name is cut to make room.
            let count = format!(" ({})", stack.total);
            let name = fit(
                area,
                &stack.name,
                &style,
                max_text.saturating_sub(width(&count)?),
            )?;
            entries.push((Key::Swatch(stack.colour), name + &count));
        }
        for trend in &TRENDS {
            entries.push((Key::Line(trend), fit(area, trend.name, &style, max_text)?));
        }
        let mut text_width = 0;
        for (_, label) in &entries {
            text_width = text_width.max(width(label)?);
        }
        Ok(Legend {
            entries,
            style,
            width: key_width + text_width as i32 + 3 * pad,
            key_width,
            line_height: (sizes.label * 1.7) as i32,
            pad,
            nudge: nudge(sizes.label),
        })
    }

    pub(super) fn draw(
        &self,
        area: &DrawingArea<BitMapBackend<'_>, Shift>,
    ) -> Result<(), ChartError> {
        let half = (self.line_height / 3).max(2);
        let x0 = self.pad;
        let mut y = self.pad + self.line_height;
        for (i, (key, label)) in self.entries.iter().enumerate() {
            // A blank line between the services and the trend lines.
            if matches!(key, Key::Line(_))
                && i > 0
                && matches!(self.entries[i - 1].0, Key::Swatch(_))
            {
                y += self.line_height / 2;
            }
            match key {
                Key::Swatch(colour) => {
                    let square = [(x0, y - half), (x0 + 2 * half, y + half)];
                    area.draw(&Rectangle::new(square, colour.filled()))
                        .map_err(draw_err)?;
                }
                Key::Line(trend) => {
                    let stroke = (half / 3).max(1) as u32 + 1;
                    let style = trend.colour.stroke_width(stroke);
                    let ends = [(x0, y), (x0 + self.key_width - self.pad / 2, y)];
                    if trend.dashed {
                        let dash = DashedPathElement::new(ends, stroke * 4, stroke * 2, style);
                        area.draw(&dash).map_err(draw_err)?;
                    } else {
                        area.draw(&PathElement::new(ends, style))
                            .map_err(draw_err)?;
                    }
                    let centre = (x0 + (self.key_width - self.pad / 2) / 2, y);
                    area.draw(&Circle::new(centre, stroke + 2, trend.colour.filled()))
                        .map_err(draw_err)?;
                }
            }
            let at = (x0 + self.key_width + self.pad / 2, y + self.nudge);
            let text = Text::new(label.as_str(), at, self.style.clone());
            area.draw(&text).map_err(draw_err)?;
            y += self.line_height;
        }
        Ok(())
    }
}

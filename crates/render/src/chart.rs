//! Statistics charts: lines, areas and grouped bars over days or named categories.
//!
//! Drawn with tiny-skia directly rather than through a charting crate: plotters' bitmap
//! backend draws lines without anti-aliasing (plotters-rs/plotters#350) and sets text through
//! a process-wide font registry, while a few hundred lines here reuse the card's fonts,
//! fallback and colours and stay deterministic pixel for pixel.

use tiny_skia::{PathBuilder, Pixmap, Rect};

use crate::{
    colour::Colour,
    date::Date,
    draw,
    error::RenderError,
    picture::{Picture, PngEncoding},
    text::{Line, Weight, thousands},
};

/// How [`Chart::render`] encodes: charts are flat colour, which zlib's searches for repeats
/// shrink by a third more than the fast encoder's runs do (31 KiB rather than 46 KiB for a
/// 30-day chart), for about 2 ms, well inside a chart's budget of 10.
pub const CHART_ENCODING: PngEncoding = PngEncoding::Balanced;

/// Width of a chart when none is given, in pixels.
pub const CHART_WIDTH: u32 = 800;
/// Height of a chart when none is given, in pixels.
pub const CHART_HEIGHT: u32 = 400;
/// The smallest width or height a chart is drawn at; smaller sizes are raised to it.
pub const CHART_MIN_SIDE: u32 = 240;
/// The largest width or height a chart is drawn at; larger sizes are lowered to it.
pub const CHART_MAX_SIDE: u32 = 2_000;
/// Series beyond this many are left out; the palette has this many colours.
pub const CHART_MAX_SERIES: usize = 8;
/// Points beyond this many per series are left out, keeping the latest.
pub const CHART_MAX_POINTS: usize = 1_000;
/// Values are clamped to ±this, so axis arithmetic never overflows.
pub const CHART_VALUE_LIMIT: f64 = 1e15;
/// Shown in the plot area when there is nothing to plot.
pub const EMPTY_CHART_TEXT: &str = "No data yet";
/// The colours given to series in order, when a series has none of its own.
pub const CHART_PALETTE: [Colour; CHART_MAX_SERIES] = [
    Colour::rgb(0x58, 0x65, 0xF2),
    Colour::rgb(0x57, 0xF2, 0x87),
    Colour::rgb(0xFE, 0xE7, 0x5C),
    Colour::rgb(0xEB, 0x45, 0x9E),
    Colour::rgb(0xED, 0x42, 0x45),
    Colour::rgb(0x3B, 0xA5, 0xD8),
    Colour::rgb(0xF2, 0x9B, 0x4B),
    Colour::rgb(0xB5, 0xBA, 0xC1),
];

const BACKGROUND: Colour = Colour::rgb(0x2B, 0x2D, 0x31);
const GRID: Colour = Colour::rgb(0x3A, 0x3C, 0x42);
const AXIS: Colour = Colour::rgb(0x6D, 0x6F, 0x78);
const MUTED: Colour = Colour::rgb(0xB5, 0xBA, 0xC1);
const MARGIN: f32 = 24.0;
const TICK_PX: f32 = 13.0;

/// How the series of a chart are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ChartKind {
    /// A line through the points of each series.
    #[default]
    Line,
    /// A line with the area down to zero shaded.
    Area,
    /// Bars side by side for each point, one per series.
    Bar,
}

/// What the points along the horizontal axis stand for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum XAxis {
    /// Point `i` is `first` + `i`·`step_days` days: daily (`step_days` 1) or weekly (7) figures.
    Dates {
        /// The day of the first point.
        first: Date,
        /// Days between points; 0 is taken as 1.
        step_days: u32,
    },
    /// Point `i` is named by `labels[i]` (an unnamed point has no label).
    Labels(Vec<String>),
}

/// One named row of figures, such as messages per day.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Shown in the legend when a chart has several series.
    pub label: String,
    /// One value per point; a non-finite value (NaN, ∞) is a gap.
    pub values: Vec<f64>,
    /// The series colour; `None` takes the next colour of [`CHART_PALETTE`].
    pub colour: Option<Colour>,
}

impl Series {
    /// Returns a series with the palette's colour.
    pub fn new(label: impl Into<String>, values: impl Into<Vec<f64>>) -> Self {
        Self {
            label: label.into(),
            values: values.into(),
            colour: None,
        }
    }
}

/// A chart: a title, an axis, series, and a size.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// Drawn bold at the top left.
    pub title: String,
    /// Lines, areas or bars.
    pub kind: ChartKind,
    /// What the points stand for.
    pub x: XAxis,
    /// The figures; with none, or no finite value, the chart says [`EMPTY_CHART_TEXT`].
    pub series: Vec<Series>,
    /// Width in pixels, kept within [`CHART_MIN_SIDE`]..=[`CHART_MAX_SIDE`].
    pub width: u32,
    /// Height in pixels, kept within [`CHART_MIN_SIDE`]..=[`CHART_MAX_SIDE`].
    pub height: u32,
}

impl Chart {
    /// Returns a chart of the default size with no series yet.
    pub fn new(title: impl Into<String>, kind: ChartKind, x: XAxis) -> Self {
        Self {
            title: title.into(),
            kind,
            x,
            series: Vec::new(),
            width: CHART_WIDTH,
            height: CHART_HEIGHT,
        }
    }

    /// Adds a series, returning the chart.
    #[must_use]
    pub fn with_series(mut self, series: Series) -> Self {
        self.series.push(series);
        self
    }

    /// Draws and encodes the chart as PNG, with [`CHART_ENCODING`].
    ///
    /// # Errors
    ///
    /// [`RenderError::Encode`] if PNG encoding fails, which writing to memory should never do.
    pub fn render(&self) -> Result<Vec<u8>, RenderError> {
        self.draw().into_png_with(CHART_ENCODING)
    }

    /// Draws the chart without encoding it.
    pub fn draw(&self) -> Picture {
        let width = self.width.clamp(CHART_MIN_SIDE, CHART_MAX_SIDE);
        let height = self.height.clamp(CHART_MIN_SIDE, CHART_MAX_SIDE);
        let mut pixmap = draw::canvas(width, height);
        pixmap.fill(BACKGROUND.to_skia());
        #[allow(clippy::cast_precision_loss)]
        let (w, h) = (width as f32, height as f32);

        let series = self.prepared_series();
        let legend_left = if series.len() > 1 {
            draw_legend(&mut pixmap, &series, w - MARGIN)
        } else {
            w - MARGIN
        };
        let title_room = legend_left - MARGIN - 16.0;
        Line::fit(&self.title, Weight::Bold, &[22.0, 20.0, 18.0], title_room).draw(
            &mut pixmap,
            MARGIN,
            MARGIN + 18.0,
            Colour::WHITE,
        );

        let points = series.iter().map(|s| s.values.len()).max().unwrap_or(0);
        let range = value_range(&series);
        let (top, bottom) = (MARGIN + 48.0, h - MARGIN - 22.0);
        let Some((min, max)) = range else {
            let plot = Plot {
                left: MARGIN,
                right: w - MARGIN,
                top,
                bottom,
                min: 0.0,
                max: 1.0,
            };
            plot.gridlines(&mut pixmap, &[0.0, 0.25, 0.5, 0.75, 1.0]);
            let line = Line::new(EMPTY_CHART_TEXT, Weight::Regular, 20.0);
            let x = (plot.left + plot.right - line.width()) / 2.0;
            line.draw(&mut pixmap, x, f32::midpoint(top, bottom) + 7.0, MUTED);
            return Picture::new(pixmap);
        };
        let integers = series
            .iter()
            .flat_map(|s| &s.values)
            .all(|v| !v.is_finite() || v.fract() == 0.0);
        let ticks = Ticks::new(min, max, integers);
        let labels: Vec<Line> = ticks
            .values()
            .map(|v| Line::new(&ticks.label(v), Weight::Regular, TICK_PX))
            .collect();
        let label_width = labels.iter().map(Line::width).fold(0.0, f32::max);
        let plot = Plot {
            left: MARGIN + label_width + 10.0,
            right: w - MARGIN,
            top,
            bottom,
            min: ticks.first(),
            max: ticks.last(),
        };
        let values: Vec<f64> = ticks.values().collect();
        plot.gridlines(&mut pixmap, &values);
        for (value, label) in values.iter().zip(&labels) {
            label.draw(
                &mut pixmap,
                plot.left - 10.0 - label.width(),
                plot.y(*value) + 4.5,
                MUTED,
            );
        }
        self.draw_x_labels(&mut pixmap, &plot, points);
        match self.kind {
            ChartKind::Bar => plot.bars(&mut pixmap, &series, points),
            ChartKind::Line | ChartKind::Area => {
                for s in &series {
                    plot.line(&mut pixmap, s, points, self.kind == ChartKind::Area);
                }
            }
        }
        Picture::new(pixmap)
    }

    /// The series that are drawn: capped in number and length, values clamped, colours set.
    fn prepared_series(&self) -> Vec<Prepared> {
        self.series
            .iter()
            .take(CHART_MAX_SERIES)
            .enumerate()
            .map(|(i, s)| Prepared {
                label: s.label.clone(),
                colour: s.colour.unwrap_or(CHART_PALETTE[i]),
                values: s.values[s.values.len().saturating_sub(CHART_MAX_POINTS)..]
                    .iter()
                    .map(|&v| {
                        if v.is_finite() {
                            v.clamp(-CHART_VALUE_LIMIT, CHART_VALUE_LIMIT)
                        } else {
                            f64::NAN
                        }
                    })
                    .collect(),
            })
            .collect()
    }

    fn x_label(&self, index: usize) -> Option<String> {
        match &self.x {
            XAxis::Dates { first, step_days } => {
                let step = i64::from((*step_days).max(1));
                let offset = i64::try_from(index).ok()?.checked_mul(step)?;
                Some(first.add_days(offset).short())
            }
            XAxis::Labels(labels) => labels.get(index).cloned(),
        }
    }

    fn draw_x_labels(&self, pixmap: &mut Pixmap, plot: &Plot, points: usize) {
        if points == 0 {
            return;
        }
        let lines: Vec<Option<Line>> = (0..points)
            .map(|i| {
                self.x_label(i)
                    .map(|text| Line::new(&text, Weight::Regular, TICK_PX))
            })
            .collect();
        let widest = lines.iter().flatten().map(Line::width).fold(0.0, f32::max);
        let spacing =
            (plot.right - plot.left) / bar_slots_or_gaps(points, self.kind == ChartKind::Bar);
        // Label every `every`-th point, from the last (the most recent day) backwards.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let every = (((widest + 14.0) / spacing.max(1.0)).ceil() as usize).max(1);
        for (i, line) in lines.iter().enumerate().rev().step_by(every) {
            let Some(line) = line else { continue };
            let centre = plot.x(i, points, self.kind == ChartKind::Bar);
            let x = (centre - line.width() / 2.0)
                .max(plot.left - 8.0)
                .min(plot.right + 8.0 - line.width());
            line.draw(pixmap, x, plot.bottom + 20.0, MUTED);
        }
    }
}

fn bar_slots_or_gaps(points: usize, bar: bool) -> f32 {
    #[allow(clippy::cast_precision_loss)]
    let n = points as f32;
    if bar { n } else { (n - 1.0).max(1.0) }
}

struct Prepared {
    label: String,
    colour: Colour,
    values: Vec<f64>,
}

/// Draws the legend right-aligned at `right`, returning where it starts.
fn draw_legend(pixmap: &mut Pixmap, series: &[Prepared], right: f32) -> f32 {
    let lines: Vec<Line> = series
        .iter()
        .map(|s| Line::fit(&s.label, Weight::Regular, &[14.0], 160.0))
        .collect();
    let total: f32 = lines
        .iter()
        .map(|l| l.width() + 12.0 + 6.0 + 18.0)
        .sum::<f32>()
        - 18.0;
    let start = right - total;
    let mut x = start;
    let baseline = MARGIN + 16.0;
    for (s, line) in series.iter().zip(&lines) {
        draw::fill(
            pixmap,
            draw::rounded_rect(x, baseline - 11.0, 12.0, 12.0, 3.0).as_ref(),
            s.colour,
        );
        x += 18.0;
        line.draw(pixmap, x, baseline, MUTED);
        x += line.width() + 18.0;
    }
    start
}

/// The smallest and largest finite value, widened to include zero, or `None` when there is none.
fn value_range(series: &[Prepared]) -> Option<(f64, f64)> {
    let mut finite = series
        .iter()
        .flat_map(|s| &s.values)
        .copied()
        .filter(|v| v.is_finite())
        .peekable();
    finite.peek()?;
    let (min, max) = finite.fold((0.0_f64, 0.0_f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    Some((min, max))
}

/// Round-numbered gridline values covering a range.
struct Ticks {
    start: f64,
    step: f64,
    count: usize,
    decimals: usize,
}

impl Ticks {
    fn new(min: f64, max: f64, integers: bool) -> Self {
        let span = if max > min { max - min } else { 1.0 };
        let raw = span / 4.0;
        let magnitude = 10f64.powf(raw.log10().floor());
        let mut step = [1.0, 2.0, 2.5, 5.0, 10.0]
            .into_iter()
            .map(|m| m * magnitude)
            .find(|&s| s >= raw)
            .unwrap_or(10.0 * magnitude);
        if integers {
            step = step.max(1.0).round();
        }
        let start = (min / step).floor() * step;
        let end = (max / step).ceil() * step;
        let end = if end > start { end } else { start + step };
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let count = (((end - start) / step).round() as usize).clamp(1, 12) + 1;
        // The fewest decimals that write the step exactly (0.25 needs two).
        let decimals = (0..6_i32)
            .find(|&d| {
                let scaled = step * 10f64.powi(d);
                (scaled - scaled.round()).abs() < 1e-6 * scaled.max(1.0)
            })
            .map_or(6, |d| d.unsigned_abs() as usize);
        Self {
            start,
            step,
            count,
            decimals,
        }
    }

    fn values(&self) -> impl Iterator<Item = f64> + '_ {
        #[allow(clippy::cast_precision_loss)]
        (0..self.count).map(|i| self.start + self.step * i as f64)
    }

    fn first(&self) -> f64 {
        self.start
    }

    fn last(&self) -> f64 {
        self.values().last().unwrap_or(self.start + self.step)
    }

    /// `12,500` or `0.25`: thousands separators, and only the decimals the step needs.
    fn label(&self, value: f64) -> String {
        #[allow(clippy::cast_possible_truncation)]
        let whole = value.trunc() as i128;
        if self.decimals == 0 {
            #[allow(clippy::cast_possible_truncation)]
            return thousands(value.round() as i128);
        }
        let fraction = format!("{:.*}", self.decimals, value.abs().fract());
        let sign = if value < 0.0 && whole == 0 { "-" } else { "" };
        format!("{sign}{}{}", thousands(whole), &fraction[1..])
    }
}

/// The plot area and the value range it maps.
struct Plot {
    left: f32,
    right: f32,
    top: f32,
    bottom: f32,
    min: f64,
    max: f64,
}

impl Plot {
    fn y(&self, value: f64) -> f32 {
        let t = (value - self.min) / (self.max - self.min);
        let y = f64::from(self.bottom) - t * f64::from(self.bottom - self.top);
        // Values are clamped and the range is finite, so `y` is within the plot.
        #[allow(clippy::cast_possible_truncation)]
        let y = y as f32;
        y
    }

    /// The horizontal centre of point `i`: bars sit in slots, lines run edge to edge.
    fn x(&self, i: usize, points: usize, bar: bool) -> f32 {
        #[allow(clippy::cast_precision_loss)]
        let (i, n) = (i as f32, points as f32);
        let width = self.right - self.left;
        if bar {
            self.left + (i + 0.5) * width / n
        } else if points == 1 {
            self.left + width / 2.0
        } else {
            self.left + i * width / (n - 1.0)
        }
    }

    fn gridlines(&self, pixmap: &mut Pixmap, values: &[f64]) {
        for &value in values {
            // Whole-pixel rows keep one-pixel lines crisp.
            let y = self.y(value).round();
            let colour = if value == 0.0 { AXIS } else { GRID };
            draw::fill_rect(
                pixmap,
                Rect::from_xywh(self.left, y, self.right - self.left, 1.0),
                colour,
            );
        }
    }

    fn line(&self, pixmap: &mut Pixmap, series: &Prepared, points: usize, area: bool) {
        let baseline = self.y(0.0_f64.clamp(self.min, self.max));
        // Runs of consecutive finite values; a gap (NaN) ends a run.
        let mut runs: Vec<Vec<(f32, f32)>> = vec![Vec::new()];
        for (i, &v) in series.values.iter().enumerate() {
            if v.is_finite() {
                if let Some(run) = runs.last_mut() {
                    run.push((self.x(i, points, false), self.y(v)));
                }
            } else if runs.last().is_some_and(|run| !run.is_empty()) {
                runs.push(Vec::new());
            }
        }
        for run in runs.iter().filter(|run| !run.is_empty()) {
            if area && run.len() > 1 {
                let mut path = PathBuilder::new();
                path.move_to(run[0].0, baseline);
                for &(x, y) in run {
                    path.line_to(x, y);
                }
                path.line_to(run[run.len() - 1].0, baseline);
                path.close();
                draw::fill(
                    pixmap,
                    path.finish().as_ref(),
                    series.colour.with_alpha(0x48),
                );
            }
            if run.len() == 1 {
                draw::fill(
                    pixmap,
                    draw::circle(run[0].0, run[0].1, 3.0).as_ref(),
                    series.colour,
                );
                continue;
            }
            let mut path = PathBuilder::new();
            path.move_to(run[0].0, run[0].1);
            for &(x, y) in &run[1..] {
                path.line_to(x, y);
            }
            draw::stroke(pixmap, path.finish().as_ref(), series.colour, 2.5);
        }
    }

    fn bars(&self, pixmap: &mut Pixmap, series: &[Prepared], points: usize) {
        if points == 0 {
            return;
        }
        #[allow(clippy::cast_precision_loss)]
        let (slot, count) = (
            (self.right - self.left) / points as f32,
            series.len() as f32,
        );
        let group = slot * 0.72;
        let gap = if count > 1.0 {
            (slot * 0.04).min(3.0)
        } else {
            0.0
        };
        let bar = ((group - gap * (count - 1.0)) / count).max(1.0);
        let zero = self.y(0.0_f64.clamp(self.min, self.max));
        for (k, s) in series.iter().enumerate() {
            for (i, &v) in s.values.iter().enumerate() {
                if !v.is_finite() || v == 0.0 {
                    continue;
                }
                #[allow(clippy::cast_precision_loss)]
                let x = self.x(i, points, true) - group / 2.0 + k as f32 * (bar + gap);
                let y = self.y(v);
                let (top, height) = if y < zero {
                    (y, zero - y)
                } else {
                    (zero, y - zero)
                };
                let radius = (bar / 2.0).min(4.0).min(height / 2.0);
                draw::fill(
                    pixmap,
                    draw::rounded_rect(x, top, bar, height.max(1.0), radius).as_ref(),
                    s.colour,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(min: f64, max: f64, integers: bool) -> Vec<String> {
        let ticks = Ticks::new(min, max, integers);
        ticks.values().map(|v| ticks.label(v)).collect()
    }

    #[test]
    fn ticks_are_round_numbers_with_thousands_separators() {
        assert_eq!(
            labels(0.0, 9_870.0, true),
            ["0", "2,500", "5,000", "7,500", "10,000"]
        );
        assert_eq!(labels(0.0, 3.0, true), ["0", "1", "2", "3"]);
        assert_eq!(labels(-40.0, 100.0, true), ["-50", "0", "50", "100"]);
        assert_eq!(
            labels(0.0, 0.9, false),
            ["0.00", "0.25", "0.50", "0.75", "1.00"]
        );
    }

    #[test]
    fn an_all_zero_series_still_has_an_axis() {
        assert_eq!(labels(0.0, 0.0, true), ["0", "1"]);
    }
}

//! What every chart shares: the bundled font (DejaVu Sans, so a PNG looks the same on
//! every machine), the rules' colours, the [`Chart`] trait and saving each chart once as
//! PNG and once as SVG from the same code.

use std::path::Path;
use std::sync::Once;

use anyhow::{Result, anyhow};
use plotters::coord::{CoordTranslate, Shift};
use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::output::write_atomic;

/// One colour per rule, in plan order (Okabe and Ito's palette, safe for colour blindness).
const RULE_COLOURS: [RGBColor; 6] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
];

pub fn colour(rule: usize) -> RGBColor {
    RULE_COLOURS[rule % RULE_COLOURS.len()]
}

pub(crate) const FONT: &str = "sans-serif";
static FONT_ONCE: Once = Once::new();

fn register_font() {
    FONT_ONCE.call_once(|| {
        let bytes: &'static [u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
        // The bundled font is valid; a failure here would show as missing text, not a crash.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, bytes);
    });
}

/// A chart drawn into the report.
#[derive(Debug, Clone, PartialEq)]
pub struct Made {
    /// File stem: `<name>.png` and `<name>.svg`.
    pub name: &'static str,
    pub title: String,
    /// One sentence for a reader on what the chart shows.
    pub caption: String,
}

pub(crate) type Drawn = std::result::Result<(), String>;

macro_rules! t {
    ($e:expr) => {
        $e.map_err(|e| e.to_string())?
    };
}

pub(crate) trait Chart {
    fn size(&self) -> (u32, u32) {
        (960, 540)
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn;
}

/// Draws a chart to `<dir>/<name>.png` and `.svg`, each via a temporary file.
pub(crate) fn save(dir: &Path, name: &str, chart: &impl Chart) -> Result<()> {
    register_font();
    let (w, h) = chart.size();
    let png_tmp = dir.join(format!("{name}.tmp.png"));
    {
        let root = BitMapBackend::new(&png_tmp, (w, h)).into_drawing_area();
        chart.draw(&root).map_err(|e| anyhow!("drawing {name}.png: {e}"))?;
        root.present().map_err(|e| anyhow!("writing {name}.png: {e}"))?;
    }
    std::fs::rename(&png_tmp, dir.join(format!("{name}.png")))?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        chart.draw(&root).map_err(|e| anyhow!("drawing {name}.svg: {e}"))?;
        root.present().map_err(|e| anyhow!("drawing {name}.svg: {e}"))?;
    }
    write_atomic(&dir.join(format!("{name}.svg")), svg.as_bytes())
}

pub(crate) fn finite(xs: impl IntoIterator<Item = f64>) -> Vec<f64> {
    xs.into_iter().filter(|x| x.is_finite()).collect()
}

/// A range covering `xs` with a little room, never empty, and always one plotters can
/// draw: values so far apart that the width overflows (an edited table's, say) give 0 to 1
/// rather than an axis whose ticks never end.
pub(crate) fn padded(xs: &[f64], include_zero: bool) -> (f64, f64) {
    let mut lo = xs.iter().copied().fold(f64::INFINITY, f64::min);
    let mut hi = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if include_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    let pad = ((hi - lo) * 0.08).max(1e-6);
    let (lo, hi) = (lo - pad, hi + pad);
    if (hi - lo).is_finite() { (lo, hi) } else { (0.0, 1.0) }
}

/// What a chart says, apart from its pixels: its title, axes, legend and, for a forest
/// plot, its rows and colour key. Each chart is drawn from its `Spec`, and a test checks
/// every `Spec` of a report against the data (rule names, units, legend placement, a key
/// that is true), so a chart cannot say what the numbers do not.
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    /// File stem of the chart.
    pub name: &'static str,
    pub title: String,
    /// Axis titles, each with its unit.
    pub x_axis: String,
    pub y_axis: String,
    /// The legend's entries, in order: every rule drawn, by name, then marks such as a
    /// limit line. Empty for a chart without series.
    pub legend: Vec<String>,
    /// The legend is drawn beside the plotting area, never over the data.
    pub legend_outside: bool,
    /// A forest plot's rows, grouped by unit.
    pub rows: Vec<SpecRow>,
    /// A forest plot's colour key: (colour, what it means), only colours drawn.
    pub key: Vec<(String, String)>,
}

/// One row of a forest plot.
#[derive(Debug, Clone, PartialEq)]
pub struct SpecRow {
    /// The metric's name, for tables and tests.
    pub metric: String,
    /// What it is, in words.
    pub label: String,
    pub unit: String,
    pub mean: f64,
    pub lo: f64,
    pub hi: f64,
    /// The horizontal range the row is drawn on: the same for every row of a unit.
    pub scale: (f64, f64),
    /// `"orange"` (the interval excludes zero) or `"grey"` (it includes zero).
    pub colour: &'static str,
}

impl Spec {
    /// A spec with no rows or key.
    pub fn plain(name: &'static str, title: String, x_axis: &str, y_axis: &str, legend: Vec<String>) -> Spec {
        let legend_outside = true;
        Spec {
            name,
            title,
            x_axis: x_axis.into(),
            y_axis: y_axis.into(),
            legend,
            legend_outside,
            rows: vec![],
            key: vec![],
        }
    }
}

/// How a legend entry is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mark {
    Line,
    Dashed,
    Block,
}

/// The line style of rule `i` in plan order: the first solid, the second dashed, so that
/// coinciding lines stay visible.
pub(crate) fn rule_mark(i: usize) -> Mark {
    if i % 2 == 1 { Mark::Dashed } else { Mark::Line }
}

/// Width of the strip beside a plot that holds its legend.
pub(crate) const LEGEND_WIDTH: u32 = 220;

/// Draws a legend into `area` (a strip beside the plot): a mark and a name per entry.
pub(crate) fn side_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(String, RGBColor, Mark)],
) -> Drawn {
    let style = TextStyle::from((FONT, 15).into_font()).color(&BLACK);
    for (k, (name, c, mark)) in entries.iter().enumerate() {
        let y = 40 + 28 * k as i32;
        match mark {
            Mark::Line => t!(area.draw(&PathElement::new(vec![(8, y), (40, y)], c.stroke_width(3)))),
            Mark::Dashed => {
                for x in [8, 22, 36] {
                    t!(area.draw(&PathElement::new(vec![(x, y), (x + 8, y)], c.stroke_width(3))));
                }
            }
            Mark::Block => t!(area.draw(&Rectangle::new([(14, y - 7), (34, y + 7)], c.filled()))),
        }
        // A long rule name is cut to fit the strip; the table beside the chart has it whole.
        let shown: String = if name.chars().count() > 22 {
            format!("{}~", name.chars().take(21).collect::<String>())
        } else {
            name.clone()
        };
        t!(area.draw(&Text::new(shown, (48, y - 8), style.clone())));
    }
    Ok(())
}

/// A line of points in rule `i`'s colour and style (the second rule dashed and thinner,
/// so that coinciding lines stay visible), on axes of any kind (a log scale too).
pub(crate) fn rule_line<DB: DrawingBackend, CT: CoordTranslate<From = (f64, f64)>>(
    chart: &mut ChartContext<'_, DB, CT>,
    pts: Vec<(f64, f64)>,
    i: usize,
) -> Drawn {
    let c = colour(i);
    if rule_mark(i) == Mark::Dashed {
        t!(chart.draw_series(DashedLineSeries::new(pts, 8, 6, c.stroke_width(2))));
    } else {
        t!(chart.draw_series(LineSeries::new(pts, c.stroke_width(3))));
    }
    Ok(())
}

/// Splits a chart's area into the plot and the legend strip beside it ([`LEGEND_WIDTH`]).
pub(crate) fn with_legend_strip<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
) -> (DrawingArea<DB, Shift>, DrawingArea<DB, Shift>) {
    let (w, _) = root.dim_in_pixel();
    root.split_horizontally(w.saturating_sub(LEGEND_WIDTH))
}

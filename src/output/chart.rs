//! What every chart shares: the bundled font (DejaVu Sans, so a PNG looks the same on
//! every machine), the rules' colours, the [`Chart`] trait and saving each chart once as
//! PNG and once as SVG from the same code.

use std::path::Path;
use std::sync::Once;

use anyhow::{Result, anyhow};
use plotters::coord::Shift;
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

pub(crate) fn legend<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<
        'a,
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
) -> Drawn {
    t!(chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.4))
        .label_font((FONT, 15))
        .draw());
    Ok(())
}

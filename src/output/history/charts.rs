//! A history's fan charts: one series a year, the history's mean and the band where 95%
//! of replications fall, the counterfactual's mean dashed, the published figures as
//! points, and the day the wording changed as a vertical line; and small multiples, one
//! such fan a panel for each authority chosen, on one legend.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::output::chart::{
    Chart, Drawn, FONT, Mark, colour, finite, padded, rule_line, side_legend, with_legend_strip,
};

macro_rules! t {
    ($e:expr) => {
        $e.map_err(|e| e.to_string())?
    };
}

/// One series over the years.
pub(crate) struct Fan {
    pub title: String,
    pub y_axis: String,
    /// Year, history mean, its 2.5% and 97.5% over replications, counterfactual mean.
    pub rows: Vec<(f64, f64, f64, f64, f64)>,
    /// Year and published figure.
    pub published: Vec<(f64, f64)>,
    /// Where the wording changed, as a fractional year.
    pub switch: Option<f64>,
}

impl Fan {
    /// Draws the fan into `area`; `small` for a panel of small multiples (smaller type, the
    /// title the place alone, the year axis unnamed).
    fn plot<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, small: bool) -> Drawn {
        let xs: Vec<f64> = self.rows.iter().map(|r| r.0).collect();
        let (x0, x1) = (xs.first().copied().unwrap_or(0.0) - 0.5, xs.last().copied().unwrap_or(1.0) + 0.5);
        let ys = finite(self.rows.iter().flat_map(|r| [r.1, r.2, r.3, r.4]).chain(self.published.iter().map(|p| p.1)));
        let (y0, y1) = padded(&ys, false);
        let (title, labels, axis) = if small { (14, 11, 12) } else { (20, 14, 15) };
        let mut chart = t!(ChartBuilder::on(area)
            .caption(&self.title, (FONT, title))
            .margin(if small { 6 } else { 12 })
            .x_label_area_size(if small { 22 } else { 44 })
            .y_label_area_size(if small { 44 } else { 72 })
            .build_cartesian_2d(x0..x1, y0..y1));
        let mut mesh = chart.configure_mesh();
        mesh.x_labels(if small { 4 } else { xs.len().clamp(5, 14) })
            .y_labels(if small { 4 } else { 6 })
            .x_label_formatter(&|x| format!("{x:.0}"))
            .label_style((FONT, labels))
            .axis_desc_style((FONT, axis));
        if !small {
            mesh.x_desc("year (the DfE's year to 31 March)").y_desc(&self.y_axis);
        }
        t!(mesh.draw());
        let band: Vec<(f64, f64)> = self
            .rows
            .iter()
            .filter(|r| r.2.is_finite())
            .map(|r| (r.0, r.3))
            .chain(self.rows.iter().rev().filter(|r| r.2.is_finite()).map(|r| (r.0, r.2)))
            .collect();
        let c = colour(0);
        t!(chart.draw_series(std::iter::once(Polygon::new(band, c.mix(0.18).filled()))));
        if let Some(x) = self.switch {
            t!(chart.draw_series(DashedLineSeries::new(vec![(x, y0), (x, y1)], 4, 4, BLACK.mix(0.6).stroke_width(1))));
        }
        rule_line(&mut chart, self.rows.iter().filter(|r| r.4.is_finite()).map(|r| (r.0, r.4)).collect(), 1)?;
        rule_line(&mut chart, self.rows.iter().filter(|r| r.1.is_finite()).map(|r| (r.0, r.1)).collect(), 0)?;
        let dot = if small { 3 } else { 5 };
        t!(chart.draw_series(self.published.iter().map(|&(x, y)| Circle::new((x, y), dot, BLACK.filled()))));
        Ok(())
    }
}

fn legend<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>) -> Drawn {
    side_legend(
        area,
        &[
            ("history (mean)".to_string(), colour(0), Mark::Line),
            ("95% of replications".to_string(), light(colour(0)), Mark::Block),
            ("wording never changed".to_string(), colour(1), Mark::Dashed),
            ("published".to_string(), BLACK, Mark::Block),
        ],
    )
}

impl Chart for Fan {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn {
        t!(root.fill(&WHITE));
        let (plot, side) = with_legend_strip(root);
        self.plot(&plot, false)?;
        legend(&side)
    }
}

/// Small multiples: one series, a panel for each place, each on its own scale (an
/// authority's level is not the point; its path against the record is).
pub(crate) struct Panels {
    pub title: String,
    pub fans: Vec<Fan>,
}

impl Panels {
    /// Columns and rows of the grid.
    fn grid(&self) -> (usize, usize) {
        let n = self.fans.len().max(1);
        let cols = (n as f64).sqrt().ceil() as usize;
        (cols, n.div_ceil(cols))
    }
}

impl Chart for Panels {
    fn size(&self) -> (u32, u32) {
        let (cols, rows) = self.grid();
        // Wide enough for the title on one line, whatever the number of panels.
        ((320 * cols as u32).max(680) + crate::output::chart::LEGEND_WIDTH, 60 + 210 * rows as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn {
        t!(root.fill(&WHITE));
        let (plot, side) = with_legend_strip(root);
        let (head, grid) = plot.split_vertically(48);
        t!(head.titled(&self.title, (FONT, 16)));
        let (cols, rows) = self.grid();
        for (area, fan) in grid.split_evenly((rows, cols)).iter().zip(&self.fans) {
            fan.plot(area, true)?;
        }
        legend(&side)
    }
}

/// A colour at 30% on white: the band's, for the legend.
fn light(c: RGBColor) -> RGBColor {
    let f = |v: u8| (255.0 - 0.3 * (255.0 - f64::from(v))).round() as u8;
    RGBColor(f(c.0), f(c.1), f(c.2))
}

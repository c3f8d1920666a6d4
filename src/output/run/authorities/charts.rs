//! The charts of a run of several authorities (with the other chart files, the places that
//! know plotters): the difference between the rules authority by authority, ranked with
//! its interval; and each authority placed by its turnover and the share of its social
//! workers with under two years' experience, coloured by the difference, on the axes of
//! the `where_is_it_high_risk` map.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::model::Metric;
use crate::output::chart::{Chart, Drawn, FONT, colour, finite, padded};
use crate::output::run::authorities::AuthorityRow;

macro_rules! t {
    ($e:expr) => {
        $e.map_err(|e| e.to_string())?
    };
}

/// Chart 1: the paired difference of one metric in every authority, smallest first, each
/// with its 95% interval, and the threshold of concern.
pub struct Ranked<'a> {
    pub rows: &'a [&'a AuthorityRow],
    pub metric: Metric,
    pub threshold: Option<f64>,
    pub pair: &'a str,
}

impl Chart for Ranked<'_> {
    fn size(&self) -> (u32, u32) {
        (1100, 520)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn {
        t!(root.fill(&WHITE));
        let mut ys = finite(self.rows.iter().flat_map(|r| [r.ci_low, r.ci_high, r.difference]));
        ys.extend(self.threshold);
        let (lo, hi) = padded(&ys, true);
        let n = self.rows.len().max(1);
        let mut chart = t!(ChartBuilder::on(root)
            .caption(format!("{}: {}, authority by authority", self.metric.label(), self.pair), (FONT, 18))
            .margin(12)
            .x_label_area_size(34)
            .y_label_area_size(64)
            .build_cartesian_2d(0f64..n as f64, lo..hi));
        t!(chart
            .configure_mesh()
            .disable_x_mesh()
            .x_desc("authorities, ranked by the difference")
            .y_desc(format!("difference ({})", self.metric.unit()))
            .label_style((FONT, 12))
            .axis_desc_style((FONT, 13))
            .draw());
        let c = colour(0);
        for (i, r) in self.rows.iter().enumerate() {
            let x = i as f64 + 0.5;
            if r.ci_low.is_finite() && r.ci_high.is_finite() {
                t!(chart
                    .draw_series(std::iter::once(PathElement::new(vec![(x, r.ci_low), (x, r.ci_high)], c.mix(0.5)))));
            }
            if r.difference.is_finite() {
                let beyond = self.threshold.is_some_and(|t| r.difference > t);
                let dot = if beyond { colour(1) } else { c };
                t!(chart.draw_series(std::iter::once(Circle::new((x, r.difference), 3, dot.filled()))));
            }
        }
        t!(chart.draw_series(LineSeries::new(vec![(0.0, 0.0), (n as f64, 0.0)], BLACK.mix(0.4))));
        if let Some(t) = self.threshold {
            t!(chart.draw_series(LineSeries::new(vec![(0.0, t), (n as f64, t)], BLACK.stroke_width(2))));
        }
        Ok(())
    }
}

/// Chart 2: each authority by its turnover and the share of its social workers under two
/// years' experience (as simulated under the second rule), coloured by the difference.
pub struct Placed<'a> {
    /// (turnover %, under two years %, difference).
    pub points: &'a [(f64, f64, f64)],
    pub metric: Metric,
    pub pair: &'a str,
}

impl Chart for Placed<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn {
        t!(root.fill(&WHITE));
        let (x0, x1) = padded(&finite(self.points.iter().map(|p| p.0)), false);
        let (y0, y1) = padded(&finite(self.points.iter().map(|p| p.1)), false);
        let ds = finite(self.points.iter().map(|p| p.2));
        let scale = ds.iter().fold(0.0f64, |m, d| m.max(d.abs())).max(1e-12);
        let mut chart = t!(ChartBuilder::on(root)
            .caption(format!("{} ({}) by turnover and inexperience", self.metric.label(), self.pair), (FONT, 17))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(x0..x1, y0..y1));
        t!(chart
            .configure_mesh()
            .x_desc("turnover (% a year)")
            .y_desc("social workers under 2 years' experience (%)")
            .label_style((FONT, 12))
            .axis_desc_style((FONT, 13))
            .draw());
        t!(chart.draw_series(self.points.iter().filter(|p| p.2.is_finite()).map(|&(x, y, d)| {
            // Red above zero, blue below, paler nearer zero.
            let k = (d.abs() / scale).clamp(0.0, 1.0);
            let fill = if d > 0.0 {
                RGBColor(255, (230.0 * (1.0 - k)) as u8, (230.0 * (1.0 - k)) as u8)
            } else {
                RGBColor((230.0 * (1.0 - k)) as u8, (230.0 * (1.0 - k)) as u8, 255)
            };
            EmptyElement::at((x, y)) + Circle::new((0, 0), 6, fill.filled()) + Circle::new((0, 0), 6, BLACK.mix(0.5))
        })));
        Ok(())
    }
}

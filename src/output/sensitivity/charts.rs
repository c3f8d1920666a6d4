//! The chart of a sensitivity analysis: Morris mu* against sigma for each metric.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::output::chart::{Chart, Drawn, FONT, colour, finite, padded};
use crate::sensitivity::{Index, Trajectories};
use crate::vocab::Metric;

macro_rules! t {
    ($e:expr) => {
        $e.map_err(|e| e.to_string())?
    };
}

/// Morris mu* against sigma, the ten most influential parameters named.
pub struct MuSigma<'a> {
    pub design: &'a Trajectories,
    pub indices: &'a [Index],
    pub metric: Metric,
}

impl Chart for MuSigma<'_> {
    fn size(&self) -> (u32, u32) {
        (1000, 640)
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn {
        t!(root.fill(&WHITE));
        let xs = finite(self.indices.iter().flat_map(|i| [i.mu_star, i.mu_star_hi]));
        let ys = finite(self.indices.iter().map(|i| i.sigma));
        let x1 = padded(&xs, true).1;
        let y1 = padded(&ys, true).1;
        let mut chart = t!(ChartBuilder::on(root)
            .caption(format!("What moves the difference in {}", self.metric.label()), (FONT, 20))
            .margin(14)
            .x_label_area_size(48)
            .y_label_area_size(70)
            .build_cartesian_2d(0.0..x1 * 1.25, 0.0..y1));
        t!(chart
            .configure_mesh()
            .x_desc(format!("mu*: mean absolute effect over the parameter's range ({})", self.metric.unit()))
            .y_desc("sigma: spread of the effect")
            .label_style((FONT, 14))
            .axis_desc_style((FONT, 15))
            .draw());
        let diag = x1.min(y1);
        t!(chart.draw_series(DashedLineSeries::new(
            vec![(0.0, 0.0), (diag, diag)],
            6,
            6,
            BLACK.mix(0.4).stroke_width(1)
        )));
        let c = colour(1);
        for (rank, i) in self.indices.iter().enumerate() {
            if !i.mu_star.is_finite() || !i.sigma.is_finite() {
                continue;
            }
            if i.mu_star_lo.is_finite() && i.mu_star_hi.is_finite() {
                t!(chart.draw_series(std::iter::once(PathElement::new(
                    vec![(i.mu_star_lo, i.sigma), (i.mu_star_hi, i.sigma)],
                    c.mix(0.35).stroke_width(1)
                ))));
            }
            t!(chart.draw_series(std::iter::once(Circle::new((i.mu_star, i.sigma), 4, c.filled()))));
            if rank < 10 {
                let path = &self.design.factors[i.factor].path;
                let name = crate::scenario::params::find_path(path).map_or(path.as_str(), |p| p.label);
                t!(chart.draw_series(std::iter::once(Text::new(format!(" {name}"), (i.mu_star, i.sigma), (FONT, 13)))));
            }
        }
        Ok(())
    }
}

//! The charts of an uncertainty analysis: each concern's difference across the draws from the
//! priors, the Sobol indices of the factors the argument rests on, and the break-even
//! curves.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::model::Metric;
use crate::output::chart::{Chart, Drawn, FONT, colour, finite, padded};
use crate::uncertainty::{Analysis, BreakEven, Sobol};

macro_rules! t {
    ($e:expr) => {
        $e.map_err(|e| e.to_string())?
    };
}

/// Panels in a grid of `cols` columns.
fn panels<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, n: usize, cols: usize) -> Vec<DrawingArea<DB, Shift>> {
    let rows = n.div_ceil(cols).max(1);
    root.split_evenly((rows, cols)).into_iter().take(n).collect()
}

/// Chart 1: each concern's difference across the draws, a histogram with the threshold.
pub struct Draws<'a> {
    pub a: &'a Analysis,
    pub pair: &'a str,
}

impl Chart for Draws<'_> {
    fn size(&self) -> (u32, u32) {
        (1100, 300 * self.a.probabilities.len().div_ceil(2).max(1) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn {
        t!(root.fill(&WHITE));
        for (k, (area, p)) in panels(root, self.a.probabilities.len(), 2).iter().zip(&self.a.probabilities).enumerate()
        {
            let m = p.concern.metric as usize;
            let xs = finite(self.a.design.draws().map(|d| self.a.diffs[d].mean[m]));
            let mut span = xs.clone();
            span.push(p.concern.threshold);
            let (lo, hi) = padded(&span, true);
            let bins = 20usize;
            let width = (hi - lo) / bins as f64;
            let mut counts = vec![0u32; bins];
            for x in &xs {
                counts[(((x - lo) / width) as usize).min(bins - 1)] += 1;
            }
            let top = f64::from(*counts.iter().max().unwrap_or(&1)).max(1.0) * 1.15;
            let mut chart = t!(ChartBuilder::on(area)
                .caption(format!("{}: the concern holds in {:.0}% of draws", p.concern.text(), 100.0 * p.p), (FONT, 15))
                .margin(10)
                .x_label_area_size(38)
                .y_label_area_size(44)
                .build_cartesian_2d(lo..hi, 0f64..top));
            t!(chart
                .configure_mesh()
                .x_desc(format!("{} ({})", self.pair, p.concern.metric.unit()))
                .y_desc("draws")
                .label_style((FONT, 12))
                .axis_desc_style((FONT, 13))
                .draw());
            let c = colour(k);
            t!(chart.draw_series(counts.iter().enumerate().map(|(i, &n)| {
                let x0 = lo + width * i as f64;
                Rectangle::new([(x0, 0.0), (x0 + width, f64::from(n))], c.mix(0.6).filled())
            })));
            let th = p.concern.threshold;
            t!(chart.draw_series(LineSeries::new(vec![(th, 0.0), (th, top)], BLACK.stroke_width(2))));
            t!(chart.draw_series(LineSeries::new(vec![(0.0, 0.0), (0.0, top)], BLACK.mix(0.3))));
        }
        Ok(())
    }
}

/// Chart 2: total and first-order Sobol indices of each factor, with bootstrap intervals,
/// one panel a concern's metric.
pub struct Indices<'a> {
    pub a: &'a Analysis,
    /// Short names of the Sobol factors, in design order.
    pub names: &'a [String],
}

impl Chart for Indices<'_> {
    fn size(&self) -> (u32, u32) {
        (1100, 60 + (40 + 26 * self.names.len() as u32) * self.a.sobol.len().div_ceil(2).max(1) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn {
        t!(root.fill(&WHITE));
        for (area, (metric, idx)) in panels(root, self.a.sobol.len(), 2).iter().zip(&self.a.sobol) {
            draw_indices(area, *metric, idx, self.names)?;
        }
        Ok(())
    }
}

fn draw_indices<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    metric: Metric,
    idx: &[Sobol],
    names: &[String],
) -> Drawn {
    let k = idx.len();
    let hi = finite(idx.iter().flat_map(|s| [s.total_ci.1, s.first_ci.1, s.total])).into_iter().fold(1.0f64, f64::max);
    let lo = finite(idx.iter().flat_map(|s| [s.first_ci.0, s.first])).into_iter().fold(0.0f64, f64::min);
    let mut chart = t!(ChartBuilder::on(area)
        .caption(metric.label(), (FONT, 15))
        .margin(8)
        .x_label_area_size(30)
        .y_label_area_size(220)
        .build_cartesian_2d(lo..hi, (0..k).into_segmented()));
    t!(chart
        .configure_mesh()
        .y_labels(k)
        .y_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) => names.get(*i).cloned().unwrap_or_default(),
            _ => String::new(),
        })
        .x_desc("Sobol index (share of variance)")
        .label_style((FONT, 11))
        .axis_desc_style((FONT, 12))
        .draw());
    for (i, s) in idx.iter().enumerate() {
        if !s.total.is_finite() {
            continue;
        }
        let y0 = SegmentValue::Exact(i);
        let y1 = SegmentValue::Exact(i + 1);
        t!(chart.draw_series(std::iter::once(Rectangle::new(
            [(0.0, y0.clone()), (s.total, y1.clone())],
            colour(0).mix(0.5).filled()
        ))));
        t!(chart.draw_series(std::iter::once(PathElement::new(
            vec![(s.total_ci.0, SegmentValue::CenterOf(i)), (s.total_ci.1, SegmentValue::CenterOf(i))],
            BLACK.stroke_width(2),
        ))));
        t!(chart.draw_series(std::iter::once(Circle::new(
            (s.first, SegmentValue::CenterOf(i)),
            5,
            colour(1).filled()
        ))));
    }
    Ok(())
}

/// Chart 3: break-even curves, the difference as one factor moves over its prior, the
/// others at the scenario's values, with the threshold; one panel a (concern, factor) pair.
pub struct Curves<'a> {
    pub curves: &'a [&'a BreakEven],
    pub names: &'a [String],
    pub pair: &'a str,
}

impl Chart for Curves<'_> {
    fn size(&self) -> (u32, u32) {
        (1200, 280 * self.curves.len().div_ceil(3).max(1) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn {
        t!(root.fill(&WHITE));
        for (k, (area, b)) in panels(root, self.curves.len(), 3).iter().zip(self.curves).enumerate() {
            let mut ys = finite(b.curve.iter().flat_map(|c| [c.1, c.2, c.3]));
            ys.push(b.concern.threshold);
            let (lo, hi) = padded(&ys, true);
            let xs: Vec<f64> = b.curve.iter().map(|c| c.0).collect();
            let (x0, x1) = padded(&xs, false);
            let mut chart = t!(ChartBuilder::on(area)
                .caption(self.names[k].clone(), (FONT, 14))
                .margin(8)
                .x_label_area_size(30)
                .y_label_area_size(50)
                .build_cartesian_2d(x0..x1, lo..hi));
            t!(chart
                .configure_mesh()
                .y_desc(format!("{} ({})", b.concern.metric.name(), self.pair))
                .label_style((FONT, 11))
                .axis_desc_style((FONT, 11))
                .draw());
            let c = colour(0);
            let band: Vec<(f64, f64)> = b
                .curve
                .iter()
                .filter(|p| p.3.is_finite())
                .map(|p| (p.0, p.3))
                .chain(b.curve.iter().rev().filter(|p| p.2.is_finite()).map(|p| (p.0, p.2)))
                .collect();
            if band.len() > 2 {
                t!(chart.draw_series(std::iter::once(Polygon::new(band, c.mix(0.16).filled()))));
            }
            let line: Vec<(f64, f64)> = b.curve.iter().filter(|p| p.1.is_finite()).map(|p| (p.0, p.1)).collect();
            t!(chart.draw_series(LineSeries::new(line.clone(), c.stroke_width(2))));
            t!(chart.draw_series(line.into_iter().map(|p| Circle::new(p, 3, c.filled()))));
            let th = b.concern.threshold;
            t!(chart.draw_series(LineSeries::new(vec![(x0, th), (x1, th)], BLACK.stroke_width(2))));
        }
        Ok(())
    }
}

//! The charts of a sweep: a heatmap with the contour of concern, lines with confidence
//! bands, a scatter for a sampled design.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::format::exact;
use crate::model::Metric;
use crate::output::chart::{
    Chart, Drawn, FONT, LEGEND_WIDTH, Mark, colour, finite, padded, rule_line, rule_mark, side_legend,
    with_legend_strip,
};
use crate::scenario::sweep::Concern;
use crate::sweep::Grid2;

macro_rules! t {
    ($e:expr) => {
        $e.map_err(|e| e.to_string())?
    };
}

/// Cell edges around centres `xs`: midpoints between neighbours, half a gap beyond the ends.
fn edges(xs: &[f64]) -> Vec<f64> {
    if xs.len() == 1 {
        return vec![xs[0] - 0.5, xs[0] + 0.5];
    }
    let mut e = vec![xs[0] - (xs[1] - xs[0]) / 2.0];
    e.extend(xs.windows(2).map(|w| (w[0] + w[1]) / 2.0));
    e.push(xs[xs.len() - 1] + (xs[xs.len() - 1] - xs[xs.len() - 2]) / 2.0);
    e
}

/// The heatmap's colours. When the differences straddle zero: diverging, blue below,
/// white at zero, red above, saturating at the largest magnitude. When they all have one
/// sign: a ramp of that sign's colour from the smallest to the largest, so that a map of
/// differences that are all positive still shows where they are larger.
struct Scale {
    lo: f64,
    hi: f64,
    diverging: bool,
}

impl Scale {
    fn of(values: &[f64]) -> Scale {
        let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        // Also when the colour bar's axis would overflow (values of an edited table).
        if !(hi.abs().max(lo.abs()) * 2.0).is_finite() {
            return Scale { lo: -1.0, hi: 1.0, diverging: true };
        }
        if lo < 0.0 && hi > 0.0 {
            let m = lo.abs().max(hi);
            Scale { lo: -m, hi: m, diverging: true }
        } else if hi - lo < 1e-12 {
            Scale { lo: lo - 1e-6, hi: hi + 1e-6, diverging: false }
        } else {
            Scale { lo, hi, diverging: false }
        }
    }

    fn colour(&self, v: f64) -> RGBColor {
        const RED: (f64, f64, f64) = (178.0, 24.0, 43.0);
        const BLUE: (f64, f64, f64) = (33.0, 102.0, 172.0);
        if !v.is_finite() {
            return RGBColor(200, 200, 200);
        }
        let mix = |to: (f64, f64, f64), t: f64| {
            let m = |a: f64| (255.0 + (a - 255.0) * t).round() as u8;
            RGBColor(m(to.0), m(to.1), m(to.2))
        };
        if self.diverging {
            let t = (v / self.hi).clamp(-1.0, 1.0);
            if t >= 0.0 { mix(RED, t) } else { mix(BLUE, -t) }
        } else {
            // From a pale tint (0.15) at the smallest to full colour at the largest.
            let t = 0.15 + 0.85 * ((v - self.lo) / (self.hi - self.lo)).clamp(0.0, 1.0);
            let positive = self.hi > 0.0 || (self.lo >= 0.0);
            if positive { mix(RED, t) } else { mix(BLUE, 1.15 - t) }
        }
    }
}

/// Line segments where the field crosses `level`, by marching squares over the cell
/// centres with linear interpolation along each edge.
pub fn contour(g: &Grid2, level: f64) -> Vec<[(f64, f64); 2]> {
    let mut out = Vec::new();
    for i in 0..g.xs.len().saturating_sub(1) {
        for j in 0..g.ys.len().saturating_sub(1) {
            let corners = [
                (g.xs[i], g.ys[j], g.mean[i][j]),
                (g.xs[i + 1], g.ys[j], g.mean[i + 1][j]),
                (g.xs[i + 1], g.ys[j + 1], g.mean[i + 1][j + 1]),
                (g.xs[i], g.ys[j + 1], g.mean[i][j + 1]),
            ];
            if corners.iter().any(|c| !c.2.is_finite()) {
                continue;
            }
            let mut cross = Vec::new();
            for k in 0..4 {
                let (a, b) = (corners[k], corners[(k + 1) % 4]);
                if (a.2 > level) != (b.2 > level) {
                    let t = (level - a.2) / (b.2 - a.2);
                    cross.push((a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1)));
                }
            }
            // Two crossings: one segment; four (a saddle): pair them in order around the square.
            for pair in cross.chunks(2) {
                if let [p, q] = pair {
                    out.push([*p, *q]);
                }
            }
        }
    }
    out
}

fn desc(metric: Metric) -> String {
    format!("difference in {} ({})", metric.label(), metric.unit())
}

type Xy<'a, DB> =
    ChartContext<'a, DB, Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>>;

/// Axes for a difference against one parameter: the mesh, the zero line and the concern's
/// threshold as a dashed line.
fn difference_chart<'a, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, Shift>,
    pair: &str,
    metric: Metric,
    xname: &str,
    (x0, x1): (f64, f64),
    (lo, hi): (f64, f64),
    threshold: Option<f64>,
) -> Result<Xy<'a, DB>, String> {
    let mut chart = t!(ChartBuilder::on(root)
        .caption(format!("{}: {pair}", metric.label()), (FONT, 17))
        .margin(14)
        .x_label_area_size(48)
        .y_label_area_size(70)
        .build_cartesian_2d(x0..x1, lo..hi));
    t!(chart
        .configure_mesh()
        .x_desc(xname)
        .y_desc(desc(metric))
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 15))
        .draw());
    t!(chart
        .draw_series(std::iter::once(PathElement::new(vec![(x0, 0.0), (x1, 0.0)], BLACK.mix(0.5).stroke_width(1)))));
    if let Some(t) = threshold {
        t!(chart.draw_series(DashedLineSeries::new(vec![(x0, t), (x1, t)], 8, 6, BLACK.stroke_width(2))))
            .label(format!("concern: {}", exact(t)))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.stroke_width(2)));
    }
    Ok(chart)
}

/// Each rule's level of a metric against the one swept parameter: a line per rule (the
/// second dashed), the rules named in a legend beside the plot. What a reader asks first
/// of a one-way sweep ("how does delay move with team size?"), before the difference.
pub struct Levels<'a> {
    /// (parameter value, mean under each rule), in the order of the values.
    pub points: &'a [(f64, [f64; 2])],
    pub metric: Metric,
    pub xname: &'a str,
    pub rules: [&'a str; 2],
}

impl Chart for Levels<'_> {
    fn size(&self) -> (u32, u32) {
        (960 + LEGEND_WIDTH, 540)
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn {
        t!(root.fill(&WHITE));
        let root = t!(root.titled(&format!("{} under each rule", self.metric.label()), (FONT, 20)));
        let (plot, side) = with_legend_strip(&root);
        let xs: Vec<f64> = self.points.iter().map(|p| p.0).collect();
        let ys = finite(self.points.iter().flat_map(|p| p.1));
        let (x0, x1) = padded(&xs, false);
        let (lo, hi) = padded(&ys, true);
        let mut chart = t!(ChartBuilder::on(&plot)
            .margin(14)
            .x_label_area_size(48)
            .y_label_area_size(70)
            .build_cartesian_2d(x0..x1, lo..hi));
        t!(chart
            .configure_mesh()
            .x_desc(self.xname)
            .y_desc(format!("{} ({}), mean over replications", self.metric.label(), self.metric.unit()))
            .label_style((FONT, 14))
            .axis_desc_style((FONT, 15))
            .draw());
        for r in 0..2 {
            let c = colour(r);
            let line: Vec<(f64, f64)> =
                self.points.iter().filter(|p| p.1[r].is_finite()).map(|p| (p.0, p.1[r])).collect();
            rule_line(&mut chart, line.clone(), r)?;
            t!(chart.draw_series(line.into_iter().map(|p| Circle::new(p, 4, c.filled()))));
        }
        let entries: Vec<(String, RGBColor, Mark)> =
            (0..2).map(|r| (self.rules[r].to_string(), colour(r), rule_mark(r))).collect();
        side_legend(&side, &entries)
    }
}

/// The heatmap of a difference over two swept parameters.
pub struct Heatmap<'a> {
    pub g: &'a Grid2,
    pub metric: Metric,
    pub concern: Option<Concern>,
    pub xname: &'a str,
    pub yname: &'a str,
    pub pair: &'a str,
}

impl Chart for Heatmap<'_> {
    fn size(&self) -> (u32, u32) {
        (1000, 720)
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn {
        t!(root.fill(&WHITE));
        let g = self.g;
        let (xe, ye) = (edges(&g.xs), edges(&g.ys));
        let scale = Scale::of(&finite(g.mean.iter().flatten().copied()));
        let (main, bar) = root.split_horizontally(880);
        let title = format!("{}: {}", self.pair, self.metric.label());
        let mut chart = t!(ChartBuilder::on(&main)
            .caption(title, (FONT, 22))
            .margin(14)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d(xe[0]..xe[xe.len() - 1], ye[0]..ye[ye.len() - 1]));
        t!(chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(self.xname)
            .y_desc(self.yname)
            .label_style((FONT, 14))
            .axis_desc_style((FONT, 16))
            .draw());
        for i in 0..g.xs.len() {
            for j in 0..g.ys.len() {
                let v = g.mean[i][j];
                let rect = [(xe[i], ye[j]), (xe[i + 1], ye[j + 1])];
                t!(chart.draw_series(std::iter::once(Rectangle::new(rect, scale.colour(v).filled()))));
                if self.concern.is_some_and(|c| v.is_finite() && c.holds(v)) {
                    t!(chart.draw_series(std::iter::once(Rectangle::new(rect, BLACK.stroke_width(2)))));
                }
                let label = if v.is_finite() { format!("{v:.2}") } else { "–".into() };
                let style = TextStyle::from((FONT, 14).into_font()).pos(plotters::style::text_anchor::Pos::new(
                    plotters::style::text_anchor::HPos::Center,
                    plotters::style::text_anchor::VPos::Center,
                ));
                t!(chart.draw_series(std::iter::once(Text::new(label, (g.xs[i], g.ys[j]), style))));
            }
        }
        if let Some(t) = self.concern.map(|c| c.threshold) {
            for seg in contour(g, t) {
                t!(chart.draw_series(std::iter::once(PathElement::new(seg.to_vec(), BLACK.stroke_width(4)))));
            }
        }
        // Colour bar.
        let mut cb = t!(ChartBuilder::on(&bar)
            .margin_top(60)
            .margin_bottom(60)
            .margin_right(10)
            .y_label_area_size(60)
            .build_cartesian_2d(0f64..1f64, scale.lo..scale.hi));
        t!(cb.configure_mesh().disable_mesh().disable_x_axis().label_style((FONT, 13)).draw());
        let steps = 60;
        for k in 0..steps {
            let lo = scale.lo + (scale.hi - scale.lo) * k as f64 / steps as f64;
            let hi = lo + (scale.hi - scale.lo) / steps as f64;
            t!(cb.draw_series(std::iter::once(Rectangle::new(
                [(0.0, lo), (1.0, hi)],
                scale.colour((lo + hi) / 2.0).filled()
            ))));
        }
        if let Some(t) = self.concern.map(|c| c.threshold).filter(|t| (scale.lo..=scale.hi).contains(t)) {
            t!(cb.draw_series(std::iter::once(PathElement::new(vec![(0.0, t), (1.0, t)], BLACK.stroke_width(3)))));
        }
        Ok(())
    }
}

/// A difference against one swept parameter, a line per value of another, with 95% bands.
pub struct Lines<'a> {
    pub g: &'a Grid2,
    pub metric: Metric,
    pub threshold: Option<f64>,
    pub xname: &'a str,
    pub series: Option<&'a str>,
    pub pair: &'a str,
}

impl Chart for Lines<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn {
        t!(root.fill(&WHITE));
        let g = self.g;
        let mut ys = finite(g.mean.iter().flatten().chain(g.lo.iter().flatten()).chain(g.hi.iter().flatten()).copied());
        ys.extend(self.threshold);
        let (lo, hi) = padded(&ys, true);
        let (x0, x1) = padded(&g.xs, false);
        let mut chart = difference_chart(root, self.pair, self.metric, self.xname, (x0, x1), (lo, hi), self.threshold)?;
        for j in 0..g.ys.len() {
            let c = colour(j);
            let band: Vec<(f64, f64)> = (0..g.xs.len())
                .filter(|&i| g.hi[i][j].is_finite())
                .map(|i| (g.xs[i], g.hi[i][j]))
                .chain((0..g.xs.len()).rev().filter(|&i| g.lo[i][j].is_finite()).map(|i| (g.xs[i], g.lo[i][j])))
                .collect();
            if band.len() > 2 {
                t!(chart.draw_series(std::iter::once(Polygon::new(band, c.mix(0.16).filled()))));
            }
            let line: Vec<(f64, f64)> =
                (0..g.xs.len()).filter(|&i| g.mean[i][j].is_finite()).map(|i| (g.xs[i], g.mean[i][j])).collect();
            let label = match self.series {
                Some(name) => format!("{name} = {}", exact(g.ys[j])),
                None => "difference".into(),
            };
            t!(chart.draw_series(LineSeries::new(line.clone(), c.stroke_width(2))))
                .label(label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(3)));
            t!(chart.draw_series(line.into_iter().map(|p| Circle::new(p, 4, c.filled()))));
        }
        t!(chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK.mix(0.4))
            .label_font((FONT, 14))
            .draw());
        Ok(())
    }
}

/// A difference against one parameter of a sampled design: each point with its 95% CI.
pub struct Scatter<'a> {
    /// (parameter value, mean, lower, upper)
    pub points: &'a [(f64, f64, f64, f64)],
    pub metric: Metric,
    pub threshold: Option<f64>,
    pub xname: &'a str,
    pub pair: &'a str,
}

impl Chart for Scatter<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn {
        t!(root.fill(&WHITE));
        let mut ys = finite(self.points.iter().flat_map(|p| [p.1, p.2, p.3]));
        ys.extend(self.threshold);
        let (lo, hi) = padded(&ys, true);
        let (x0, x1) = padded(&finite(self.points.iter().map(|p| p.0)), false);
        let mut chart = difference_chart(root, self.pair, self.metric, self.xname, (x0, x1), (lo, hi), self.threshold)?;
        let c = colour(0);
        for &(x, m, l, h) in self.points.iter().filter(|p| p.1.is_finite()) {
            if l.is_finite() && h.is_finite() {
                t!(chart
                    .draw_series(std::iter::once(PathElement::new(vec![(x, l), (x, h)], c.mix(0.5).stroke_width(1)))));
            }
            t!(chart.draw_series(std::iter::once(Circle::new((x, m), 4, c.filled()))));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contour_crosses_where_the_field_does() {
        // A field rising along x: 0, 1, 2 in every row; level 1.5 crosses between x=1 and x=2.
        let g = Grid2 {
            xs: vec![0.0, 1.0, 2.0],
            ys: vec![0.0, 1.0],
            mean: vec![vec![0.0, 0.0], vec![1.0, 1.0], vec![2.0, 2.0]],
            lo: vec![vec![f64::NAN; 2]; 3],
            hi: vec![vec![f64::NAN; 2]; 3],
        };
        let segs = contour(&g, 1.5);
        assert_eq!(segs.len(), 1);
        for p in segs[0] {
            assert!((p.0 - 1.5).abs() < 1e-12);
        }
        assert!(contour(&g, 5.0).is_empty());
        assert_eq!(edges(&[1.0, 2.0, 4.0]), vec![0.5, 1.5, 3.0, 5.0]);
    }
}

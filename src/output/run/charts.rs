//! The charts of a run (completion days, open assessments over time, the workforce, late
//! days, under-rating and the paired differences), each a [`Chart`] drawn from the tables
//! as read back. It is long because each of the six charts is a function here.

use crate::output::run::data::RunData;
use crate::scenario::Scenario;
use crate::stats::Summary;
use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

macro_rules! t {
    ($e:expr) => {
        $e.map_err(|e| e.to_string())?
    };
}

use crate::output::chart::{Chart, Drawn, FONT, Made, colour, finite, legend, padded, save};

/// 1. Distribution of days to completion per rule, with the statutory limit.
struct CompletionDays<'a> {
    data: &'a RunData,
    limit: u32,
}

impl Chart for CompletionDays<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn {
        t!(root.fill(&WHITE));
        let shares: Vec<Vec<f64>> = self
            .data
            .completion_days
            .iter()
            .map(|h| {
                let n: u64 = h.iter().sum();
                h.iter().map(|&c| if n > 0 { 100.0 * c as f64 / n as f64 } else { 0.0 }).collect()
            })
            .collect();
        let longest = shares.iter().map(Vec::len).max().unwrap_or(1);
        let x_max = (longest.min(121) as f64).max(f64::from(self.limit) + 10.0);
        let y_max = shares.iter().flatten().copied().fold(0.0, f64::max) * 1.15 + 1e-9;
        let mut chart = t!(ChartBuilder::on(root)
            .caption("Working days from referral to completed assessment", (FONT, 24))
            .margin(16)
            .x_label_area_size(48)
            .y_label_area_size(64)
            .build_cartesian_2d(0f64..x_max, 0f64..y_max));
        t!(chart
            .configure_mesh()
            .x_desc("working days from referral")
            .y_desc("% of assessments completed that day")
            .label_style((FONT, 14))
            .axis_desc_style((FONT, 16))
            .draw());
        let limit = f64::from(self.limit);
        t!(chart.draw_series(LineSeries::new(vec![(limit, 0.0), (limit, y_max)], BLACK.mix(0.6).stroke_width(2))))
            .label(format!("{}-day limit", self.limit))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.mix(0.6).stroke_width(2)));
        for (i, rule) in self.data.rules.iter().enumerate() {
            let c = colour(i);
            let pts: Vec<(f64, f64)> = shares[i]
                .iter()
                .enumerate()
                .filter(|(d, _)| (*d as f64) <= x_max)
                .map(|(d, &p)| (d as f64, p))
                .collect();
            t!(chart.draw_series(LineSeries::new(pts, c.stroke_width(2))))
                .label(rule.as_str())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(3)));
        }
        legend(&mut chart)
    }
}

/// A monthly series, mean line and 95% band per rule.
struct OverTime<'a> {
    data: &'a RunData,
    series: &'a str,
    title: &'a str,
    y_desc: &'a str,
    caption_font: u32,
    with_legend: bool,
}

impl OverTime<'_> {
    fn draw_into<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Drawn {
        let sums: Vec<Vec<Summary>> =
            (0..self.data.rules.len()).map(|i| self.data.monthly_summary(i, self.series)).collect();
        let months = sums.iter().map(Vec::len).max().unwrap_or(0).max(2);
        let ys = finite(sums.iter().flatten().flat_map(|s| [s.mean, s.lo, s.hi]));
        let (lo, hi) = padded(&ys, false);
        let mut chart = t!(ChartBuilder::on(area)
            .caption(self.title, (FONT, self.caption_font))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(0f64..(months - 1) as f64, lo..hi));
        t!(chart
            .configure_mesh()
            .x_desc("month of the measured horizon")
            .y_desc(self.y_desc)
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 14))
            .draw());
        for (i, rule) in self.data.rules.iter().enumerate() {
            let c = colour(i);
            let s = &sums[i];
            let band: Vec<(f64, f64)> = s
                .iter()
                .enumerate()
                .filter(|(_, x)| x.hi.is_finite())
                .map(|(m, x)| (m as f64, x.hi))
                .chain(s.iter().enumerate().rev().filter(|(_, x)| x.lo.is_finite()).map(|(m, x)| (m as f64, x.lo)))
                .collect();
            if band.len() > 2 {
                t!(chart.draw_series(std::iter::once(Polygon::new(band, c.mix(0.18).filled()))));
            }
            let line: Vec<(f64, f64)> =
                s.iter().enumerate().filter(|(_, x)| x.mean.is_finite()).map(|(m, x)| (m as f64, x.mean)).collect();
            t!(chart.draw_series(LineSeries::new(line, c.stroke_width(2))))
                .label(rule.as_str())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(3)));
        }
        if self.with_legend {
            legend(&mut chart)?;
        }
        Ok(())
    }
}

impl Chart for OverTime<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn {
        t!(root.fill(&WHITE));
        self.draw_into(root)
    }
}

/// 5. The workforce over time, one panel a series.
struct Workforce<'a> {
    data: &'a RunData,
}

impl Chart for Workforce<'_> {
    fn size(&self) -> (u32, u32) {
        (1200, 900)
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn {
        t!(root.fill(&WHITE));
        let root = t!(root.titled("The workforce over time (mean and 95% band over replications)", (FONT, 24)));
        let panels = root.split_evenly((3, 2));
        let series = [
            ("headcount", "Social workers in post", "workers"),
            ("vacancies", "Vacant posts (agency cover counts as vacant)", "posts"),
            ("agency", "Agency workers", "workers"),
            ("leavers", "Employed leavers in the month", "leavers"),
            ("under_two_years_pct", "Under 2 years' experience", "% of workers"),
            ("caseload_mean", "Cases per case holder", "cases"),
        ];
        for (k, (name, title, unit)) in series.iter().enumerate() {
            OverTime { data: self.data, series: name, title, y_desc: unit, caption_font: 17, with_legend: k == 0 }
                .draw_into(&panels[k])?;
        }
        Ok(())
    }
}

fn quartiles(xs: &[f64]) -> Option<[f64; 5]> {
    let mut v = finite(xs.iter().copied());
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let q = |p: f64| {
        let pos = p * (v.len() - 1) as f64;
        let (i, f) = (pos.floor() as usize, pos.fract());
        if i + 1 < v.len() { v[i] * (1.0 - f) + v[i + 1] * f } else { v[i] }
    };
    Some([v[0], q(0.25), q(0.5), q(0.75), v[v.len() - 1]])
}

/// 3. Days late for high and immediate risk children: a box per rule over replications.
struct LateDays<'a> {
    data: &'a RunData,
}

impl Chart for LateDays<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn {
        t!(root.fill(&WHITE));
        let metric = "late_days_per_high_risk_referral";
        let k = self.data.rules.len();
        let qs: Vec<Option<[f64; 5]>> = (0..k).map(|i| quartiles(self.data.values(i, metric))).collect();
        let ys = finite(qs.iter().flatten().flat_map(|q| q.iter().copied()));
        let (_, hi) = padded(&ys, true);
        let rules = self.data.rules.clone();
        let mut chart = t!(ChartBuilder::on(root)
            .caption("Days late for high and immediate risk children", (FONT, 24))
            .margin(16)
            .x_label_area_size(48)
            .y_label_area_size(64)
            .build_cartesian_2d(0f64..k as f64, 0f64..hi));
        t!(chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(k)
            .x_label_formatter(&|x| {
                let i = x.floor() as usize;
                if (x - i as f64 - 0.5).abs() < 0.01 {
                    rules.get(i).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .x_desc("decision rule (box: quartiles over replications; whiskers: range)")
            .y_desc("working days late per high/immediate-risk referral")
            .label_style((FONT, 14))
            .axis_desc_style((FONT, 15))
            .draw());
        for (i, q) in qs.iter().enumerate() {
            let Some([min, q1, med, q3, max]) = *q else { continue };
            let c = colour(i);
            let (x0, x1, xm) = (i as f64 + 0.25, i as f64 + 0.75, i as f64 + 0.5);
            t!(chart.draw_series(std::iter::once(Rectangle::new([(x0, q1), (x1, q3)], c.mix(0.3).filled()))));
            t!(chart.draw_series(std::iter::once(Rectangle::new([(x0, q1), (x1, q3)], c.stroke_width(2)))));
            t!(chart.draw_series(std::iter::once(PathElement::new(vec![(x0, med), (x1, med)], c.stroke_width(3)))));
            for (a, b) in [(min, q1), (q3, max)] {
                t!(chart.draw_series(std::iter::once(PathElement::new(vec![(xm, a), (xm, b)], c.stroke_width(2)))));
            }
            for v in [min, max] {
                t!(chart.draw_series(std::iter::once(PathElement::new(
                    vec![(xm - 0.08, v), (xm + 0.08, v)],
                    c.stroke_width(2)
                ))));
            }
        }
        Ok(())
    }
}

/// 4. Under-rating by true tier: grouped bars with 95% CI whiskers.
struct UnderRating<'a> {
    data: &'a RunData,
}

impl Chart for UnderRating<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn {
        t!(root.fill(&WHITE));
        let tiers = [
            ("medium", "under_rated_medium_pct"),
            ("high", "under_rated_high_pct"),
            ("immediate", "under_rated_immediate_pct"),
        ];
        let k = self.data.rules.len().max(1);
        let sums: Vec<Vec<Summary>> =
            tiers.iter().map(|(_, m)| (0..self.data.rules.len()).map(|i| self.data.summary(i, m)).collect()).collect();
        let ys = finite(sums.iter().flatten().flat_map(|s| [s.mean, s.hi]));
        let (_, hi) = padded(&ys, true);
        let mut chart = t!(ChartBuilder::on(root)
            .caption("Children whose risk was under-rated, by true risk", (FONT, 24))
            .margin(16)
            .x_label_area_size(48)
            .y_label_area_size(64)
            .build_cartesian_2d(0f64..tiers.len() as f64, 0f64..hi));
        t!(chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(tiers.len() * 2 + 1)
            .x_label_formatter(&|x| {
                let i = x.floor() as usize;
                if (x - i as f64 - 0.5).abs() < 0.01 {
                    tiers.get(i).map(|t| t.0.to_string()).unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .x_desc("true risk tier (bars: mean; whiskers: 95% CI over replications)")
            .y_desc("% of decisions below the true tier")
            .label_style((FONT, 14))
            .axis_desc_style((FONT, 15))
            .draw());
        let width = 0.8 / k as f64;
        for (r, rule) in self.data.rules.iter().enumerate() {
            let c = colour(r);
            for (g, s) in sums.iter().enumerate() {
                let s = s[r];
                if !s.mean.is_finite() {
                    continue;
                }
                let x0 = g as f64 + 0.1 + r as f64 * width;
                let (x1, xm) = (x0 + width * 0.9, x0 + width * 0.45);
                let bar = t!(chart.draw_series(std::iter::once(Rectangle::new([(x0, 0.0), (x1, s.mean)], c.filled()))));
                if g == 0 {
                    bar.label(rule.as_str())
                        .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 16, y + 6)], c.filled()));
                }
                if s.lo.is_finite() {
                    t!(chart.draw_series(std::iter::once(PathElement::new(
                        vec![(xm, s.lo), (xm, s.hi)],
                        BLACK.stroke_width(2)
                    ))));
                    for v in [s.lo, s.hi] {
                        t!(chart.draw_series(std::iter::once(PathElement::new(
                            vec![(xm - width * 0.2, v), (xm + width * 0.2, v)],
                            BLACK.stroke_width(2)
                        ))));
                    }
                }
            }
        }
        legend(&mut chart)
    }
}

/// The differences the forest plot and the report's headline show, in order.
pub const HEADLINE: &[&str] = &[
    "late_days_per_high_risk_referral",
    "high_risk_started_late_pct",
    "under_rated_high_pct",
    "under_rated_immediate_pct",
    "days_to_start_mean",
    "days_to_completion_mean",
    "within_limit_pct",
    "quality_mean",
    "missed_need_pct",
    "rereferral_pct",
    "turnover_pct",
    "consult_wait_days_mean",
];

/// The headline chart: paired differences between the first two rules with 95% CIs, one
/// row a metric, each on its own scale with zero marked.
struct Differences<'a> {
    data: &'a RunData,
}

impl Chart for Differences<'_> {
    fn size(&self) -> (u32, u32) {
        (1000, 90 + 62 * HEADLINE.len() as u32)
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn {
        t!(root.fill(&WHITE));
        let title = match self.data.rules.as_slice() {
            [a, b, ..] => format!("{a} minus {b}: paired differences, 95% CI"),
            _ => "Paired differences need two rules".to_string(),
        };
        let root = t!(root.titled(&title, (FONT, 24)));
        if self.data.rules.len() < 2 {
            return Ok(());
        }
        let rows = root.split_evenly((HEADLINE.len(), 1));
        for (row, name) in rows.iter().zip(HEADLINE) {
            let d = self.data.difference(0, 1, name);
            let unit = crate::model::Metric::ALL.iter().find(|m| m.name() == *name).map_or("", |m| m.unit());
            let text = if d.mean.is_finite() && d.lo.is_finite() {
                format!("{name} ({unit}): {:+.3} [{:+.3}, {:+.3}]", d.mean, d.lo, d.hi)
            } else {
                format!("{name} ({unit}): not applicable to both rules")
            };
            let (lo, hi) = padded(&finite([d.lo, d.hi, d.mean]), true);
            let mut chart = t!(ChartBuilder::on(row)
                .caption(text, (FONT, 15))
                .margin_left(24)
                .margin_right(24)
                .x_label_area_size(18)
                .build_cartesian_2d(lo..hi, 0f64..1f64));
            t!(chart.configure_mesh().disable_y_mesh().disable_y_axis().x_labels(7).label_style((FONT, 11)).draw());
            t!(chart.draw_series(std::iter::once(PathElement::new(
                vec![(0.0, 0.0), (0.0, 1.0)],
                BLACK.mix(0.5).stroke_width(1)
            ))));
            if d.mean.is_finite() && d.lo.is_finite() {
                let c = if d.lo > 0.0 || d.hi < 0.0 { colour(1) } else { RGBColor(110, 110, 110) };
                t!(chart
                    .draw_series(std::iter::once(PathElement::new(vec![(d.lo, 0.5), (d.hi, 0.5)], c.stroke_width(3)))));
                t!(chart.draw_series(std::iter::once(Circle::new((d.mean, 0.5), 6, c.filled()))));
            }
        }
        Ok(())
    }
}

/// Draws every chart into `dir`; returns what was drawn, in report order.
pub fn draw_all(dir: &Path, data: &RunData, s: &Scenario) -> Result<Vec<Made>> {
    let mut made = Vec::new();
    let pair = match data.rules.as_slice() {
        [a, b, ..] => format!("{a} minus {b}"),
        _ => "the difference".to_string(),
    };
    save(dir, "differences", &Differences { data })?;
    made.push(Made {
        name: "differences",
        title: "The headline: paired differences".into(),
        caption: format!(
            "{pair}, replication by replication, for the main outcomes; a dot is the mean difference and the bar its 95% confidence interval. Orange: the interval excludes zero."
        ),
    });
    save(dir, "completion_days", &CompletionDays { data, limit: s.demand.limit_days })?;
    made.push(Made {
        name: "completion_days",
        title: "How long assessments take".into(),
        caption: format!("Share of assessments completed on each working day after referral, all replications pooled; the line marks the {}-day limit.", s.demand.limit_days),
    });
    let within_title = format!("Assessments completed within the {}-day limit, to date", s.demand.limit_days);
    let within = OverTime {
        data,
        series: "within_limit_to_date_pct",
        title: &within_title,
        y_desc: "% within the limit since the horizon began",
        caption_font: 24,
        with_legend: true,
    };
    save(dir, "within_limit_over_time", &within)?;
    made.push(Made {
        name: "within_limit_over_time",
        title: "Timeliness over time".into(),
        caption: format!("Cumulative share of assessments completed within the {}-working-day limit (`demand.limit_days`), month by month: mean over replications with its 95% band.", s.demand.limit_days),
    });
    save(dir, "late_days_high_risk", &LateDays { data })?;
    made.push(Made {
        name: "late_days_high_risk",
        title: "High-risk children waiting beyond what their risk needs".into(),
        caption: "Working days that ended with a high or immediate-risk child's work not started, from the day their risk needed it to start, per such referral: a box per rule over replications.".into(),
    });
    save(dir, "under_rating_by_tier", &UnderRating { data })?;
    made.push(Made {
        name: "under_rating_by_tier",
        title: "Risk under-rated at the timescale decision".into(),
        caption: "Share of decisions that set a lower tier than the child's true risk, by true tier, with 95% confidence intervals.".into(),
    });
    save(dir, "workforce_over_time", &Workforce { data })?;
    made.push(Made {
        name: "workforce_over_time",
        title: "The workforce".into(),
        caption:
            "Headcount, vacancies, agency cover, leavers, inexperience and caseloads month by month under each rule."
                .into(),
    });
    Ok(made)
}

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

use crate::output::chart::{
    Chart, Drawn, FONT, LEGEND_WIDTH, Made, Mark, Spec, SpecRow, colour, finite, padded, rule_line, rule_mark, save,
    side_legend, with_legend_strip,
};

/// Each rule's legend entry: its name, colour and line style.
fn rule_entries(data: &RunData, mark: Option<Mark>) -> Vec<(String, RGBColor, Mark)> {
    data.rules.iter().enumerate().map(|(i, r)| (r.clone(), colour(i), mark.unwrap_or_else(|| rule_mark(i)))).collect()
}

/// 1. Distribution of days to completion per rule, with the statutory limit.
struct CompletionDays<'a> {
    data: &'a RunData,
    limit: u32,
}

impl CompletionDays<'_> {
    fn spec(&self) -> Spec {
        let mut legend = self.data.rules.clone();
        legend.push(format!("{}-day limit", self.limit));
        Spec::plain(
            "completion_days",
            "Working days from referral to completed assessment".into(),
            "working days from referral",
            "% of assessments completed that day",
            legend,
        )
    }
}

impl Chart for CompletionDays<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn {
        t!(root.fill(&WHITE));
        let spec = self.spec();
        let root = t!(root.titled(&spec.title, (FONT, 24)));
        let (plot, side) = with_legend_strip(&root);
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
        let mut chart = t!(ChartBuilder::on(&plot)
            .margin(16)
            .x_label_area_size(48)
            .y_label_area_size(64)
            .build_cartesian_2d(0f64..x_max, 0f64..y_max));
        t!(chart
            .configure_mesh()
            .x_desc(spec.x_axis.as_str())
            .y_desc(spec.y_axis.as_str())
            .label_style((FONT, 14))
            .axis_desc_style((FONT, 16))
            .draw());
        let limit = f64::from(self.limit);
        t!(chart.draw_series(LineSeries::new(vec![(limit, 0.0), (limit, y_max)], BLACK.mix(0.6).stroke_width(2))));
        for (i, share) in shares.iter().enumerate().take(self.data.rules.len()) {
            let pts: Vec<(f64, f64)> =
                share.iter().enumerate().filter(|(d, _)| (*d as f64) <= x_max).map(|(d, &p)| (d as f64, p)).collect();
            rule_line(&mut chart, pts, i)?;
        }
        let mut entries = rule_entries(self.data, None);
        entries.push((spec.legend.last().cloned().unwrap_or_default(), RGBColor(110, 110, 110), Mark::Line));
        side_legend(&side, &entries)
    }
}

/// A monthly series, mean line and 95% band per rule.
struct OverTime<'a> {
    data: &'a RunData,
    series: &'a str,
    title: &'a str,
    y_desc: &'a str,
    caption_font: u32,
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
        for (i, s) in sums.iter().enumerate() {
            let c = colour(i);
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
            rule_line(&mut chart, line, i)?;
        }
        Ok(())
    }

    fn spec(&self, name: &'static str) -> Spec {
        Spec::plain(name, self.title.to_string(), "month of the measured horizon", self.y_desc, self.data.rules.clone())
    }
}

impl Chart for OverTime<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn {
        t!(root.fill(&WHITE));
        let (plot, side) = with_legend_strip(root);
        self.draw_into(&plot)?;
        side_legend(&side, &rule_entries(self.data, None))
    }
}

/// The six series of the workforce chart: (monthly series, panel title, unit).
const WORKFORCE: [(&str, &str, &str); 6] = [
    ("headcount", "Social workers in post", "workers"),
    ("vacancies", "Vacant posts (agency cover counts as vacant)", "posts"),
    ("agency", "Agency workers", "workers"),
    ("leavers", "Employed leavers in the month", "leavers"),
    ("under_two_years_pct", "Under 2 years' experience", "% of workers"),
    ("caseload_mean", "Cases per case holder", "cases"),
];

/// 5. The workforce over time, one panel a series.
struct Workforce<'a> {
    data: &'a RunData,
}

impl Workforce<'_> {
    fn spec(&self) -> Spec {
        Spec::plain(
            "workforce_over_time",
            "The workforce over time (mean and 95% band over replications)".into(),
            "month of the measured horizon",
            "each panel's unit",
            self.data.rules.clone(),
        )
    }
}

impl Chart for Workforce<'_> {
    fn size(&self) -> (u32, u32) {
        (1200 + LEGEND_WIDTH, 900)
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn {
        t!(root.fill(&WHITE));
        let root = t!(root.titled(&self.spec().title, (FONT, 24)));
        let (plot, side) = with_legend_strip(&root);
        let panels = plot.split_evenly((3, 2));
        for (k, (name, title, unit)) in WORKFORCE.iter().enumerate() {
            OverTime { data: self.data, series: name, title, y_desc: unit, caption_font: 17 }.draw_into(&panels[k])?;
        }
        side_legend(&side, &rule_entries(self.data, None))
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

impl LateDays<'_> {
    fn spec(&self) -> Spec {
        Spec::plain(
            "late_days_high_risk",
            "Days late for high and immediate risk children".into(),
            "decision rule (box: quartiles over replications; whiskers: range)",
            "working days late per high/immediate-risk referral",
            self.data.rules.clone(),
        )
    }
}

impl Chart for LateDays<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn {
        t!(root.fill(&WHITE));
        let spec = self.spec();
        let root = t!(root.titled(&spec.title, (FONT, 24)));
        let (plot, side) = with_legend_strip(&root);
        let metric = "late_days_per_high_risk_referral";
        let k = self.data.rules.len();
        let qs: Vec<Option<[f64; 5]>> = (0..k).map(|i| quartiles(self.data.values(i, metric))).collect();
        let ys = finite(qs.iter().flatten().flat_map(|q| q.iter().copied()));
        let (_, hi) = padded(&ys, true);
        let rules = self.data.rules.clone();
        // A box per rule, centred on its index; the axis names each rule under its box.
        let mut chart = t!(ChartBuilder::on(&plot)
            .margin(16)
            .x_label_area_size(48)
            .y_label_area_size(64)
            .build_cartesian_2d(-0.5f64..k as f64 - 0.5, 0f64..hi));
        t!(chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(k.max(1) * 2 + 1)
            .x_label_formatter(&|x| {
                let i = x.round();
                if (x - i).abs() < 0.01 && i >= 0.0 {
                    rules.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .y_labels(8)
            .x_desc(spec.x_axis.as_str())
            .y_desc(spec.y_axis.as_str())
            .label_style((FONT, 14))
            .axis_desc_style((FONT, 15))
            .draw());
        for (i, q) in qs.iter().enumerate() {
            let Some([min, q1, med, q3, max]) = *q else { continue };
            let c = colour(i);
            let (x0, x1, xm) = (i as f64 - 0.25, i as f64 + 0.25, i as f64);
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
        side_legend(&side, &rule_entries(self.data, Some(Mark::Block)))
    }
}

/// 4. Under-rating by true tier: grouped bars with 95% CI whiskers.
struct UnderRating<'a> {
    data: &'a RunData,
}

impl UnderRating<'_> {
    fn spec(&self) -> Spec {
        Spec::plain(
            "under_rating_by_tier",
            "Children whose risk was under-rated, by true risk".into(),
            "true risk tier (bars: mean; whiskers: 95% CI over replications)",
            "% of decisions below the true tier",
            self.data.rules.clone(),
        )
    }
}

impl Chart for UnderRating<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn {
        t!(root.fill(&WHITE));
        let spec = self.spec();
        let root = t!(root.titled(&spec.title, (FONT, 24)));
        let (plot, side) = with_legend_strip(&root);
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
        let mut chart = t!(ChartBuilder::on(&plot)
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
            .y_labels(8)
            .x_desc(spec.x_axis.as_str())
            .y_desc(spec.y_axis.as_str())
            .label_style((FONT, 14))
            .axis_desc_style((FONT, 15))
            .draw());
        let width = 0.8 / k as f64;
        for r in 0..self.data.rules.len() {
            let c = colour(r);
            for (g, s) in sums.iter().enumerate() {
                let s = s[r];
                if !s.mean.is_finite() {
                    continue;
                }
                let x0 = g as f64 + 0.1 + r as f64 * width;
                let (x1, xm) = (x0 + width * 0.9, x0 + width * 0.45);
                t!(chart.draw_series(std::iter::once(Rectangle::new([(x0, 0.0), (x1, s.mean)], c.filled()))));
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
        side_legend(&side, &rule_entries(self.data, Some(Mark::Block)))
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
/// row a metric in words with its unit, rows of one unit together on one scale with zero
/// marked; a metric with no difference to show (measured under one rule only) has no row.
struct Differences<'a> {
    data: &'a RunData,
}

/// The colours of the forest plot's rows.
const EXCLUDES_ZERO: (&str, RGBColor) = ("orange", RGBColor(213, 94, 0));
const INCLUDES_ZERO: (&str, RGBColor) = ("grey", RGBColor(110, 110, 110));

impl Differences<'_> {
    fn spec(&self) -> Spec {
        let title = match self.data.rules.as_slice() {
            [a, b, ..] => format!("{a} minus {b}: paired differences, 95% CI"),
            _ => "Paired differences need two rules".to_string(),
        };
        let mut spec = Spec::plain("differences", title, "difference, in each group's unit", "", vec![]);
        spec.legend_outside = true;
        if self.data.rules.len() < 2 {
            return spec;
        }
        let mut rows: Vec<SpecRow> = HEADLINE
            .iter()
            .filter_map(|name| {
                let d = self.data.difference(0, 1, name);
                let m = crate::model::Metric::by_name(name)?;
                let shown = [d.mean, d.lo, d.hi].iter().all(|x| x.is_finite());
                shown.then(|| SpecRow {
                    metric: name.to_string(),
                    label: m.label().to_string(),
                    unit: m.unit().to_string(),
                    mean: d.mean,
                    lo: d.lo,
                    hi: d.hi,
                    scale: (0.0, 0.0),
                    colour: if d.lo > 0.0 || d.hi < 0.0 { EXCLUDES_ZERO.0 } else { INCLUDES_ZERO.0 },
                })
            })
            .collect();
        // Rows of a unit together (in the order units first appear), on one scale.
        let units: Vec<String> = rows.iter().fold(Vec::new(), |mut u, r| {
            if !u.contains(&r.unit) {
                u.push(r.unit.clone());
            }
            u
        });
        rows.sort_by_key(|r| units.iter().position(|u| *u == r.unit));
        for u in &units {
            let scale = padded(&finite(rows.iter().filter(|r| &r.unit == u).flat_map(|r| [r.lo, r.hi, r.mean])), true);
            rows.iter_mut().filter(|r| &r.unit == u).for_each(|r| r.scale = scale);
        }
        for (name, meaning) in
            [(EXCLUDES_ZERO.0, "the 95% interval excludes zero"), (INCLUDES_ZERO.0, "the 95% interval includes zero")]
        {
            if rows.iter().any(|r| r.colour == name) {
                spec.key.push((name.to_string(), meaning.to_string()));
            }
        }
        spec.legend = spec.key.iter().map(|(c, m)| format!("{c}: {m}")).collect();
        spec.rows = rows;
        spec
    }
}

impl Chart for Differences<'_> {
    fn size(&self) -> (u32, u32) {
        (1000 + LEGEND_WIDTH, 90 + 62 * HEADLINE.len() as u32)
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn {
        t!(root.fill(&WHITE));
        let spec = self.spec();
        let root = t!(root.titled(&spec.title, (FONT, 24)));
        if spec.rows.is_empty() {
            return Ok(());
        }
        let (plot, side) = with_legend_strip(&root);
        let (_, h) = plot.dim_in_pixel();
        let used = (h as usize * spec.rows.len() / HEADLINE.len()) as u32;
        let (plot, _) = plot.split_vertically(used.max(1));
        let rows = plot.split_evenly((spec.rows.len(), 1));
        for (area, r) in rows.iter().zip(&spec.rows) {
            let text = format!("{} ({}): {}", r.label, r.unit, crate::format::interval(r.mean, r.lo, r.hi));
            let (lo, hi) = r.scale;
            let mut chart = t!(ChartBuilder::on(area)
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
            let c = if r.colour == EXCLUDES_ZERO.0 { EXCLUDES_ZERO.1 } else { INCLUDES_ZERO.1 };
            t!(chart.draw_series(std::iter::once(PathElement::new(vec![(r.lo, 0.5), (r.hi, 0.5)], c.stroke_width(3)))));
            t!(chart.draw_series(std::iter::once(Circle::new((r.mean, 0.5), 6, c.filled()))));
        }
        let entries: Vec<(String, RGBColor, Mark)> = spec
            .key
            .iter()
            .map(|(name, meaning)| {
                let c = if name == EXCLUDES_ZERO.0 { EXCLUDES_ZERO.1 } else { INCLUDES_ZERO.1 };
                (format!("{name}: {}", meaning.trim_start_matches("the 95% interval ")), c, Mark::Block)
            })
            .collect();
        side_legend(&side, &entries)
    }
}

fn within_title(s: &Scenario) -> String {
    format!("Assessments completed within the {}-day limit, to date", s.demand.limit_days)
}

/// The timeliness chart: the share within the limit to date, month by month.
fn within<'a>(data: &'a RunData, title: &'a str) -> OverTime<'a> {
    OverTime {
        data,
        series: "within_limit_to_date_pct",
        title,
        y_desc: "% within the limit since the horizon began",
        caption_font: 24,
    }
}

/// Draws every chart into `dir`; returns what was drawn, in report order.
pub fn draw_all(dir: &Path, data: &RunData, s: &Scenario) -> Result<Vec<Made>> {
    let mut made = Vec::new();
    let pair = match data.rules.as_slice() {
        [a, b, ..] => format!("{a} minus {b}"),
        _ => "the difference".to_string(),
    };
    let differences = Differences { data };
    save(dir, "differences", &differences)?;
    let key: Vec<String> = differences.spec().key.iter().map(|(c, m)| format!("{c}, {m}")).collect();
    made.push(Made {
        name: "differences",
        title: "The headline: paired differences".into(),
        caption: format!(
            "{pair}, replication by replication, for the main outcomes in words, rows of one unit on one scale; a dot is the mean difference and the bar its 95% confidence interval; {}.",
            if key.is_empty() { "no difference to show".to_string() } else { key.join("; ") }
        ),
    });
    save(dir, "completion_days", &CompletionDays { data, limit: s.demand.limit_days })?;
    made.push(Made {
        name: "completion_days",
        title: "How long assessments take".into(),
        caption: format!("Share of assessments completed on each working day after referral, all replications pooled; the line marks the {}-day limit.", s.demand.limit_days),
    });
    let within_title = within_title(s);
    save(dir, "within_limit_over_time", &within(data, &within_title))?;
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

/// What every chart of a run says ([`Spec`]), in the report's order: what a test checks
/// against the data.
pub fn specs(data: &RunData, s: &Scenario) -> Vec<Spec> {
    let within_title = within_title(s);
    let within = within(data, &within_title);
    vec![
        Differences { data }.spec(),
        CompletionDays { data, limit: s.demand.limit_days }.spec(),
        within.spec("within_limit_over_time"),
        LateDays { data }.spec(),
        UnderRating { data }.spec(),
        Workforce { data }.spec(),
    ]
}

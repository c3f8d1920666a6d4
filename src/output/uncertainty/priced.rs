//! The decision priced, as files: each draw's incremental cost and child-days at risk
//! (`cost_effectiveness.csv`), the acceptability curve with the EVPI
//! (`acceptability.csv`), the value of information about each mechanism and group
//! (`evppi.csv`), their three charts, and the report's section, in words first.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::format::money;
use crate::output::chart::{
    Chart, Drawn, FONT, LEGEND_WIDTH, Mark, colour, finite, padded, rule_line, rule_mark, side_legend,
    with_legend_strip,
};
use crate::output::html::esc;
use crate::output::write_atomic;
use crate::uncertainty::value::{Priced, VALUES};

macro_rules! t {
    ($e:expr) => {
        $e.map_err(|e| e.to_string())?
    };
}

/// The value of a child-day the report reads the value of information at: the one where
/// the decision is nearest a toss-up (the acceptability nearest 50%; the smaller value on
/// a tie). Every value is in `evppi.csv`.
pub fn reference(p: &Priced) -> usize {
    (0..p.curve.len()).min_by(|&a, &b| (p.curve[a].1 - 0.5).abs().total_cmp(&(p.curve[b].1 - 0.5).abs())).unwrap_or(0)
}

/// Writes the three tables.
pub fn write_tables(dir: &Path, p: &Priced, first: &str, second: &str) -> Result<()> {
    let mut plane = String::from("draw,incremental_cost_gbp_per_year,incremental_child_days_at_risk_per_year,of\n");
    for ((d, c), e) in p.plane.draw.iter().zip(&p.plane.cost).zip(&p.plane.days) {
        let _ = writeln!(plane, "{},{c},{e},{first} - {second}", d + 1);
    }
    write_atomic(&dir.join("cost_effectiveness.csv"), plane.as_bytes())?;
    let mut curve = format!("value_gbp_per_child_day,p_{first}_preferred,p_{second}_preferred,evpi_gbp_per_year\n");
    for &(v, a, e) in &p.curve {
        let _ = writeln!(curve, "{v},{a},{},{e}", 1.0 - a);
    }
    write_atomic(&dir.join("acceptability.csv"), curve.as_bytes())?;
    let mut evppi = String::from("parameters,kind,value_gbp_per_child_day,evppi_gbp_per_year,evpi_gbp_per_year\n");
    for (name, fs, at) in &p.evppi {
        let kind = if fs.len() == 1 { "parameter" } else { "group" };
        for (i, v) in VALUES.iter().enumerate() {
            let quoted = if name.contains(',') { format!("\"{name}\"") } else { name.clone() };
            let _ = writeln!(evppi, "{quoted},{kind},{v},{},{}", at[i], p.curve[i].2);
        }
    }
    write_atomic(&dir.join("evppi.csv"), evppi.as_bytes())?;
    Ok(())
}

/// The cost-effectiveness plane: each draw's incremental child-days (x) and cost (y).
pub struct PlaneChart<'a> {
    pub p: &'a Priced,
    pub pair: &'a str,
}

impl Chart for PlaneChart<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn {
        t!(root.fill(&WHITE));
        let root = t!(root.titled(&format!("The cost-effectiveness plane: {}", self.pair), (FONT, 20)));
        let (x0, x1) = padded(&finite(self.p.plane.days.iter().copied()), true);
        let (y0, y1) = padded(&finite(self.p.plane.cost.iter().copied()), true);
        let mut chart = t!(ChartBuilder::on(&root)
            .margin(14)
            .x_label_area_size(48)
            .y_label_area_size(90)
            .build_cartesian_2d(x0..x1, y0..y1));
        t!(chart
            .configure_mesh()
            .x_desc(format!("more child-days at risk a year ({})", self.pair))
            .y_desc("more cost a year (GBP)")
            .y_label_formatter(&|v| money(*v))
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 14))
            .draw());
        for line in [vec![(x0, 0.0), (x1, 0.0)], vec![(0.0, y0), (0.0, y1)]] {
            t!(chart.draw_series(std::iter::once(PathElement::new(line, BLACK.mix(0.5).stroke_width(1)))));
        }
        let c = colour(0);
        let pts = self
            .p
            .plane
            .days
            .iter()
            .zip(&self.p.plane.cost)
            .map(|(&x, &y)| Circle::new((x, y), 3, c.mix(0.7).filled()));
        t!(chart.draw_series(pts));
        Ok(())
    }
}

/// The acceptability curve: the probability that each rule is preferred over the values
/// of a child-day (log scale from 10; the value 0 is drawn at 1).
pub struct Acceptability<'a> {
    pub p: &'a Priced,
    pub rules: [&'a str; 2],
}

impl Chart for Acceptability<'_> {
    fn size(&self) -> (u32, u32) {
        (960 + LEGEND_WIDTH, 540)
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn {
        t!(root.fill(&WHITE));
        let root = t!(root.titled("Which rule is preferred, by the value of a child-day at risk avoided", (FONT, 20)));
        let (plot, side) = with_legend_strip(&root);
        let top = VALUES[VALUES.len() - 1];
        let mut chart = t!(ChartBuilder::on(&plot)
            .margin(14)
            .x_label_area_size(48)
            .y_label_area_size(60)
            .build_cartesian_2d((1f64..top).log_scale(), 0f64..100f64));
        t!(chart
            .configure_mesh()
            .x_desc("value of one child-day at risk avoided (GBP, log scale; 0 drawn at 1)")
            .y_desc("% of draws in which the rule is preferred")
            .x_label_formatter(&|v| money(*v))
            .y_labels(11)
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 14))
            .draw());
        for r in 0..2 {
            let pts: Vec<(f64, f64)> =
                self.p.curve.iter().map(|&(v, a, _)| (v.max(1.0), 100.0 * if r == 0 { a } else { 1.0 - a })).collect();
            let c = colour(r);
            rule_line(&mut chart, pts.clone(), r)?;
            t!(chart.draw_series(pts.into_iter().map(|p| Circle::new(p, 4, c.filled()))));
        }
        let entries: Vec<(String, RGBColor, Mark)> =
            (0..2).map(|r| (self.rules[r].to_string(), colour(r), rule_mark(r))).collect();
        side_legend(&side, &entries)
    }
}

/// The value of information at one value of a child-day: a bar per parameter and group,
/// the EVPI as a line.
pub struct ValueOfInformation<'a> {
    pub p: &'a Priced,
    pub at: usize,
}

impl Chart for ValueOfInformation<'_> {
    fn size(&self) -> (u32, u32) {
        (1000, 120 + 30 * self.p.evppi.len() as u32)
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn {
        t!(root.fill(&WHITE));
        let (v, _, evpi) = self.p.curve[self.at];
        let root = t!(root.titled(
            &format!("What perfect information is worth a year, at {} a child-day (EVPI {})", money(v), money(evpi)),
            (FONT, 18)
        ));
        let n = self.p.evppi.len();
        let hi = self.p.evppi.iter().map(|e| e.2[self.at]).fold(evpi, f64::max).max(1.0) * 1.1;
        let names: Vec<String> = self.p.evppi.iter().map(|e| e.0.clone()).collect();
        let mut chart = t!(ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(330)
            .build_cartesian_2d(0f64..hi, -0.5f64..n as f64 - 0.5));
        t!(chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n * 2 + 1)
            .y_label_formatter(&|y| {
                let i = y.round();
                if (y - i).abs() < 0.01 && i >= 0.0 {
                    names.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .x_desc("expected value of perfect information a year (GBP)")
            .x_label_formatter(&|x| money(*x))
            .label_style((FONT, 12))
            .axis_desc_style((FONT, 14))
            .draw());
        for (i, e) in self.p.evppi.iter().enumerate() {
            let c = if e.1.len() == 1 { colour(0) } else { colour(2) };
            let y = i as f64;
            t!(chart
                .draw_series(std::iter::once(Rectangle::new([(0.0, y - 0.35), (e.2[self.at], y + 0.35)], c.filled()))));
        }
        t!(chart.draw_series(std::iter::once(PathElement::new(
            vec![(evpi, -0.5), (evpi, n as f64 - 0.5)],
            BLACK.stroke_width(2)
        ))));
        Ok(())
    }
}

/// The report's section on money: the plane and the curve in words, then what finding out
/// would be worth, with the three charts (their file names; the report embeds them).
pub fn section(dir: &Path, p: &Priced, first: &str, second: &str, replications: u32) -> Result<String> {
    let mut h = String::from("<h2>What it costs, and what finding out is worth</h2>\n");
    if p.plane.cost.is_empty() {
        h.push_str("<p>No draw gave both a cost and the child-days at risk.</p>\n");
        return Ok(h);
    }
    let n = p.plane.cost.len() as f64;
    let share = |f: &dyn Fn(f64, f64) -> bool| {
        100.0 * p.plane.cost.iter().zip(&p.plane.days).filter(|(c, e)| f(**c, **e)).count() as f64 / n
    };
    let _ = writeln!(
        h,
        "<p>In each draw from the priors, {first} against {second}: it costs more and leaves more child-days at risk \
         (dominated) in <b>{:.0}%</b> of draws; costs less and leaves fewer (dominant) in <b>{:.0}%</b>; costs more for \
         fewer child-days in {:.0}%; costs less for more in {:.0}%. Costs are the workforce's a year at the scenario's \
         prices (2024); child-days at risk are weighted by true tier.</p>",
        share(&|c, e| c > 0.0 && e > 0.0),
        share(&|c, e| c <= 0.0 && e <= 0.0),
        share(&|c, e| c > 0.0 && e <= 0.0),
        share(&|c, e| c <= 0.0 && e > 0.0),
    );
    let words: Vec<String> = p
        .curve
        .iter()
        .filter(|c| [0.0, 100.0, 1000.0, 10_000.0].contains(&c.0))
        .map(|&(v, a, _)| format!("{:.0}% at {} a child-day", 100.0 * a, money(v)))
        .collect();
    let _ = writeln!(
        h,
        "<p>The model does not choose what a child-day at risk avoided is worth; a reader does. The share of draws in \
         which {first} is preferred: {}. The curve gives the whole range.</p>",
        words.join(", ")
    );
    let at = reference(p);
    let (v, _, evpi) = p.curve[at];
    let mut ranked: Vec<&(String, Vec<usize>, Vec<f64>)> = p.evppi.iter().collect();
    ranked.sort_by(|a, b| b.2[at].total_cmp(&a.2[at]));
    let top: Vec<String> =
        ranked.iter().take(4).map(|(name, _, values)| format!("{} ({})", esc(name), money(values[at]))).collect();
    let _ = writeln!(
        h,
        "<p><b>What finding out is worth.</b> At {} a child-day, where the choice is nearest a toss-up, perfect information about every \
         assumption would be worth <b>{}</b> a year to the scenario's authority (the EVPI: what choosing the better \
         rule in every draw gains over choosing the better one on average). A study that measured one of these would \
         be worth at most, a year: {}. Beyond that price it is not worth buying. Each draw's net benefit carries the \
         noise of its {replications} replications, which the EVPI counts as uncertainty and the regression behind the \
         EVPPI (Strong and Oakley's method) mostly smooths away, so the EVPI is an upper bound.</p>",
        money(v),
        money(evpi),
        top.join("; "),
    );
    for (file, alt, caption) in [
        (
            "cost_effectiveness_plane",
            "The cost-effectiveness plane",
            "A dot per draw: the first rule's extra child-days at risk a year (x) and extra cost a year (y) over the second's. Lower left: cheaper and safer.",
        ),
        (
            "acceptability",
            "The acceptability curve",
            "The share of draws in which each rule has the larger net benefit, over the value a reader places on one child-day at risk avoided.",
        ),
        (
            "value_of_information",
            "The value of information",
            "The expected value of perfect information about each mechanism (blue) and group (green), at the value where the choice is nearest a toss-up; the black line is the EVPI.",
        ),
    ] {
        h.push_str(&super::figure(dir, file, alt, caption)?);
    }
    h.push_str(
        "<p class=\"muted\">Tables: cost_effectiveness.csv (every draw), acceptability.csv (the curve and the EVPI at \
         each value), evppi.csv (every parameter and group at each value).</p>\n",
    );
    Ok(h)
}

/// Writes the tables and charts of the decision priced.
pub fn write(dir: &Path, p: &Priced, first: &str, second: &str) -> Result<()> {
    write_tables(dir, p, first, second)?;
    let pair = format!("{first} minus {second}");
    crate::output::chart::save(dir, "cost_effectiveness_plane", &PlaneChart { p, pair: &pair })?;
    crate::output::chart::save(dir, "acceptability", &Acceptability { p, rules: [first, second] })?;
    crate::output::chart::save(dir, "value_of_information", &ValueOfInformation { p, at: reference(p) })?;
    Ok(())
}

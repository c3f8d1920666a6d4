//! An uncertainty analysis's files: the runs, the tables of the analysis (draws, spreads,
//! probabilities, Sobol indices, break-even values), three charts and a report that leads
//! with the answer in words. A single run and the merge of its shards both end in
//! [`write_final`] with the same rows, so they write the same bytes.

pub(crate) mod charts;
pub(crate) mod priced;

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Result;

use crate::format::exact;
use crate::format::num;
use crate::output::html::{LOAD_CHECK, base64, capital, difference_unit, esc};
use crate::output::write_atomic;
use crate::scenario::params::{self, On};
use crate::sweep::{Row, Sweep};
use crate::uncertainty::{Analysis, Crossing, Design, Sobol};

/// A short name for a factor: its key, or the label for a reader.
fn short(a: &Analysis, f: usize) -> String {
    let path = &a.design.factors[f].path;
    params::find_path(path).map_or_else(|| path.clone(), |p| p.label.to_string())
}

/// A CSV cell: quoted when it holds a comma or a quote.
fn cell(s: &str) -> String {
    if s.contains(',') || s.contains('"') { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

/// The analysis of an uncertainty sweep's rows, and all its files.
pub(crate) fn write_final(dir: &Path, sw: &Sweep, manifest: &str, rows: &[Row]) -> Result<()> {
    write_atomic(&dir.join("manifest.toml"), manifest.as_bytes())?;
    crate::output::sweep::tables::write_rows(sw, rows, &dir.join("uncertainty_runs.parquet"))?;
    let a = crate::uncertainty::analyse(Design::of(&sw.base), sw, rows);
    write_tables(dir, &a)?;
    let pair = format!("{} minus {}", sw.plan.rules[0].name(), sw.plan.rules[1].name());
    let names: Vec<String> = a.design.sobol.iter().map(|&f| short(&a, f)).collect();
    crate::output::chart::save(
        dir,
        "differences_across_draws",
        &crate::output::uncertainty::charts::Draws { a: &a, pair: &pair },
    )?;
    crate::output::chart::save(
        dir,
        "sobol_indices",
        &crate::output::uncertainty::charts::Indices { a: &a, names: &names },
    )?;
    let chosen = carrying(&a);
    let curves: Vec<&crate::uncertainty::BreakEven> = chosen.iter().map(|&i| &a.break_evens[i]).collect();
    let curve_names: Vec<String> = curves.iter().map(|b| short(&a, b.factor)).collect();
    crate::output::chart::save(
        dir,
        "break_even",
        &crate::output::uncertainty::charts::Curves { curves: &curves, names: &curve_names, pair: &pair },
    )?;
    let (first, second) = (sw.plan.rules[0].name(), sw.plan.rules[1].name());
    priced::write(dir, &a.priced, &first, &second)?;
    let html = report(dir, sw, &a, &chosen)?;
    write_atomic(&dir.join("report.html"), html.as_bytes())
}

/// A chart of the analysis's folder as the report shows it: its title, the PNG embedded,
/// the caption and a link to the SVG.
pub(crate) fn figure(dir: &Path, name: &str, title: &str, caption: &str) -> Result<String> {
    let png = std::fs::read(dir.join(format!("{name}.png")))?;
    Ok(format!(
        "<h3>{title}</h3><img alt=\"{title}\" src=\"data:image/png;base64,{}\"><p class=\"muted\">{caption} \
         (<a href=\"{name}.svg\">SVG</a>)</p>\n",
        base64(&png)
    ))
}

/// The break-even curves the report shows: for each concern, its three factors with the
/// largest total Sobol index.
fn carrying(a: &Analysis) -> Vec<usize> {
    let k = a.design.sobol.len();
    let mut out = Vec::new();
    for (c, concern) in a.design.spec.concerns.iter().enumerate() {
        let Some((_, idx)) = a.sobol.iter().find(|(m, _)| *m == concern.metric) else { continue };
        out.extend(Sobol::by_total(idx).into_iter().take(3).map(|i| c * k + i));
    }
    out
}

fn write_tables(dir: &Path, a: &Analysis) -> Result<()> {
    let d = &a.design;
    let mut draws = String::from("draw");
    for f in &d.factors {
        let _ = write!(draws, ",{}", f.path);
    }
    let metrics = crate::uncertainty::concern_metrics(d);
    for m in &metrics {
        let _ = write!(draws, ",{}", m.name());
    }
    draws.push('\n');
    for p in d.draws() {
        let _ = write!(draws, "{}", p + 1);
        for x in &d.points[p] {
            let _ = write!(draws, ",{x}");
        }
        for m in &metrics {
            let _ = write!(draws, ",{}", a.diffs[p].mean[*m as usize]);
        }
        draws.push('\n');
    }
    write_atomic(&dir.join("draws.csv"), draws.as_bytes())?;

    let mut spreads = String::from("metric,unit,draws,mean,p05,p25,p50,p75,p95,sd,monte_carlo_sd,prior_sd\n");
    for s in &a.spreads {
        let q = s.quantiles;
        let _ = writeln!(
            spreads,
            "{},{},{},{},{},{},{},{},{},{},{},{}",
            s.metric.name(),
            cell(s.metric.unit()),
            s.draws,
            s.mean,
            q[0],
            q[1],
            q[2],
            q[3],
            q[4],
            s.sd,
            s.mc_sd,
            s.prior_sd
        );
    }
    write_atomic(&dir.join("differences.csv"), spreads.as_bytes())?;

    let mut concerns = String::from("concern,draws,holds,probability,ci_low,ci_high\n");
    for p in &a.probabilities {
        let _ = writeln!(concerns, "{},{},{},{},{},{}", cell(&p.concern.text()), p.draws, p.holds, p.p, p.lo, p.hi);
    }
    write_atomic(&dir.join("concerns.csv"), concerns.as_bytes())?;

    let mut sobol = String::from("metric,factor,first_order,first_low,first_high,total,total_low,total_high\n");
    for (m, idx) in &a.sobol {
        for (s, &f) in idx.iter().zip(&d.sobol) {
            let _ = writeln!(
                sobol,
                "{},{},{},{},{},{},{},{}",
                m.name(),
                d.factors[f].path,
                s.first,
                s.first_ci.0,
                s.first_ci.1,
                s.total,
                s.total_ci.0,
                s.total_ci.1
            );
        }
    }
    write_atomic(&dir.join("sobol.csv"), sobol.as_bytes())?;

    let mut be = String::from("concern,factor,verdict,value,ci_low,ci_high,resamples_crossing,prior_percentile\n");
    for b in &a.break_evens {
        let f = &d.factors[b.factor];
        let (verdict, value) = match b.verdict {
            Crossing::At { value, at_least: true } => ("holds at or above", value),
            Crossing::At { value, at_least: false } => ("holds at or below", value),
            Crossing::Everywhere => ("holds over the whole prior", f64::NAN),
            Crossing::Nowhere => ("holds nowhere in the prior", f64::NAN),
        };
        let (lo, hi) = b.interval.unwrap_or((f64::NAN, f64::NAN));
        let pct = if value.is_finite() { 100.0 * f.prior.dist.cdf(value) } else { f64::NAN };
        let _ = writeln!(
            be,
            "{},{},{verdict},{value},{lo},{hi},{},{pct}",
            cell(&b.concern.text()),
            f.path,
            b.crossing_share
        );
    }
    write_atomic(&dir.join("breakeven.csv"), be.as_bytes())?;
    Ok(())
}

/// A percentage for a reader.
fn pct(x: f64) -> String {
    if x.is_finite() { format!("{:.0}%", 100.0 * x) } else { "-".into() }
}

/// The verdict on one break-even, in a sentence.
fn break_even_words(a: &Analysis, b: &crate::uncertainty::BreakEven, pair_worse: &str) -> String {
    let f = &a.design.factors[b.factor];
    let label = esc(&f.label());
    let words = esc(&f.prior.dist.words());
    match b.verdict {
        Crossing::At { value, at_least } => {
            let p = f.prior.dist.cdf(value);
            let beyond = if at_least { 1.0 - p } else { p };
            let interval = b.interval.map_or(String::new(), |(lo, hi)| {
                format!(
                    " (95% interval over replications {} to {}{})",
                    exact(round(lo)),
                    exact(round(hi)),
                    if b.crossing_share < 0.95 {
                        format!("; {} of resamples cross at all", pct(b.crossing_share))
                    } else {
                        String::new()
                    }
                )
            });
            format!(
                "{pair_worse} only if <b>{label}</b> is {} <b>{}</b>{interval}, the {} percentile of its prior ({words}): the evidence gives that a probability of <b>{}</b> on its own.",
                if at_least { "at least" } else { "at most" },
                exact(round(value)),
                ordinal(100.0 * p),
                pct(beyond)
            )
        }
        Crossing::Everywhere => format!(
            "{pair_worse} whatever <b>{label}</b> is within its prior ({words}), the others at the scenario's values."
        ),
        Crossing::Nowhere => {
            let ys: Vec<f64> = b.curve.iter().map(|c| c.1).filter(|y| y.is_finite()).collect();
            let (lo, hi) = (
                ys.iter().copied().fold(f64::INFINITY, f64::min),
                ys.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            );
            format!(
                "Moving <b>{label}</b> over its whole prior ({words}) alone does not make it so: the difference runs from {} to {}.",
                num(lo),
                num(hi)
            )
        }
    }
}

fn round(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let scale = 10f64.powi(2 - x.abs().log10().floor() as i32);
    (x * scale).round() / scale
}

fn ordinal(p: f64) -> String {
    let n = p.round().clamp(0.0, 100.0) as u32;
    let suffix = match (n % 10, n % 100) {
        (1, x) if x != 11 => "st",
        (2, x) if x != 12 => "nd",
        (3, x) if x != 13 => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// The assumptions the scenario held rather than drew, in words for the report.
fn held_words(s: &crate::scenario::Scenario) -> String {
    let held = s.held();
    if held.is_empty() {
        return " No assumption was held: every one was drawn.".to_string();
    }
    let names: Vec<String> = held
        .iter()
        .map(|p| format!("{} (<code>{}</code> = {})", esc(p.label), p.path(), esc(&s.value(&p.path()).to_toml())))
        .collect();
    format!(
        " <b>Held, not drawn</b> ({} of them, by the scenario's <code>[priors]</code> or <code>fixed</code>): {}. \
         No probability, Sobol index or break-even value below covers them.",
        held.len(),
        names.join("; ")
    )
}

fn report(dir: &Path, sw: &Sweep, a: &Analysis, chosen: &[usize]) -> Result<String> {
    let d = &a.design;
    let (first, second) = (sw.plan.rules[0].name(), sw.plan.rules[1].name());
    let runs = sw.points.len() * 2 * sw.plan.replications as usize;
    let mut h = String::new();
    let _ = writeln!(
        h,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>caseload: is it high risk? {}</title>\
         <style>body{{font-family:sans-serif;max-width:60rem;margin:2rem auto;line-height:1.45;color:#222}}\
         td,th{{padding:.2rem .5rem;border-bottom:1px solid #ddd;text-align:left}}table{{border-collapse:collapse}}\
         img{{max-width:100%}}.muted{{color:#666;font-size:.9rem}}</style></head><body>",
        esc(&sw.base.run.name)
    );
    let _ = writeln!(h, "<h1>Is deciding alone high risk, and how sure can we be?</h1>");
    let _ = writeln!(
        h,
        "<p>Scenario <b>{}</b>. <b>{first}</b> against <b>{second}</b>, paired on the same referrals and people. \
         {} assumed parameters were drawn jointly from their priors ({} draws, a Latin hypercube), \
         each draw run {} times under both rules; with the Sobol and break-even points, {runs} runs in all. \
         The spread across draws is what the assumptions leave open; the intervals of <code>caseload run</code> \
         are Monte-Carlo only.{}</p>",
        esc(&sw.base.run.name),
        d.factors.len(),
        d.spec.draws,
        d.spec.replications,
        held_words(&sw.base)
    );
    let _ = writeln!(h, "<h2>The answer</h2><ul>");
    for (p, s) in a.probabilities.iter().map(|p| (p, a.spreads.iter().find(|s| s.metric == p.concern.metric))) {
        let m = p.concern.metric;
        let unit = difference_unit(m);
        let worse = if p.concern.above { "higher" } else { "lower" };
        let _ = write!(
            h,
            "<li>The probability that <b>{}</b> is {worse} under {first} than under {second} by more than {}{unit} \
             is <b>{}</b> (95% interval {} to {} for the finite number of draws).",
            esc(&capital(m.label())),
            exact(p.concern.threshold.abs()),
            pct(p.p),
            pct(p.lo),
            pct(p.hi)
        );
        if let Some(s) = s {
            let _ = write!(
                h,
                " Across the draws the difference runs from {} to {} (5th to 95th percentile; median {}); the priors \
                 leave an sd of {}, chance in the replications {}.",
                num(s.quantiles[0]),
                num(s.quantiles[4]),
                num(s.quantiles[2]),
                num(s.prior_sd),
                num(s.mc_sd)
            );
        }
        h.push_str("</li>\n");
    }
    h.push_str("</ul>\n<h2>What it rests on</h2>\n");
    for (m, idx) in &a.sobol {
        let top: Vec<String> = Sobol::by_total(idx)
            .into_iter()
            .take(3)
            .map(|i| {
                format!(
                    "<b>{}</b> (total index {} [{}, {}])",
                    esc(&short(a, d.sobol[i])),
                    num(idx[i].total),
                    num(idx[i].total_ci.0),
                    num(idx[i].total_ci.1)
                )
            })
            .collect();
        let corr = a.correlations.iter().find(|(x, _)| x == m).map(|(_, c)| c.clone()).unwrap_or_default();
        let strongest: Vec<String> =
            corr.iter().take(3).map(|&(f, r)| format!("{} ({})", esc(&short(a, f)), num(r))).collect();
        let _ = writeln!(
            h,
            "<p><b>{}</b>: of the mechanisms the argument rests on, {}. Over every prior at once, the strongest rank \
             correlations with the difference are {}.</p>",
            esc(m.label()),
            top.join(", "),
            strongest.join(", ")
        );
    }
    h.push_str("<h2>What you would have to believe</h2>\n<ul>\n");
    for &i in chosen {
        let b = &a.break_evens[i];
        let worse = if b.concern.above { "higher" } else { "lower" };
        let claim = format!(
            "{} is {worse} under {first} by more than {}{}",
            esc(b.concern.metric.label()),
            exact(b.concern.threshold.abs()),
            difference_unit(b.concern.metric)
        );
        let _ = writeln!(h, "<li>{}</li>", break_even_words(a, b, &capital(&claim)));
    }
    h.push_str(
        "</ul>\n<p class=\"muted\">Each break-even moves one factor over its prior with every other parameter at the \
         scenario's value, on the same seeds at every point, and interpolates where the mean difference crosses the \
         threshold; its interval comes from resampling the replications.</p>\n",
    );
    for (name, title, caption) in [
        (
            "differences_across_draws",
            "The difference across the draws from the priors",
            "One histogram per concern: how many draws gave each difference (the mean over a draw's replications); the black line is the threshold of concern.",
        ),
        (
            "sobol_indices",
            "What carries the difference",
            "Total Sobol index (bar, with its 95% bootstrap interval) and first-order index (dot) of each mechanism's factor: the share of the difference's variance it accounts for, with and without its interactions.",
        ),
        (
            "break_even",
            "Break-even curves",
            "The mean difference (with its 95% band over replications) as one factor moves over its prior, the rest at the scenario's values; the black line is the threshold.",
        ),
    ] {
        h.push_str(&figure(dir, name, title, caption)?);
    }
    h.push_str(&priced::section(dir, &a.priced, &first, &second, d.spec.replications)?);
    h.push_str("<h2>What this rests on</h2>\n<ul>\n");
    let _ = writeln!(
        h,
        "<li>The priors: each assumed parameter's range in the parameter table (<code>caseload params</code>), with the \
         evidence for it in <code>docs/EVIDENCE.md</code>. Parameters with a published source are held at the \
         scenario's values.</li>\n<li>The model: both sides of the argument are mechanisms (docs/ODD.md); a \
         mechanism the model lacks cannot show here.</li>\n<li>Precision: {} draws and {} replications a point; \
         Sobol indices from N = {} (their intervals show how far to trust them). A larger analysis runs on a cluster: \
         <code>caseload uncertainty FILE --shard K/N</code>, then <code>caseload merge</code>.</li>",
        d.spec.draws, d.spec.replications, d.spec.sobol_base
    );
    let list_factors: Vec<String> = d
        .factors
        .iter()
        .filter(|f| f.prior.on != On::Value)
        .map(|f| format!("<code>{}</code>", esc(&f.path)))
        .collect();
    if !list_factors.is_empty() {
        let _ = writeln!(h, "<li>Lists are drawn as one factor on every value: {}.</li>", list_factors.join(", "));
    }
    h.push_str(
        "</ul>\n<p class=\"muted\">Tables: draws.csv (every draw's factors and differences), differences.csv (every \
         metric across the draws), concerns.csv, sobol.csv, breakeven.csv, uncertainty_runs.parquet (every run); \
         manifest.toml repeats the analysis.</p>\n",
    );
    h.push_str(LOAD_CHECK);
    h.push_str("</body></html>\n");
    Ok(h)
}

//! A sweep's page: the charts that map the paired difference over the swept parameters,
//! each with its caption, and the self-contained `report.html` that answers the sweep's
//! question in words, all drawn from the differences (the tables are `sweep/tables.rs`).

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result};

use crate::format::num;
use crate::output::html::{LOAD_CHECK, base64, difference_unit, esc};

use crate::format::exact;
use crate::model::Metric;
use crate::output::write_atomic;
use crate::scenario::describe;
use crate::scenario::params;
use crate::scenario::sweep::{Layout, SweepSpec};
use crate::sweep::{self, PointDifference, Sweep};

/// The words a reader knows for a swept parameter, with its unit: the axis of a chart.
fn label(path: &str) -> String {
    params::find_path(path).map_or_else(|| path.to_string(), |p| p.labelled())
}

/// The metric a sweep's charts map: the concern's, else days late per high-risk referral.
fn mapped(spec: Option<&SweepSpec>) -> Metric {
    spec.and_then(|s| s.concern.map(|c| c.metric)).unwrap_or(Metric::LateDaysPerHighRisk)
}

/// A sweep's charts (heatmap, lines or scatter, as PNG and SVG) and `report.html`, drawn
/// from its paired differences.
pub(crate) fn write(dir: &Path, sw: &Sweep, diffs: &[PointDifference]) -> Result<()> {
    let spec = sw.base.sweep().cloned();
    let metric = mapped(spec.as_ref());
    let mut figures = Vec::new();
    if let Some(spec) = &spec {
        let threshold = spec.concern.map(|c| c.threshold);
        let pair = format!("{} minus {}", sw.plan.rules[0].name(), sw.plan.rules[1].name());
        if let Some([x, y]) = spec.heatmap {
            let g = sweep::grid2(sw, spec, diffs, metric, x, y);
            let (xlabel, ylabel) = (label(&sw.paths[x]), label(&sw.paths[y]));
            let chart = crate::output::sweep::charts::Heatmap {
                g: &g,
                metric,
                concern: spec.concern,
                xname: &xlabel,
                yname: &ylabel,
                pair: &pair,
            };
            crate::output::chart::save(dir, "heatmap", &chart)?;
            figures.push(("heatmap".to_string(), format!("{} over {} and {}", metric.label(), params::find_path(&sw.paths[x]).map_or(sw.paths[x].as_str(), |p| p.label), params::find_path(&sw.paths[y]).map_or(sw.paths[y].as_str(), |p| p.label)),
                format!("The paired difference ({pair}) at each point, mean over replications{}. Red: higher under {}; blue: lower.{}",
                    if sw.points.len() > g.xs.len() * g.ys.len() { " and over the other swept parameters" } else { "" },
                    sw.plan.rules[0].name(),
                    threshold.map_or(String::new(), |t| format!(" The black line is where the difference crosses the threshold of concern ({}); outlined cells are beyond it.", exact(t))))));
        }
        // A one-way grid: each rule's level first, then the difference.
        if sw.paths.len() == 1 && matches!(spec.design, Layout::Grid) {
            let mut points: Vec<(f64, [f64; 2])> = diffs
                .iter()
                .filter(|d| d.metric == metric)
                .map(|d| (sw.points[d.point][0], [d.mean_a, d.mean_b]))
                .collect();
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            let xlabel = label(&sw.paths[0]);
            let (a, b) = (sw.plan.rules[0].name(), sw.plan.rules[1].name());
            let chart =
                crate::output::sweep::charts::Levels { points: &points, metric, xname: &xlabel, rules: [&a, &b] };
            crate::output::chart::save(dir, "levels", &chart)?;
            figures.push((
                "levels".to_string(),
                format!("{} under each rule, against {}", metric.label(), sw.paths[0]),
                format!(
                    "Each rule's mean {} ({}) over replications at each value of {}: {a} solid, {b} dashed.",
                    metric.label(),
                    metric.unit(),
                    sw.paths[0]
                ),
            ));
        }
        for (j, path) in sw.paths.iter().enumerate() {
            let name = format!("line_{}", j + 1);
            match spec.design {
                Layout::Grid => {
                    let other = spec.heatmap.map(|[x, y]| if j == x { y } else { x }).filter(|&o| o != j);
                    let g = match other {
                        Some(o) => sweep::grid2(sw, spec, diffs, metric, j, o),
                        None => sweep::grid1(spec, diffs, metric, j),
                    };
                    let xlabel = label(path);
                    let series =
                        other.map(|o| params::find_path(&sw.paths[o]).map_or(sw.paths[o].as_str(), |p| p.label));
                    let chart = crate::output::sweep::charts::Lines {
                        g: &g,
                        metric,
                        threshold,
                        xname: &xlabel,
                        series,
                        pair: &pair,
                    };
                    crate::output::chart::save(dir, &name, &chart)?;
                }
                Layout::LatinHypercube { .. } => {
                    let pts: Vec<(f64, f64, f64, f64)> = diffs
                        .iter()
                        .filter(|d| d.metric == metric)
                        .map(|d| (sw.points[d.point][j], d.difference.mean, d.difference.lo, d.difference.hi))
                        .collect();
                    let xlabel = label(path);
                    let chart = crate::output::sweep::charts::Scatter {
                        points: &pts,
                        metric,
                        threshold,
                        xname: &xlabel,
                        pair: &pair,
                    };
                    crate::output::chart::save(dir, &name, &chart)?;
                }
            }
            figures.push((
                name,
                format!("{} against {path}", metric.label()),
                if spec.axes.len() > 2 && matches!(spec.design, Layout::Grid) {
                    format!("The paired difference ({pair}) at each value of {path}, averaged over the other swept parameters (so without a confidence band).")
                } else {
                    format!("The paired difference ({pair}) with its 95% confidence interval at each value of {path}.")
                },
            ));
        }
    }
    let html = sweep_report(sw, diffs, &figures, dir)?;
    write_atomic(&dir.join("report.html"), html.as_bytes())
}

fn sweep_report(
    sw: &Sweep,
    diffs: &[PointDifference],
    figures: &[(String, String, String)],
    dir: &Path,
) -> Result<String> {
    let s = &sw.base;
    let spec = s.sweep();
    let metric = mapped(spec);
    let (a, b) = (sw.plan.rules[0].name(), sw.plan.rules[1].name());
    let mut h = String::new();
    let _ = write!(
        h,
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>caseload sweep: {name}</title>
<style>
body {{ font-family: "DejaVu Sans", Arial, sans-serif; max-width: 1040px; margin: 2em auto; padding: 0 1em; color: #1a1a1a; line-height: 1.45; }}
h1 {{ font-size: 1.7em; margin-bottom: 0.2em; }} h2 {{ margin-top: 1.8em; border-bottom: 1px solid #ccc; }}
table {{ border-collapse: collapse; font-size: 0.86em; }} td, th {{ border-bottom: 1px solid #e2e2e2; padding: 3px 8px; text-align: left; }}
td.n {{ text-align: right; font-variant-numeric: tabular-nums; }} tr.holds td {{ background: #fde8e1; }}
figure {{ margin: 1.5em 0; }} figure img {{ max-width: 100%; border: 1px solid #ddd; }} figcaption {{ font-size: 0.9em; color: #444; }}
.answer {{ font-size: 1.1em; background: #f4f4f4; padding: 0.8em 1em; border-left: 4px solid #d55e00; }} .muted {{ color: #555; font-size: 0.9em; }}
</style></head><body>
<h1>Where is deciding alone high risk?</h1>
<p class="muted">caseload sweep · scenario <b>{name}</b> · {points} points × {rules} rules × {reps} replications · seed {seed}</p>
<p>{description}</p>
<p>The claim under test is conditional: deciding an assessment's timescale without the manager is "high risk" <i>in a climate of
high turnover and an inexperienced workforce</i>. This sweep runs <b>{a}</b> and <b>{b}</b> on the same referrals and the same chance
events at every point, and maps the paired difference ({a} minus {b}).</p>
"#,
        name = esc(&s.run.name),
        points = sw.points.len(),
        rules = sw.plan.rules.len(),
        reps = sw.plan.replications,
        seed = sw.plan.seed,
        description = esc(&s.run.description),
        a = esc(&a),
        b = esc(&b),
    );
    h.push_str("<h2>What was varied</h2>\n<table><tr><th>parameter</th><th>values</th><th>unit</th><th>source of its default</th></tr>\n");
    if let Some(spec) = spec {
        for axis in &spec.axes {
            let p = params::find_path(&axis.path).expect("checked");
            let values = match spec.design {
                Layout::Grid => axis.values.iter().map(|v| exact(*v)).collect::<Vec<_>>().join(", "),
                Layout::LatinHypercube { points, .. } => {
                    format!("{points} values sampled from {} to {}", exact(axis.from), exact(axis.to))
                }
            };
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&axis.path),
                esc(&values),
                esc(p.unit),
                esc(p.source)
            );
        }
    }
    h.push_str("</table>\n");
    h.push_str("<h2>The answer</h2>\n");
    let concern = spec.and_then(|s| s.concern);
    let at: Vec<&PointDifference> = diffs.iter().filter(|d| d.metric == metric).collect();
    match concern {
        Some(c) => {
            let holds = at.iter().filter(|d| c.holds(d.difference.mean)).count();
            let sure = at
                .iter()
                .filter(|d| if c.above { d.difference.lo > c.threshold } else { d.difference.hi < c.threshold })
                .count();
            let _ = write!(
                h,
                "<p class=\"answer\">The concern is that {a} minus {b} in <b>{}</b> is {} {}{}. Its mean over replications is beyond that threshold at <b>{holds} of {} points</b>; at {sure} of them the whole 95% confidence interval is beyond it.",
                esc(metric.label()),
                if c.above { "above" } else { "below" },
                exact(c.threshold),
                esc(&difference_unit(metric)),
                at.len()
            );
            if let Some(spec) = spec
                && let Some([x, y]) = spec.heatmap
            {
                let g = sweep::grid2(sw, spec, diffs, metric, x, y);
                let (xw, yw) = (
                    params::find_path(&sw.paths[x]).map_or(sw.paths[x].as_str(), |p| p.label),
                    params::find_path(&sw.paths[y]).map_or(sw.paths[y].as_str(), |p| p.label),
                );
                let _ = write!(h, " {}", esc(&sweep::region_words(&g, &|v| c.holds(v), xw, yw)));
            }
            h.push_str(&extremes(sw, &at, metric));
            h.push_str("</p>\n");
        }
        None => {
            let _ = writeln!(h, "<p class=\"answer\">{}</p>", extremes(sw, &at, metric).trim_start());
            h.push_str("<p>No threshold of concern was set (add <code>concern = \"metric &gt; value\"</code> to <code>[sweep]</code>, or <code>--concern</code>); the charts map the difference itself.</p>\n");
        }
    }
    for (name, title, caption) in figures {
        let png = std::fs::read(dir.join(format!("{name}.png"))).with_context(|| format!("reading {name}.png"))?;
        let _ = writeln!(
            h,
            "<figure><img alt=\"{t}\" src=\"data:image/png;base64,{b64}\"><figcaption><b>{t}.</b> {c}</figcaption></figure>",
            t = esc(title),
            b64 = base64(&png),
            c = esc(caption)
        );
    }
    let _ = write!(
        h,
        "<h2>Every point</h2>\n<p>{}: mean under each rule and the paired difference [95% CI]. Turnover and the share of social workers under two years' experience are as measured under {b}, the current rule, to read the swept inputs as the workforce they make.</p>\n<table><tr><th>point</th>",
        esc(metric.label())
    );
    for p in &sw.paths {
        let _ = write!(h, "<th>{}</th>", esc(p));
    }
    let _ = writeln!(
        h,
        "<th>{}</th><th>{}</th><th>difference</th><th>turnover %</th><th>under 2 years %</th></tr>",
        esc(&a),
        esc(&b)
    );
    // Differences are in point order, then metric order.
    let find = |p: usize, m: Metric| diffs.get(p * Metric::ALL.len() + m as usize).filter(|d| d.metric == m);
    for d in &at {
        let holds = concern.is_some_and(|c| c.holds(d.difference.mean));
        let _ = write!(h, "<tr{}><td>{}</td>", if holds { " class=\"holds\"" } else { "" }, d.point + 1);
        for v in &sw.points[d.point] {
            let _ = write!(h, "<td class=\"n\">{}</td>", num(*v));
        }
        let t = find(d.point, Metric::Turnover).map_or(f64::NAN, |x| x.mean_b);
        let u = find(d.point, Metric::UnderTwoYears).map_or(f64::NAN, |x| x.mean_b);
        let _ = writeln!(
            h,
            "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{} [{}, {}]</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            num(d.mean_a),
            num(d.mean_b),
            num(d.difference.mean),
            num(d.difference.lo),
            num(d.difference.hi),
            num(t),
            num(u)
        );
    }
    h.push_str("</table>\n<h2>What this rests on</h2>\n<p>Every parameter not swept is held at the scenario's value. These rest on assumptions, not published figures; <code>caseload sensitivity</code> ranks how much each moves the differences:</p>\n<p class=\"muted\">");
    let assumed: Vec<String> =
        describe(s).iter().filter(|(p, _)| p.is_assumption() && p.section != "run").map(|(p, _)| p.path()).collect();
    h.push_str(&esc(&assumed.join(", ")));
    h.push_str("</p>\n<p class=\"muted\">Tables: sweep.parquet (one row per point, rule and replication, every metric), sweep_summary.csv (per point and metric, the paired difference with its 95% CI). manifest.toml repeats the sweep.</p>\n");
    h.push_str(LOAD_CHECK);
    h.push_str("</body></html>\n");
    Ok(h)
}

/// " The difference is largest at ... and smallest at ...", with intervals.
fn extremes(sw: &Sweep, at: &[&PointDifference], metric: Metric) -> String {
    let finite: Vec<&&PointDifference> = at.iter().filter(|d| d.difference.mean.is_finite()).collect();
    let (Some(hi), Some(lo)) = (
        finite.iter().max_by(|a, b| a.difference.mean.total_cmp(&b.difference.mean)),
        finite.iter().min_by(|a, b| a.difference.mean.total_cmp(&b.difference.mean)),
    ) else {
        return String::new();
    };
    let one = |d: &PointDifference| {
        format!(
            "{}{} [{}, {}] at {}",
            num(d.difference.mean),
            difference_unit(metric),
            num(d.difference.lo),
            num(d.difference.hi),
            sw.describe_point(d.point)
        )
    };
    esc(&format!(" Across the sweep the difference runs from {} to {}.", one(lo), one(hi)))
}

//! A sweep's and a sensitivity analysis's files: progress kept point by point so an
//! interrupted sweep resumes, shards' partial tables, the merge of shards, and the final
//! tables, charts and report.
//!
//! A single-machine sweep and the merge of its shards both end in [`write_final`] with the
//! same manifest text and the same rows, so they write the same bytes.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use polars::prelude::*;

use super::report::{LOAD_CHECK, base64, difference_unit, esc, num};
use super::sweep_charts;
use super::tables::{numbers, read_parquet, strings, write_csv, write_parquet};
use super::{Options, Staging, write_atomic};
use crate::experiment::Plan;
use crate::model::Metric;
use crate::scenario::params::{self, fmt_num};
use crate::scenario::sweep::{Design, SweepSpec};
use crate::scenario::{Scenario, describe};
use crate::sensitivity;
use crate::sweep::{self, Grid2, PointDifference, Row, Sweep};

/// Where and how a sweep writes.
#[derive(Debug, Clone)]
pub struct SweepOptions {
    pub dir: PathBuf,
    pub force: bool,
    /// Continue an interrupted sweep from its kept points.
    pub resume: bool,
    /// Run only shard `k` of `n` (1-based) and write its partial tables.
    pub shard: Option<(usize, usize)>,
}

/// The folder beside `dir` where finished points are kept until the sweep is done.
pub fn progress_dir(dir: &Path) -> PathBuf {
    let name = dir.file_name().map_or("output".into(), |n| n.to_string_lossy().into_owned());
    dir.with_file_name(format!(".{name}.progress"))
}

/// The manifest of a sweep: the scenario as run (seed, replications, rules and the
/// `[sweep]` section filled in), itself a scenario that repeats the sweep. No paths, not
/// even the scenario file's name, and no timestamps: shards run anywhere, from copies of the
/// scenario under any name, agree on it, and so does their merge with a single run.
pub fn sweep_manifest(sw: &Sweep) -> String {
    let mut out = String::new();
    out.push_str("# caseload sweep manifest: the scenario exactly as swept, every default filled in.\n");
    out.push_str(&format!("# caseload version: {}\n", env!("CARGO_PKG_VERSION")));
    out.push_str(&format!("# git revision: {}\n", option_env!("CASELOAD_GIT_REVISION").unwrap_or("unknown")));
    out.push_str("# Run it again with: caseload sweep manifest.toml\n\n");
    out.push_str(&sw.base.to_toml());
    out
}

/// How many of `points` an interrupted sweep into `dir` has kept.
pub fn kept_points(dir: &Path, points: std::ops::Range<usize>) -> usize {
    let kept = progress_dir(dir);
    points.filter(|&p| point_file(&kept, p).exists()).count()
}

fn point_file(progress: &Path, p: usize) -> PathBuf {
    progress.join(format!("point-{:06}.tsv", p + 1))
}

/// A finished point's rows as text: `rule<TAB>replication<TAB>metric...`, each number in
/// Rust's shortest form that reads back to the same bits.
fn point_text(rows: &[Row]) -> String {
    let mut out = String::from("rule\treplication");
    for m in Metric::ALL {
        out.push('\t');
        out.push_str(m.name());
    }
    out.push('\n');
    for r in rows {
        let _ = write!(out, "{}\t{}", r.rule, r.replication);
        for v in &r.metrics {
            let _ = write!(out, "\t{v}");
        }
        out.push('\n');
    }
    out
}

fn read_point(path: &Path, p: usize) -> Result<Option<Vec<Row>>> {
    if !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let bad = |line: usize| anyhow::anyhow!("{}:{line}: not a caseload sweep point", path.display());
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() != 2 + Metric::ALL.len() {
            return Err(bad(i + 1));
        }
        let rule = f[0].parse().map_err(|_| bad(i + 1))?;
        let replication = f[1].parse().map_err(|_| bad(i + 1))?;
        let metrics = f[2..].iter().map(|x| x.parse::<f64>()).collect::<Result<Vec<_>, _>>().map_err(|_| bad(i + 1))?;
        rows.push(Row { point: p as u32, rule, replication, metrics });
    }
    Ok(Some(rows))
}

fn shard_toml(k: usize, n: usize, range: &std::ops::Range<usize>, total: usize) -> String {
    format!(
        "# One shard of a caseload sweep: `caseload merge` combines the shards.\nshard = {k}\nshards = {n}\nfirst_task = {}\nend_task = {}\ntotal_tasks = {total}\n",
        range.start, range.end
    )
}

/// Runs a sweep (or one shard of it) and writes its folder. Finished points are kept in
/// [`progress_dir`] until the end, so `resume` continues where an interrupted run stopped.
pub fn run_sweep(
    sw: &Sweep,
    opts: &SweepOptions,
    threads: usize,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<PathBuf> {
    let total = sw.n_tasks();
    let range = match opts.shard {
        Some((k, n)) => sweep::shard(total, k, n),
        None => 0..total,
    };
    let manifest = sweep_manifest(sw);
    let identity = match opts.shard {
        Some((k, n)) => format!("{manifest}\n# {}", shard_toml(k, n, &range, total).replace('\n', "\n# ")),
        None => manifest.clone(),
    };
    let staging = Staging::begin(&Options { dir: opts.dir.clone(), force: opts.force, case_log: false })?;
    let kept = progress_dir(&opts.dir);
    if kept.exists() {
        if opts.resume {
            let was = std::fs::read_to_string(kept.join("manifest.toml")).unwrap_or_default();
            if was != identity {
                bail!(
                    "the interrupted sweep kept in {} was a different sweep (scenario, seed, replications, rules or shard); \
                     remove that folder, or run without --resume and with --force to start again",
                    kept.display()
                );
            }
        } else if opts.force {
            std::fs::remove_dir_all(&kept).with_context(|| format!("removing {}", kept.display()))?;
        } else {
            bail!(
                "an interrupted sweep's finished points are kept in {}: add --resume to continue it, or --force to start again",
                kept.display()
            );
        }
    }
    if !kept.exists() {
        std::fs::create_dir_all(&kept).with_context(|| format!("creating {}", kept.display()))?;
        write_atomic(&kept.join("manifest.toml"), identity.as_bytes())?;
    }
    let resume = |p: usize| read_point(&point_file(&kept, p), p);
    // For tests of resuming: stop as if interrupted once this many points are kept.
    let stop_after: Option<usize> = std::env::var("CASELOAD_STOP_AFTER_POINTS").ok().and_then(|v| v.parse().ok());
    let mut fresh = 0;
    let mut keep = |p: usize, rows: &[Row]| {
        write_atomic(&point_file(&kept, p), point_text(rows).as_bytes())?;
        fresh += 1;
        if stop_after.is_some_and(|n| fresh >= n) {
            bail!("stopped after {fresh} points (CASELOAD_STOP_AFTER_POINTS); continue with --resume");
        }
        Ok(())
    };
    let rows = sweep::run(sw, range.clone(), threads, &resume, &mut keep, progress)?;
    let dir = staging.commit_with(|path| match opts.shard {
        Some((k, n)) => {
            write_atomic(&path.join("manifest.toml"), manifest.as_bytes())?;
            write_atomic(&path.join("shard.toml"), shard_toml(k, n, &range, total).as_bytes())?;
            write_parquet(&mut rows_frame(sw, &rows)?, &path.join("sweep.parquet"))
        }
        None => write_final(path, sw, &manifest, &rows),
    })?;
    // The results are in place; a kept point that cannot be removed only wastes space.
    if let Err(e) = std::fs::remove_dir_all(&kept) {
        eprintln!("caseload: warning: could not remove {}: {e}", kept.display());
    }
    Ok(dir)
}

/// `sweep.parquet`: one row per (point, rule, replication), the swept values and every metric.
fn rows_frame(sw: &Sweep, rows: &[Row]) -> Result<DataFrame> {
    let mut cols = vec![Column::new("point".into(), rows.iter().map(|r| r.point + 1).collect::<Vec<u32>>())];
    for (j, path) in sw.paths.iter().enumerate() {
        cols.push(Column::new(
            path.as_str().into(),
            rows.iter().map(|r| sw.points[r.point as usize][j]).collect::<Vec<f64>>(),
        ));
    }
    cols.push(Column::new(
        "rule".into(),
        rows.iter().map(|r| sw.plan.rules[r.rule as usize].name()).collect::<Vec<String>>(),
    ));
    cols.push(Column::new("replication".into(), rows.iter().map(|r| r.replication).collect::<Vec<u32>>()));
    for &m in Metric::ALL {
        cols.push(Column::new(m.name().into(), rows.iter().map(|r| r.metrics[m as usize]).collect::<Vec<f64>>()));
    }
    Ok(DataFrame::new_infer_height(cols)?)
}

fn read_rows(sw: &Sweep, path: &Path) -> Result<Vec<Row>> {
    let df = read_parquet(path)?;
    let points = numbers(&df, "point")?;
    let rules = strings(&df, "rule")?;
    let reps = numbers(&df, "replication")?;
    let metrics: Vec<Vec<f64>> = Metric::ALL.iter().map(|m| numbers(&df, m.name())).collect::<Result<_>>()?;
    let names: Vec<String> = sw.plan.rules.iter().map(|r| r.name()).collect();
    (0..df.height())
        .map(|i| {
            let rule = names.iter().position(|n| *n == rules[i]).with_context(|| {
                format!("{}: row {} has rule {}, not in the sweep", path.display(), i + 1, rules[i])
            })?;
            let point = (points[i] as u32).checked_sub(1).filter(|_| points[i].is_finite()).with_context(|| {
                format!("{}: row {} has point {}; points count from 1", path.display(), i + 1, points[i])
            })?;
            Ok(Row {
                point,
                rule: rule as u32,
                replication: reps[i] as u32,
                metrics: metrics.iter().map(|m| m[i]).collect(),
            })
        })
        .collect()
}

/// `sweep_summary.csv`: per point and metric, each rule's mean and the paired difference.
fn summary_frame(sw: &Sweep, diffs: &[PointDifference]) -> Result<DataFrame> {
    let (a, b) = (sw.plan.rules[0].name(), sw.plan.rules[1].name());
    let mut cols = vec![Column::new("point".into(), diffs.iter().map(|d| d.point as u32 + 1).collect::<Vec<u32>>())];
    for (j, path) in sw.paths.iter().enumerate() {
        cols.push(Column::new(path.as_str().into(), diffs.iter().map(|d| sw.points[d.point][j]).collect::<Vec<f64>>()));
    }
    let f = |name: &str, g: fn(&PointDifference) -> f64| {
        Column::new(name.into(), diffs.iter().map(g).collect::<Vec<f64>>())
    };
    cols.extend([
        Column::new("metric".into(), diffs.iter().map(|d| d.metric.name()).collect::<Vec<_>>()),
        Column::new("unit".into(), diffs.iter().map(|d| d.metric.unit()).collect::<Vec<_>>()),
        Column::new("rule_a".into(), vec![a.as_str(); diffs.len()]),
        Column::new("rule_b".into(), vec![b.as_str(); diffs.len()]),
        Column::new("replications".into(), diffs.iter().map(|d| d.difference.n as u32).collect::<Vec<u32>>()),
        f("mean_a", |d| d.mean_a),
        f("mean_b", |d| d.mean_b),
        f("difference", |d| d.difference.mean),
        f("ci_low", |d| d.difference.lo),
        f("ci_high", |d| d.difference.hi),
    ]);
    Ok(DataFrame::new_infer_height(cols)?)
}

/// The metric a sweep's charts map: the concern's, else days late per high-risk referral.
fn mapped(spec: Option<&SweepSpec>) -> Metric {
    spec.and_then(|s| s.concern.map(|c| c.metric)).unwrap_or(Metric::LateDaysPerHighRisk)
}

/// The whole sweep's files: manifest, tables, charts and report.
fn write_final(dir: &Path, sw: &Sweep, manifest: &str, rows: &[Row]) -> Result<()> {
    write_atomic(&dir.join("manifest.toml"), manifest.as_bytes())?;
    write_parquet(&mut rows_frame(sw, rows)?, &dir.join("sweep.parquet"))?;
    let diffs = sweep::differences(sw, rows);
    write_csv(&mut summary_frame(sw, &diffs)?, &dir.join("sweep_summary.csv"))?;
    let spec = sw.base.sweep().cloned();
    let metric = mapped(spec.as_ref());
    let mut figures = Vec::new();
    if let Some(spec) = &spec {
        let threshold = spec.concern.map(|c| c.threshold);
        let pair = format!("{} minus {}", sw.plan.rules[0].name(), sw.plan.rules[1].name());
        if let Some([x, y]) = spec.heatmap {
            let g = sweep::grid2(sw, spec, &diffs, metric, x, y);
            let chart = sweep_charts::Heatmap {
                g: &g,
                metric,
                concern: spec.concern,
                xname: &sw.paths[x],
                yname: &sw.paths[y],
                pair: &pair,
            };
            sweep_charts::save(dir, "heatmap", &chart)?;
            figures.push(("heatmap".to_string(), format!("{} over {} and {}", metric.label(), sw.paths[x], sw.paths[y]),
                format!("The paired difference ({pair}) at each point, mean over replications{}. Red: higher under {}; blue: lower.{}",
                    if sw.points.len() > g.xs.len() * g.ys.len() { " and over the other swept parameters" } else { "" },
                    sw.plan.rules[0].name(),
                    threshold.map_or(String::new(), |t| format!(" The black line is where the difference crosses the threshold of concern ({}); outlined cells are beyond it.", fmt_num(t))))));
        }
        for (j, path) in sw.paths.iter().enumerate() {
            let name = format!("line_{}", j + 1);
            match spec.design {
                Design::Grid => {
                    let other = spec.heatmap.map(|[x, y]| if j == x { y } else { x }).filter(|&o| o != j);
                    let g = match other {
                        Some(o) => sweep::grid2(sw, spec, &diffs, metric, j, o),
                        None => one_axis(spec, &diffs, metric, j),
                    };
                    let chart = sweep_charts::Lines {
                        g: &g,
                        metric,
                        threshold,
                        xname: path,
                        series: other.map(|o| sw.paths[o].as_str()),
                        pair: &pair,
                    };
                    sweep_charts::save(dir, &name, &chart)?;
                }
                Design::LatinHypercube { .. } => {
                    let pts: Vec<(f64, f64, f64, f64)> = diffs
                        .iter()
                        .filter(|d| d.metric == metric)
                        .map(|d| (sw.points[d.point][j], d.difference.mean, d.difference.lo, d.difference.hi))
                        .collect();
                    let chart = sweep_charts::Scatter { points: &pts, metric, threshold, xname: path, pair: &pair };
                    sweep_charts::save(dir, &name, &chart)?;
                }
            }
            figures.push((
                name,
                format!("{} against {path}", metric.label()),
                if spec.axes.len() > 2 && matches!(spec.design, Design::Grid) {
                    format!("The paired difference ({pair}) at each value of {path}, averaged over the other swept parameters (so without a confidence band).")
                } else {
                    format!("The paired difference ({pair}) with its 95% confidence interval at each value of {path}.")
                },
            ));
        }
    }
    let html = sweep_report(sw, &diffs, &figures, dir)?;
    write_atomic(&dir.join("report.html"), html.as_bytes())
}

/// A one-parameter grid as a heatmap's cells with one row: point `p` is value `p`.
fn one_axis(spec: &SweepSpec, diffs: &[PointDifference], metric: Metric, j: usize) -> Grid2 {
    let xs = spec.axes[j].values.clone();
    let n = xs.len();
    let mut g = Grid2 {
        xs,
        ys: vec![f64::NAN],
        mean: vec![vec![f64::NAN]; n],
        lo: vec![vec![f64::NAN]; n],
        hi: vec![vec![f64::NAN]; n],
    };
    for d in diffs.iter().filter(|d| d.metric == metric) {
        g.mean[d.point][0] = d.difference.mean;
        g.lo[d.point][0] = d.difference.lo;
        g.hi[d.point][0] = d.difference.hi;
    }
    g
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
                Design::Grid => axis.values.iter().map(|v| fmt_num(*v)).collect::<Vec<_>>().join(", "),
                Design::LatinHypercube { points, .. } => {
                    format!("{points} values sampled from {} to {}", fmt_num(axis.from), fmt_num(axis.to))
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
                fmt_num(c.threshold),
                esc(&difference_unit(metric)),
                at.len()
            );
            if let Some(spec) = spec
                && let Some([x, y]) = spec.heatmap
            {
                let g = sweep::grid2(sw, spec, diffs, metric, x, y);
                let _ = write!(h, " {}", esc(&sweep::region_words(&g, &|v| c.holds(v), &sw.paths[x], &sw.paths[y])));
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

/// Combines shard folders into the files a single-machine sweep writes.
pub fn merge(dirs: &[PathBuf], out: &Path, force: bool) -> Result<PathBuf> {
    let mut shards = Vec::new();
    let mut manifest: Option<(String, PathBuf)> = None;
    for d in dirs {
        let text = std::fs::read_to_string(d.join("shard.toml")).with_context(|| {
            format!("{} holds no shard.toml: is it a shard written by `caseload sweep --shard`?", d.display())
        })?;
        let t: toml::Table = text
            .parse::<toml::Table>()
            .map_err(|e| anyhow::anyhow!("reading {}: {e}", d.join("shard.toml").display()))?;
        let get = |k: &str| -> Result<usize> {
            t.get(k)
                .and_then(toml::Value::as_integer)
                .and_then(|v| usize::try_from(v).ok())
                .with_context(|| format!("{}: no {k}, or not a whole number 0 or more", d.join("shard.toml").display()))
        };
        let (k, n, first, end, total) =
            (get("shard")?, get("shards")?, get("first_task")?, get("end_task")?, get("total_tasks")?);
        let m = std::fs::read_to_string(d.join("manifest.toml"))
            .with_context(|| format!("reading {}", d.join("manifest.toml").display()))?;
        match &manifest {
            None => manifest = Some((m, d.clone())),
            Some((first_m, first_d)) if *first_m != m => bail!(
                "{} and {} are shards of different sweeps (their manifests differ)",
                first_d.display(),
                d.display()
            ),
            Some(_) => {}
        }
        if n == 0 || n > dirs.len().max(1) * 1000 || k == 0 || k > n {
            bail!("{}: shard {k} of {n} is not a shard of a sweep cut into {n}", d.join("shard.toml").display());
        }
        shards.push((k, n, first, end, total, d.clone()));
    }
    let Some((manifest, first_dir)) = manifest else { bail!("name at least one shard folder to merge") };
    shards.sort_by_key(|s| s.0);
    let n = shards[0].1;
    let ks: Vec<usize> = shards.iter().map(|s| s.0).collect();
    if shards.iter().any(|s| s.1 != n) || ks != (1..=n).collect::<Vec<_>>() {
        let missing: Vec<String> = (1..=n).filter(|k| !ks.contains(k)).map(|k| k.to_string()).collect();
        bail!(
            "the shards given are {:?} of {n}; every shard 1 to {n} is needed once (missing: {})",
            ks,
            if missing.is_empty() { "none, but some twice".into() } else { missing.join(", ") }
        );
    }
    let s = Scenario::from_toml(&manifest, &first_dir.join("manifest.toml"))
        .context("the shards' manifest is not a valid scenario")?;
    let sw = Sweep::of(&s, Plan::of(&s))?;
    let total = sw.n_tasks();
    let mut rows = Vec::with_capacity(total);
    for (k, n, first, end, t, d) in &shards {
        if *t != total || (*first..*end) != sweep::shard(total, *k, *n) {
            bail!("{}: shard {k} of {n} does not cover the tasks this sweep gives it", d.display());
        }
        let part = read_rows(&sw, &d.join("sweep.parquet"))?;
        if !sw.holds_exactly(*first..*end, &part) {
            bail!("{}: sweep.parquet does not hold exactly shard {k}'s tasks", d.display());
        }
        rows.extend(part);
    }
    let staging = Staging::begin(&Options { dir: out.to_path_buf(), force, case_log: false })?;
    staging.commit_with(|path| write_final(path, &sw, &manifest, &rows))
}

/// How a sensitivity analysis runs and where it writes.
#[derive(Debug, Clone)]
pub struct SensitivityOptions {
    pub dir: PathBuf,
    pub force: bool,
    pub trajectories: u32,
    pub levels: u32,
    pub seed: u64,
}

/// The differences a sensitivity analysis ranks parameters by.
pub const SENSITIVITY_METRICS: &[Metric] =
    &[Metric::LateDaysPerHighRisk, Metric::UnderRatedHigh, Metric::WithinLimit, Metric::Turnover];

/// Morris screening of every assumption, written as `morris.csv`, `sensitivity.parquet`
/// (the runs), charts and a report.
pub fn run_sensitivity(
    s: &Scenario,
    plan: Plan,
    opts: &SensitivityOptions,
    threads: usize,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<(PathBuf, String)> {
    // Refuse an existing folder before drawing the design and checking its points.
    let staging = Staging::begin(&Options { dir: opts.dir.clone(), force: opts.force, case_log: false })?;
    let factors = sensitivity::assumption_factors(s);
    let paths: Vec<String> = factors.iter().map(|f| f.path.clone()).collect();
    let valid = |p: &[f64]| {
        let changes: Vec<(&str, crate::scenario::Value)> =
            paths.iter().zip(p).map(|(k, &v)| (k.as_str(), crate::scenario::Value::Num(v))).collect();
        s.with_all(&changes).is_ok()
    };
    let design = sensitivity::Design::draw(factors, opts.trajectories, opts.levels, opts.seed, &valid)?;
    let sw = Sweep::from_points(&s.with_sweep(None), paths.clone(), design.points.clone(), plan)?;
    let total = sw.n_tasks();
    let tick = |done: usize| progress(done, total);
    let rows = sweep::run(&sw, 0..total, threads, &|_| Ok(None), &mut |_, _| Ok(()), &tick)?;
    let diffs = sweep::differences(&sw, &rows);
    let mut table = Vec::new();
    for &m in Metric::ALL {
        let y: Vec<f64> = diffs.iter().filter(|d| d.metric == m).map(|d| d.difference.mean).collect();
        table.push((m, sensitivity::indices(&design, &y, opts.seed)));
    }
    let text = morris_text(&design, &table);
    let dir = staging.commit_with(|path| {
        let mut manifest = String::from("# caseload sensitivity manifest: the scenario as analysed.\n");
        let _ = writeln!(
            manifest,
            "# Morris: {} trajectories, {} levels, seed {}\n",
            opts.trajectories, opts.levels, opts.seed
        );
        manifest.push_str(&sw.base.to_toml());
        write_atomic(&path.join("manifest.toml"), manifest.as_bytes())?;
        write_parquet(&mut rows_frame(&sw, &rows)?, &path.join("sensitivity_runs.parquet"))?;
        write_csv(&mut morris_frame(&design, &table)?, &path.join("morris.csv"))?;
        let mut figures = Vec::new();
        for (i, &m) in SENSITIVITY_METRICS.iter().enumerate() {
            let ix = &table.iter().find(|(x, _)| *x == m).expect("every metric").1;
            let name = format!("morris_{}", i + 1);
            sweep_charts::save(path, &name, &sweep_charts::MuSigma { design: &design, indices: ix, metric: m })?;
            figures.push((name, m));
        }
        let html = sensitivity_report(&sw, &design, &table, &figures, opts, path)?;
        write_atomic(&path.join("report.html"), html.as_bytes())
    })?;
    Ok((dir, text))
}

fn morris_frame(d: &sensitivity::Design, table: &[(Metric, Vec<sensitivity::Index>)]) -> Result<DataFrame> {
    let rows: Vec<(Metric, usize, &sensitivity::Index)> =
        table.iter().flat_map(|(m, ix)| ix.iter().enumerate().map(move |(rank, i)| (*m, rank + 1, i))).collect();
    let f = |name: &str, g: fn(&sensitivity::Index) -> f64| {
        Column::new(name.into(), rows.iter().map(|r| g(r.2)).collect::<Vec<f64>>())
    };
    Ok(DataFrame::new_infer_height(vec![
        Column::new("metric".into(), rows.iter().map(|r| r.0.name()).collect::<Vec<_>>()),
        Column::new("unit".into(), rows.iter().map(|r| r.0.unit()).collect::<Vec<_>>()),
        Column::new("rank".into(), rows.iter().map(|r| r.1 as u32).collect::<Vec<u32>>()),
        Column::new("parameter".into(), rows.iter().map(|r| d.factors[r.2.factor].path.as_str()).collect::<Vec<_>>()),
        Column::new("value".into(), rows.iter().map(|r| d.factors[r.2.factor].value).collect::<Vec<f64>>()),
        Column::new("low".into(), rows.iter().map(|r| d.factors[r.2.factor].lo).collect::<Vec<f64>>()),
        Column::new("high".into(), rows.iter().map(|r| d.factors[r.2.factor].hi).collect::<Vec<f64>>()),
        f("mu", |i| i.mu),
        f("mu_star", |i| i.mu_star),
        f("mu_star_ci_low", |i| i.mu_star_lo),
        f("mu_star_ci_high", |i| i.mu_star_hi),
        f("sigma", |i| i.sigma),
    ])?)
}

/// The ranked table for the terminal: the top ten of each headline difference.
fn morris_text(d: &sensitivity::Design, table: &[(Metric, Vec<sensitivity::Index>)]) -> String {
    let mut out = String::new();
    for &m in SENSITIVITY_METRICS {
        let ix = &table.iter().find(|(x, _)| *x == m).expect("every metric").1;
        let _ = writeln!(
            out,
            "\n{} ({}), difference of the first two rules; effect of moving a parameter over its whole range:",
            m.label(),
            m.unit()
        );
        let _ = writeln!(out, "{:>4}  {:<42} {:>10} {:>22} {:>10}", "rank", "parameter", "mu*", "mu* 95% CI", "sigma");
        for (r, i) in ix.iter().take(10).enumerate() {
            let _ = writeln!(
                out,
                "{:>4}  {:<42} {:>10.4} {:>22} {:>10.4}",
                r + 1,
                d.factors[i.factor].path,
                i.mu_star,
                format!("[{:.4}, {:.4}]", i.mu_star_lo, i.mu_star_hi),
                i.sigma
            );
        }
    }
    out
}

fn sensitivity_report(
    sw: &Sweep,
    d: &sensitivity::Design,
    table: &[(Metric, Vec<sensitivity::Index>)],
    figures: &[(String, Metric)],
    opts: &SensitivityOptions,
    dir: &Path,
) -> Result<String> {
    let (a, b) = (sw.plan.rules[0].name(), sw.plan.rules[1].name());
    let mut h = String::new();
    let _ = write!(
        h,
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>caseload sensitivity: {name}</title>
<style>
body {{ font-family: "DejaVu Sans", Arial, sans-serif; max-width: 1040px; margin: 2em auto; padding: 0 1em; color: #1a1a1a; line-height: 1.45; }}
h2 {{ margin-top: 1.8em; border-bottom: 1px solid #ccc; }} table {{ border-collapse: collapse; font-size: 0.86em; }}
td, th {{ border-bottom: 1px solid #e2e2e2; padding: 3px 8px; text-align: left; }} td.n {{ text-align: right; font-variant-numeric: tabular-nums; }}
figure img {{ max-width: 100%; border: 1px solid #ddd; }} figcaption {{ font-size: 0.9em; color: #444; }} .muted {{ color: #555; font-size: 0.9em; }}
</style></head><body>
<h1>Which assumptions drive the answer?</h1>
<p class="muted">caseload sensitivity · scenario <b>{name}</b> · Morris screening: {k} parameters, {r} trajectories, {levels} levels, {points} points × {reps} replications × 2 rules · seed {seed}</p>
<p>Every single-number parameter that rests on an assumption was varied from half to one and a half times its value (within its allowed range; a tenth of the range either side of zero), one at a time along random trajectories (Morris 1991). For each, <b>mu*</b> is the mean absolute change in the paired difference <b>{a} minus {b}</b> when that parameter moves across its whole range, with a bootstrap 95% interval over trajectories; <b>sigma</b> large beside mu* means the effect depends on the other parameters (interactions or curvature). All points use the same seeds, so effects are not blurred by luck, but each point's difference still carries the noise of {reps} replications.</p>
"#,
        name = esc(&sw.base.run.name),
        k = d.factors.len(),
        r = opts.trajectories,
        levels = opts.levels,
        points = sw.points.len(),
        reps = sw.plan.replications,
        seed = opts.seed,
        a = esc(&a),
        b = esc(&b),
    );
    for (name, m) in figures {
        let png = std::fs::read(dir.join(format!("{name}.png"))).with_context(|| format!("reading {name}.png"))?;
        let ix = &table.iter().find(|(x, _)| x == m).expect("every metric").1;
        let _ = writeln!(h, "<h2>{}</h2>", esc(&format!("{} ({})", m.label(), m.unit())));
        let _ = writeln!(
            h,
            "<figure><img alt=\"{t}\" src=\"data:image/png;base64,{b64}\"><figcaption>mu* against sigma for each parameter; the top ten are named.</figcaption></figure>",
            t = esc(m.label()),
            b64 = base64(&png)
        );
        h.push_str("<table><tr><th>rank</th><th>parameter</th><th>range</th><th>mu*</th><th>95% CI</th><th>mu</th><th>sigma</th></tr>\n");
        for (r, i) in ix.iter().take(12).enumerate() {
            let f = &d.factors[i.factor];
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{} to {}</td><td class=\"n\">{}</td><td class=\"n\">[{}, {}]</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                r + 1,
                esc(&f.path),
                fmt_num(f.lo),
                fmt_num(f.hi),
                num(i.mu_star),
                num(i.mu_star_lo),
                num(i.mu_star_hi),
                num(i.mu),
                num(i.sigma)
            );
        }
        h.push_str("</table>\n");
    }
    let varied: Vec<&str> = d.factors.iter().map(|f| f.path.as_str()).collect();
    let not_varied: Vec<String> = params::PARAMS
        .iter()
        .filter(|p| p.is_assumption() && p.section != "run" && !varied.contains(&p.path().as_str()))
        .map(|p| p.path())
        .collect();
    if !not_varied.is_empty() {
        let _ = writeln!(
            h,
            "<p>Assumptions not varied here (lists of values, choices, or a key shared by several authorities): {}. Vary them by hand or in a <code>[sweep]</code>.</p>",
            esc(&not_varied.join(", "))
        );
    }
    h.push_str("<p class=\"muted\">Every parameter and metric: morris.csv. The runs: sensitivity_runs.parquet (one row per point, rule and replication).</p>\n");
    h.push_str(LOAD_CHECK);
    h.push_str("</body></html>\n");
    Ok(h)
}

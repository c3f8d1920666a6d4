//! A sensitivity analysis's files: `manifest.toml`, `sensitivity_runs.parquet` (every run),
//! `morris.csv` (every metric's ranking), the mu*/sigma charts and `report.html`. The
//! analysis itself is run by `crate::sensitivity`.

pub(crate) mod charts;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use polars::prelude::*;

use crate::format::exact;
use crate::format::num;
use crate::model::Metric;
use crate::output::html::{LOAD_CHECK, base64, esc};
use crate::output::table_file::write_csv;
use crate::output::{Staging, write_atomic};
use crate::scenario::params;
use crate::sensitivity::{Analysis, Index, SENSITIVITY_METRICS, Trajectories};

/// Writes the analysis into the staging folder and puts it in place.
pub fn write_sensitivity(staging: Staging, analysis: &Analysis) -> Result<PathBuf> {
    let (sw, morris) = (&analysis.sweep, &analysis.morris);
    staging.commit_with(|path| {
        let mut manifest = String::from("# caseload sensitivity manifest: the scenario as analysed.\n");
        let _ = writeln!(
            manifest,
            "# Morris: {} trajectories, {} levels, seed {}\n",
            morris.trajectories, morris.levels, morris.seed
        );
        manifest.push_str(&sw.base.to_toml());
        write_atomic(&path.join("manifest.toml"), manifest.as_bytes())?;
        crate::output::sweep::tables::write_rows(sw, &analysis.rows, &path.join("sensitivity_runs.parquet"))?;
        write_csv(&mut morris_frame(&analysis.design, &analysis.indices)?, &path.join("morris.csv"))?;
        let mut figures = Vec::new();
        for (i, &m) in SENSITIVITY_METRICS.iter().enumerate() {
            let name = format!("morris_{}", i + 1);
            let chart = crate::output::sensitivity::charts::MuSigma {
                design: &analysis.design,
                indices: analysis.ranked(m),
                metric: m,
            };
            crate::output::chart::save(path, &name, &chart)?;
            figures.push((name, m));
        }
        let html = report(analysis, &figures, path)?;
        write_atomic(&path.join("report.html"), html.as_bytes())
    })
}

/// `morris.csv`: per metric, every factor ranked with its indices.
fn morris_frame(d: &Trajectories, table: &[(Metric, Vec<Index>)]) -> Result<DataFrame> {
    let rows: Vec<(Metric, usize, &Index)> =
        table.iter().flat_map(|(m, ix)| ix.iter().enumerate().map(move |(rank, i)| (*m, rank + 1, i))).collect();
    let f =
        |name: &str, g: fn(&Index) -> f64| Column::new(name.into(), rows.iter().map(|r| g(r.2)).collect::<Vec<f64>>());
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

/// `report.html`: the charts and the top of each ranking, for a reader.
fn report(analysis: &Analysis, figures: &[(String, Metric)], dir: &Path) -> Result<String> {
    let (sw, d, morris) = (&analysis.sweep, &analysis.design, &analysis.morris);
    let (a, b) = (sw.plan.rules[0].name(), sw.plan.rules[1].name());
    let mut h = crate::output::html::page_head(&format!("caseload sensitivity: {}", esc(&sw.base.run.name)));
    let _ = write!(
        h,
        r#"<h1>Which assumptions drive the answer?</h1>
<p class="muted">caseload sensitivity · scenario <b>{name}</b> · Morris screening: {k} parameters, {r} trajectories, {levels} levels, {points} points × {reps} replications × 2 rules · seed {seed}</p>
<p>Every single-number parameter that rests on an assumption was varied from half to one and a half times its value (within its allowed range; a tenth of the range either side of zero), one at a time along random trajectories (Morris 1991). For each, <b>mu*</b> is the mean absolute change in the paired difference <b>{a} minus {b}</b> when that parameter moves across its whole range, with a bootstrap 95% interval over trajectories; <b>sigma</b> large beside mu* means the effect depends on the other parameters (interactions or curvature). All points use the same seeds, so effects are not blurred by luck, but each point's difference still carries the noise of {reps} replications.</p>
"#,
        name = esc(&sw.base.run.name),
        k = d.factors.len(),
        r = morris.trajectories,
        levels = morris.levels,
        points = sw.points.len(),
        reps = sw.plan.replications,
        seed = morris.seed,
        a = esc(&a),
        b = esc(&b),
    );
    for (name, m) in figures {
        let png = std::fs::read(dir.join(format!("{name}.png"))).with_context(|| format!("reading {name}.png"))?;
        let ix = analysis.ranked(*m);
        let _ = writeln!(h, "<h2>{}</h2>", esc(&format!("{} ({})", m.label(), m.unit())));
        let _ = writeln!(
            h,
            "<figure><img alt=\"{t}\" src=\"data:image/png;base64,{b64}\"><figcaption>mu* against sigma for each parameter; the top ten are named.</figcaption></figure>",
            t = esc(m.label()),
            b64 = base64(&png)
        );
        h.push_str("<table><tr><th>rank</th><th>parameter</th><th>key</th><th>range</th><th>mu*</th><th>95% CI</th><th>mu</th><th>sigma</th></tr>\n");
        for (r, i) in ix.iter().take(12).enumerate() {
            let f = &d.factors[i.factor];
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td>{} to {}</td><td class=\"n\">{}</td><td class=\"n\">[{}, {}]</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                r + 1,
                esc(&crate::scenario::params::find_path(&f.path).map_or_else(|| f.path.clone(), |p| p.labelled())),
                esc(&f.path),
                exact(f.lo),
                exact(f.hi),
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

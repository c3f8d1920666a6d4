//! The one-page report: a self-contained HTML file (charts embedded, no network) with the
//! question, the scenario, the headline differences in words, the charts, the full
//! summary table and the results that rest on assumptions.

use crate::scenario::key;
use std::fmt::Write;
use std::path::Path;

use anyhow::{Context, Result};

use crate::format::exact;
use crate::format::num;
use crate::model::Metric;
use crate::output::chart::Made;
use crate::output::html::{LOAD_CHECK, base64, capital, difference_unit, esc};
use crate::output::run::charts::HEADLINE;
use crate::output::run::data::RunData;
use crate::scenario::params;
use crate::scenario::{Scenario, Value, describe};
use crate::stats::Summary;

fn metric(name: &str) -> Option<Metric> {
    Metric::ALL.iter().copied().find(|m| m.name() == name)
}

/// One headline difference in plain words, e.g. "Days late per high/immediate-risk referral:
/// higher under practitioner_only than under manager_shared by 3.10 working days (95% CI
/// 2.40 to 3.80)."
pub fn sentence(a: &str, b: &str, m: Metric, d: &Summary) -> String {
    if !d.mean.is_finite() || !d.lo.is_finite() {
        return format!("{}: not comparable between {a} and {b} (it applies to only one of them).", capital(m.label()));
    }
    let unit = difference_unit(m);
    let more = if d.mean >= 0.0 { "higher" } else { "lower" };
    let clear = if d.lo > 0.0 || d.hi < 0.0 { "" } else { "; the interval includes zero: no clear difference" };
    // The interval of the amount by which it is higher or lower, on the same side as it.
    let (lo, hi) = if d.mean >= 0.0 { (d.lo, d.hi) } else { (-d.hi, -d.lo) };
    format!(
        "{}: {} under {a} than under {b} by {}{unit} (95% CI {} to {}{clear}).",
        capital(m.label()),
        more,
        num(d.mean.abs()),
        num(lo),
        num(hi),
    )
}

/// What the difference between two rules costs, in words: the money a year with its
/// interval and its parts, beside the child-days at risk it buys or loses. The prices are
/// the scenario's (`costs`, 2024 prices); the model does not put a price on a child-day.
pub fn cost_words(a: &str, b: &str, data: &RunData) -> String {
    let d = |m: Metric| data.difference(0, 1, m.name());
    let (cost, days) = (d(Metric::TotalCost), d(Metric::ChildDaysAtRisk));
    if !cost.mean.is_finite() || !days.mean.is_finite() {
        return String::new();
    }
    let (more, less) = (cost.mean >= 0.0, days.mean <= 0.0);
    let money = crate::format::money;
    // Each interval on the side of its statement ("less by 84,500 (79,200 to 89,800)").
    let side = |s: &Summary, up: bool| if up { (s.lo, s.hi) } else { (-s.hi, -s.lo) };
    let ((c_lo, c_hi), (d_lo, d_hi)) = (side(&cost, more), side(&days, !less));
    let parts: Vec<String> = [
        (Metric::StaffCost, "employed staff"),
        (Metric::AgencyCost, "agency cover"),
        (Metric::RecruitmentCost, "hiring"),
        (Metric::ManagerTimeCost, "managers' consultation time"),
    ]
    .iter()
    .map(|(m, words)| format!("{words} {}", money(d(*m).mean)))
    .collect();
    let mut text = format!(
        "{a} costs {} a year {} than {b} (95% CI {} to {}), for {} {} child-days at risk a year (95% CI {} to {}). \
         The difference in money: {}.",
        money(cost.mean.abs()),
        if more { "more" } else { "less" },
        money(c_lo),
        money(c_hi),
        num(days.mean.abs()),
        if less { "fewer" } else { "more" },
        num(d_lo),
        num(d_hi),
        parts.join(", ")
    );
    if more && less && days.mean != 0.0 {
        text.push_str(&format!(
            " Each child-day at risk avoided costs about {} under {a}.",
            money(cost.mean / -days.mean)
        ));
    } else if !more && !less {
        text.push_str(&format!(
            " Under {b} each child-day at risk avoided costs about {}.",
            money(-cost.mean / days.mean)
        ));
    } else if !more && less {
        text.push_str(&format!(" {a} is both cheaper and safer here (it dominates)."));
    } else {
        text.push_str(&format!(" {b} is both cheaper and safer here (it dominates)."));
    }
    text
}

/// Keys shown in the report's scenario table.
const KEY_PARAMETERS: &[&str] = &[
    key::run::warmup_years,
    key::run::horizon_years,
    key::casework::caseload_cap,
    key::casework::manageable_caseload,
    key::managers::consult_hours_per_day,
    key::managers::minutes_per_consult,
    key::workforce::leave_rate_permanent,
    key::workforce::newly_qualified_share,
    key::workforce::time_to_hire_days_mean,
    key::workforce::agency_cover_share,
    key::judgement::combine,
    key::judgement::drift_share,
    key::judgement::lone_rating_shift,
    key::judgement::shared_rating_shift,
    key::judgement::manager_weight,
    key::judgement::manager_info_penalty,
    key::casework::pacing,
    key::workforce::lone_decision_leave_effect,
];

fn value_text(v: &Value) -> String {
    match v {
        Value::Int(i) => i.to_string(),
        Value::Num(x) => exact(*x),
        Value::Nums(xs) => xs.iter().map(|x| exact(*x)).collect::<Vec<_>>().join(", "),
        Value::Text(s) => s.clone(),
        Value::Texts(ss) => ss.join(", "),
    }
}

/// The report as HTML.
/// The report; `extra` is a section placed before the table of every outcome (a run of
/// several authorities has one).
pub fn render(s: &Scenario, data: &RunData, charts: &[Made], dir: &Path, extra: &str) -> Result<String> {
    let mut h = String::new();
    let reps = data.values(0, "turnover_pct").len();
    let authorities: Vec<String> = s
        .authorities
        .iter()
        .map(|a| {
            format!(
                "{} ({} teams of {}, {} new referrals a year)",
                a.name,
                a.teams,
                a.posts_per_team,
                exact(a.new_referrals_per_year)
            )
        })
        .collect();
    let _ = write!(
        h,
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>caseload: {name}</title>
<style>
body {{ font-family: "DejaVu Sans", Arial, sans-serif; max-width: 1040px; margin: 2em auto; padding: 0 1em; color: #1a1a1a; line-height: 1.45; }}
h1 {{ font-size: 1.7em; margin-bottom: 0.2em; }} h2 {{ margin-top: 1.8em; border-bottom: 1px solid #ccc; }}
table {{ border-collapse: collapse; font-size: 0.86em; }} td, th {{ border-bottom: 1px solid #e2e2e2; padding: 3px 8px; text-align: left; }}
td.n {{ text-align: right; font-variant-numeric: tabular-nums; }}
figure {{ margin: 1.5em 0; }} figure img {{ max-width: 100%; border: 1px solid #ddd; }} figcaption {{ font-size: 0.9em; color: #444; }}
.headline li {{ margin: 0.4em 0; }} .muted {{ color: #555; font-size: 0.9em; }}
</style></head><body>
<h1>Who decides how fast an assessment happens?</h1>
<p class="muted">caseload report · scenario <b>{name}</b> · {reps} replications per rule · seed {seed} · rules: {rules}</p>
<h2>The question</h2>
<p>England's <i>Working Together to Safeguard Children</i> asked that the timescale of a child's assessment be decided
"by the social worker in discussion with their manager". A proposed change deletes "in discussion with their manager".
This report compares, on the same referrals, the same people and the same chance events, how each decision rule changes
delay, the quality of decisions, how long high-risk children wait beyond what their risk needs, and the workforce.</p>
<p>{description}</p>
<p>Authorities: {authorities}.</p>
"#,
        name = esc(&s.run.name),
        seed = s.run.seed,
        rules = esc(&data.rules.join(", ")),
        description = esc(&s.run.description),
        authorities = esc(&authorities.join("; ")),
    );
    if let [a, b, ..] = data.rules.as_slice() {
        let _ = writeln!(
            h,
            "<h2>The headline</h2>\n<p>Paired differences, <b>{}</b> minus <b>{}</b>, over {reps} replications:</p>\n<ul class=\"headline\">",
            esc(a),
            esc(b)
        );
        for name in HEADLINE {
            if let Some(m) = metric(name) {
                let _ = writeln!(h, "<li>{}</li>", esc(&sentence(a, b, m, &data.difference(0, 1, name))));
            }
        }
        h.push_str("</ul>\n");
        let cost = cost_words(a, b, data);
        if !cost.is_empty() {
            let _ = writeln!(
                h,
                "<h3>What it costs</h3>\n<p>{}</p>\n<p class=\"muted\">At the scenario's prices (the <code>costs</code> section, GBP at 2024 prices): salaries and on-costs by experience, agency charges, hiring and a manager's hour. The model puts no price on a child-day at risk; a reader weighs the two.</p>",
                esc(&cost)
            );
        }
        h.push_str(
            "<p class=\"muted\">These intervals are Monte-Carlo only: they say how sure the comparison is given this \
             scenario's values, and shrink as replications grow. They say nothing of the assumed parameters, which no \
             published figure fixes. How likely each difference is across what the evidence leaves open, what carries \
             it, and what you would have to believe for it to be high risk: <code>caseload uncertainty SCENARIO</code> \
             (its own report).</p>\n",
        );
    }
    h.push_str("<h2>Charts</h2>\n");
    for c in charts {
        let png =
            std::fs::read(dir.join(format!("{}.png", c.name))).with_context(|| format!("reading {}.png", c.name))?;
        let _ = writeln!(
            h,
            "<figure><img alt=\"{t}\" src=\"data:image/png;base64,{b}\"><figcaption><b>{t}.</b> {c}</figcaption></figure>",
            t = esc(&c.title),
            b = base64(&png),
            c = esc(&c.caption)
        );
    }
    // A scenario of one authority that sets its own values shows that authority's; one of
    // several shows the scenario-wide values and says each may set its own.
    let (shown, whose) = match s.parts() {
        [one] => (
            one,
            format!("{}'s values (its own where it sets them, the scenario's otherwise)", one.authorities[0].name),
        ),
        [] => (s, String::new()),
        many => (s, format!("the scenario-wide values; each of the {} authorities may set its own", many.len())),
    };
    h.push_str("<h2>The scenario's key parameters</h2>\n");
    if !whose.is_empty() {
        let _ = writeln!(h, "<p>{}.</p>", capital(&esc(&whose)));
    }
    h.push_str("<table><tr><th>parameter</th><th>value</th><th>unit</th><th>source</th></tr>\n");
    let all = describe(shown);
    let wide = describe(s);
    let row = |h: &mut String, p: &params::Param, v: &Value| {
        // An authority's own value is not the source's figure: say where it is set.
        let own = !std::ptr::eq(shown, s) && wide.iter().any(|(q, w)| q.path() == p.path() && w != v);
        let _ = writeln!(
            h,
            "<tr><td>{} <code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(p.label),
            p.path(),
            esc(&value_text(v)),
            esc(p.unit),
            if own { "the authority's own value (see manifest.toml)".to_string() } else { esc(p.source) }
        );
    };
    for key in KEY_PARAMETERS {
        if let Some((p, v)) = all.iter().find(|(p, _)| p.path() == *key) {
            row(&mut h, p, v);
        }
    }
    h.push_str("</table>\n<p class=\"muted\">Every parameter, with its value, is in <code>manifest.toml</code> beside this report.</p>\n");
    h.push_str("<h2>What rests on assumptions</h2>\n<p>No published figure supports these parameters. Results that depend on them — above all the differences between rules in rating accuracy, drift, quality and the exposure effect on leaving — hold only for the values used here, and should be read with a sensitivity analysis across their plausible range.</p>\n<table><tr><th>parameter</th><th>value</th><th>unit</th><th>note</th></tr>\n");
    for (p, v) in all.iter().filter(|(p, _)| p.is_assumption()) {
        row(&mut h, p, v);
    }
    h.push_str("</table>\n");
    h.push_str(extra);
    h.push_str("<h2>Every outcome</h2>\n<p>Mean [95% CI] over replications; the last column is the paired difference of the first two rules.</p>\n<table><tr><th>outcome</th><th>unit</th>");
    for r in &data.rules {
        let _ = write!(h, "<th>{}</th>", esc(r));
    }
    if data.rules.len() >= 2 {
        h.push_str("<th>difference</th>");
    }
    h.push_str("</tr>\n");
    let cell = |x: &Summary| {
        if x.lo.is_finite() { format!("{} [{}, {}]", num(x.mean), num(x.lo), num(x.hi)) } else { num(x.mean) }
    };
    for m in Metric::ALL {
        let _ = write!(h, "<tr><td>{}</td><td>{}</td>", esc(m.label()), esc(m.unit()));
        for i in 0..data.rules.len() {
            let _ = write!(h, "<td class=\"n\">{}</td>", cell(&data.summary(i, m.name())));
        }
        if data.rules.len() >= 2 {
            let _ = write!(h, "<td class=\"n\">{}</td>", cell(&data.difference(0, 1, m.name())));
        }
        h.push_str("</tr>\n");
    }
    let _ = write!(
        h,
        "</table>\n<p class=\"muted\">Tables for R, Python or a spreadsheet: runs.parquet / runs.csv (one row per rule and replication), monthly.parquet, completion_days.parquet, summary.csv. The model is described in docs/ODD.md. {} parameters in all; caseload {}.</p>\n",
        params::PARAMS.len(),
        env!("CARGO_PKG_VERSION")
    );
    h.push_str(&crate::output::run::checklist::appendix(s, data, dir));
    h.push_str(LOAD_CHECK);
    h.push_str("</body></html>\n");
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_headline_reads_as_a_sentence() {
        let d = Summary { n: 200, mean: 3.1, sd: 1.0, lo: 2.4, hi: 3.8 };
        assert_eq!(
            sentence("practitioner_only", "manager_shared", Metric::LateDaysPerHighRisk, &d),
            "Days late per high/immediate-risk referral: higher under practitioner_only than under manager_shared by 3.10 working days (95% CI 2.40 to 3.80)."
        );
        // Lower: the interval is of the amount lower, on the same side as the number.
        let d = Summary { n: 200, mean: -3.27, sd: 1.0, lo: -3.38, hi: -3.17 };
        assert_eq!(
            sentence("practitioner_only", "manager_shared", Metric::UnderRatedHigh, &d),
            "Under-rated, true tier high: lower under practitioner_only than under manager_shared by 3.27 percentage points (95% CI 3.17 to 3.38)."
        );
    }
}

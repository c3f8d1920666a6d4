//! What finding out is worth, for England and each authority, from a history's reference
//! table (`caseload history --abc N`): each draw from the priors gives the change's
//! incremental cost and child-days at risk a year (the wording as it became over the
//! wording as it was, from the switch year on), which are priced at each value a reader
//! may place on a child-day at risk avoided (`uncertainty::value`): the share of draws in
//! which the change is preferred, the expected value of perfect information (EVPI) and of
//! perfect information about each unknown (EVPPI, Strong and Oakley's regression).
//! Writes `value.csv` (tidy: place, code, value, measure, result) and gives the words.
//!
//! Each draw is one replication, so its differences carry that replication's own noise:
//! the EVPI counts the noise as if it were uncertainty (an upper bound, most for a small
//! authority); the regression behind each EVPPI averages it away.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Result;

use crate::abc::{Draw, Unknown};
use crate::format::money;
use crate::output::write_atomic;
use crate::uncertainty::value::{Plane, VALUES, acceptability, evpi, evppi};

/// One place's pricing: at each of [`VALUES`], the share of draws preferring the change,
/// the EVPI and each unknown's EVPPI (GBP a year).
pub struct Priced {
    pub name: String,
    pub code: String,
    pub rows: Vec<(f64, f64, f64, Vec<f64>)>,
}

fn price(name: &str, code: &str, plane: &Plane, unknowns: &[Vec<f64>]) -> Priced {
    let rows = VALUES
        .iter()
        .map(|&v| {
            let inb = plane.net_benefit(v);
            let partial: Vec<f64> = unknowns
                .iter()
                .map(|x| {
                    let xs = vec![plane.draw.iter().map(|&d| x[d]).collect::<Vec<f64>>()];
                    evppi(&inb, &xs)
                })
                .collect();
            (v, acceptability(&inb), evpi(&inb), partial)
        })
        .collect();
    Priced { name: name.to_string(), code: code.to_string(), rows }
}

/// England (when every authority ran) and each authority, priced over the draws.
pub fn priced(draws: &[Draw], unknowns: &[Unknown], places: &[(String, String)], england: bool) -> Vec<Priced> {
    let values: Vec<Vec<f64>> =
        measurable(unknowns).into_iter().map(|u| draws.iter().map(|d| d.values[u]).collect()).collect();
    let mut out = Vec::new();
    if england {
        let diffs: Vec<&[f64]> = draws.iter().map(|d| d.england.as_slice()).collect();
        out.push(price("England", "E92000001", &Plane::of(&diffs), &values));
    }
    for (a, (name, code)) in places.iter().enumerate() {
        let (mut cost, mut days, mut draw) = (Vec::new(), Vec::new(), Vec::new());
        for (i, d) in draws.iter().enumerate() {
            let (c, e) = d.places[a];
            if c.is_finite() && e.is_finite() {
                cost.push(c);
                days.push(e);
                draw.push(i);
            }
        }
        out.push(price(name, code, &Plane { cost, days, draw }, &values));
    }
    out
}

/// The unknowns a study could measure, by index: all but the nuisance year effect, which
/// only shifts a statistic of the record and changes no run (its EVPPI would be noise).
fn measurable(unknowns: &[Unknown]) -> Vec<usize> {
    (0..unknowns.len()).filter(|&u| unknowns[u].name != crate::abc::YEAR_EFFECT).collect()
}

/// `value.csv`, and the answer in words at £100 and £1,000 a child-day.
pub fn write(dir: &Path, priced: &[Priced], unknowns: &[Unknown], draws: usize) -> Result<String> {
    let unknowns: Vec<&Unknown> = measurable(unknowns).into_iter().map(|u| &unknowns[u]).collect();
    let mut csv = String::from("place,code,value_per_child_day_gbp,measure,result\n");
    for p in priced {
        for (v, accept, whole, partial) in &p.rows {
            let name = p.name.replace(',', " ");
            let _ = writeln!(csv, "{name},{},{v},share_of_draws_preferring_the_change,{accept}", p.code);
            let _ = writeln!(csv, "{name},{},{v},evpi_gbp_a_year,{whole}", p.code);
            for (u, x) in unknowns.iter().zip(partial) {
                let _ = writeln!(csv, "{name},{},{v},evppi_gbp_a_year:{},{x}", p.code, u.name);
            }
        }
    }
    write_atomic(&dir.join("value.csv"), csv.as_bytes())?;

    let mut w = String::new();
    let _ = writeln!(
        w,
        "What finding out would be worth (over the {draws} draws from the priors; the change is the wording as it became over the wording as it was; value.csv):"
    );
    let at = |p: &Priced, v: f64| p.rows.iter().find(|r| r.0 == v).cloned();
    for v in [100.0, 1000.0] {
        let Some(first) = priced.first() else { break };
        let Some((_, accept, whole, partial)) = at(first, v) else { continue };
        let mut ranked: Vec<(usize, f64)> =
            partial.iter().copied().enumerate().filter(|(_, x)| x.is_finite()).collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let best: Vec<String> =
            ranked.iter().take(3).map(|&(u, x)| format!("{} at most {}", unknowns[u].name, money(x))).collect();
        let _ = writeln!(
            w,
            "- at {} a child-day at risk avoided, {}: the change is preferred in {:.0}% of draws; perfect information is worth at most {} a year (EVPI, an upper bound: it counts one replication's noise); a study that measured {} a year.",
            money(v),
            first.name,
            100.0 * accept,
            money(whole),
            if best.is_empty() { "nothing".to_string() } else { best.join(", ") }
        );
    }
    let mut by_place: Vec<(&str, f64)> = priced
        .iter()
        .filter(|p| p.code != "E92000001")
        .filter_map(|p| {
            at(p, 100.0).map(|r| (p.name.as_str(), r.3.iter().copied().filter(|x| x.is_finite()).fold(0.0, f64::max)))
        })
        .collect();
    by_place.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    if !by_place.is_empty() {
        let top: Vec<String> = by_place.iter().take(5).map(|(n, x)| format!("{n} ({})", money(*x))).collect();
        let _ = writeln!(
            w,
            "- where one measured unknown is worth most, at {} a child-day (the largest EVPPI of any one unknown): {}.",
            money(100.0),
            top.join("; ")
        );
    }
    Ok(w)
}

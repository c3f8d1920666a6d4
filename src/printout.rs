//! What the commands print to the terminal: the comparison table of `caseload run` (each
//! metric per rule with its 95% CI, and the paired difference between the first two rules)
//! and the aligned columns other commands share.

use std::fmt::Write;

use crate::experiment::Results;
pub use crate::format::num;
use crate::model::Metric;
use crate::stats::Summary;

/// A summary as `mean [low, high]`, the mean alone without an interval, `-` for nothing.
pub fn cell(s: &Summary) -> String {
    if s.n == 0 {
        "-".to_string()
    } else if !s.lo.is_finite() {
        num(s.mean)
    } else {
        format!("{} [{}, {}]", num(s.mean), num(s.lo), num(s.hi))
    }
}

/// The whole table as text. Holds no timings or paths: the same seed prints the same bytes.
pub fn render(name: &str, r: &Results) -> String {
    let rules: Vec<String> = r.plan.rules.iter().map(|x| x.name()).collect();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "scenario {name}: {} replications, seed {}; mean [95% CI] over replications",
        r.plan.replications, r.plan.seed
    );
    let mut header = vec!["metric".to_string(), "unit".to_string()];
    header.extend(rules.iter().cloned());
    if rules.len() >= 2 {
        header.push(format!("{} - {} (paired)", rules[0], rules[1]));
    }
    let mut rows = vec![header];
    for &m in Metric::ALL {
        let mut row = vec![m.name().to_string(), m.unit().to_string()];
        for i in 0..rules.len() {
            row.push(cell(&r.summary(i, m)));
        }
        if rules.len() >= 2 {
            row.push(cell(&r.difference(0, 1, m)));
        }
        rows.push(row);
    }
    out.push_str(&aligned(&rows));
    out
}

/// Rows of cells as text, each column as wide as its widest cell, two spaces apart.
pub fn aligned(rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    let widths: Vec<usize> = (0..rows.first().map_or(0, Vec::len))
        .map(|c| rows.iter().map(|row| row[c].chars().count()).max().unwrap_or(0))
        .collect();
    for row in rows {
        let line: Vec<String> = row.iter().zip(&widths).map(|(v, w)| format!("{v:<w$}")).collect();
        let _ = writeln!(out, "{}", line.join("  ").trim_end());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::num;

    #[test]
    fn numbers_keep_three_significant_digits_when_small() {
        assert_eq!(num(1234.4), "1234");
        assert_eq!(num(12.345), "12.3");
        assert_eq!(num(1.2345), "1.23");
        assert_eq!(num(0.0), "0.00");
        assert_eq!(num(-0.00213), "-0.00213");
        assert_eq!(num(0.0123), "0.0123");
        assert_eq!(num(f64::NAN), "-");
    }
}

//! What the commands print to the terminal: the comparison table of `caseload run` (each
//! metric per rule with its 95% CI, and the paired difference between the first two rules)
//! and the aligned columns other commands share.

use std::fmt::Write;

use crate::experiment::Results;
pub use crate::format::num;
use crate::model::Metric;
use crate::stats::Summary;

/// A summary as `mean [low, high]` at one precision, the mean alone without an
/// interval, `-` for nothing.
pub fn cell(s: &Summary) -> String {
    if s.n == 0 {
        "-".to_string()
    } else if !s.lo.is_finite() {
        num(s.mean)
    } else {
        crate::format::interval(s.mean, s.lo, s.hi)
    }
}

/// The widest line a terminal table prints.
pub const WIDTH: usize = 100;

/// The whole table as text, within [`WIDTH`] columns: each rule's mean (its interval is
/// in `summary.csv` and `--csv`), then the paired difference of the first two rules with
/// its 95% CI; rules are lettered A, B, ... in a key above the table. Holds no timings or
/// paths: the same seed prints the same bytes.
pub fn render(name: &str, r: &Results) -> String {
    let rules: Vec<String> = r.plan.rules.iter().map(|x| x.name()).collect();
    let letters: Vec<String> = (0..rules.len()).map(|i| char::from(b'A' + (i % 26) as u8).to_string()).collect();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "scenario {name}: {} replications, seed {}; means, and A - B paired, with its 95% CI",
        r.plan.replications, r.plan.seed
    );
    let key: Vec<String> = letters.iter().zip(&rules).map(|(l, r)| format!("{l} = {r}")).collect();
    let _ = writeln!(out, "{}", key.join(", "));
    let mut header = vec!["metric".to_string(), "unit".to_string()];
    header.extend(letters.iter().cloned());
    if rules.len() >= 2 {
        header.push("A - B [95% CI]".to_string());
    }
    let mut rows = vec![header];
    for &m in Metric::ALL {
        let mut row = vec![m.name().to_string(), m.unit().to_string()];
        for i in 0..rules.len() {
            let s = r.summary(i, m);
            row.push(if s.n == 0 { "-".to_string() } else { num(s.mean) });
        }
        if rules.len() >= 2 {
            row.push(cell(&r.difference(0, 1, m)));
        }
        rows.push(row);
    }
    if rules.len() < 2 {
        out.push_str(&aligned_gap(&rows, 1));
        return out;
    }
    // The difference comes last; a row it would push past WIDTH carries it on a line of
    // its own, right-aligned, below.
    let (front, last): (Vec<Vec<String>>, Vec<String>) =
        rows.into_iter().map(|mut r| (r.drain(..r.len() - 1).collect(), r.pop().unwrap_or_default())).unzip();
    let front = aligned_gap(&front, 1);
    let w = front.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    for (line, d) in front.lines().zip(&last) {
        if w + 1 + d.chars().count() <= WIDTH {
            let _ = writeln!(out, "{line:<w$} {d}");
        } else {
            let _ = writeln!(out, "{line}\n{d:>WIDTH$}");
        }
    }
    out
}

/// The table of [`render`] as CSV, every rule's mean and interval with full names.
pub fn render_csv(r: &Results) -> String {
    let rules: Vec<String> = r.plan.rules.iter().map(|x| x.name()).collect();
    let mut out = String::from("metric,unit,of,replications,mean,ci_low,ci_high\n");
    for &m in Metric::ALL {
        let mut line = |of: &str, s: &Summary| {
            let _ = writeln!(out, "{},{},{of},{},{},{},{}", m.name(), m.unit(), s.n, s.mean, s.lo, s.hi);
        };
        for (i, rule) in rules.iter().enumerate() {
            line(rule, &r.summary(i, m));
        }
        if rules.len() >= 2 {
            line(&format!("{} - {}", rules[0], rules[1]), &r.difference(0, 1, m));
        }
    }
    out
}

/// `text` wrapped at [`WIDTH`] columns, each line after the first
/// indented by `indent` spaces.
pub fn wrap(text: &str, indent: usize) -> String {
    let mut out = String::new();
    let lead = text.len() - text.trim_start().len();
    let mut line = " ".repeat(lead);
    for word in text.split_whitespace() {
        if !line.trim().is_empty() && line.chars().count() + 1 + word.chars().count() > WIDTH {
            out.push_str(&line);
            out.push('\n');
            line = " ".repeat(indent);
        } else if !line.trim().is_empty() && !line.ends_with(' ') {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(&line);
    out.push('\n');
    out
}

/// Rows of cells as text, each column as wide as its widest cell, two spaces apart.
pub fn aligned(rows: &[Vec<String>]) -> String {
    aligned_gap(rows, 2)
}

/// [`aligned`] with `gap` spaces between columns.
pub fn aligned_gap(rows: &[Vec<String>], gap: usize) -> String {
    let sep = " ".repeat(gap);
    let mut out = String::new();
    let widths: Vec<usize> = (0..rows.first().map_or(0, Vec::len))
        .map(|c| rows.iter().map(|row| row[c].chars().count()).max().unwrap_or(0))
        .collect();
    for row in rows {
        let line: Vec<String> = row.iter().zip(&widths).map(|(v, w)| format!("{v:<w$}")).collect();
        let _ = writeln!(out, "{}", line.join(&sep).trim_end());
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

//! The tables of a run as plain data: what the summary, charts and report are made from.
//! Built by reading the written tables back, so `caseload chart DIR` draws exactly what a
//! run drew.

use std::collections::BTreeMap;

use crate::stats::{Summary, paired};

/// The columns of `monthly.parquet` after rule, replication and month.
pub const MONTHLY_SERIES: &[&str] = &[
    "referrals",
    "completed",
    "within_limit_to_date_pct",
    "open_assessments",
    "unallocated",
    "caseload_mean",
    "headcount",
    "vacancies",
    "agency",
    "leavers",
    "under_two_years_pct",
    "consult_queue",
];

/// Everything read back from a run's tables.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunData {
    /// Rules in the order of the plan.
    pub rules: Vec<String>,
    /// Metric name to values, `[rule][replication]`.
    pub metrics: BTreeMap<String, Vec<Vec<f64>>>,
    /// Monthly series name to values, `[rule][replication][month]`.
    pub monthly: BTreeMap<String, Vec<Vec<Vec<f64>>>>,
    /// Completed assessments by working days from referral, summed over replications,
    /// `[rule][days]`.
    pub completion_days: Vec<Vec<u64>>,
}

/// One row of `summary.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRow {
    /// `rule` for one rule's values, `difference` for a paired difference.
    pub kind: &'static str,
    /// The rule, or `a - b` for a difference.
    pub rule: String,
    pub metric: String,
    pub summary: Summary,
}

impl RunData {
    pub fn rule_index(&self, rule: &str) -> Option<usize> {
        self.rules.iter().position(|r| r == rule)
    }

    /// One metric's values for one rule, in replication order.
    pub fn values(&self, rule: usize, metric: &str) -> &[f64] {
        self.metrics.get(metric).map_or(&[], |v| &v[rule])
    }

    pub fn summary(&self, rule: usize, metric: &str) -> Summary {
        Summary::of(self.values(rule, metric).iter().copied())
    }

    /// The paired difference `rule a - rule b`.
    pub fn difference(&self, a: usize, b: usize, metric: &str) -> Summary {
        paired(self.values(a, metric), self.values(b, metric))
    }

    /// Per rule and metric, then per pair of rules (first minus later), in metric order.
    pub fn summary_rows(&self, metric_order: &[&str]) -> Vec<SummaryRow> {
        let mut rows = Vec::new();
        for (i, rule) in self.rules.iter().enumerate() {
            for m in metric_order {
                rows.push(SummaryRow {
                    kind: "rule",
                    rule: rule.clone(),
                    metric: m.to_string(),
                    summary: self.summary(i, m),
                });
            }
        }
        for a in 0..self.rules.len() {
            for b in a + 1..self.rules.len() {
                for m in metric_order {
                    rows.push(SummaryRow {
                        kind: "difference",
                        rule: format!("{} - {}", self.rules[a], self.rules[b]),
                        metric: m.to_string(),
                        summary: self.difference(a, b, m),
                    });
                }
            }
        }
        rows
    }

    /// A monthly series across replications, month by month, for one rule.
    pub fn monthly_summary(&self, rule: usize, series: &str) -> Vec<Summary> {
        let Some(reps) = self.monthly.get(series).map(|v| &v[rule]) else { return Vec::new() };
        let months = reps.iter().map(Vec::len).max().unwrap_or(0);
        (0..months).map(|m| Summary::of(reps.iter().filter_map(|r| r.get(m).copied()))).collect()
    }
}

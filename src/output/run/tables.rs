//! A run's records become data frames and files (Parquet, CSV), and the files are read
//! back, checked against the manifest, as `RunData`; the case log's spill parts and their
//! merge into `cases.parquet`.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result, bail};
use polars::prelude::*;

use crate::experiment::{CaseSink, Plan, Results};
use crate::model::{CaseRecord, Kind, Metric, MonthRecord, Tier, month_of};
use crate::output::run::data::{MONTHLY_SERIES, RunData, SummaryRow};
use crate::output::table_file::{TableFile, write_csv, write_parquet, write_parquet_with};
use crate::scenario::Scenario;

/// Rows a case-log row group holds, and so the most cases the merge holds at once.
/// (A Parquet writer keeps a footer entry per row group, so fewer, larger groups also keep
/// the metadata it holds small.)
pub const CASE_ROWS_PER_GROUP: usize = 32_768;

/// `runs`: one row per (rule, replication), every metric.
pub fn runs_frame(r: &Results) -> Result<DataFrame> {
    let rules: Vec<String> = r.runs.iter().map(|o| o.rule.name()).collect();
    let reps: Vec<u32> = r.runs.iter().map(|o| o.replication as u32).collect();
    let mut cols = vec![Column::new("rule".into(), rules), Column::new("replication".into(), reps)];
    for &m in Metric::ALL {
        let v: Vec<f64> = r.runs.iter().map(|o| o.metrics.get(m)).collect();
        cols.push(Column::new(m.name().into(), v));
    }
    Ok(DataFrame::new_infer_height(cols)?)
}

/// `monthly`: one row per (rule, replication, month).
pub fn monthly_frame(r: &Results) -> Result<DataFrame> {
    let rows: Vec<(String, u32, &MonthRecord)> =
        r.runs.iter().flat_map(|o| o.months.iter().map(move |m| (o.rule.name(), o.replication as u32, m))).collect();
    let u = |f: fn(&MonthRecord) -> u32| rows.iter().map(|(_, _, m)| f(m)).collect::<Vec<u32>>();
    let x = |f: fn(&MonthRecord) -> f64| rows.iter().map(|(_, _, m)| f(m)).collect::<Vec<f64>>();
    let cols = vec![
        Column::new("rule".into(), rows.iter().map(|(r, _, _)| r.as_str()).collect::<Vec<_>>()),
        Column::new("replication".into(), rows.iter().map(|(_, i, _)| *i).collect::<Vec<_>>()),
        Column::new("month".into(), u(|m| m.month)),
        Column::new("referrals".into(), u(|m| m.referrals)),
        Column::new("completed".into(), u(|m| m.completed)),
        Column::new("within_limit_to_date_pct".into(), x(|m| m.within_limit_to_date_pct)),
        Column::new("open_assessments".into(), u(|m| m.open_assessments)),
        Column::new("unallocated".into(), u(|m| m.unallocated)),
        Column::new("caseload_mean".into(), x(|m| m.caseload_mean)),
        Column::new("headcount".into(), u(|m| m.headcount)),
        Column::new("vacancies".into(), u(|m| m.vacancies)),
        Column::new("agency".into(), u(|m| m.agency)),
        Column::new("leavers".into(), u(|m| m.leavers)),
        Column::new("under_two_years_pct".into(), x(|m| m.under_two_years_pct)),
        Column::new("consult_queue".into(), u(|m| m.consult_queue)),
    ];
    debug_assert_eq!(cols.len(), 3 + MONTHLY_SERIES.len());
    Ok(DataFrame::new_infer_height(cols)?)
}

/// `completion_days`: completed assessments by working days from referral, one row per
/// (rule, replication, days) with at least one.
pub fn completion_frame(r: &Results) -> Result<DataFrame> {
    let (mut rules, mut reps, mut days, mut counts) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for o in &r.runs {
        for (d, &n) in o.completion_days.iter().enumerate() {
            if n > 0 {
                rules.push(o.rule.name());
                reps.push(o.replication as u32);
                days.push(d as u32);
                counts.push(n);
            }
        }
    }
    Ok(DataFrame::new_infer_height(vec![
        Column::new("rule".into(), rules),
        Column::new("replication".into(), reps),
        Column::new("days".into(), days),
        Column::new("assessments".into(), counts),
    ])?)
}

/// `summary`: per rule and metric, then per pair of rules, mean, sd and 95% CI.
pub fn summary_frame(rows: &[SummaryRow]) -> Result<DataFrame> {
    let unit = |name: &str| Metric::ALL.iter().find(|m| m.name() == name).map_or("", |m| m.unit());
    Ok(DataFrame::new_infer_height(vec![
        Column::new("kind".into(), rows.iter().map(|r| r.kind).collect::<Vec<_>>()),
        Column::new("rule".into(), rows.iter().map(|r| r.rule.as_str()).collect::<Vec<_>>()),
        Column::new("metric".into(), rows.iter().map(|r| r.metric.as_str()).collect::<Vec<_>>()),
        Column::new("unit".into(), rows.iter().map(|r| unit(&r.metric)).collect::<Vec<_>>()),
        Column::new("replications".into(), rows.iter().map(|r| r.summary.n as u32).collect::<Vec<_>>()),
        Column::new("mean".into(), rows.iter().map(|r| r.summary.mean).collect::<Vec<_>>()),
        Column::new("sd".into(), rows.iter().map(|r| r.summary.sd).collect::<Vec<_>>()),
        Column::new("ci_low".into(), rows.iter().map(|r| r.summary.lo).collect::<Vec<_>>()),
        Column::new("ci_high".into(), rows.iter().map(|r| r.summary.hi).collect::<Vec<_>>()),
    ])?)
}

/// Writes the run tables into `dir`.
pub fn write_run_tables(dir: &Path, r: &Results, limit_days: u32) -> Result<()> {
    let mut runs = runs_frame(r)?;
    // The limit `within_limit_pct` and `within_limit_to_date_pct` count against.
    let meta = [("caseload.limit_days", limit_days.to_string())];
    write_parquet_with(&mut runs, &dir.join("runs.parquet"), &meta)?;
    write_parquet_with(&mut monthly_frame(r)?, &dir.join("monthly.parquet"), &meta)?;
    write_parquet(&mut completion_frame(r)?, &dir.join("completion_days.parquet"))?;
    Ok(())
}

pub fn write_summary(dir: &Path, rows: &[SummaryRow]) -> Result<()> {
    write_csv(&mut summary_frame(rows)?, &dir.join("summary.csv"))
}

/// Reads a run's tables back from `dir`, checked against `s`, the scenario of the folder's
/// manifest: a table edited, truncated or from another version is an error naming the
/// file, the row and the column, never a panic or a chart of something else.
pub fn read_run_data(dir: &Path, s: &Scenario) -> Result<RunData> {
    let plan = Plan::of(s);
    let rules: Vec<String> = plan.rules.iter().map(|r| r.name()).collect();
    let n = plan.replications as usize;
    let last_rep = n.saturating_sub(1) as u64;
    let whole = format!("the manifest's plan: {} rules x {n} replications", rules.len());
    let run = |i: usize| format!("rule {}, replication {}", rules[i / n], i % n);
    let n_runs = rules.len() * n;
    let mut data = RunData { rules: rules.clone(), ..RunData::default() };

    let runs = TableFile::read(&dir.join("runs.parquet"))?;
    let (rule_of_row, rep_of_row) = (runs.texts("rule")?, runs.whole("replication", last_rep)?);
    let found: Vec<String> =
        rule_of_row.iter().zip(&rep_of_row).map(|(r, i)| format!("rule {r}, replication {i}")).collect();
    runs.check_rows(&found, &(0..n_runs).map(run).collect::<Vec<_>>(), &whole)?;
    for m in Metric::ALL {
        let values = runs.numbers(m.name())?;
        data.metrics.insert(m.name().to_string(), values.chunks(n.max(1)).map(<[f64]>::to_vec).collect());
    }

    let monthly = TableFile::read(&dir.join("monthly.parquet"))?;
    let months = (0..s.run.horizon_days()).filter(|&d| month_of(d + 1) != month_of(d)).count();
    let (m_rules, m_reps) = (monthly.texts("rule")?, monthly.whole("replication", last_rep)?);
    let m_months = monthly.whole("month", months.saturating_sub(1) as u64)?;
    let found: Vec<String> = (0..monthly.height())
        .map(|i| format!("rule {}, replication {}, month {}", m_rules[i], m_reps[i], m_months[i]))
        .collect();
    let expected: Vec<String> =
        (0..n_runs * months).map(|i| format!("{}, month {}", run(i / months), i % months)).collect();
    monthly.check_rows(&found, &expected, &format!("{whole} x {months} months"))?;
    for series in MONTHLY_SERIES {
        let values = monthly.numbers(series)?;
        let per_run: Vec<Vec<f64>> = values.chunks(months.max(1)).map(<[f64]>::to_vec).collect();
        data.monthly.insert(series.to_string(), per_run.chunks(n.max(1)).map(<[Vec<f64>]>::to_vec).collect());
    }

    let completion = TableFile::read(&dir.join("completion_days.parquet"))?;
    let longest = u64::from(s.run.warmup_days() + s.run.horizon_days());
    let c_rules = completion.texts("rule")?;
    let c_reps = completion.whole("replication", last_rep)?;
    let c_days = completion.whole("days", longest)?;
    let c_n = completion.whole("assessments", u64::from(u32::MAX))?;
    data.completion_days = vec![Vec::new(); rules.len()];
    let mut previous = None;
    for row in 0..completion.height() {
        let Some(r) = rules.iter().position(|x| *x == c_rules[row]) else {
            return Err(completion.at(row, format!("rule {} is not in {whole}", c_rules[row])));
        };
        let key = (r, c_reps[row], c_days[row]);
        if previous.is_some_and(|p| p >= key) {
            return Err(completion.at(
                row,
                format!(
                    "rule {}, replication {}, days {} is out of order or repeated (rows follow {whole}, days increasing, each once)",
                    c_rules[row], c_reps[row], c_days[row]
                ),
            ));
        }
        previous = Some(key);
        let h = &mut data.completion_days[r];
        let d = c_days[row] as usize;
        if h.len() <= d {
            h.resize(d + 1, 0);
        }
        h[d] += c_n[row];
    }
    Ok(data)
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Permanent => "permanent",
        Kind::NewlyQualified => "newly_qualified",
        Kind::Agency => "agency",
    }
}

fn cases_frame(rule: &str, replication: u32, rows: &[CaseRecord], authority: Option<Vec<&str>>) -> Result<DataFrame> {
    let col_u32 =
        |name: &str, f: fn(&CaseRecord) -> u32| Column::new(name.into(), rows.iter().map(f).collect::<Vec<u32>>());
    let col_bool =
        |name: &str, f: fn(&CaseRecord) -> bool| Column::new(name.into(), rows.iter().map(f).collect::<Vec<bool>>());
    let col_f64 =
        |name: &str, f: fn(&CaseRecord) -> f64| Column::new(name.into(), rows.iter().map(f).collect::<Vec<f64>>());
    let col_str = |name: &str, f: fn(&CaseRecord) -> &'static str| {
        Column::new(name.into(), rows.iter().map(f).collect::<Vec<&str>>())
    };
    let mut columns = vec![
        Column::new("rule".into(), vec![rule; rows.len()]),
        Column::new("replication".into(), vec![replication; rows.len()]),
    ];
    columns.extend(authority.map(|codes| Column::new("authority_code".into(), codes)));
    columns.extend([
        Column::new("case_key".into(), rows.iter().map(|c| c.key).collect::<Vec<u64>>()),
        col_bool("is_rereferral", |c| c.is_rereferral),
        col_u32("arrival_day", |c| c.arrival_day),
        col_str("true_tier", |c| c.true_tier.name()),
        col_str("decided_tier", |c| c.decided_tier.name()),
        col_bool("shared", |c| c.shared),
        col_u32("days_to_decision", |c| c.days_to_decision),
        col_u32("days_to_start", |c| c.days_to_start),
        col_u32("days_to_completion", |c| c.days_to_completion),
        col_f64("quality", |c| c.quality),
        col_bool("missed", |c| c.missed),
        col_f64("child_days_at_risk", |c| c.risk_days),
        col_f64("worker_years", |c| c.worker_years),
        col_str("worker_kind", |c| kind_name(c.worker_kind)),
    ]);
    Ok(DataFrame::new_infer_height(columns)?)
}

/// Bytes one case record takes in a spill part, with its part's number.
const RECORD_BYTES: usize = 54;

fn encode(part: u16, c: &CaseRecord, out: &mut Vec<u8>) {
    out.extend_from_slice(&c.key.to_le_bytes());
    for v in [c.arrival_day, c.days_to_decision, c.days_to_start, c.days_to_completion] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&c.quality.to_le_bytes());
    out.extend_from_slice(&c.worker_years.to_le_bytes());
    out.extend_from_slice(&c.risk_days.to_le_bytes());
    let flags = u8::from(c.is_rereferral) | u8::from(c.shared) << 1 | u8::from(c.missed) << 2;
    let kind = match c.worker_kind {
        Kind::Permanent => 0,
        Kind::NewlyQualified => 1,
        Kind::Agency => 2,
    };
    out.extend_from_slice(&[flags, c.true_tier as u8, c.decided_tier as u8, kind]);
    out.extend_from_slice(&part.to_le_bytes());
}

/// A record and its part's number.
fn decode(b: &[u8]) -> (u16, CaseRecord) {
    let u32_at = |i: usize| u32::from_le_bytes(b[i..i + 4].try_into().expect("4 bytes"));
    let f64_at = |i: usize| f64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"));
    let c = CaseRecord {
        key: u64::from_le_bytes(b[0..8].try_into().expect("8 bytes")),
        arrival_day: u32_at(8),
        days_to_decision: u32_at(12),
        days_to_start: u32_at(16),
        days_to_completion: u32_at(20),
        quality: f64_at(24),
        worker_years: f64_at(32),
        risk_days: f64_at(40),
        is_rereferral: b[48] & 1 != 0,
        shared: b[48] & 2 != 0,
        missed: b[48] & 4 != 0,
        true_tier: Tier::ALL[b[49] as usize],
        decided_tier: Tier::ALL[b[50] as usize],
        worker_kind: [Kind::Permanent, Kind::NewlyQualified, Kind::Agency][b[51] as usize],
    };
    (u16::from_le_bytes([b[52], b[53]]), c)
}

/// Spills one run's case log, as it comes, to its own part file of fixed-width records:
/// the run holds no more than one batch.
pub struct CasePart {
    file: Option<std::io::BufWriter<File>>,
    path: PathBuf,
    bytes: Vec<u8>,
    error: Arc<Mutex<Option<String>>>,
}

impl CasePart {
    pub fn new(path: PathBuf, error: Arc<Mutex<Option<String>>>) -> CasePart {
        CasePart { file: None, path, bytes: Vec::new(), error }
    }

    fn fail(&self, e: impl std::fmt::Display) {
        let mut slot = self.error.lock().expect("error slot");
        slot.get_or_insert_with(|| format!("{}: {e}", self.path.display()));
    }

    fn try_write(&mut self, part: usize, batch: &[CaseRecord]) -> std::io::Result<()> {
        if self.file.is_none() {
            self.file = Some(std::io::BufWriter::new(File::create(&self.path)?));
        }
        self.bytes.clear();
        // At most 400 authorities, so a part's number fits (the scenario checks it).
        let part = u16::try_from(part).expect("fewer than 65,536 parts");
        for c in batch {
            encode(part, c, &mut self.bytes);
        }
        self.file.as_mut().expect("opened").write_all(&self.bytes)
    }
}

impl CaseSink for CasePart {
    fn write(&mut self, part: usize, batch: &[CaseRecord]) {
        if let Err(e) = self.try_write(part, batch) {
            self.fail(e);
        }
    }

    fn finish(mut self: Box<Self>) {
        let r = self.try_write(0, &[]).and_then(|_| self.file.as_mut().expect("opened").flush());
        if let Err(e) = r {
            self.fail(e);
        }
    }
}

/// Joins the case-log parts, in plan order, into one Parquet file, a row group of
/// [`CASE_ROWS_PER_GROUP`] cases at a time, removing each part once copied: memory holds
/// one row group, whatever the horizon. `parts` names each spill's rule and replication;
/// `codes`, when the run has several authorities, names each authority by its part's
/// number, written in an `authority_code` column.
pub fn merge_case_parts(parts: &[(PathBuf, String, u32)], codes: &[String], out: &Path) -> Result<()> {
    let mut file = Some(File::create(out).with_context(|| format!("creating {}", out.display()))?);
    // The same rows as CSV beside it, a row group at a time, the header once.
    let csv_path = out.with_extension("csv");
    let mut csv =
        std::io::BufWriter::new(File::create(&csv_path).with_context(|| format!("creating {}", csv_path.display()))?);
    let mut csv_header = true;
    let mut writer: Option<polars::io::parquet::write::BatchedWriter<File>> = None;
    let mut buf = vec![0u8; RECORD_BYTES * CASE_ROWS_PER_GROUP];
    let mut rows = Vec::with_capacity(CASE_ROWS_PER_GROUP);
    let mut in_part = Vec::with_capacity(CASE_ROWS_PER_GROUP);
    for (part, rule, replication) in parts {
        let mut f = std::io::BufReader::new(File::open(part).with_context(|| format!("opening {}", part.display()))?);
        loop {
            let mut filled = 0;
            while filled < buf.len() {
                match f.read(&mut buf[filled..])? {
                    0 => break,
                    n => filled += n,
                }
            }
            if filled % RECORD_BYTES != 0 {
                bail!("{} ends in a partial record: the case log was cut short", part.display());
            }
            rows.clear();
            in_part.clear();
            for (part, c) in buf[..filled].chunks_exact(RECORD_BYTES).map(decode) {
                in_part.push(part);
                rows.push(c);
            }
            let authority = if codes.is_empty() {
                None
            } else {
                let code = |p: &u16| codes.get(usize::from(*p)).map(String::as_str);
                Some(
                    in_part
                        .iter()
                        .map(code)
                        .collect::<Option<Vec<&str>>>()
                        .with_context(|| format!("{} names an authority the run does not have", part.display()))?,
                )
            };
            // The first part gives the file its schema even when it holds no cases.
            if !rows.is_empty() || writer.is_none() {
                let mut df = cases_frame(rule, *replication, &rows, authority)?;
                if writer.is_none() {
                    let f = file.take().expect("the output file");
                    writer = Some(ParquetWriter::new(f).set_parallel(false).batched(df.schema())?);
                }
                if df.height() > 0 || csv_header {
                    CsvWriter::new(&mut csv)
                        .include_header(csv_header)
                        .finish(&mut df)
                        .map_err(|e| anyhow::anyhow!("writing {}: {e}", csv_path.display()))?;
                    csv_header = false;
                }
                if df.height() > 0 {
                    df.rechunk_mut();
                    writer.as_mut().expect("opened").write_batch(&df)?;
                }
            }
            if filled < buf.len() {
                break;
            }
        }
        std::fs::remove_file(part).with_context(|| format!("removing {}", part.display()))?;
    }
    if let Some(w) = writer.as_mut() {
        w.finish()?;
    }
    std::io::Write::flush(&mut csv).with_context(|| format!("writing {}", csv_path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_records_survive_the_spill_format() {
        let c = CaseRecord {
            key: 1 << 62 | 12345,
            is_rereferral: true,
            arrival_day: 700,
            true_tier: Tier::High,
            decided_tier: Tier::Medium,
            shared: false,
            days_to_decision: 1,
            days_to_start: 3,
            days_to_completion: 47,
            quality: 0.8712,
            missed: true,
            worker_years: 1.25,
            worker_kind: Kind::NewlyQualified,
            risk_days: 2.5,
        };
        let mut bytes = Vec::new();
        encode(301, &c, &mut bytes);
        assert_eq!(bytes.len(), RECORD_BYTES);
        assert_eq!(decode(&bytes), (301, c));
    }
}

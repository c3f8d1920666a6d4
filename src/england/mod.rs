//! England, authority by authority: the scenario `caseload england` writes, with one
//! `[[authority]]` for each local authority in the DfE's figures of a year, each with its
//! own establishment, referrals and rates. Pure: the two published files are compiled in
//! (so the command works from any folder), the base scenario is handed in, and the
//! scenario's text comes back; the command line reads the base and writes the file.
//!
//! From the workforce file (CSWW, year to 30 September) and the referral file (CIN table
//! C1, year to 31 March) of the same `time_period`, each authority gets: posts =
//! `case_holders_fte / (1 - vacancy_rate_fte / 100)`, in teams of the base's
//! `posts_per_team` (rounded, at least one); `new_referrals_per_year` = `referral_count *
//! (1 - rereferral_percent / 100)`, rounded; and its own values of five keys, the base's
//! national calibration scaled by the authority's figure over England's:
//! `workforce.leave_rate_permanent` by turnover, `workforce.time_to_hire_days_mean` by the
//! years a post stays vacant, `v / (1 - v) / turnover` with `v` the vacancy rate,
//! `workforce.agency_cover_share` on the odds by the agency rate,
//! `casework.direct_work_share` by referrals a case holder (at least the base's, at most
//! 0.95), and `casework.ongoing_days_mean` by caseload; each rounded to 4 significant
//! figures and kept in the key's allowed range. `caseload england --fit` then fits all five
//! to the authority's turnover, vacancy, agency rate and caseload.
//!
//! A figure the DfE does not give (`x`, `c`, `z`, `u`, `..`, an empty field: anything but
//! a number or `low`) or an implausible one is the region's (England's when the region's
//! is not usable either), and a comment above the authority says so; `low` (rounds to 0
//! but is not 0) is read as 0. A missing count (case holders, referrals) is the other
//! count times the region's ratio of the two. Implausible figures: turnover below 2% or
//! above 60%; a vacancy or agency rate above 60%; an agency rate of 0% with under 50 FTE
//! in post; a caseload below 5 or above 40; any of those four with under 5 FTE in post;
//! re-referrals above 60%; no case holders or no referrals.
//!
//! Authorities in only one file (boundary changes and joint returns) are left out, and the
//! header names them; an authority whose code differs between the files while its old
//! code and name agree is matched (Barnsley and Sheffield in 2025).

mod authority;
mod csv;
mod figures;
mod fit;
pub mod history;

use crate::scenario::key;
use std::path::Path;

use crate::scenario::{Scenario, ScenarioError, Value, annotate, nearest, params};
use authority::{Calibration, significant};
pub use csv::{Csv, CsvError};
use figures::{Indicator, Place, REFERRALS_FILE, WORKFORCE_FILE, Year};
pub use figures::{REFERRALS_CSV, WORKFORCE_CSV, press, years};
pub use fit::{
    OUT_OF_SAMPLE, OWN_FREE, OWN_TARGETS, OutOfSample, check_report, fit_text, out_of_sample, own_targets, read_fit,
    rule_in_force, with_fits, within_own,
};

/// When a published figure is implausible, in the words of the module doc (a test checks
/// they agree) and of the written file's header.
pub const IMPLAUSIBLE: &str = "turnover below 2% or above 60%; a vacancy or agency rate above 60%; an agency rate of 0% with under 50 FTE in post; a caseload below 5 or above 40; any of those four with under 5 FTE in post; re-referrals above 60%; no case holders or no referrals";

/// Replications a rule in the written scenario (or the base's, if fewer): a scenario of
/// every authority is large.
pub const REPLICATIONS: i64 = 20;

/// The bundled scenario whose scenario-wide values a year's authorities start from: the
/// 2025 calibration for 2022 on, the 2017 one before.
pub fn default_base(year: u32) -> &'static str {
    if year >= 2022 { "scenarios/england_2025.toml" } else { "scenarios/england_2017.toml" }
}

/// The text of [`default_base`] as compiled in, for a folder that has no `scenarios/`.
pub fn default_base_text(year: u32) -> &'static str {
    if year >= 2022 {
        include_str!("../../scenarios/england_2025.toml")
    } else {
        include_str!("../../scenarios/england_2017.toml")
    }
}

/// What `caseload england` is asked for.
pub struct Request<'a> {
    /// The `time_period` of both files.
    pub year: u32,
    /// Names or codes (new or old) of the authorities to keep; each may list several,
    /// separated by commas. Empty: every authority.
    pub only: &'a [String],
    /// The scenario whose scenario-wide values the authorities start from.
    pub base: &'a Scenario,
    /// The base as the header names it (its path).
    pub base_name: &'a str,
}

/// An authority's published rates as used (its own, or its region's where the DfE gives
/// none or an implausible one).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figures {
    pub turnover: f64,
    pub vacancy: f64,
    pub agency: f64,
    pub caseload: f64,
    pub rereferrals: f64,
}

/// The written scenario and what went into it.
#[derive(Debug)]
pub struct England {
    /// The scenario file's text, every key under its comment.
    pub text: String,
    /// The same, validated.
    pub scenario: Scenario,
    /// Authorities written.
    pub authorities: usize,
    /// Authorities whose figure fell back to their region's (or England's), by the DfE's
    /// column name, in [`Indicator::FALLING_BACK`] order.
    pub fallbacks: Vec<(&'static str, usize)>,
    /// Own values kept inside their key's allowed range.
    pub clamped: usize,
    /// Authorities in one file only, left out: name, which file ("the workforce file"), code.
    pub left_out: Vec<(String, &'static str, String)>,
    /// Each authority written, in order: its figures as used, and which of them fell back
    /// to its region's (by the DfE's column name).
    pub figures: Vec<(Figures, Vec<&'static str>)>,
}

/// Why `caseload england` could not write a scenario.
#[derive(Debug, thiserror::Error)]
pub enum EnglandError {
    #[error("{file}: {source}")]
    Csv { file: &'static str, source: CsvError },
    #[error("{file}: {message}")]
    Data { file: &'static str, message: String },
    #[error("no DfE figures for {year} in both files; both hold {}", span(years))]
    NoYear { year: u32, years: Vec<u32> },
    #[error("no authority named or coded \"{name}\" in {year}; did you mean {}?", or_list(&quoted(nearest)))]
    UnknownAuthority { name: String, year: u32, nearest: Vec<String> },
    #[error("{name} is only in {file} in {year} (a boundary change or a joint return), so it is left out")]
    LeftOut { name: String, file: &'static str, year: u32 },
    #[error("the written scenario does not validate: a bug in caseload england, please report it")]
    Invalid(#[source] ScenarioError),
}

fn span(years: &[u32]) -> String {
    match (years.first(), years.last()) {
        (Some(a), Some(b)) => format!("{a} to {b}"),
        _ => "no year".to_string(),
    }
}

fn quoted(names: &[String]) -> Vec<String> {
    names.iter().map(|n| format!("`{n}`")).collect()
}

fn or_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The authorities `only` names, in the file's order; all of them when it is empty.
fn pick<'y>(
    year: u32,
    all: &'y [Place],
    left_out: &[(String, &'static str, String)],
    only: &[String],
) -> Result<Vec<&'y Place>, EnglandError> {
    if only.is_empty() {
        return Ok(all.iter().collect());
    }
    let is = |p: &Place, term: &str| {
        p.name.eq_ignore_ascii_case(term)
            || p.code.eq_ignore_ascii_case(term)
            || p.referral_code.as_deref().is_some_and(|c| c.eq_ignore_ascii_case(term))
            || p.old_code == term
    };
    let mut keep = vec![false; all.len()];
    for arg in only {
        // Comma-separated, but "Bristol, City of" is one name: at each piece, the most
        // pieces that together name an authority.
        let pieces: Vec<&str> = arg.split(',').collect();
        let mut i = 0;
        while i < pieces.len() {
            let named = (i + 1..=pieces.len()).rev().find_map(|j| {
                let term = pieces[i..j].join(",");
                let hits: Vec<usize> = (0..all.len()).filter(|&k| is(&all[k], term.trim())).collect();
                (!hits.is_empty()).then_some((j, hits))
            });
            if let Some((j, hits)) = named {
                hits.into_iter().for_each(|k| keep[k] = true);
                i = j;
                continue;
            }
            let term = pieces[i].trim();
            if term.is_empty() {
                i += 1;
                continue;
            }
            if let Some((name, file, _)) =
                left_out.iter().find(|(n, _, c)| n.eq_ignore_ascii_case(term) || c.eq_ignore_ascii_case(term))
            {
                return Err(EnglandError::LeftOut { name: name.clone(), file, year });
            }
            return Err(EnglandError::UnknownAuthority { name: term.to_string(), year, nearest: hints(term, all) });
        }
    }
    Ok(all.iter().zip(keep).filter(|(_, k)| *k).map(|(p, _)| p).collect())
}

/// Three names for "did you mean": those that hold `term` first, then the nearest.
fn hints(term: &str, all: &[Place]) -> Vec<String> {
    let names: Vec<&str> = all.iter().map(|p| p.name.as_str()).collect();
    let lower = term.to_lowercase();
    let mut out: Vec<&str> = names.iter().copied().filter(|n| n.to_lowercase().contains(&lower)).take(3).collect();
    for n in nearest(term, &names, 3) {
        if out.len() < 3 && !out.contains(&n) {
            out.push(n);
        }
    }
    out.into_iter().map(str::to_string).collect()
}

/// Comment lines of `text` wrapped at 90 columns.
fn comment(text: &str) -> String {
    let mut out = String::new();
    let mut line = String::from("#");
    for word in text.split(' ') {
        if line.len() + 1 + word.len() > 90 && line != "#" {
            out.push_str(&line);
            out.push('\n');
            line = String::from("#");
        }
        line.push(' ');
        line.push_str(word);
    }
    out.push_str(&line);
    out.push('\n');
    out
}

/// The file's opening comments: what it is, its sources, how each value is worked out, the
/// rule for implausible figures and who is left out.
fn header(
    req: &Request<'_>,
    year: &Year,
    n: usize,
    replications: i64,
    posts_per_team: u32,
) -> Result<String, EnglandError> {
    let y = req.year;
    let mut command = format!("caseload england --year {y}");
    if req.base_name != default_base(y) {
        command.push_str(&format!(" --base {}", req.base_name));
    }
    for a in req.only {
        command.push_str(&format!(" --authority \"{a}\""));
    }
    let kept = if req.only.is_empty() {
        String::new()
    } else {
        format!(" Chosen by --authority: {n} of the {} authorities.", year.authorities.len())
    };
    let pct =
        |i: Indicator| -> Result<String, EnglandError> { Ok(format!("{}%", crate::format::exact(year.national(i)?))) };
    let vacant = significant(
        authority::vacant_years(year.national(Indicator::Vacancy)?, year.national(Indicator::Turnover)?),
        4,
    );
    let paragraphs = [
        format!(
            "caseload scenario: England in {y}, authority by authority, written by `{command}`: {n} local {} \
             its own establishment, referrals and rates.{kept}",
            if n == 1 { "authority, with" } else { "authorities, each with" }
        ),
        format!(
            "Sources, the same time_period ({y}) of both: the DfE's children's social work workforce indicators \
             (CSWW, {WORKFORCE_FILE}), year to 30 September {y}, and children in need table C1, referrals and \
             re-referrals ({REFERRALS_FILE}), year to 31 March {y}; see data/dfe/README.md. Contains public \
             sector information licensed under the Open Government Licence v3.0."
        ),
        format!(
            "Scenario-wide values: those of {}, its rules among them, with this scenario's name and \
             description and {replications} replications a rule. Their comments give the parameter table's \
             sources; the base's own comments say which of its values were fitted.",
            req.base_name
        ),
        format!(
            "Each authority: posts = case_holders_fte / (1 - vacancy_rate_fte/100), in teams of \
             {posts_per_team} (rounded, at least one); new_referrals_per_year = referral_count x (1 - \
             rereferral_percent/100), rounded. Its own values: the base's national calibration x the \
             authority's figure / England's: workforce.leave_rate_permanent by turnover_rate_fte (England {}); \
             workforce.time_to_hire_days_mean by the years a post stays vacant, v/(1-v)/turnover with v the \
             vacancy_rate_fte (England {} and {}: {} years); workforce.agency_cover_share on the odds by \
             agency_rate_fte (England {}); casework.direct_work_share by referrals a case holder (England {}), \
             at least the base's, at most 0.95; casework.ongoing_days_mean by caseload_fte (England {}). Each \
             rounded to 4 significant figures and kept within the key's allowed range (a comment above the \
             authority says where). These are starting values: `caseload england --fit` fits all five to the \
             authority's own turnover, vacancy and agency rates and caseload, and marks each value it fits.",
            pct(Indicator::Turnover)?,
            pct(Indicator::Vacancy)?,
            pct(Indicator::Turnover)?,
            crate::format::exact(vacant),
            pct(Indicator::Agency)?,
            crate::format::exact(significant(
                year.national(Indicator::Referrals)? / year.national(Indicator::CaseHolders)?,
                4
            )),
            crate::format::exact(year.national(Indicator::Caseload)?),
        ),
        format!(
            "A figure the DfE does not give (x, c, z, u, .. or an empty field) or an implausible one is the \
             region's (England's if the region's is not usable either), and a comment above the authority \
             says so; low (rounds to 0 but is not 0) is read as 0; a missing count is the other count times \
             the region's ratio of the two. Implausible: {IMPLAUSIBLE}."
        ),
    ];
    let mut text = paragraphs.iter().map(|p| comment(p)).collect::<Vec<_>>().join("#\n");
    if !year.left_out.is_empty() {
        let list: Vec<String> =
            year.left_out.iter().map(|(name, file, code)| format!("{name} ({code}, {file})")).collect();
        text.push_str("#\n");
        text.push_str(&comment(&format!(
            "Left out, in one file only (boundary changes and joint returns): {}.",
            list.join("; ")
        )));
    }
    Ok(text)
}

/// One authority's `[[authority]]` table, with its notes above it and a comment on how
/// each of its values was worked out.
fn table(w: &authority::Written, y: u32) -> String {
    let quote = |s: &str| Value::Text(s.to_string()).to_toml();
    let p = &w.place;
    let mut text = String::new();
    for note in &w.notes {
        text.push_str(&format!("# {note}\n"));
    }
    text.push_str("[[authority]]\n");
    text.push_str(&format!("name = {}\n", quote(&p.name)));
    text.push_str(&format!("code = {}\n", quote(&p.code)));
    text.push_str(&format!("old_code = {}\n", quote(&p.old_code)));
    text.push_str(&format!("region = {}\n", quote(&p.region)));
    text.push_str(&format!("# {}'s: {}.\n", p.name, w.posts));
    text.push_str(&format!("teams = {}\n", w.teams));
    text.push_str(&format!("posts_per_team = {}\n", w.posts_per_team));
    text.push_str(&format!("# {}'s: {}.\n", p.name, w.referrals));
    text.push_str(&format!("new_referrals_per_year = {}\n", crate::format::exact(w.new_referrals)));
    for (path, value, how) in &w.own {
        let param = params::find_path(path).expect("an authority's own key is a parameter");
        text.push_str(&format!("# {}: {}; allowed {}.\n", param.label, param.unit, param.allowed()));
        text.push_str(&format!("# Source: {}'s own, DfE CSWW {y}: {how}.\n", p.name));
        text.push_str(&format!("{path} = {}\n", crate::format::exact(*value)));
    }
    text.push('\n');
    text
}

/// The scenario of England's authorities in `year`: the base's scenario-wide values (with
/// its rules, a new name and description and modest replications) and an `[[authority]]`
/// for each authority, every key under its comment, checked as a file is.
pub fn scenario(req: &Request<'_>) -> Result<England, EnglandError> {
    let year = Year::of(req.year)?;
    let picked = pick(req.year, &year.authorities, &year.left_out, req.only)?;
    let b = req.base;
    let base = Calibration {
        leave_rate: b.workforce.leave_rate_permanent,
        time_to_hire: b.workforce.time_to_hire_days_mean,
        agency_cover: b.workforce.agency_cover_share,
        ongoing_days: b.casework.ongoing_days_mean,
        direct_work: b.casework.direct_work_share,
        posts_per_team: b.authorities.first().map_or(6, |a| a.posts_per_team),
    };
    let mut written = Vec::new();
    for a in &picked {
        let n_in_region = year.authorities.iter().filter(|p| p.region == a.region).count();
        written.push(authority::of(a, &year, &base, n_in_region)?);
    }

    let y = req.year;
    let n = written.len();
    let (name, description) = match written.as_slice() {
        [one] if !req.only.is_empty() => (
            format!(
                "{}_{y}",
                one.place
                    .name
                    .to_lowercase()
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .collect::<Vec<_>>()
                    .join("_")
            ),
            format!("{} in {y}, from DfE CSWW and CIN figures", one.place.name),
        ),
        _ => (
            format!("england_{y}_authorities"),
            format!("England in {y}, authority by authority ({n} authorities), from DfE CSWW and CIN figures"),
        ),
    };
    let replications = i64::from(b.run.replications).min(REPLICATIONS);
    let wide = b
        .with_sweep(None)
        .with_uncertainty(None)
        .with_all_from(
            &[
                (key::run::name, Value::Text(name)),
                (key::run::description, Value::Text(description)),
                (key::run::replications, Value::Int(replications)),
            ],
            "caseload england",
        )
        .map_err(EnglandError::Invalid)?;

    let mut text = header(req, &year, n, replications, base.posts_per_team)?;
    text.push('\n');
    text.push_str(&wide.sections_toml());
    for w in &written {
        text.push_str(&table(w, y));
    }
    let text = annotate::annotate(&text);
    let scenario = Scenario::from_toml(&text, Path::new("caseload england")).map_err(EnglandError::Invalid)?;

    let fallbacks = Indicator::FALLING_BACK
        .iter()
        .map(|i| (i.column(), written.iter().filter(|w| w.fell_back.contains(i)).count()))
        .collect();
    Ok(England {
        text,
        scenario,
        authorities: n,
        fallbacks,
        clamped: written.iter().map(|w| w.clamped).sum(),
        left_out: year.left_out,
        figures: written.iter().map(|w| (w.figures, w.fell_back.iter().map(|i| i.column()).collect())).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_module_doc_states_the_rule_the_header_writes() {
        let doc: Vec<&str> = include_str!("mod.rs")
            .lines()
            .take_while(|l| l.starts_with("//!"))
            .map(|l| l.trim_start_matches("//!").trim())
            .collect();
        let doc = doc.join(" ");
        assert!(doc.contains(&format!("Implausible figures: {IMPLAUSIBLE}.")), "the module doc and IMPLAUSIBLE differ");
    }
}

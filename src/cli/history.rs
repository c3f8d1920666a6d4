//! `caseload history`: England's authorities from a first year to a last, as they lived it
//! and as they would have without the 2018 wording, beside the DfE's published figures.

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;

use super::{Say, print};
use crate::england::history::{self as eh, Request};
use crate::history::{self, Results};
use crate::model::Rule;
use crate::output::{self, Staging};
use crate::scenario::Scenario;

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// An authorities scenario written by `caseload england` (each authority's own values
    /// are those of --base-year)
    #[arg(default_value = "scenarios/england_2025_authorities.toml")]
    pub scenario: PathBuf,
    /// The DfE year the scenario's authorities were written (and fitted) for
    #[arg(long, default_value_t = 2025)]
    pub base_year: u32,
    /// First model year (the DfE's year to 31 March)
    #[arg(long, default_value_t = 2014)]
    pub from: u32,
    /// Last model year
    #[arg(long, default_value_t = 2025)]
    pub to: u32,
    /// The model year in which the new wording took effect (Working Together 2018, 4 July
    /// 2018: the year to 31 March 2019)
    #[arg(long, default_value_t = eh::SWITCH_YEAR)]
    pub switch_year: u32,
    /// The working day of that year (0 to 249) on which it took effect
    #[arg(long, default_value_t = eh::SWITCH_DAY)]
    pub switch_day: u32,
    /// The share of authorities whose practice changed (0 to 1)
    #[arg(long, default_value_t = 1.0)]
    pub share_changed: f64,
    /// Working days from the wording to the change in practice
    #[arg(long, default_value_t = 0)]
    pub lag_days: u32,
    /// Keep only these authorities, by name or code (repeat, or separate with commas)
    #[arg(long = "authority", value_name = "NAME|CODE")]
    pub authorities: Vec<String>,
    /// Replications of each arm
    #[arg(long, short = 'n', default_value_t = 8)]
    pub replications: u32,
    /// Draws from the priors for what the record says about the mechanisms (approximate
    /// Bayesian computation; 0: none). Each runs every authority's history and
    /// counterfactual once
    #[arg(long, default_value_t = 0)]
    pub abc: usize,
    /// The share of draws nearest the record that make the posterior
    #[arg(long, default_value_t = 0.2)]
    pub accept: f64,
    /// Master seed (default: the scenario's)
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (0: one per core); results do not depend on it
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Output folder (default: output/<scenario name>_history)
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the output folder if it exists
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub quiet: super::QuietArgs,
}

pub(super) fn run(a: HistoryArgs) -> Result<()> {
    let say = Say::new(&a.quiet);
    if !(0.0..=1.0).contains(&a.share_changed) {
        bail!("--share-changed is {}; allowed: 0 to 1", a.share_changed);
    }
    if a.switch_day >= crate::scenario::DAYS_PER_YEAR {
        bail!("--switch-day is {}; allowed: 0 to {}", a.switch_day, crate::scenario::DAYS_PER_YEAR - 1);
    }
    if !(a.accept > 0.0 && a.accept <= 1.0) {
        bail!("--accept is {}; allowed: above 0, at most 1", a.accept);
    }
    if a.replications == 0 {
        bail!("--replications is 0; allowed: 1 or more");
    }
    let s = Scenario::load(&a.scenario)?;
    let seed = a.seed.unwrap_or(s.run.seed);
    let dir = a.out.clone().unwrap_or_else(|| super::default_out(&s, "history"));
    let staging = Staging::begin(&output::Options { dir, force: a.force, case_log: false })?;
    let req = Request {
        base: &s,
        base_year: a.base_year,
        from: a.from,
        to: a.to,
        switch_year: a.switch_year,
        switch_day: a.switch_day,
        share_changed: a.share_changed,
        lag_days: a.lag_days,
        seed,
        before: Rule::ManagerShared,
        after: Rule::PractitionerOnly,
    };
    let mut all = eh::histories(&req)?;
    let complete = a.authorities.is_empty();
    let all_codes: Vec<String> = all.iter().map(|h| h.code.clone()).collect();
    if !complete {
        let wanted: Vec<String> =
            a.authorities.iter().flat_map(|x| x.split(',')).map(|x| x.trim().to_lowercase()).collect();
        for w in &wanted {
            if !all.iter().any(|h| h.name.to_lowercase() == *w || h.code.to_lowercase() == *w) {
                bail!("no authority named or coded \"{w}\" in {}", a.scenario.display());
            }
        }
        all.retain(|h| wanted.contains(&h.name.to_lowercase()) || wanted.contains(&h.code.to_lowercase()));
    }
    let record = eh::record(&s)?;
    let tasks = 2 * a.replications as usize;
    let bar = say.progress(tasks);
    let runs = history::run_tasks(&all, req.before, seed, 0..tasks, a.threads, &|done| bar.update(done));
    bar.finish();
    let results = Results { first_year: a.from, runs };
    let keep: Vec<usize> = if complete {
        Vec::new()
    } else {
        all.iter().map(|h| all_codes.iter().position(|c| *c == h.code).unwrap_or(0)).collect()
    };
    let abc = if a.abc > 0 {
        let unknowns = crate::abc::unknowns(&s);
        let bar = say.progress(a.abc + 2);
        let draws = crate::abc::run(&req, &unknowns, a.abc, &keep, a.threads, &|done| bar.update(done))?;
        let planted = [0.3, 0.0]
            .into_iter()
            .map(|v| Ok((v, crate::abc::planted(&req, &unknowns, v, &keep)?)))
            .collect::<Result<Vec<_>, crate::england::EnglandError>>()?;
        bar.finish();
        let published = crate::abc::Published {
            record: &record,
            codes: all.iter().map(|h| h.code.clone()).collect(),
            first_year: a.from,
        };
        let data = crate::abc::statistics(&published, all.len(), a.from, results.years(), a.switch_year);
        Some((unknowns, draws, data, planted))
    } else {
        None
    };
    let analysis = abc.as_ref().map(|(unknowns, draws, data, planted)| output::history::abc::Analysis {
        unknowns,
        draws,
        data: data.clone(),
        accept: a.accept,
        planted: planted.clone(),
    });
    let study = output::history::Study {
        request: &req,
        scenario_file: &a.scenario,
        histories: &all,
        record: &record,
        complete,
    };
    let (dir, words) = output::history::write(staging, &study, &results, analysis.as_ref())?;
    print(&words)?;
    say.note(format!("history written to {}", dir.display()));
    Ok(())
}

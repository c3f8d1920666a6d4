//! `caseload history`: England's authorities from a first year to a last, as they lived it
//! and as they would have without the 2018 wording, beside the DfE's published figures;
//! cut into shards (`--shard K/N`, combined by `caseload merge`) and resumable (`--resume`).

use std::ops::Range;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Args;

use super::{Say, print};
use crate::abc::{self, Unknown};
use crate::england::history::{self as eh, AuthorityHistory, Record, Request};
use crate::history::{Replication, Results, Task, TaskKind, n_tasks, task_kind};
use crate::model::Rule;
use crate::output::history::tasks::{KeptTasks, Shape, read_shard, shard_text};
use crate::output::{self, Staging, write_atomic};
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
    /// Authorities drawn as small multiples, a panel each (by name or code; repeat, or
    /// separate with commas; default: those of --authority, when at most 16)
    #[arg(long = "panel", value_name = "NAME|CODE")]
    pub panels: Vec<String>,
    /// Replications of each arm
    #[arg(long, short = 'n', default_value_t = 8)]
    pub replications: u32,
    /// Draws from the priors for what the record says about the mechanisms (approximate
    /// Bayesian computation; 0: none). Each runs every authority's history and
    /// counterfactual once (about 6 s a draw for England on 2 cores)
    #[arg(long, default_value_t = 100)]
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
    /// Replace the output folder if it exists (and drop an interrupted run's kept tasks)
    #[arg(long)]
    pub force: bool,
    /// Run only slice K of N of the tasks (replications, draws), for `caseload merge`
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Continue an interrupted history (or shard) from the tasks it kept
    #[arg(long)]
    pub resume: bool,
    #[command(flatten)]
    pub quiet: super::QuietArgs,
}

/// What a history was asked: everything but where it is written and how, so that the
/// shards of one history agree and a merge can run it again (`history.toml`).
#[derive(Debug, Clone, PartialEq)]
struct Asked {
    scenario: PathBuf,
    base_year: u32,
    from: u32,
    to: u32,
    switch_year: u32,
    switch_day: u32,
    share_changed: f64,
    lag_days: u32,
    authorities: Vec<String>,
    panels: Vec<String>,
    replications: u32,
    abc: usize,
    accept: f64,
    seed: u64,
}

impl Asked {
    fn of(a: &HistoryArgs, s: &Scenario) -> Result<Asked> {
        let asked = Asked {
            scenario: a.scenario.clone(),
            base_year: a.base_year,
            from: a.from,
            to: a.to,
            switch_year: a.switch_year,
            switch_day: a.switch_day,
            share_changed: a.share_changed,
            lag_days: a.lag_days,
            authorities: a.authorities.iter().flat_map(|x| x.split(',')).map(|x| x.trim().to_string()).collect(),
            panels: a.panels.iter().flat_map(|x| x.split(',')).map(|x| x.trim().to_string()).collect(),
            replications: a.replications,
            abc: a.abc,
            accept: a.accept,
            seed: a.seed.unwrap_or(s.run.seed),
        };
        asked.check()?;
        Ok(asked)
    }

    fn check(&self) -> Result<()> {
        if !(0.0..=1.0).contains(&self.share_changed) {
            bail!("--share-changed is {}; allowed: 0 to 1", self.share_changed);
        }
        if self.switch_day >= crate::scenario::DAYS_PER_YEAR {
            bail!("--switch-day is {}; allowed: 0 to {}", self.switch_day, crate::scenario::DAYS_PER_YEAR - 1);
        }
        if !(self.accept > 0.0 && self.accept <= 1.0) {
            bail!("--accept is {}; allowed: above 0, at most 1", self.accept);
        }
        if self.replications == 0 {
            bail!("--replications is 0; allowed: 1 or more");
        }
        Ok(())
    }

    fn to_toml(&self) -> String {
        let mut t = toml::Table::new();
        let int = |x: u64| toml::Value::Integer(x as i64);
        t.insert("scenario".into(), toml::Value::String(self.scenario.display().to_string()));
        for (k, v) in [
            ("base_year", self.base_year),
            ("from", self.from),
            ("to", self.to),
            ("switch_year", self.switch_year),
            ("switch_day", self.switch_day),
            ("lag_days", self.lag_days),
            ("replications", self.replications),
        ] {
            t.insert(k.into(), int(u64::from(v)));
        }
        t.insert("abc".into(), int(self.abc as u64));
        t.insert("share_changed".into(), toml::Value::Float(self.share_changed));
        t.insert("accept".into(), toml::Value::Float(self.accept));
        // A seed may be above what a TOML integer holds.
        t.insert("seed".into(), toml::Value::String(self.seed.to_string()));
        for (k, names) in [("authorities", &self.authorities), ("panels", &self.panels)] {
            t.insert(k.into(), toml::Value::Array(names.iter().map(|x| toml::Value::String(x.clone())).collect()));
        }
        format!("# What one caseload history was asked: every shard of it holds the same.\n{t}")
    }

    fn from_toml(text: &str, path: &Path) -> Result<Asked> {
        let t: toml::Table = text.parse().map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let field = |k: &str| t.get(k).with_context(|| format!("{}: no {k}", path.display()));
        let whole = |k: &str| -> Result<u32> {
            field(k)?
                .as_integer()
                .and_then(|v| u32::try_from(v).ok())
                .with_context(|| format!("{}: {k} is not a whole number 0 or more", path.display()))
        };
        let float = |k: &str| -> Result<f64> {
            field(k)?.as_float().with_context(|| format!("{}: {k} is not a number", path.display()))
        };
        let names = |k: &str| -> Result<Vec<String>> {
            field(k)?
                .as_array()
                .and_then(|xs| xs.iter().map(|x| x.as_str().map(str::to_string)).collect())
                .with_context(|| format!("{}: {k} is not a list of names", path.display()))
        };
        let asked = Asked {
            scenario: PathBuf::from(
                field("scenario")?.as_str().with_context(|| format!("{}: scenario is not text", path.display()))?,
            ),
            base_year: whole("base_year")?,
            from: whole("from")?,
            to: whole("to")?,
            switch_year: whole("switch_year")?,
            switch_day: whole("switch_day")?,
            share_changed: float("share_changed")?,
            lag_days: whole("lag_days")?,
            authorities: names("authorities")?,
            panels: names("panels")?,
            replications: whole("replications")?,
            abc: whole("abc")? as usize,
            accept: float("accept")?,
            seed: field("seed")?
                .as_str()
                .and_then(|x| x.parse().ok())
                .with_context(|| format!("{}: seed is not a whole number written as text", path.display()))?,
        };
        asked.check().with_context(|| format!("{}", path.display()))?;
        Ok(asked)
    }
}

/// A history ready to run: its request, the authorities kept, the record, the unknowns
/// and the reference table's points.
struct Job<'a> {
    asked: &'a Asked,
    req: Request<'a>,
    all: Vec<AuthorityHistory>,
    complete: bool,
    /// The kept authorities' places among all (empty: all of them).
    keep: Vec<usize>,
    /// The authorities (indices into `all`) drawn as small multiples.
    panels: Vec<usize>,
    record: Record,
    unknowns: Vec<Unknown>,
    points: Vec<Vec<f64>>,
}

impl<'a> Job<'a> {
    fn new(asked: &'a Asked, s: &'a Scenario) -> Result<Job<'a>> {
        let req = Request {
            base: s,
            base_year: asked.base_year,
            from: asked.from,
            to: asked.to,
            switch_year: asked.switch_year,
            switch_day: asked.switch_day,
            share_changed: asked.share_changed,
            lag_days: asked.lag_days,
            seed: asked.seed,
            before: Rule::ManagerShared,
            after: Rule::PractitionerOnly,
        };
        let mut all = eh::histories(&req)?;
        let complete = asked.authorities.is_empty();
        let all_codes: Vec<String> = all.iter().map(|h| h.code.clone()).collect();
        if !complete {
            let wanted: Vec<String> = asked.authorities.iter().map(|x| x.to_lowercase()).collect();
            for w in &wanted {
                if !all.iter().any(|h| h.name.to_lowercase() == *w || h.code.to_lowercase() == *w) {
                    bail!("no authority named or coded \"{w}\" in {}", asked.scenario.display());
                }
            }
            all.retain(|h| wanted.contains(&h.name.to_lowercase()) || wanted.contains(&h.code.to_lowercase()));
        }
        let keep = if complete {
            Vec::new()
        } else {
            all.iter().map(|h| all_codes.iter().position(|c| *c == h.code).unwrap_or(0)).collect()
        };
        let panels = if asked.panels.is_empty() {
            if !complete && all.len() <= 16 { (0..all.len()).collect() } else { Vec::new() }
        } else {
            let mut out = Vec::new();
            for w in asked.panels.iter().map(|x| x.to_lowercase()) {
                let at = all.iter().position(|h| h.name.to_lowercase() == w || h.code.to_lowercase() == w);
                match at {
                    Some(i) if !out.contains(&i) => out.push(i),
                    Some(_) => {}
                    None => bail!(
                        "--panel \"{w}\" is not an authority of this history (its authorities are those of --authority, or all of {})",
                        asked.scenario.display()
                    ),
                }
            }
            out
        };
        let record = eh::record(s)?;
        let unknowns = abc::unknowns(s);
        let points = abc::design(asked.abc, unknowns.len(), asked.seed);
        Ok(Job { asked, req, all, complete, keep, panels, record, unknowns, points })
    }

    fn n_tasks(&self) -> usize {
        n_tasks(self.asked.replications as usize, self.asked.abc)
    }

    fn kind(&self, t: usize) -> TaskKind {
        task_kind(t, self.asked.replications as usize, self.asked.abc)
    }

    fn shape(&self) -> Shape {
        let years = (self.asked.to + 1).saturating_sub(self.asked.from) as usize;
        Shape { authorities: self.all.len(), years, unknowns: self.unknowns.len() }
    }

    fn is_draw(&self, t: usize) -> bool {
        !matches!(self.kind(t), TaskKind::Arm(..))
    }

    /// Runs task `t`.
    fn run(&self, t: usize) -> Result<Task> {
        Ok(match self.kind(t) {
            TaskKind::Arm(arm, r) => {
                Task::Replication(crate::history::run_replication(&self.all, arm, self.req.before, self.asked.seed, r))
            }
            TaskKind::Draw(i) => {
                Task::Draw(abc::run_draw(&self.req, &self.unknowns, &self.points[i], &self.keep, i as u64)?)
            }
            TaskKind::Planted(v) => Task::Draw(abc::planted(&self.req, &self.unknowns, v, &self.keep)?),
        })
    }

    /// Runs the tasks of `range` not yet kept, keeping each as it ends, on `threads`
    /// threads; then reads every task of `range` back, in order.
    fn run_range(&self, range: Range<usize>, kept: &KeptTasks, threads: usize, say: &Say) -> Result<Vec<Task>> {
        let missing: Vec<usize> = range.clone().filter(|&t| !kept.has(t)).collect();
        let bar = say.progress(missing.len());
        let done = std::sync::atomic::AtomicUsize::new(0);
        let outcomes = crate::experiment::Pool::new(threads).map(0..missing.len(), &|i| -> Result<()> {
            if kept.stopped() {
                bail!("stopped as if interrupted (CASELOAD_STOP_AFTER_POINTS); continue with --resume");
            }
            let t = missing[i];
            kept.keep(t, &self.run(t)?)?;
            bar.update(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1);
            Ok(())
        });
        bar.finish();
        outcomes.into_iter().collect::<Result<Vec<()>>>()?;
        range.map(|t| kept.get(t, self.shape(), self.is_draw(t))).collect()
    }

    /// Writes the history's folder from every task's result, in task order.
    fn finish(&self, tasks: Vec<Task>, staging: Staging) -> Result<(PathBuf, String)> {
        let r = self.asked.replications as usize;
        let mut runs: Vec<Replication> = Vec::with_capacity(2 * r);
        let mut draws = Vec::new();
        for task in tasks {
            match task {
                Task::Replication(x) => runs.push(x),
                Task::Draw(d) => draws.push(d),
            }
        }
        let results = Results { first_year: self.asked.from, runs };
        let planted: Vec<(f64, abc::Draw)> = if self.asked.abc > 0 {
            let tail = draws.split_off(self.asked.abc);
            crate::history::PLANTED.into_iter().zip(tail).collect()
        } else {
            Vec::new()
        };
        let published = abc::Published {
            record: &self.record,
            codes: self.all.iter().map(|h| h.code.clone()).collect(),
            first_year: self.asked.from,
        };
        let data =
            abc::statistics(&published, self.all.len(), self.asked.from, results.years(), self.asked.switch_year);
        let analysis = (self.asked.abc > 0).then(|| output::history::abc::Analysis {
            unknowns: &self.unknowns,
            draws: &draws,
            data,
            accept: self.asked.accept,
            planted,
        });
        let study = output::history::Study {
            request: &self.req,
            scenario_file: &self.asked.scenario,
            histories: &self.all,
            record: &self.record,
            complete: self.complete,
            panels: self.panels.clone(),
        };
        output::history::write(staging, &study, &results, analysis.as_ref())
    }
}

/// What tells one history's kept tasks from another's.
fn identity(asked: &Asked, scenario_text: &str, shard: Option<(usize, usize)>) -> String {
    let shard = shard.map_or("# the whole history\n".to_string(), |(k, n)| format!("# shard {k} of {n}\n"));
    format!("{shard}{}\n{scenario_text}", asked.to_toml())
}

pub(super) fn run(a: HistoryArgs) -> Result<()> {
    let say = Say::new(&a.quiet);
    let s = Scenario::load(&a.scenario)?;
    let asked = Asked::of(&a, &s)?;
    let shard = a.shard.as_deref().map(crate::sweep::parse_shard).transpose()?;
    let dir = a.out.clone().unwrap_or_else(|| super::default_out(&s, "history"));
    let staging = Staging::begin(&output::Options { dir: dir.clone(), force: a.force, case_log: false })?;
    let job = Job::new(&asked, &s)?;
    let total = job.n_tasks();
    let range = shard.map_or(0..total, |(k, n)| crate::sweep::shard(total, k, n));
    let scenario_text = s.to_toml();
    let kept = KeptTasks::open(&dir, &identity(&asked, &scenario_text, shard), a.resume, a.force)?;
    say.note(format!(
        "history: {} authorities, {} to {}, {} tasks ({} replications of two arms, {} draws{}){}",
        job.all.len(),
        asked.from,
        asked.to,
        range.len(),
        asked.replications,
        asked.abc,
        if asked.abc > 0 { ", two planted answers" } else { "" },
        shard.map_or(String::new(), |(k, n)| format!(", shard {k} of {n} of {total}"))
    ));
    if let Some((n, where_)) = kept.resumed(&range) {
        say.note(format!("resuming: {n} of {} tasks kept in {}", range.len(), where_.display()));
    }
    let tasks = job.run_range(range.clone(), &kept, a.threads, &say)?;
    if let Some((k, n)) = shard {
        let dir = staging.commit_with(|path| {
            write_atomic(&path.join("history.toml"), asked.to_toml().as_bytes())?;
            write_atomic(&path.join("scenario.toml"), scenario_text.as_bytes())?;
            write_atomic(&path.join("tasks.txt"), shard_text(&range, &tasks).as_bytes())?;
            write_atomic(&path.join("shard.toml"), output::merge::shard_toml("history", k, n, &range, total).as_bytes())
        })?;
        kept.remove();
        say.note(format!("shard {k} of {n} written to {}; `caseload merge` combines the shards", dir.display()));
        return Ok(());
    }
    let (dir, words) = job.finish(tasks, staging)?;
    kept.remove();
    print(&words)?;
    say.note(format!("history written to {}", dir.display()));
    Ok(())
}

/// `caseload merge` of a history's shards: the folder one `caseload history` writes.
pub(super) fn merge(shards: &[output::merge::Shard], out: &Path, force: bool) -> Result<(PathBuf, String)> {
    let first = &shards[0].dir;
    let read = |d: &Path, name: &str| {
        std::fs::read_to_string(d.join(name)).with_context(|| format!("reading {}", d.join(name).display()))
    };
    let (asked_text, scenario_text) = (read(first, "history.toml")?, read(first, "scenario.toml")?);
    for sh in &shards[1..] {
        for (name, text) in [("history.toml", &asked_text), ("scenario.toml", &scenario_text)] {
            if read(&sh.dir, name)? != *text {
                bail!(
                    "{} and {} are shards of different histories (their {name} differ)",
                    first.display(),
                    sh.dir.display()
                );
            }
        }
    }
    let asked = Asked::from_toml(&asked_text, &first.join("history.toml"))?;
    let s = Scenario::from_toml(&scenario_text, &first.join("scenario.toml"))
        .context("the shards' scenario.toml is not a valid scenario")?;
    let job = Job::new(&asked, &s)?;
    output::merge::check_ranges(shards, job.n_tasks(), "this history")?;
    let mut tasks = Vec::with_capacity(job.n_tasks());
    for sh in shards {
        tasks.extend(read_shard(&sh.dir.join("tasks.txt"), &(sh.first..sh.end), job.shape(), &|t| job.is_draw(t))?);
    }
    let staging = Staging::begin(&output::Options { dir: out.to_path_buf(), force, case_log: false })?;
    job.finish(tasks, staging)
}

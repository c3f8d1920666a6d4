//! A history's finished tasks as text: each kept in `.<out>.progress/task-NNNNNN.txt` beside
//! the output folder until the history is written (so `caseload history --resume` continues
//! an interrupted one), and a shard's in its folder's `tasks.txt` for `caseload merge`.
//! Numbers are written in Rust's shortest form that reads back to the same bits, so a
//! merged or resumed history writes the same bytes as one run straight through.

use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result, bail};

use crate::abc::{Draw, STATISTICS};
use crate::history::{Replication, Task};
use crate::model::{Metric, Metrics};
use crate::output::{folder_name, write_atomic};

/// The shape every task of one history has: how many authorities and years a replication
/// holds, and how many unknowns a draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    pub authorities: usize,
    pub years: usize,
    pub unknowns: usize,
}

/// A task as text: a first line naming its kind, then one line a year of England
/// (`england<TAB>k<TAB>metrics...`) and of each authority (`a<TAB>k<TAB>...`), or a draw's
/// values, statistics and effects.
pub fn task_text(task: &Task) -> String {
    let mut out = String::new();
    let row = |out: &mut String, head: &str, xs: &[f64]| {
        out.push_str(head);
        for x in xs {
            let _ = write!(out, "\t{x}");
        }
        out.push('\n');
    };
    match task {
        Task::Replication(r) => {
            out.push_str("replication\n");
            for (k, m) in r.england.iter().enumerate() {
                row(&mut out, &format!("england\t{k}"), &m.0);
            }
            for (a, years) in r.authorities.iter().enumerate() {
                for (k, m) in years.iter().enumerate() {
                    row(&mut out, &format!("{a}\t{k}"), &m.0);
                }
            }
        }
        Task::Draw(d) => {
            out.push_str("draw\n");
            row(&mut out, "values", &d.values);
            row(&mut out, "statistics", &d.statistics);
            row(&mut out, "effects", &[d.child_days_at_risk, d.turnover, d.high_risk_late]);
            row(&mut out, "england", &d.england);
            row(&mut out, "places", &d.places.iter().flat_map(|&(c, e)| [c, e]).collect::<Vec<_>>());
        }
    }
    out
}

/// Reads a task written by [`task_text`] from `lines` (numbered from `first_line`, for
/// errors naming `file`), checking it has the shape `shape` gives and is of the kind
/// `draw` says.
pub fn read_task(text: &str, file: &Path, first_line: usize, shape: Shape, draw: bool) -> Result<Task> {
    let mut lines = text.lines().enumerate().map(|(i, l)| (first_line + i, l));
    let at = |n: usize| format!("{} line {n}", file.display());
    let (n, kind) = lines.next().with_context(|| format!("{}: empty task", at(first_line)))?;
    let expected = if draw { "draw" } else { "replication" };
    if kind != expected {
        bail!("{}: \"{kind}\"; expected \"{expected}\" (a task of another kind or another history)", at(n));
    }
    let mut numbers = |head: &str, count: usize| -> Result<Vec<f64>> {
        let (n, line) =
            lines.next().with_context(|| format!("{}: the task ends early; expected {head}", file.display()))?;
        let mut fields = line.split('\t');
        for h in head.split('\t') {
            let f = fields.next().unwrap_or("");
            if f != h {
                bail!("{}: \"{f}\"; expected \"{h}\" (the rows in order)", at(n));
            }
        }
        let xs: Vec<f64> = fields
            .map(|f| f.parse::<f64>().with_context(|| format!("{}: \"{f}\" is not a number", at(n))))
            .collect::<Result<_>>()?;
        if xs.len() != count {
            bail!("{}: {} numbers; expected {count}", at(n), xs.len());
        }
        Ok(xs)
    };
    let task = if draw {
        let values = numbers("values", shape.unknowns)?;
        let statistics = numbers("statistics", STATISTICS.len())?;
        let e = numbers("effects", 3)?;
        let england = numbers("england", Metric::ALL.len())?;
        let places = numbers("places", 2 * shape.authorities)?.chunks(2).map(|p| (p[0], p[1])).collect();
        Task::Draw(Draw {
            values,
            statistics,
            child_days_at_risk: e[0],
            turnover: e[1],
            high_risk_late: e[2],
            england,
            places,
        })
    } else {
        let m = Metric::ALL.len();
        let england =
            (0..shape.years).map(|k| Ok(Metrics(numbers(&format!("england\t{k}"), m)?))).collect::<Result<Vec<_>>>()?;
        let authorities = (0..shape.authorities)
            .map(|a| (0..shape.years).map(|k| Ok(Metrics(numbers(&format!("{a}\t{k}"), m)?))).collect())
            .collect::<Result<Vec<Vec<Metrics>>>>()?;
        Task::Replication(Replication { authorities, england })
    };
    if let Some((n, extra)) = lines.next() {
        bail!("{}: \"{}\" after the task's last row", at(n), extra.chars().take(40).collect::<String>());
    }
    Ok(task)
}

/// A shard's `tasks.txt`: each task of `range` under a `task N` line (numbered from 0).
pub fn shard_text(range: &Range<usize>, tasks: &[Task]) -> String {
    let mut out = String::from("# The finished tasks of one shard of a caseload history.\n");
    for (t, task) in range.clone().zip(tasks) {
        let _ = writeln!(out, "task {t}");
        out.push_str(&task_text(task));
    }
    out
}

/// Reads the tasks of `range` from a shard's `tasks.txt`; `draw(t)` says which are draws.
pub fn read_shard(path: &Path, range: &Range<usize>, shape: Shape, draw: &dyn Fn(usize) -> bool) -> Result<Vec<Task>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let lines: Vec<&str> = text.lines().collect();
    let heads: Vec<usize> = (0..lines.len()).filter(|&i| lines[i].starts_with("task ")).collect();
    let found: Vec<String> = heads.iter().map(|&i| lines[i].to_string()).collect();
    let expected: Vec<String> = range.clone().map(|t| format!("task {t}")).collect();
    if found != expected {
        bail!(
            "{}: holds {}; expected {} (the shard's tasks, in order)",
            path.display(),
            words(&found),
            words(&expected)
        );
    }
    range
        .clone()
        .enumerate()
        .map(|(i, t)| {
            let end = heads.get(i + 1).copied().unwrap_or(lines.len());
            read_task(&lines[heads[i] + 1..end].join("\n"), path, heads[i] + 2, shape, draw(t))
        })
        .collect()
}

fn words(heads: &[String]) -> String {
    match heads {
        [] => "no tasks".into(),
        [one] => one.clone(),
        [first, .., last] => format!("{first} to {last} ({} tasks)", heads.len()),
    }
}

/// The folder beside `out` where finished tasks are kept until the history is written.
fn progress_dir(out: &Path) -> PathBuf {
    out.with_file_name(format!(".{}.progress", folder_name(out)))
}

/// The finished tasks of one history (or one shard of it), kept in files.
pub struct KeptTasks {
    dir: PathBuf,
    resumed: bool,
    fresh: AtomicUsize,
    /// For tests of resuming: stop as if interrupted once this many tasks are kept.
    stop_after: Option<usize>,
}

impl KeptTasks {
    /// Opens the kept tasks of the history written into `out`. `identity` tells one
    /// history (and shard) from another: kept tasks of a different one are refused. Kept
    /// tasks are refused without `resume` and discarded with `force`.
    pub fn open(out: &Path, identity: &str, resume: bool, force: bool) -> Result<KeptTasks> {
        let dir = progress_dir(out);
        let mut resumed = false;
        if dir.exists() {
            if resume {
                let was = std::fs::read_to_string(dir.join("identity.toml")).unwrap_or_default();
                if was != identity {
                    bail!(
                        "the interrupted history kept in {} was a different one (scenario, years, switch, seed, \
                         replications, draws, authorities or shard); remove that folder, or run without --resume and \
                         with --force to start again",
                        dir.display()
                    );
                }
                resumed = true;
            } else if force {
                std::fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;
            } else {
                bail!(
                    "an interrupted history's finished tasks are kept in {}: add --resume to continue it, or --force \
                     to start again",
                    dir.display()
                );
            }
        }
        if !dir.exists() {
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            write_atomic(&dir.join("identity.toml"), identity.as_bytes())?;
        }
        let stop_after = std::env::var("CASELOAD_STOP_AFTER_POINTS").ok().and_then(|v| v.parse().ok());
        Ok(KeptTasks { dir, resumed, fresh: AtomicUsize::new(0), stop_after })
    }

    /// When an interrupted run's tasks were found: how many of `range` are kept, and where.
    pub fn resumed(&self, range: &Range<usize>) -> Option<(usize, &Path)> {
        self.resumed.then(|| (range.clone().filter(|&t| self.has(t)).count(), self.dir.as_path()))
    }

    pub fn has(&self, t: usize) -> bool {
        self.file(t).exists()
    }

    /// Whether this run has kept as many tasks as a test's interruption allows.
    pub fn stopped(&self) -> bool {
        self.stop_after.is_some_and(|n| self.fresh.load(Ordering::SeqCst) >= n)
    }

    /// Keeps finished task `t`.
    pub fn keep(&self, t: usize, task: &Task) -> Result<()> {
        write_atomic(&self.file(t), task_text(task).as_bytes())?;
        self.fresh.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    /// Kept task `t`, read back.
    pub fn get(&self, t: usize, shape: Shape, draw: bool) -> Result<Task> {
        let path = self.file(t);
        let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        read_task(&text, &path, 1, shape, draw)
    }

    /// Removes the kept tasks once the results are in place; a folder that cannot be
    /// removed only wastes space, so it is a warning.
    pub fn remove(self) {
        if let Err(e) = std::fs::remove_dir_all(&self.dir) {
            eprintln!("caseload: warning: could not remove {}: {e}", self.dir.display());
        }
    }

    fn file(&self, t: usize) -> PathBuf {
        self.dir.join(format!("task-{:06}.txt", t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tasks_read_back_to_the_same_bits_and_a_damaged_one_is_named() {
        let m = |x: f64| Metrics(vec![x; Metric::ALL.len()]);
        let r = Task::Replication(Replication {
            authorities: vec![vec![m(0.1), m(f64::NAN)], vec![m(-0.0), m(1e-300)]],
            england: vec![m(1.0 / 3.0), m(f64::INFINITY)],
        });
        let shape = Shape { authorities: 2, years: 2, unknowns: 2 };
        let path = Path::new("kept/task-000001.txt");
        let text = task_text(&r);
        assert_eq!(read_task(&text, path, 1, shape, false).unwrap(), r);
        let d = Task::Draw(Draw {
            values: vec![0.25, 7.0],
            statistics: vec![0.5, f64::NAN, -1.5, 2.0, 0.0],
            child_days_at_risk: 123.456,
            turnover: -0.01,
            high_risk_late: 3.0,
            england: vec![0.5; Metric::ALL.len()],
            places: vec![(1000.0, -2.5), (f64::NAN, 0.0)],
        });
        let text = task_text(&d);
        match (read_task(&text, path, 1, shape, true).unwrap(), &d) {
            (Task::Draw(a), Task::Draw(b)) => {
                assert_eq!(a.values, b.values);
                assert_eq!(a.child_days_at_risk, b.child_days_at_risk);
                assert_eq!((a.england.len(), a.places[0]), (b.england.len(), b.places[0]));
                assert!(a.places[1].0.is_nan());
                assert!(a.statistics[1].is_nan());
            }
            _ => panic!("not a draw"),
        }
        let damaged = task_text(&r).replace("england\t1", "england\t7");
        let e = read_task(&damaged, path, 1, shape, false).unwrap_err().to_string();
        assert!(e.contains("task-000001.txt line 3") && e.contains("expected \"1\""), "{e}");
        let e = read_task(&text, path, 1, shape, false).unwrap_err().to_string();
        assert!(e.contains("expected \"replication\""), "{e}");
    }
}

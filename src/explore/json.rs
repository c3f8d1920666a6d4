//! What the page shows, as JSON: the teams of each rule, the figures, the chart series
//! and every event in words ("day 132: referral 4411, true tier high, rated medium by a
//! newly qualified worker deciding alone; start by day 142"). Referral keys go as text:
//! a re-referral's key is above what a JavaScript number holds exactly.

use serde_json::{Value as Json, json};

use super::pair::{Pair, Point, Side, TALLIES};
use crate::model::{Arrival, CaseState, CaseView, Kind, Leaving, ModelEvent, TeamView, WorkerView};

/// "a newly qualified worker (0.4 years)".
fn someone(kind: Kind, years: f64) -> String {
    let article = if kind == Kind::Agency { "an" } else { "a" };
    format!("{article} {} worker ({years:.1} years)", kind.name())
}

/// The kind of an event, for the page's filter.
pub fn kind_of(e: &ModelEvent) -> &'static str {
    match e {
        ModelEvent::Referral { .. } => "referral",
        ModelEvent::Decided { .. } => "decision",
        ModelEvent::Started { .. } => "start",
        ModelEvent::Completed { .. } => "completion",
        ModelEvent::Left { .. } | ModelEvent::Absent { .. } | ModelEvent::Arrived { .. } => "workforce",
        ModelEvent::ManagerLeft { .. } | ModelEvent::ManagerArrived { .. } => "manager",
    }
}

/// Whether an event is late for the child: work started later than its risk needed, a
/// timescale decided after the day work should have started, an assessment over the limit.
pub fn late(e: &ModelEvent) -> bool {
    match *e {
        ModelEvent::Started { late_days, .. } => late_days > 0,
        ModelEvent::Decided { day, start_by, .. } => start_by < day,
        ModelEvent::Completed { within_limit, .. } => !within_limit,
        _ => false,
    }
}

/// One event in words, with each referral written by `label` (a number, or a
/// re-referral's label such as "4411-R").
pub fn text(e: &ModelEvent, label: &dyn Fn(u64) -> String) -> String {
    let body = match *e {
        ModelEvent::Referral { key, team, tier, rereferral, .. } => format!(
            "{} {} arrives in team {}, true tier {}",
            if rereferral { "re-referral" } else { "referral" },
            label(key),
            team + 1,
            tier.name()
        ),
        ModelEvent::Decided { day, key, kind, years, true_tier, rated, decided, shared, start_by, .. } => {
            let how = if shared {
                format!("decided {} with the manager", decided.name())
            } else if decided == rated {
                "deciding alone".to_string()
            } else {
                format!("deciding alone, {}", decided.name())
            };
            let when = if start_by < day {
                format!("start by day {start_by} (already {} days late)", day - start_by)
            } else {
                format!("start by day {start_by}")
            };
            format!(
                "referral {}, true tier {}, rated {} by {} {how}; {when}",
                label(key),
                true_tier.name(),
                rated.name(),
                someone(kind, years)
            )
        }
        ModelEvent::Started { key, post, late_days, .. } => match late_days {
            0 => format!("work starts on referral {} (post {}), in time for its risk", label(key), post + 1),
            n => format!(
                "work starts on referral {} (post {}), late: {n} days later than its risk needed",
                label(key),
                post + 1
            ),
        },
        ModelEvent::Completed { key, days, within_limit, missed, .. } => format!(
            "referral {} assessed in {days} working days, {}{}",
            label(key),
            if within_limit { "within the limit" } else { "over the limit" },
            if missed { "; the child's need was missed" } else { "" }
        ),
        ModelEvent::Left { post, kind, years, why, .. } => match why {
            Leaving::Resigned => format!("{} leaves post {}", capital(&someone(kind, years)), post + 1),
            Leaving::Promoted => {
                format!("{} in post {} is promoted to manager", capital(&someone(kind, years)), post + 1)
            }
            Leaving::Replaced => format!("agency cover in post {} makes way", post + 1),
        },
        ModelEvent::Absent { post, kind, years, back, .. } => {
            format!("{} in post {} goes on long absence until day {back}", capital(&someone(kind, years)), post + 1)
        }
        ModelEvent::Arrived { post, kind, years, why, .. } => match why {
            Arrival::Hired => format!("{} is hired into post {}", capital(&someone(kind, years)), post + 1),
            Arrival::Agency => format!("{} covers post {}", capital(&someone(kind, years)), post + 1),
            Arrival::Returned => format!("the worker in post {} returns from absence", post + 1),
        },
        ModelEvent::ManagerLeft { team, .. } => format!("team {}'s manager leaves; the post is empty", team + 1),
        ModelEvent::ManagerArrived { team, years, .. } => {
            format!("a new manager ({years:.1} years) starts in team {}", team + 1)
        }
    };
    format!("day {}: {body}", e.day())
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or(String::new(), |f| f.to_uppercase().collect::<String>() + c.as_str())
}

/// An event for the feed: sequence number, side, day, kind, key (as text), whether it
/// is late, and words.
pub fn event(seq: u64, side: usize, e: &ModelEvent, label: &dyn Fn(u64) -> String) -> Json {
    let high = match *e {
        ModelEvent::Referral { tier, .. } | ModelEvent::Decided { true_tier: tier, .. } => {
            tier >= crate::model::Tier::High
        }
        _ => false,
    };
    json!({
        "seq": seq,
        "side": side,
        "day": e.day(),
        "kind": kind_of(e),
        "key": e.key().map(|k| k.to_string()),
        "high": high,
        "late": late(e),
        "text": text(e, label),
    })
}

fn worker(w: &WorkerView) -> Json {
    json!({
        "kind": w.kind.name(),
        "years": w.years,
        "tenure_days": w.tenure_days,
        "caseload": w.caseload,
        "assessments": w.assessments,
        "ongoing": w.ongoing,
        "cap": w.cap,
        "manageable": w.manageable_caseload,
        "stress": w.stress,
        "leaving_day": w.leaving_day,
    })
}

fn team(t: &TeamView) -> Json {
    let posts: Vec<Json> = t
        .posts
        .iter()
        .map(|p| {
            json!({
                "post": p.post,
                "vacant": p.vacant,
                "worker": p.worker.as_ref().map(worker),
                "absent": p.absent.as_ref().map(|(w, back)| json!({ "worker": worker(w), "back": back })),
                "hire_day": p.hire_day,
                "agency_day": p.agency_day,
            })
        })
        .collect();
    json!({
        "manager": t.manager.map(|(years, leaving_day)| json!({ "years": years, "leaving_day": leaving_day })),
        "manager_arrives": t.manager_arrives,
        "consult_queue": t.consult_queue,
        "unallocated": t.unallocated,
        "posts": posts,
    })
}

/// The figures shown beside the charts (`null` for a metric with nothing counted yet).
pub fn figures(p: &Point) -> Json {
    json!({
        "day": p.day,
        "open_assessments": p.open_assessments,
        "within_limit_to_date_pct": p.within_limit_to_date_pct,
        "late_days_per_high_risk_referral": p.late_days_per_high_risk_referral,
        "turnover_pct": p.turnover_pct,
        "vacancies": p.vacancies,
        "assessments_per_day": p.assessments_per_day,
        "days_to_completion_mean": p.days_to_completion_mean,
        "open_assessments_mean": p.open_assessments_mean,
    })
}

/// The feed's tally: for each of [`TALLIES`], the count under each rule since day 0.
pub fn tally(pair: &Pair<'_>) -> Json {
    let mut out = serde_json::Map::new();
    for (i, name) in TALLIES.iter().enumerate() {
        out.insert((*name).to_string(), json!([pair.tally[0][i], pair.tally[1][i]]));
    }
    Json::Object(out)
}

fn side(s: &Side<'_>) -> Json {
    let v = s.sim.view();
    let now = crate::explore::pair::point(&s.sim);
    json!({
        "rule": s.rule.name(),
        "teams": v.teams.iter().map(team).collect::<Vec<_>>(),
        "figures": figures(&now),
    })
}

/// Both rules' teams and figures today.
pub fn view(pair: &Pair<'_>) -> Json {
    let r = &pair.setup.scenario.run;
    json!({
        "day": pair.day(),
        "end": pair.end(),
        "warmup_days": r.warmup_days(),
        "limit_days": pair.setup.scenario.demand.limit_days,
        "sides": [side(&pair.sides[0]), side(&pair.sides[1])],
    })
}

/// The chart series of both rules from day `from` on, as columns.
pub fn series(pair: &Pair<'_>, from: u32) -> Json {
    let sides: Vec<Json> = pair
        .sides
        .iter()
        .map(|s| {
            let pts: Vec<&Point> = s.series.iter().filter(|p| p.day >= from).collect();
            json!({
                "rule": s.rule.name(),
                "day": pts.iter().map(|p| p.day).collect::<Vec<_>>(),
                "open_assessments": pts.iter().map(|p| p.open_assessments).collect::<Vec<_>>(),
                "within_limit_to_date_pct": pts.iter().map(|p| p.within_limit_to_date_pct).collect::<Vec<_>>(),
                "late_days_per_high_risk_referral": pts.iter().map(|p| p.late_days_per_high_risk_referral).collect::<Vec<_>>(),
                "turnover_pct": pts.iter().map(|p| p.turnover_pct).collect::<Vec<_>>(),
                "vacancies": pts.iter().map(|p| p.vacancies).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({ "from": from, "day": pair.day(), "sides": sides })
}

fn state_words(c: &CaseView) -> String {
    match (c.state, c.started_day) {
        (CaseState::AwaitingAllocation, _) => "waiting for a worker".into(),
        (CaseState::AwaitingDecision, _) => "waiting for the manager to decide its timescale".into(),
        (CaseState::InAssessment, None) => "allocated and decided; work not started".into(),
        (CaseState::InAssessment, Some(d)) => format!("in assessment since day {d}"),
    }
}

/// One referral's path under each rule: its events so far and where it is now.
pub fn follow(pair: &Pair<'_>) -> Json {
    let Some(key) = pair.follow else { return json!({ "key": null }) };
    let sides: Vec<Json> = pair
        .sides
        .iter()
        .map(|s| {
            let now = s.sim.case_view(key);
            json!({
                "rule": s.rule.name(),
                "events": s.followed.iter().map(|e| text(e, &|k| pair.label(k))).collect::<Vec<_>>(),
                "now": match &now {
                    Some(c) => state_words(c),
                    None if s.followed.iter().any(|e| matches!(e, ModelEvent::Completed { .. })) => "assessed".to_string(),
                    None => "not open (not yet arrived, or its arrival is no longer in the feed)".to_string(),
                },
            })
        })
        .collect();
    json!({ "key": key.to_string(), "label": pair.label(key), "sides": sides })
}

/// The figures a board run carries per rule, in the CSV's column order.
const BOARD_FIGURES: [&str; 8] = [
    "open_assessments",
    "within_limit_to_date_pct",
    "late_days_per_high_risk_referral",
    "turnover_pct",
    "vacancies",
    "assessments_per_day",
    "days_to_completion_mean",
    "open_assessments_mean",
];

/// A CSV field, quoted when it must be.
fn csv_field(v: &Json) -> String {
    match v {
        Json::Null => String::new(),
        Json::String(t) if t.contains([',', '"', '\n', '\r']) => format!("\"{}\"", t.replace('"', "\"\"")),
        Json::String(t) => t.clone(),
        other => other.to_string(),
    }
}

/// The class board as a tidy table (R's `read.csv`, pandas' `read_csv`): one row per run
/// and rule, the run's number, name, day, seed and rule, every slider's value, then the
/// figures; an empty cell where a figure is not yet measured.
pub fn board_csv(runs: &[Json]) -> String {
    let sliders: Vec<String> =
        runs.first().and_then(|r| r["values"].as_object()).map(|m| m.keys().cloned().collect()).unwrap_or_default();
    let mut out = String::from("run,name,day,seed,rule");
    for k in sliders.iter().map(String::as_str).chain(BOARD_FIGURES) {
        out.push(',');
        out.push_str(k);
    }
    out.push('\n');
    for run in runs {
        for side in 0..2 {
            let mut row = vec![
                csv_field(&run["n"]),
                csv_field(&run["name"]),
                csv_field(&run["day"]),
                csv_field(&run["seed"]),
                csv_field(&run["rules"][side]),
            ];
            row.extend(sliders.iter().map(|k| csv_field(&run["values"][k.as_str()])));
            row.extend(BOARD_FIGURES.iter().map(|f| csv_field(&run["figures"][side][*f])));
            out.push_str(&row.join(","));
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Tier;

    #[test]
    fn a_lone_decision_reads_as_a_sentence() {
        let e = ModelEvent::Decided {
            day: 132,
            key: 4411,
            team: 0,
            post: 2,
            kind: Kind::NewlyQualified,
            years: 0.4,
            true_tier: Tier::High,
            rated: Tier::Medium,
            decided: Tier::Medium,
            shared: false,
            start_by: 142,
            complete_by: 167,
        };
        assert_eq!(
            text(&e, &|k| k.to_string()),
            "day 132: referral 4411, true tier high, rated medium by a newly qualified worker (0.4 years) deciding alone; start by day 142"
        );
    }
}

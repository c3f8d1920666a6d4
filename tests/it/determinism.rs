//! Same seed, same bytes: on 1 thread or several, run after run.

use caseload::experiment::{self, Plan};
use caseload::model::Rule;
use caseload::printout;

#[test]
fn one_and_two_threads_give_identical_results() {
    let s = crate::scenario("teaching_one_team");
    let plan = Plan {
        rules: vec![
            Rule::PractitionerOnly,
            Rule::ManagerShared,
            Rule::SharedAbove { tier: caseload::model::Tier::High },
        ],
        replications: 6,
        seed: 7,
    };
    let one = experiment::run(&s, &plan, 1, &|_| {});
    let two = experiment::run(&s, &plan, 2, &|_| {});
    let four = experiment::run(&s, &plan, 4, &|_| {});
    assert_eq!(one, two);
    assert_eq!(one, four);
    assert_eq!(printout::render("t", &one), printout::render("t", &two));
}

#[test]
fn a_different_seed_gives_different_results() {
    let s = crate::scenario("teaching_one_team");
    let plan = |seed| Plan { rules: vec![Rule::ManagerShared], replications: 2, seed };
    let a = experiment::run(&s, &plan(1), 1, &|_| {});
    let b = experiment::run(&s, &plan(2), 1, &|_| {});
    assert_ne!(a.runs, b.runs);
}

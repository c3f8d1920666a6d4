//! The read-only window on a simulation (`Sim::view`, the event feed, `Sim::metrics`)
//! shows what the model did without changing it: a run stepped by hand with the feed on
//! ends with the metrics `run_one` gives, bit for bit, and the view and feed agree with
//! the census.

use caseload::model::{ModelEvent, Rule, Sim, authority_seed, run_one};

#[test]
fn a_sim_stepped_to_the_end_with_the_feed_on_gives_run_ones_metrics() {
    let s = crate::scenario("teaching_one_team");
    let end = s.run.warmup_days() + s.run.horizon_days();
    for rule in [Rule::PractitionerOnly, Rule::ManagerShared] {
        let mut sim = Sim::new(&s, rule, authority_seed(7, &s.authorities[0].code), 2);
        sim.log_events();
        let mut events = Vec::new();
        while sim.day() < end {
            sim.step();
            sim.take_events(&mut events);
        }
        let want = run_one(&s, rule, 7, 2);
        assert_eq!(sim.metrics(), want.metrics, "{rule}: metrics() at the end is finish()'s");
        assert_eq!(sim.finish(), want, "{rule}: the feed changes nothing");
        assert!(events.len() > 1000, "{rule}: three years of events, got {}", events.len());
    }
}

#[test]
fn both_rules_in_lockstep_see_the_same_referral_keys_each_day() {
    let s = crate::scenario("teaching_one_team");
    let mut a = Sim::new(&s, Rule::PractitionerOnly, 11, 0);
    let mut b = Sim::new(&s, Rule::ManagerShared, 11, 0);
    a.log_events();
    b.log_events();
    let (mut ea, mut eb) = (Vec::new(), Vec::new());
    let new_keys = |events: &[ModelEvent]| -> Vec<u64> {
        events
            .iter()
            .filter_map(|e| match *e {
                ModelEvent::Referral { key, rereferral: false, .. } => Some(key),
                _ => None,
            })
            .collect()
    };
    let mut total = 0;
    for day in 0..500 {
        a.step();
        b.step();
        a.take_events(&mut ea);
        b.take_events(&mut eb);
        let (ka, kb) = (new_keys(&ea), new_keys(&eb));
        assert_eq!(ka, kb, "day {day}: new referral keys differ between the rules");
        let today: Vec<u64> = a.referrals_today().iter().filter(|r| !r.is_rereferral).map(|r| r.key).collect();
        assert_eq!(ka, today, "day {day}: the feed lists the referrals of the day");
        assert!(ea.iter().chain(&eb).all(|e| e.day() == day), "day {day}: events carry their day");
        total += ka.len();
        ea.clear();
        eb.clear();
    }
    assert!(total > 250, "two years of referrals, got {total}");
}

#[test]
fn the_view_and_the_feed_agree_with_the_census() {
    let s = crate::scenario("teaching_one_team");
    let mut sim = Sim::new(&s, Rule::ManagerShared, 3, 1);
    sim.log_events();
    let mut events = Vec::new();
    for _ in 0..400 {
        sim.step();
        sim.take_events(&mut events);
        let (v, c) = (sim.view(), sim.census());
        let unallocated: u32 = v.teams.iter().map(|t| t.unallocated).sum();
        assert_eq!(u64::from(unallocated), c.awaiting_allocation);
        assert_eq!(u64::from(sim.open_assessments()), c.awaiting_allocation + c.awaiting_decision + c.in_assessment);
        let posts: Vec<_> = v.teams.iter().flat_map(|t| &t.posts).collect();
        assert_eq!(posts.len() as u32, c.posts);
        assert_eq!(posts.iter().filter(|p| p.worker.is_some()).count() as u32, c.workers);
        for w in posts.iter().filter_map(|p| p.worker.as_ref()) {
            assert!(w.caseload <= w.cap && w.assessments + w.ongoing == w.caseload);
        }
    }
    let count = |f: fn(&ModelEvent) -> bool| events.iter().filter(|e| f(e)).count() as u64;
    let c = sim.census();
    assert_eq!(count(|e| matches!(e, ModelEvent::Referral { .. })), c.arrived);
    assert_eq!(count(|e| matches!(e, ModelEvent::Completed { .. })), c.completed);
    assert!(count(|e| matches!(e, ModelEvent::Decided { shared: true, .. })) > 0);
    assert!(count(|e| matches!(e, ModelEvent::Left { .. } | ModelEvent::Arrived { .. })) > 0);
    // A referral still open can be followed.
    let open = events.iter().rev().find_map(|e| match *e {
        ModelEvent::Referral { key, .. } => sim.case_view(key),
        _ => None,
    });
    assert!(open.is_some(), "the last referrals are still open");
}

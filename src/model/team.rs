//! Teams and their managers: the allocation queue, the consultation queue, the manager's
//! limited time.

use std::collections::VecDeque;
use std::ops::Range;

use super::case::CaseId;

/// A team manager.
#[derive(Debug, Clone)]
pub struct Manager {
    pub years: f64,
    /// `exp(-years / learning_years)`, carried along as a worker's is.
    pub novice_weight: f64,
    pub hazard: f64,
    pub threshold: f64,
    pub leaving_day: Option<u32>,
    /// Consultation minutes left today (negative after same-day fast-track overtime).
    pub minutes_left: f64,
    /// Moving average of the share of consultation time not used: what supervision gets.
    pub freed_share: f64,
}

/// A team: one manager post and a run of social worker posts.
#[derive(Debug, Clone)]
pub struct Team {
    pub authority: u32,
    pub posts: Range<u32>,
    pub manager: Option<Manager>,
    /// The day a new manager starts, while the post is empty.
    pub manager_arrives: Option<u32>,
    /// How many managers the team has had: the count keys the next one's draws.
    pub managers: u32,
    /// Assessments waiting for a worker: in arrival order, with cases handed back by a
    /// leaver put at the front.
    pub unallocated: VecDeque<CaseId>,
    /// End days of open children whose worker left, waiting for a new one.
    pub unallocated_ongoing: Vec<u32>,
    /// Cases waiting for a shared timescale decision.
    pub queue: Vec<CaseId>,
    /// A consultation begun but not finished, with its minutes still to go.
    pub in_consult: Option<(CaseId, f64)>,
    /// Whether the team is in the establishment: a closed team (a history's cut) takes no
    /// new work and does not refill its posts; its workers finish what they hold.
    pub open: bool,
}

impl Team {
    pub fn new(authority: u32, posts: Range<u32>, manager: Option<Manager>) -> Team {
        Team {
            authority,
            posts,
            managers: u32::from(manager.is_some()),
            manager,
            manager_arrives: None,
            unallocated: VecDeque::new(),
            unallocated_ongoing: Vec::new(),
            queue: Vec::new(),
            in_consult: None,
            open: true,
        }
    }
}

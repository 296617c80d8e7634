//! The mutable script: routes, the main queue and the default step.

use std::collections::{BTreeMap, VecDeque};

use crate::step::{Route, Step, Then};

#[derive(Debug)]
struct RouteState {
    action: Option<String>,
    matching: Vec<(String, String)>,
    steps: Vec<Step>,
    then: Then,
    used: usize,
}

/// Routes (first match wins), then the main queue, then the action's default step, then
/// the default step.
#[derive(Debug)]
pub(crate) struct Script {
    routes: Vec<RouteState>,
    queue: VecDeque<Step>,
    queue_used: usize,
    action_defaults: BTreeMap<String, Step>,
    default: Step,
}

impl Script {
    pub(crate) fn new(routes: Vec<Route>, queue: Vec<Step>, default: Step) -> Script {
        let mut script = Script {
            routes: Vec::new(),
            queue: queue.into(),
            queue_used: 0,
            action_defaults: BTreeMap::new(),
            default,
        };
        for r in routes {
            script.add_route(r);
        }
        script
    }

    pub(crate) fn add_route(&mut self, r: Route) {
        self.routes.push(RouteState {
            action: r.action,
            matching: r.matching,
            steps: r.steps,
            then: r.then,
            used: 0,
        });
    }

    pub(crate) fn push_step(&mut self, step: Step) {
        self.queue.push_back(step);
    }

    pub(crate) fn set_default(&mut self, step: Step) {
        self.default = step;
    }

    pub(crate) fn set_action_default(&mut self, action: String, step: Step) {
        self.action_defaults.insert(action, step);
    }

    pub(crate) fn queued(&self) -> usize {
        self.queue.len()
    }

    /// Picks the step for a request of `action` with these (merged) params; returns it and
    /// a label (`route0[1]`, `route0[last]`, `route0->default`, `queue[3]`,
    /// `default(GetDeployment)`, `default`).
    pub(crate) fn next_step(
        &mut self,
        action: Option<&str>,
        param: impl Fn(&str) -> Option<String>,
    ) -> (Step, String) {
        for (i, r) in self.routes.iter_mut().enumerate() {
            if r.action.as_deref().is_some_and(|a| Some(a) != action)
                || !r
                    .matching
                    .iter()
                    .all(|(k, v)| param(k).as_deref() == Some(v.as_str()))
            {
                continue;
            }
            let n = r.used;
            r.used += 1;
            if let Some(step) = r.steps.get(n) {
                return (step.clone(), format!("route{i}[{n}]"));
            }
            match r.then {
                Then::Last => {
                    if let Some(step) = r.steps.last() {
                        return (step.clone(), format!("route{i}[last]"));
                    }
                }
                Then::Cycle => {
                    if !r.steps.is_empty() {
                        let k = n % r.steps.len();
                        return (r.steps[k].clone(), format!("route{i}[{k}]"));
                    }
                }
                Then::Default => {}
            }
            return (self.default.clone(), format!("route{i}->default"));
        }
        if let Some(step) = self.queue.pop_front() {
            let n = self.queue_used;
            self.queue_used += 1;
            return (step, format!("queue[{n}]"));
        }
        if let Some((action, step)) = action.and_then(|a| self.action_defaults.get_key_value(a)) {
            return (step.clone(), format!("default({action})"));
        }
        (self.default.clone(), "default".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(step: &Step) -> u16 {
        match step {
            Step::Respond { status, .. } => *status,
            _ => 0,
        }
    }

    #[test]
    fn routes_then_queue_then_default() {
        let mut s = Script::new(
            vec![Route::when("Id", "1")
                .step(Step::error(429, "T", "t"))
                .step(Step::error(503, "S", "s"))
                .then(Then::Cycle)],
            vec![Step::error(500, "I", "i")],
            Step::ok(serde_json::json!({})),
        );
        let one = |k: &str| (k == "Id").then(|| "1".to_owned());
        let other = |_: &str| None;
        let seq: Vec<(u16, String)> = (0..3)
            .map(|_| {
                let (st, l) = s.next_step(None, one);
                (status(&st), l)
            })
            .collect();
        assert_eq!(
            seq,
            [
                (429, "route0[0]".to_owned()),
                (503, "route0[1]".to_owned()),
                (429, "route0[0]".to_owned())
            ]
        );
        let (st, l) = s.next_step(None, other);
        assert_eq!((status(&st), l.as_str()), (500, "queue[0]"));
        let (st, l) = s.next_step(None, other);
        assert_eq!((status(&st), l.as_str()), (200, "default"));
        s.push_step(Step::error(502, "B", "b"));
        assert_eq!(s.queued(), 1);
        let (st, l) = s.next_step(None, other);
        assert_eq!((status(&st), l.as_str()), (502, "queue[1]"));
    }

    #[test]
    fn action_routes_and_action_defaults() {
        let mut s = Script::new(
            vec![Route::action("A").step(Step::error(400, "A", "a"))],
            vec![],
            Step::ok(serde_json::json!({})),
        );
        s.set_action_default("B".into(), Step::error(409, "B", "b"));
        let none = |_: &str| None;
        let (st, l) = s.next_step(Some("B"), none);
        assert_eq!((status(&st), l.as_str()), (409, "default(B)"));
        let (st, l) = s.next_step(Some("A"), none);
        assert_eq!((status(&st), l.as_str()), (400, "route0[0]"));
        let (st, l) = s.next_step(Some("C"), none);
        assert_eq!((status(&st), l.as_str()), (200, "default"));
    }

    #[test]
    fn then_last_and_default() {
        let mut s = Script::new(
            vec![
                Route::when("A", "x")
                    .step(Step::error(400, "A", "a"))
                    .then(Then::Last),
                Route::when("B", "y").step(Step::error(401, "B", "b")),
            ],
            vec![],
            Step::ok(serde_json::json!({})),
        );
        let a = |k: &str| (k == "A").then(|| "x".to_owned());
        let b = |k: &str| (k == "B").then(|| "y".to_owned());
        assert_eq!(s.next_step(None, a).1, "route0[0]");
        assert_eq!(s.next_step(None, a).1, "route0[last]");
        assert_eq!(status(&s.next_step(None, a).0), 400);
        assert_eq!(s.next_step(None, b).1, "route1[0]");
        let (st, l) = s.next_step(None, b);
        assert_eq!((status(&st), l.as_str()), (200, "route1->default"));
    }
}

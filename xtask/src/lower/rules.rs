//! Cross-parameter rules the official metadata cannot express (`rules.requireOneOf`).

use super::Ctx;
use crate::model::{Doc, Param, ParamId, RequireOneOf};
use crate::spec;

/// Every `requireOneOf` group, naming parameters by index.
pub(super) fn lower_rules(
    cx: &mut Ctx<'_>,
    raw: Option<&spec::Rules>,
    params: &[Param],
    action: &str,
) -> Vec<RequireOneOf> {
    let mut require_one_of = Vec::new();
    let Some(rules) = raw else {
        return require_one_of;
    };
    for (i, rule) in rules.require_one_of.iter().enumerate() {
        let mut ids = Vec::new();
        for (j, p) in rule.parameters.iter().enumerate() {
            match params.iter().position(|q| q.wire == p.value) {
                Some(index) => ids.push(ParamId(index)),
                None => cx.error(
                    &format!("rules.requireOneOf[{i}].parameters[{j}]"),
                    p.referenced,
                    format!(
                        "the rule names `{}`, which is not a parameter of {action}",
                        p.value
                    ),
                ),
            }
        }
        if rule.parameters.len() < 2 {
            cx.error_nowhere(
                &format!("rules.requireOneOf[{i}].parameters"),
                "a requireOneOf rule needs at least two parameters",
            );
        }
        require_one_of.push(RequireOneOf {
            params: ids,
            doc: Doc::from_spec(rule.description.as_ref()),
        });
    }
    require_one_of
}

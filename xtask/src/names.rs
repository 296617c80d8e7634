//! Turning wire names into Rust identifiers. Every name the generator emits is computed
//! here, once, when the model is built.

use crate::model::{OperationNames, WaiterNames};

/// `DeploymentId` -> `deployment_id`, `HTTPStatus` -> `http_status`, `File.ID` -> `file_id`.
pub fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            continue;
        }
        if c.is_ascii_uppercase() {
            let prev = i.checked_sub(1).map(|p| chars[p]);
            let next = chars.get(i + 1).copied();
            let boundary = match prev {
                Some(p) if p.is_ascii_lowercase() || p.is_ascii_digit() => true,
                Some(p) if p.is_ascii_uppercase() => next.is_some_and(|n| n.is_ascii_lowercase()),
                _ => false,
            };
            if boundary && !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    let out = out.trim_matches('_').to_string();
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("n_{out}")
    } else {
        out
    }
}

/// `deployment_id` / `deploymentId` / `DEPLOY_ERROR` -> `DeploymentId` / `DeployError`.
pub fn pascal_case(name: &str) -> String {
    let snake = snake_case(name);
    let mut out = String::with_capacity(snake.len());
    for part in snake.split('_').filter(|p| !p.is_empty()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("N{out}")
    } else {
        out
    }
}

/// `deployment_id` -> `deployment-id` (CLI flags and subcommands).
pub fn kebab_case(name: &str) -> String {
    snake_case(name).replace('_', "-")
}

/// Flags the generated command line uses itself: the global options before the subcommand
/// and the switches some subcommands have (the same list as `acs_cli::command::RESERVED_FLAGS`,
/// which checks it whenever a tool's command line is built).
pub const RESERVED_FLAGS: &[&str] = &[
    "endpoint",
    "region",
    "signature",
    "format",
    "max-attempts",
    "timeout",
    "profile",
    "help",
    "version",
    "wait",
    "all-pages",
    "query",
    "output",
    "quiet",
    "dry-run",
    "cli-input-json",
    "generate-skeleton",
];

/// A parameter's flag: its kebab-case name, or `{name}-param` when the tool uses that name
/// itself (`Endpoint` -> `--endpoint-param`, as `--endpoint` is the global option).
pub fn param_flag(kebab: &str) -> String {
    if RESERVED_FLAGS.contains(&kebab) {
        format!("{kebab}-param")
    } else {
        kebab.to_string()
    }
}

/// Rust keywords that cannot be plain identifiers; fields named like them get a `_` suffix.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "box", "break", "const", "continue", "crate", "do", "dyn", "else",
    "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop",
    "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return", "self",
    "static", "struct", "super", "trait", "true", "try", "type", "typeof", "union", "unsafe",
    "unsized", "use", "virtual", "where", "while", "yield", "abstract", "become",
];

/// A snake_case identifier that is safe to use as a field, method or module name.
pub fn field_ident(name: &str) -> String {
    let snake = snake_case(name);
    let snake = if snake.is_empty() {
        "field".to_string()
    } else {
        snake
    };
    if KEYWORDS.contains(&snake.as_str()) {
        format!("{snake}_")
    } else {
        snake
    }
}

/// Whether `name` can be used as a Rust type name as written.
pub fn is_type_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_alphanumeric())
        && !matches!(
            name,
            "Self" | "Option" | "Vec" | "String" | "Result" | "Box"
        )
}

/// A package name as a Rust path segment: `dataworks-public` -> `dataworks_public`.
pub fn crate_ident(package: &str) -> String {
    package.replace('-', "_")
}

/// The names of an action's generated items.
pub fn operation_names(action: &str) -> OperationNames {
    OperationNames {
        module: snake_case(action),
        input: format!("{action}Request"),
        fluent: format!("{action}FluentBuilder"),
        args: format!("{action}Args"),
        subcommand: kebab_case(action),
    }
}

/// The `Option`-taking setter of a field (`set_deployment_id`).
pub fn set_setter(field: &str) -> String {
    format!("set_{}", field.trim_end_matches('_'))
}

/// The names of a waiter's generated items: the client method `wait_until_{name}`, the
/// builder type `{Name}Waiter` it returns, and the function `{name}_state` that applies the
/// acceptors.
pub fn waiter_names(waiter: &str) -> WaiterNames {
    let snake = snake_case(waiter);
    WaiterNames {
        method: format!("wait_until_{snake}"),
        builder: format!("{}Waiter", pascal_case(waiter)),
        state_fn: format!("{snake}_state"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        assert_eq!(snake_case("DeploymentId"), "deployment_id");
        assert_eq!(snake_case("HttpStatusCode"), "http_status_code");
        assert_eq!(snake_case("HTTPStatus"), "http_status");
        assert_eq!(snake_case("FileID"), "file_id");
        assert_eq!(snake_case("Ids.1"), "ids_1");
        assert_eq!(snake_case("DEPLOY_ERROR"), "deploy_error");
        assert_eq!(pascal_case("DEPLOY_ERROR"), "DeployError");
        assert_eq!(pascal_case("get_deployment"), "GetDeployment");
        assert_eq!(kebab_case("GetDeployment"), "get-deployment");
        assert_eq!(field_ident("Type"), "type_");
        assert_eq!(set_setter("type_"), "set_type");
        assert_eq!(
            operation_names("GetDeployment").fluent,
            "GetDeploymentFluentBuilder"
        );
        assert!(is_type_name("DeployedItem"));
        let w = waiter_names("DeploymentFinished");
        assert_eq!(
            (w.method.as_str(), w.builder.as_str(), w.state_fn.as_str()),
            (
                "wait_until_deployment_finished",
                "DeploymentFinishedWaiter",
                "deployment_finished_state"
            )
        );
        assert!(!is_type_name("deployed"));
    }
}

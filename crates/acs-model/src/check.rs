//! The spec's rules for requests, checked before anything is sent, and their error.
//!
//! Generated `validate()` calls one helper per rule: [`required`], [`one_of`], the
//! constraints [`at_least`], [`at_most`] (or [`more_than`], [`less_than`] for exclusive
//! bounds), [`length`], [`min_items`], [`max_items`] and [`pattern`], [`each`] for the items
//! of a list of scalars, and [`nested`] for request objects, which check their own fields
//! ([`Validate`]) with paths such as `Columns.2.ColumnName`.

use crate::pattern::Pattern;
use std::fmt;

/// A request that breaks the spec's rules, found before anything is sent. Every variant
/// names a parameter ([`BuildError::parameter`]); more rules may be added.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuildError {
    /// A required parameter was not set.
    MissingParameter {
        /// The parameter's wire name.
        parameter: &'static str,
    },
    /// None of a group of parameters was set, and at least one must be.
    OneOfRequired {
        /// The wire names of the group.
        parameters: &'static [&'static str],
    },
    /// A required field of an item (a list item or an object parameter) was not set.
    MissingField {
        /// The field's path, such as `Columns.2.ColumnName`.
        parameter: Box<str>,
    },
    /// A value breaks a constraint of the spec (`minimum`, `maximum`, `minLength`,
    /// `maxLength`, `maxItems`, `pattern`); boxed, so that errors holding a `BuildError`
    /// stay small.
    Constraint(Box<ConstraintError>),
}

/// A value that breaks a constraint of the spec: which parameter, the value, the rule.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConstraintError {
    /// The parameter's path, such as `PageSize` or `Columns.2.Comment`.
    pub parameter: String,
    /// The value, as given (long texts shortened).
    pub value: String,
    /// The rule it breaks, such as `at most 100`.
    pub rule: String,
}

impl BuildError {
    /// The wire name (or path) of the (first) parameter the error is about.
    pub fn parameter(&self) -> &str {
        match self {
            BuildError::MissingParameter { parameter } => parameter,
            BuildError::OneOfRequired { parameters } => parameters.first().copied().unwrap_or(""),
            BuildError::MissingField { parameter } => parameter,
            BuildError::Constraint(c) => &c.parameter,
        }
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::MissingParameter { parameter } => {
                write!(f, "the required parameter `{parameter}` is not set")
            }
            BuildError::OneOfRequired { parameters } => write!(
                f,
                "at least one of the parameters `{}` must be set",
                parameters.join("`, `")
            ),
            BuildError::MissingField { parameter } => {
                write!(f, "the required field `{parameter}` is not set")
            }
            BuildError::Constraint(c) => write!(
                f,
                "`{}` is {}, but it must be {}",
                c.parameter, c.value, c.rule
            ),
        }
    }
}

impl std::error::Error for BuildError {}

/// `parameter` must be set.
pub fn required<T>(parameter: &'static str, value: &Option<T>) -> Result<(), BuildError> {
    match value {
        Some(_) => Ok(()),
        None => Err(BuildError::MissingParameter { parameter }),
    }
}

/// At least one of `parameters` must be set; `set` says which are, in the same order.
pub fn one_of(parameters: &'static [&'static str], set: &[bool]) -> Result<(), BuildError> {
    if set.contains(&true) {
        Ok(())
    } else {
        Err(BuildError::OneOfRequired { parameters })
    }
}

/// Where a value sits: a parameter (`PageSize`) or a field inside one (`Columns.2.Name`),
/// built only when an error needs it.
#[derive(Debug, Clone, Copy)]
pub struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    segment: Segment,
}

#[derive(Debug, Clone, Copy)]
enum Segment {
    Name(&'static str),
    Index(usize),
}

impl Path<'static> {
    /// A parameter.
    pub const fn param(name: &'static str) -> Path<'static> {
        Path {
            parent: None,
            segment: Segment::Name(name),
        }
    }
}

impl<'a> Path<'a> {
    /// A field of the object at this path.
    pub fn field(&'a self, name: &'static str) -> Path<'a> {
        Path {
            parent: Some(self),
            segment: Segment::Name(name),
        }
    }

    /// The item `index` (0-based; shown 1-based, as on the wire) of the list at this path.
    pub fn item(&'a self, index: usize) -> Path<'a> {
        Path {
            parent: Some(self),
            segment: Segment::Index(index + 1),
        }
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(parent) = self.parent {
            write!(f, "{parent}.")?;
        }
        match self.segment {
            Segment::Name(name) => f.write_str(name),
            Segment::Index(i) => write!(f, "{i}"),
        }
    }
}

/// A required field of an item must be set.
pub fn required_field<T>(path: Path<'_>, value: &Option<T>) -> Result<(), BuildError> {
    match value {
        Some(_) => Ok(()),
        None => Err(BuildError::MissingField {
            parameter: path.to_string().into(),
        }),
    }
}

fn broken(path: Path<'_>, value: impl fmt::Display, rule: String) -> BuildError {
    let value = value.to_string();
    let value = if value.chars().count() > 64 {
        let short: String = value.chars().take(61).collect();
        format!("{short}...")
    } else {
        value
    };
    BuildError::Constraint(Box::new(ConstraintError {
        parameter: path.to_string(),
        value,
        rule,
    }))
}

/// A number that bounds compare with: `i32`, `i64` or `f64`.
pub trait Bounded: Copy + PartialOrd + fmt::Display {}
impl Bounded for i32 {}
impl Bounded for i64 {}
impl Bounded for f64 {}

/// `value` must be `minimum` or more (the spec's `minimum`).
pub fn at_least<T: Bounded>(
    path: Path<'_>,
    value: Option<&T>,
    minimum: T,
) -> Result<(), BuildError> {
    match value {
        Some(v) if *v < minimum || v.partial_cmp(&minimum).is_none() => {
            Err(broken(path, v, format!("at least {minimum}")))
        }
        _ => Ok(()),
    }
}

/// `value` must be `maximum` or less (the spec's `maximum`).
pub fn at_most<T: Bounded>(
    path: Path<'_>,
    value: Option<&T>,
    maximum: T,
) -> Result<(), BuildError> {
    match value {
        Some(v) if *v > maximum || v.partial_cmp(&maximum).is_none() => {
            Err(broken(path, v, format!("at most {maximum}")))
        }
        _ => Ok(()),
    }
}

/// `value` must be more than `bound` (the spec's `minimum` with `exclusiveMinimum`).
pub fn more_than<T: Bounded>(
    path: Path<'_>,
    value: Option<&T>,
    bound: T,
) -> Result<(), BuildError> {
    match value {
        Some(v) if v.partial_cmp(&bound) != Some(std::cmp::Ordering::Greater) => {
            Err(broken(path, v, format!("more than {bound}")))
        }
        _ => Ok(()),
    }
}

/// `value` must be less than `bound` (the spec's `maximum` with `exclusiveMaximum`).
pub fn less_than<T: Bounded>(
    path: Path<'_>,
    value: Option<&T>,
    bound: T,
) -> Result<(), BuildError> {
    match value {
        Some(v) if v.partial_cmp(&bound) != Some(std::cmp::Ordering::Less) => {
            Err(broken(path, v, format!("less than {bound}")))
        }
        _ => Ok(()),
    }
}

/// The text must have between `min` and `max` characters (the spec's `minLength` and
/// `maxLength`; characters are Unicode scalar values).
pub fn length(
    path: Path<'_>,
    value: Option<&str>,
    min: Option<u64>,
    max: Option<u64>,
) -> Result<(), BuildError> {
    let Some(text) = value else { return Ok(()) };
    let count = text.chars().count() as u64;
    let shown = || format!("{text:?} ({count} characters)");
    match (min, max) {
        (Some(min), _) if count < min => Err(broken(
            path,
            shown(),
            format!("at least {min} characters long"),
        )),
        (_, Some(max)) if count > max => Err(broken(
            path,
            shown(),
            format!("at most {max} characters long"),
        )),
        _ => Ok(()),
    }
}

/// The list must have at least `min` items (the spec's `minItems`).
pub fn min_items<T>(path: Path<'_>, value: Option<&[T]>, min: u64) -> Result<(), BuildError> {
    match value {
        Some(items) if (items.len() as u64) < min => Err(broken(
            path,
            format!("a list of {} items", items.len()),
            format!("at least {min} items"),
        )),
        _ => Ok(()),
    }
}

/// The list must have at most `max` items (the spec's `maxItems`).
pub fn max_items<T>(path: Path<'_>, value: Option<&[T]>, max: u64) -> Result<(), BuildError> {
    match value {
        Some(items) if items.len() as u64 > max => Err(broken(
            path,
            format!("a list of {} items", items.len()),
            format!("at most {max} items"),
        )),
        _ => Ok(()),
    }
}

/// The text must match `pattern` (the spec's `pattern`, see [`Pattern`]).
pub fn pattern(path: Path<'_>, value: Option<&str>, pattern: &str) -> Result<(), BuildError> {
    let Some(text) = value else { return Ok(()) };
    let ok = Pattern::parse(pattern).map_or(true, |p| p.is_match(text));
    if ok {
        Ok(())
    } else {
        Err(broken(
            path,
            format!("{text:?}"),
            format!("text matching the pattern {pattern}"),
        ))
    }
}

/// Checks every item of a list of scalars: `check` gets each item's path (`Name.1`,
/// `Name.2`, ...) and the item.
pub fn each<T>(
    path: Path<'_>,
    value: Option<&[T]>,
    mut check: impl FnMut(Path<'_>, Option<&T>) -> Result<(), BuildError>,
) -> Result<(), BuildError> {
    for (i, item) in value.into_iter().flatten().enumerate() {
        check(path.item(i), Some(item))?;
    }
    Ok(())
}

/// An object of a request (a list item or an object parameter) that checks its own fields.
pub trait Validate {
    /// Checks the fields of the object at `path`.
    fn validate_at(&self, path: Path<'_>) -> Result<(), BuildError>;
}

/// Checks a nested object, or each object of a list, with its own rules.
pub fn nested<T: Validate + ?Sized>(path: Path<'_>, value: Option<&T>) -> Result<(), BuildError> {
    match value {
        Some(v) => v.validate_at(path),
        None => Ok(()),
    }
}

impl<T: Validate> Validate for Vec<T> {
    fn validate_at(&self, path: Path<'_>) -> Result<(), BuildError> {
        for (i, item) in self.iter().enumerate() {
            item.validate_at(path.item(i))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_parameters() {
        let err = required("DeploymentId", &None::<i64>).unwrap_err();
        assert_eq!(err.parameter(), "DeploymentId");
        assert_eq!(
            err.to_string(),
            "the required parameter `DeploymentId` is not set"
        );
        let err = one_of(&["ProjectId", "ProjectIdentifier"], &[false, false]).unwrap_err();
        assert_eq!(err.parameter(), "ProjectId");
        assert_eq!(
            err.to_string(),
            "at least one of the parameters `ProjectId`, `ProjectIdentifier` must be set"
        );
        assert!(one_of(&["A", "B"], &[false, true]).is_ok());
    }

    #[test]
    fn constraints_name_parameter_value_and_rule() {
        let page = Path::param("PageSize");
        assert!(at_most(page, Some(&100_i32), 100).is_ok());
        let err = at_most(page, Some(&500_i32), 100).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`PageSize` is 500, but it must be at most 100"
        );
        assert_eq!(err.parameter(), "PageSize");
        assert!(at_least(page, Some(&-1_i64), 1).is_err());
        assert!(at_least(page, Some(&f64::NAN), 0.0).is_err());
        assert!(at_least(page, None::<&i64>, 1).is_ok());
        assert!(more_than(page, Some(&1_i64), 1).is_err());
        assert!(less_than(page, Some(&0.5_f64), 1.0).is_ok());
        assert!(min_items(page, Some(&[1][..]), 2).is_err());

        let columns = Path::param("Columns");
        let item = columns.item(1);
        let name = item.field("Comment");
        let err = length(name, Some("éé"), None, Some(1)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`Columns.2.Comment` is \"éé\" (2 characters), but it must be at most 1 characters long"
        );
        assert!(max_items(columns, Some(&[1, 2][..]), 1).is_err());
        let err = pattern(Path::param("Name"), Some("a b"), "^\\w+$").unwrap_err();
        assert_eq!(err.parameter(), "Name");
        assert!(err.to_string().contains("^\\w+$"));
        let err = required_field(name, &None::<String>).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the required field `Columns.2.Comment` is not set"
        );
    }
}

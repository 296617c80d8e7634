//! The spec's rules for requests, checked before anything is sent, and their error.

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
}

impl BuildError {
    /// The wire name of the (first) parameter the error is about.
    pub fn parameter(&self) -> &'static str {
        match self {
            BuildError::MissingParameter { parameter } => parameter,
            BuildError::OneOfRequired { parameters } => parameters.first().copied().unwrap_or(""),
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
}

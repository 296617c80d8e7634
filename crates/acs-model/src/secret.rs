//! Secrets in generated types: a field the spec marks `sensitive` (an AccessKey secret, a
//! security token, an OIDC token) is shown as `***` by the type's `Debug`.

/// What a generated `Debug` shows for a sensitive field: `Some("***")` when it is set, `None`
/// when it is not; never the value.
///
/// ```
/// let token = Some("eyJhbGciOi...".to_string());
/// assert_eq!(format!("{:?}", acs_model::redacted(&token)), r#"Some("***")"#);
/// assert_eq!(format!("{:?}", acs_model::redacted::<String>(&None)), "None");
/// ```
pub fn redacted<T>(value: &Option<T>) -> Option<&'static str> {
    value.as_ref().map(|_| "***")
}

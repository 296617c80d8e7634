//! Secrets never appear in `Debug` / `Display` output.

use acs_sign::{Credentials, SecretString};

const SECRET: &str = "kR9xSecretValue/+=";
const TOKEN: &str = "CAIS.tokenValue~42";

fn renderings<T: std::fmt::Debug + std::fmt::Display>(value: &T) -> Vec<String> {
    vec![
        format!("{value}"),
        format!("{value:?}"),
        format!("{value:#?}"),
        format!("{value:>40}"),
        format!("{value:<40?}"),
        format!("{:?}", Some(value)),
        format!("{:?}", vec![value]),
    ]
}

#[test]
fn secret_string_is_redacted() {
    let s = SecretString::new(SECRET);
    for out in renderings(&s) {
        assert!(!out.contains(SECRET), "{out}");
        assert!(out.contains("***"), "{out}");
    }
    assert_eq!(format!("{s}"), "***");
    assert_eq!(format!("{s:?}"), "***");
    assert_eq!(s.expose(), SECRET);
    assert!(!s.is_empty());
}

#[test]
fn secret_string_clone_and_eq() {
    let a = SecretString::new(SECRET);
    let b = a.clone();
    assert_eq!(a, b);
    assert_eq!(a, SecretString::from(SECRET));
    assert_eq!(a, SecretString::from(SECRET.to_owned()));
    assert_ne!(a, SecretString::new("other"));
    assert_ne!(a, SecretString::new(&SECRET[..SECRET.len() - 1]));
    assert!(SecretString::default().is_empty());
}

#[test]
fn credentials_never_reveal_secret_or_token() {
    let plain = Credentials::new("LTAI5tTestId", SECRET);
    let sts = Credentials::new("STS.NTestId", SECRET).with_security_token(TOKEN);
    for c in [&plain, &sts] {
        for out in renderings(c) {
            assert!(!out.contains(SECRET), "secret leaked: {out}");
            assert!(!out.contains(TOKEN), "token leaked: {out}");
            assert!(
                out.contains(c.access_key_id()),
                "AccessKey ID missing: {out}"
            );
        }
    }
    assert!(format!("{sts}").contains("STS"));
    assert!(format!("{sts:?}").contains("security_token: Some(***)"));
    assert!(format!("{plain:?}").contains("security_token: None"));
}

#[test]
fn credentials_accessors_and_clone() {
    let c = Credentials::new(String::from("AK"), SECRET).with_security_token(String::from(TOKEN));
    let d = c.clone();
    assert_eq!(c, d);
    assert_eq!(d.access_key_id(), "AK");
    assert_eq!(d.access_key_secret(), SECRET);
    assert_eq!(d.security_token(), Some(TOKEN));
    assert_eq!(Credentials::new("AK", SECRET).security_token(), None);
    assert_ne!(c, Credentials::new("AK", SECRET));
}

#[test]
fn signing_outputs_do_not_contain_the_secret() {
    let creds = Credentials::new("AK", SECRET).with_security_token(TOKEN);
    let req = acs_sign::v3::V3Request {
        method: "POST",
        pathname: "/",
        host: "h",
        query: &[],
        content_type: None,
        body: b"",
        action: "A",
        version: "V",
        timestamp: "2024-01-01T00:00:00Z",
        nonce: "n",
    };
    let headers = acs_sign::v3::sign_request(&req, &creds);
    assert!(headers.iter().all(|(_, v)| !v.contains(SECRET)));
    // The token is a header by design (x-acs-security-token), and only there.
    let with_token: Vec<&str> = headers
        .iter()
        .filter(|(_, v)| v.contains(TOKEN))
        .map(|(k, _)| *k)
        .collect();
    assert_eq!(with_token, ["x-acs-security-token"]);
}

//! Every class of spec error gets a message naming the file, the position where the parser
//! knows it, and the key path; codegen never panics and never writes anything then.

use std::path::{Path, PathBuf};
use workspace_tests::{copy_dir, workspace_root, TempDir};

/// A copy of the fixture spec in a temporary workspace, with `edit` applied to one file.
fn broken_spec(file: &str, edit: impl FnOnce(String) -> String) -> (TempDir, PathBuf) {
    let tmp = TempDir::new("spec-errors");
    let spec = tmp.path().join("spec/widgets");
    copy_dir(&workspace_root().join("tests/fixture-spec"), &spec);
    let path = spec.join(file);
    let text = std::fs::read_to_string(&path).expect("fixture file");
    let edited = edit(text.clone());
    assert_ne!(edited, text, "the edit must change the file");
    std::fs::write(&path, edited).expect("write");
    (tmp, spec)
}

fn replace(from: &'static str, to: &'static str) -> impl FnOnce(String) -> String {
    move |text| text.replacen(from, to, 1)
}

/// Runs codegen, expects a spec error, checks nothing was written, returns the message.
fn codegen_error(tmp: &TempDir, spec: &Path) -> String {
    let err =
        xtask::codegen(tmp.path(), &[spec.to_path_buf()], false).expect_err("the spec is invalid");
    assert!(matches!(err, xtask::CodegenError::Spec(_)), "{err}");
    assert!(
        !tmp.path().join("tests").exists(),
        "nothing may be written when the spec is invalid"
    );
    err.to_string()
}

#[test]
fn yaml_syntax_error() {
    let (tmp, spec) = broken_spec(
        "ListWidgets.yaml",
        replace("title: { en: List widgets }", "title: { en: List widgets"),
    );
    insta::assert_snapshot!(codegen_error(&tmp, &spec));
}

#[test]
fn unknown_type() {
    let (tmp, spec) = broken_spec(
        "ListWidgets.yaml",
        replace("TotalCount: { type: integer", "TotalCount: { type: integr"),
    );
    insta::assert_snapshot!(codegen_error(&tmp, &spec));
}

#[test]
fn unknown_integer_format() {
    let (tmp, spec) = broken_spec(
        "ListWidgets.yaml",
        replace(
            "format: int32, required: false",
            "format: int16, required: false",
        ),
    );
    insta::assert_snapshot!(codegen_error(&tmp, &spec));
}

#[test]
fn duplicate_parameter_name() {
    let (tmp, spec) = broken_spec(
        "ListWidgets.yaml",
        replace("  - name: PageSize", "  - name: ShelfName"),
    );
    insta::assert_snapshot!(codegen_error(&tmp, &spec));
}

#[test]
fn duplicate_type_name() {
    let (tmp, spec) = broken_spec(
        "ListWidgets.yaml",
        replace("typeName: Widget", "typeName: ListWidgetsRequest"),
    );
    insta::assert_snapshot!(codegen_error(&tmp, &spec));
}

#[test]
fn duplicate_yaml_key() {
    let (tmp, spec) = broken_spec(
        "ListWidgets.yaml",
        replace(
            "        Code: { type: string }",
            "        Code: { type: string }\n        Code: { type: string }",
        ),
    );
    insta::assert_snapshot!(codegen_error(&tmp, &spec));
}

#[test]
fn enum_value_of_the_wrong_type() {
    let (tmp, spec) = broken_spec(
        "ListWidgets.yaml",
        replace("{ value: green, name: Green }", "{ value: 7, name: Green }"),
    );
    insta::assert_snapshot!(codegen_error(&tmp, &spec));
}

#[test]
fn unknown_key() {
    let (tmp, spec) = broken_spec(
        "ListWidgets.yaml",
        replace("    in: query\n", "    in: query\n    colour: red\n"),
    );
    insta::assert_snapshot!(codegen_error(&tmp, &spec));
}

#[test]
fn one_of_rule_naming_an_unknown_parameter() {
    let (tmp, spec) = broken_spec(
        "ListWidgets.yaml",
        replace(
            "responses:\n",
            "rules:\n  requireOneOf:\n    - parameters: [ShelfName, ShelfId]\nresponses:\n",
        ),
    );
    insta::assert_snapshot!(codegen_error(&tmp, &spec));
}

#[test]
fn unknown_enum_reference() {
    let (tmp, spec) = broken_spec(
        "ListWidgets.yaml",
        replace(
            "Color: { type: string, enumRef: Color }",
            "Color: { type: string, enumRef: Colour }",
        ),
    );
    insta::assert_snapshot!(codegen_error(&tmp, &spec));
}

#[test]
fn unsupported_style_in_the_product_file() {
    let (tmp, spec) = broken_spec("product.yaml", replace("style: RPC", "style: ROA"));
    insta::assert_snapshot!(codegen_error(&tmp, &spec));
}

#[test]
fn file_name_must_match_the_action() {
    let (tmp, spec) = broken_spec(
        "ListWidgets.yaml",
        replace("name: ListWidgets", "name: ListGadgets"),
    );
    insta::assert_snapshot!(codegen_error(&tmp, &spec));
}

#[test]
fn all_errors_are_reported_at_once() {
    let (tmp, spec) = broken_spec("ListWidgets.yaml", |text| {
        text.replacen(
            "TotalCount: { type: integer",
            "TotalCount: { type: integr",
            1,
        )
        .replacen(
            "{ value: green, name: Green }",
            "{ value: 7, name: Green }",
            1,
        )
    });
    let message = codegen_error(&tmp, &spec);
    assert!(message.starts_with("the spec has 2 errors"), "{message}");
}

#[test]
fn an_invalid_spec_never_overwrites_generated_code() {
    let tmp = TempDir::new("spec-errors-keep");
    let spec = tmp.path().join("spec/widgets");
    copy_dir(&workspace_root().join("tests/fixture-spec"), &spec);
    xtask::codegen(tmp.path(), std::slice::from_ref(&spec), false)
        .unwrap_or_else(|e| panic!("{e}"));
    let generated = tmp
        .path()
        .join("tests/fixture-crates/widgets-fixture-models/src/list_widgets.rs");
    let before = std::fs::read_to_string(&generated).expect("generated");
    let action = spec.join("ListWidgets.yaml");
    let text = std::fs::read_to_string(&action).expect("spec");
    // A change that would alter the output, plus an error elsewhere.
    let edited = text
        .replacen("Widgets of these colors", "Widgets in these colors", 1)
        .replacen(
            "TotalCount: { type: integer",
            "TotalCount: { type: integr",
            1,
        );
    std::fs::write(&action, edited).expect("write");
    assert!(xtask::codegen(tmp.path(), std::slice::from_ref(&spec), false).is_err());
    assert_eq!(
        std::fs::read_to_string(&generated).expect("generated"),
        before
    );
}

#[test]
fn mangled_spec_files_never_panic() {
    // Truncations and byte flips of a real spec: each must end in Ok or a diagnostic.
    let original =
        std::fs::read_to_string(workspace_root().join("spec/dataworks-public/GetDeployment.yaml"))
            .expect("spec");
    let bytes = original.as_bytes();
    let mut cases = 0;
    for cut in (0..bytes.len()).step_by(97) {
        let text = String::from_utf8_lossy(&bytes[..cut]).into_owned();
        let _ = xtask::load::parse_str::<xtask::spec::ActionFile>(&text);
        cases += 1;
    }
    for (i, flip) in (0..bytes.len()).step_by(61).enumerate() {
        let mut mutated = bytes.to_vec();
        mutated[flip] = [b':', b'-', b'{', b'"', b' ', b'\n', b'[', b'&'][i % 8];
        let text = String::from_utf8_lossy(&mutated).into_owned();
        let _ = xtask::load::parse_str::<xtask::spec::ActionFile>(&text);
        cases += 1;
    }
    assert!(cases > 100);
}

#[test]
fn unknown_auth_and_signature_version() {
    let (tmp, spec) = broken_spec(
        "ListWidgets.yaml",
        replace(
            "name: ListWidgets\n",
            "name: ListWidgets\nauth: bearer\nsignatureVersion: v2\n",
        ),
    );
    let message = codegen_error(&tmp, &spec);
    assert!(message.contains("ListWidgets.yaml"), "{message}");
    assert!(
        message.contains("auth") && message.contains("unknown auth `bearer`"),
        "{message}"
    );
    assert!(
        message.contains("signatureVersion") && message.contains("unknown signature version `v2`"),
        "{message}"
    );
}

#[test]
fn anonymous_action_with_a_signature_version() {
    let (tmp, spec) = broken_spec(
        "ListWidgets.yaml",
        replace(
            "name: ListWidgets\n",
            "name: ListWidgets\nauth: anonymous\nsignatureVersion: v1\n",
        ),
    );
    let message = codegen_error(&tmp, &spec);
    assert!(
        message.contains("signatureVersion")
            && message.contains("anonymous action is sent unsigned"),
        "{message}"
    );
}

#[test]
fn invalid_default_credentials_crate() {
    let (tmp, spec) = broken_spec(
        "product.yaml",
        replace(
            "envelope:\n",
            "defaultCredentials:\n  crate: Not A Crate\nenvelope:\n",
        ),
    );
    let message = codegen_error(&tmp, &spec);
    assert!(
        message.contains("defaultCredentials.crate") && message.contains("not a valid crate name"),
        "{message}"
    );
}

#[test]
fn client_token_must_name_an_optional_string_parameter() {
    let (tmp, spec) = broken_spec(
        "ListWidgets.yaml",
        replace(
            "idempotent: true\n",
            "idempotent: true\nclientToken: Token\n",
        ),
    );
    let message = codegen_error(&tmp, &spec);
    assert!(message.contains("ListWidgets.yaml"), "{message}");
    assert!(
        message.contains("clientToken")
            && message.contains("`Token` is not a parameter of the action"),
        "{message}"
    );
    // A required parameter, and one that is not a string, cannot be filled in by the client.
    for name in ["ShelfName", "PageSize"] {
        let (tmp, spec) = broken_spec("ListWidgets.yaml", move |text| {
            text.replacen("idempotent: true\n", &format!("clientToken: {name}\n"), 1)
        });
        let message = codegen_error(&tmp, &spec);
        assert!(
            message.contains("clientToken")
                && message.contains(&format!(
                    "the client token `{name}` must be an optional string parameter"
                )),
            "{message}"
        );
    }
}

#[test]
fn idempotent_must_be_a_boolean() {
    let (tmp, spec) = broken_spec(
        "ListWidgets.yaml",
        replace("idempotent: true\n", "idempotent: maybe\n"),
    );
    let message = codegen_error(&tmp, &spec);
    assert!(
        message.contains("ListWidgets.yaml") && message.contains("idempotent"),
        "{message}"
    );
}

#[test]
fn rejected_before_processing_must_be_retryable() {
    let (tmp, spec) = broken_spec(
        "product.yaml",
        replace(
            "retryable: true, rejectedBeforeProcessing: true",
            "retryable: false, rejectedBeforeProcessing: true",
        ),
    );
    let message = codegen_error(&tmp, &spec);
    assert!(message.contains("product.yaml"), "{message}");
    assert!(
        message.contains("errorCodes[1].rejectedBeforeProcessing")
            && message
                .contains("`Shelf.Gateway.Busy` is rejected before processing, so it is retried"),
        "{message}"
    );
}

/// A published product whose generated test would read files of the repository (sample
/// files, wire vectors) from its models crate, where the package cannot reach them.
#[test]
fn published_models_crate_test_reading_repository_files() {
    let (tmp, spec) = broken_spec("product.yaml", |text| {
        text.replacen("  publish: false\n", "", 1)
            + "tests:\n  wireVectors: tests/data/wire/official_requests.jsonl\n"
    });
    let message = codegen_error(&tmp, &spec);
    assert!(message.contains("tests.wireVectors"), "{message}");
    assert!(
        message.contains("outside the published models crate `widgets-fixture-models`"),
        "{message}"
    );
    assert!(message.contains("tests.file"), "{message}");

    let (tmp, spec) = broken_spec("product.yaml", |text| {
        text.replacen("  publish: false\n", "", 1)
    });
    let actions = spec.join("ListWidgets.yaml");
    let text = std::fs::read_to_string(&actions).expect("fixture action");
    let body_at = text.find("    body: '{").expect("the JSON sample's body");
    let line_end = body_at + text[body_at..].find('\n').expect("end of line");
    std::fs::write(spec.join("two_widgets.json"), r#"{"RequestId":"R1"}"#).expect("write");
    std::fs::write(
        &actions,
        format!(
            "{}    file: two_widgets.json{}",
            &text[..body_at],
            &text[line_end..]
        ),
    )
    .expect("write");
    let message = codegen_error(&tmp, &spec);
    assert!(message.contains("samples[0].file"), "{message}");
    assert!(
        message.contains("would read sample file `two_widgets.json` from outside the published"),
        "{message}"
    );

    let (tmp, spec) = broken_spec("product.yaml", |text| {
        text + "tests:\n  file: tests/actions.txt\n"
    });
    let message = codegen_error(&tmp, &spec);
    assert!(
        message.contains("`tests/actions.txt` must be a Rust file"),
        "{message}"
    );
}

//! The command line for people, end to end against the in-process test server: `--query`,
//! `--output`, `--columns`.

use acs_test_server::{ServerConfig, Step, TestServer};
use serde_json::{json, Value};
use std::process::{Command, Output};
use std::time::Duration;

mod common;

use common::TestCredential;

const TEST: TestCredential = TestCredential {
    access_key_id: "LTAI5tCliPeopleKey",
    secret: "cli-people-secret-Qa81Zr",
    home: "dataworks-cli-people",
};
const AK: &str = TEST.access_key_id;
const SECRET: &str = TEST.secret;

fn server(steps: Vec<Step>) -> TestServer {
    TEST.server(steps)
}

fn home() -> std::path::PathBuf {
    TEST.home()
}

/// The binary with a cleared environment and the test's credentials.
fn dataworks() -> Command {
    TEST.dataworks()
}

/// Runs `dataworks --endpoint <server> --max-attempts 1 <args>`; no secret in the output.
fn run(server: &TestServer, args: &[&str]) -> Output {
    let output = dataworks()
        .args(["--endpoint", &server.endpoint(), "--max-attempts", "1"])
        .args(args)
        .output()
        .expect("the binary runs");
    assert_no_secret(&output);
    output
}

fn assert_no_secret(output: &Output) {
    TEST.assert_no_secret(output);
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("UTF-8")
}

fn assert_code(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout: {}\nstderr: {}",
        stdout(output),
        stderr(output)
    );
}

fn deployments_page() -> Step {
    Step::ok(
        json!({"RequestId": "r-1", "Data": {"PageNumber": 1, "PageSize": 10, "TotalCount": 2,
        "Deployments": [
            {"Id": 11, "Name": "first", "Status": 1, "Creator": "amy"},
            {"Id": 12, "Name": "second", "Status": 2, "Creator": "bo"}
        ]}}),
    )
}

const LIST: [&str; 3] = ["list-deployments", "--project-id", "1"];

// ---------------------------------------------------------------------------------------
// --query and --output
// ---------------------------------------------------------------------------------------

#[test]
fn query_picks_fields_with_wire_names_before_or_after_the_subcommand() {
    let server = server(vec![deployments_page(), deployments_page()]);
    let after = run(
        &server,
        &[
            &LIST[..],
            &["--query", "Data.Deployments[?Status==`1`].Name"],
        ]
        .concat(),
    );
    assert_code(&after, 0);
    assert_eq!(
        serde_json::from_slice::<Value>(&after.stdout).expect("JSON"),
        json!(["first"])
    );
    let before = run(
        &server,
        &[&["--query", "Data.TotalCount"][..], &LIST[..]].concat(),
    );
    assert_code(&before, 0);
    assert_eq!(stdout(&before), "2\n");
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn a_bad_query_is_a_usage_error_with_the_position_and_nothing_is_sent() {
    let server = server(vec![deployments_page()]);
    let output = run(
        &server,
        &[&LIST[..], &["--query", "Data.Deployments[?Status=="]].concat(),
    );
    assert_code(&output, 2);
    let err = stderr(&output);
    assert!(
        err.contains("invalid JMESPath expression at position"),
        "{err}"
    );
    assert!(err.contains("Data.Deployments[?Status=="), "{err}");
    assert!(err.contains('^'), "{err}");
    assert!(output.stdout.is_empty());
    assert_eq!(server.requests().len(), 0, "nothing is sent");
}

#[test]
fn output_text_is_tab_separated_for_shell_loops() {
    let server = server(vec![deployments_page(), deployments_page()]);
    let output = run(
        &server,
        &[&LIST[..], &["--output", "text", "--columns", "Id,Name"]].concat(),
    );
    assert_code(&output, 0);
    assert_eq!(stdout(&output), "11\tfirst\n12\tsecond\n");
    let output = run(
        &server,
        &[
            &LIST[..],
            &["--output", "text", "--query", "Data.Deployments[].Id"],
        ]
        .concat(),
    );
    assert_code(&output, 0);
    assert_eq!(stdout(&output), "11\n12\n");
}

#[test]
fn output_table_shows_the_response_list_within_the_width() {
    let server = server(vec![deployments_page(), deployments_page()]);
    let output = dataworks()
        .env("COLUMNS", "28")
        .args(["--endpoint", &server.endpoint(), "--output", "table"])
        .args(LIST)
        .output()
        .expect("runs");
    assert_code(&output, 0);
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6, "{text}");
    assert!(
        lines[1].contains("Id") && lines[1].contains("Sta…"),
        "{text}"
    );
    // Keys in the JSON's order (sorted), the widest column cut to fit.
    assert!(
        lines[3].starts_with("| amy ") && lines[3].contains("| 11 "),
        "{text}"
    );
    assert!(text.contains('…'), "{text}");
    assert!(
        lines.iter().all(|l| l.chars().count() <= 28),
        "fits 28 columns: {text}"
    );
    // --columns before the subcommand, the table as wide as it needs.
    let output = run(
        &server,
        &[
            &["--output", "table", "--columns", "Name,Creator"][..],
            &LIST[..],
        ]
        .concat(),
    );
    assert_code(&output, 0);
    let text = stdout(&output);
    assert!(text.contains("| Name   | Creator |"), "{text}");
    assert!(text.contains("| second | bo      |"), "{text}");
    assert!(!text.contains("Status"), "{text}");
}

#[test]
fn output_yaml_keeps_the_wire_names() {
    let server = server(vec![deployments_page()]);
    let output = run(&server, &[&LIST[..], &["--output", "yaml"]].concat());
    assert_code(&output, 0);
    let text = stdout(&output);
    assert!(text.contains("RequestId: r-1"), "{text}");
    assert!(text.contains("TotalCount: 2"), "{text}");
    assert!(text.contains("Name: second"), "{text}");
}

#[test]
fn columns_after_a_subcommand_with_a_columns_parameter_is_the_parameter() {
    // CreateTable has a `Columns` parameter: after its subcommand, --columns is that
    // parameter (one JSON object per item); the table's columns go before the subcommand.
    let server = server(vec![Step::ok(
        json!({"RequestId": "r", "TaskInfo": {"TaskId": "t1", "Status": "operating"}}),
    )]);
    let output = run(
        &server,
        &[
            "--output",
            "text",
            "--columns",
            "TaskInfo.TaskId",
            "create-table",
            "--table-name",
            "t",
            "--columns",
            r#"{"ColumnName":"id","ColumnType":"bigint"}"#,
        ],
    );
    assert_code(&output, 0);
    assert_eq!(stdout(&output), "t1\n");
    let requests = server.requests();
    assert_eq!(requests[0].param("Columns.1.ColumnName"), Some("id"));
}

// ---------------------------------------------------------------------------------------
// completions
// ---------------------------------------------------------------------------------------

/// `dataworks completions <shell>` (no credentials, no endpoint needed), written to a file.
fn completion_script(shell: &str) -> (String, std::path::PathBuf) {
    let output = Command::new(env!("CARGO_BIN_EXE_dataworks"))
        .env_clear()
        .env("HOME", home())
        .args(["completions", shell])
        .output()
        .expect("runs");
    assert_code(&output, 0);
    assert!(output.stderr.is_empty(), "{}", stderr(&output));
    let script = stdout(&output);
    let path = home().join(format!("completions.{shell}"));
    std::fs::write(&path, &script).expect("write the script");
    (script, path)
}

/// Whether `program` runs here (the shells other than bash may not be installed).
fn installed(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// `<shell> -n <script>`: the shell parses the script without running it.
fn assert_parses(shell: &str, path: &std::path::Path) {
    let check = Command::new(shell)
        .arg("-n")
        .arg(path)
        .output()
        .expect("the shell runs");
    assert_code(&check, 0);
}

/// The words bash offers after `words` (the last one being completed), from the script.
fn bash_completes(script: &std::path::Path, words: &[&str]) -> Vec<String> {
    let driver = format!(
        "source '{}'\n\
         COMP_WORDS=({})\n\
         COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))\n\
         COMP_LINE=\"${{COMP_WORDS[*]}}\"; COMP_POINT=${{#COMP_LINE}}\n\
         _dataworks dataworks \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        script.display(),
        words
            .iter()
            .map(|w| format!("'{w}'"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let output = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &driver])
        .output()
        .expect("bash runs");
    assert_code(&output, 0);
    stdout(&output).lines().map(str::to_owned).collect()
}

#[test]
fn bash_completion_offers_subcommands_flags_and_enum_values() {
    let (_, path) = completion_script("bash");
    assert_parses("bash", &path);
    assert_eq!(
        bash_completes(&path, &["dataworks", "list-deploy"]),
        ["list-deployments"]
    );
    assert_eq!(
        bash_completes(&path, &["dataworks", "list-deployments", "--page-"]),
        ["--page-number", "--page-size"]
    );
    assert_eq!(
        bash_completes(&path, &["dataworks", "list-deployments", "--status", ""]),
        ["0", "1", "2", "6"]
    );
    assert_eq!(
        bash_completes(&path, &["dataworks", "--output", ""]),
        ["json", "yaml", "table", "text"]
    );
    let shells = bash_completes(&path, &["dataworks", "completions", ""]);
    for shell in ["bash", "zsh", "fish", "powershell"] {
        assert!(shells.iter().any(|s| s == shell), "{shells:?}");
    }
}

#[test]
fn zsh_fish_and_powershell_scripts_cover_every_subcommand() {
    let subcommands: Vec<String> = {
        let help = Command::new(env!("CARGO_BIN_EXE_dataworks"))
            .arg("--help")
            .output()
            .expect("runs");
        // `  get-deployment  ...` lines of the subcommand list.
        stdout(&help)
            .lines()
            .filter_map(|l| l.strip_prefix("  "))
            .filter_map(|l| l.split_whitespace().next())
            .filter(|w| {
                !w.starts_with('-') && w.chars().all(|c| c.is_ascii_lowercase() || c == '-')
            })
            .map(str::to_owned)
            .collect()
    };
    assert!(subcommands.len() > 300, "{subcommands:?}");
    for shell in ["zsh", "fish", "powershell"] {
        let (script, path) = completion_script(shell);
        for name in &subcommands {
            assert!(script.contains(name.as_str()), "{shell}: no {name}");
        }
        match shell {
            "zsh" => {
                assert!(script.starts_with("#compdef dataworks"), "zsh header");
                assert!(script.contains(":VALUE:(0 1 2 6)"), "zsh: --status values");
            }
            "fish" => {
                assert!(script
                    .contains("__fish_dataworks_using_subcommand list-deployments\" -l status"));
            }
            _ => {
                assert!(
                    script.contains("Register-ArgumentCompleter -Native -CommandName 'dataworks'")
                );
                assert!(script.contains("'dataworks;list-deployments'"));
                assert_eq!(
                    script.matches('{').count(),
                    script.matches('}').count(),
                    "powershell: balanced braces"
                );
            }
        }
        if shell != "powershell" && installed(shell) {
            assert_parses(shell, &path);
        }
    }
}

// ---------------------------------------------------------------------------------------
// --cli-input-json, @file, --generate-skeleton
// ---------------------------------------------------------------------------------------

fn write_file(name: &str, content: &str) -> std::path::PathBuf {
    let path = home().join(name);
    std::fs::write(&path, content).expect("write");
    path
}

#[test]
fn generate_skeleton_prints_every_parameter_and_sends_nothing() {
    let server = server(vec![]);
    let output = run(&server, &["get-deployment", "--generate-skeleton"]);
    assert_code(&output, 0);
    assert_eq!(
        serde_json::from_slice::<Value>(&output.stdout).expect("JSON"),
        json!({"DeploymentId": 0, "ProjectId": 0, "ProjectIdentifier": ""})
    );
    let output = run(&server, &["create-table", "--generate-skeleton"]);
    assert_code(&output, 0);
    let skeleton: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert!(
        skeleton["Columns"][0]["ColumnName"].is_string(),
        "{skeleton}"
    );
    assert!(skeleton["TableName"].is_string(), "{skeleton}");
    assert_eq!(server.requests().len(), 0);
}

#[test]
fn cli_input_json_is_the_request_and_flags_win() {
    let server = server(vec![
        Step::raw(
            200,
            "application/json",
            include_bytes!("data/GetDeployment.json"),
        ),
        Step::raw(
            200,
            "application/json",
            include_bytes!("data/GetDeployment.json"),
        ),
    ]);
    let file = write_file(
        "request.json",
        r#"{"ProjectId": 10000, "DeploymentId": 3000001}"#,
    );
    let file = file.to_str().expect("UTF-8");
    let output = run(&server, &["get-deployment", "--cli-input-json", file]);
    assert_code(&output, 0);
    let output = run(
        &server,
        &[
            "get-deployment",
            "--cli-input-json",
            file,
            "--deployment-id",
            "42",
        ],
    );
    assert_code(&output, 0);
    let requests = server.requests();
    assert_eq!(requests[0].param("ProjectId"), Some("10000"));
    assert_eq!(requests[0].param("DeploymentId"), Some("3000001"));
    assert_eq!(requests[1].param("ProjectId"), Some("10000"));
    assert_eq!(
        requests[1].param("DeploymentId"),
        Some("42"),
        "the flag wins"
    );
}

#[test]
fn cli_input_json_from_stdin_and_its_mistakes_are_usage_errors() {
    let server = server(vec![Step::raw(
        200,
        "application/json",
        include_bytes!("data/GetDeployment.json"),
    )]);
    let mut child = dataworks()
        .args([
            "--endpoint",
            &server.endpoint(),
            "get-deployment",
            "--cli-input-json",
            "-",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawns");
    std::io::Write::write_all(
        child.stdin.as_mut().expect("stdin"),
        br#"{"ProjectIdentifier": "dw", "DeploymentId": 7}"#,
    )
    .expect("write stdin");
    drop(child.stdin.take());
    let output = child.wait_with_output().expect("runs");
    assert_code(&output, 0);
    assert_eq!(server.requests()[0].param("ProjectIdentifier"), Some("dw"));

    for (content, expected) in [
        (
            r#"{"ProjectID": 1, "DeploymentId": 7}"#,
            "`ProjectID` is not a parameter of this action",
        ),
        (r#"{"ProjectId": 1}"#, "--deployment-id"),
        (r#"{"ProjectId": "x", "DeploymentId": 7}"#, "--project-id"),
        ("[1]", "expected one JSON object"),
        ("{", "not valid JSON"),
    ] {
        let file = write_file("bad-request.json", content);
        let output = run(
            &server,
            &[
                "get-deployment",
                "--cli-input-json",
                file.to_str().expect("UTF-8"),
            ],
        );
        assert_code(&output, 2);
        assert!(
            stderr(&output).contains(expected),
            "{content}: {}",
            stderr(&output)
        );
    }
    assert_eq!(
        server.requests().len(),
        1,
        "nothing sent for a bad input file"
    );
}

#[test]
fn at_file_gives_a_json_flag_its_value() {
    let server = server(vec![
        Step::ok(json!({"Success": true, "Data": 1})),
        Step::ok(json!({"Success": true, "Data": 2})),
    ]);
    let conditions = write_file(
        "conditions.json",
        r#"[{"Severity": "Warning", "Duration": 3, "Threshold": 5}]"#,
    );
    let settings = write_file(
        "settings.json",
        r#"{"NotificationChannels": [{"Severity": "Warning", "Channels": ["Mail"]}],
            "NotificationReceivers": [{"ReceiverType": "AliyunUid", "ReceiverValues": ["1"]}]}"#,
    );
    let output = run(
        &server,
        &[
            "create-di-alarm-rule",
            "--di-job-id",
            "11265",
            "--metric-type",
            "Heartbeat",
            "--trigger-conditions",
            &format!("@{}", conditions.display()),
            "--notification-settings",
            &format!("@{}", settings.display()),
        ],
    );
    assert_code(&output, 0);
    let requests = server.requests();
    let sent = requests[0].params();
    let text: String = sent.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
    assert!(text.contains("Threshold"), "{text}");
    assert!(text.contains("AliyunUid"), "{text}");
    let output = run(
        &server,
        &[
            "create-di-alarm-rule",
            "--di-job-id",
            "1",
            "--metric-type",
            "Heartbeat",
            "--trigger-conditions",
            "@/no/such/file.json",
            "--notification-settings",
            "{}",
        ],
    );
    assert_code(&output, 2);
    assert!(
        stderr(&output).contains("cannot read /no/such/file.json"),
        "{}",
        stderr(&output)
    );
    assert_eq!(server.requests().len(), 1);
}

// ---------------------------------------------------------------------------------------
// --dry-run
// ---------------------------------------------------------------------------------------

/// A dry run's printout, in parts.
struct Printed {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: String,
    /// The canonical request (V3) or the string to sign (v1).
    signed_text: String,
}

fn parse_dry_run(text: &str) -> Printed {
    let text = text
        .strip_prefix("Dry run: nothing was sent.\n\n")
        .unwrap_or_else(|| panic!("no dry-run banner: {text}"));
    let mut parts = text.splitn(3, "\n\n");
    let head = parts.next().expect("request line and headers");
    let body = parts.next().expect("body").to_owned();
    let rest = parts.next().expect("signing texts");
    let mut lines = head.lines();
    let (method, url) = lines
        .next()
        .and_then(|l| l.split_once(' '))
        .expect("request line");
    let headers = lines
        .map(|l| {
            let (k, v) = l.split_once(": ").expect("header line");
            (k.to_owned(), v.to_owned())
        })
        .collect();
    let signed_text =
        if let Some(v3) = rest.strip_prefix("Canonical request (V3, ACS3-HMAC-SHA256):\n") {
            v3.split("\n\nString to sign:\n")
                .next()
                .expect("canonical")
                .to_owned()
        } else {
            rest.strip_prefix("String to sign (RPC v1, HMAC-SHA1):\n")
                .unwrap_or_else(|| panic!("no signing text: {rest}"))
                .lines()
                .next()
                .expect("string to sign")
                .to_owned()
        };
    Printed {
        method: method.to_owned(),
        url: url.to_owned(),
        headers,
        body,
        signed_text,
    }
}

const SUBMIT: [&str; 7] = [
    "submit-file",
    "--project-id",
    "10000",
    "--file-id",
    "5",
    "--comment",
    "nightly run: a+b / 50%",
];

#[test]
fn dry_run_v3_prints_what_the_server_then_receives_and_sends_nothing() {
    let server = server(vec![Step::ok(json!({"Success": true, "Data": 1}))]);
    let dry = run(&server, &[&["--dry-run"][..], &SUBMIT[..]].concat());
    assert_code(&dry, 0);
    assert_eq!(server.requests().len(), 0, "a dry run sends nothing");
    let printed = parse_dry_run(&stdout(&dry));
    assert!(
        stdout(&dry).contains("Signature=<redacted>"),
        "{}",
        stdout(&dry)
    );

    let real = run(&server, &SUBMIT);
    assert_code(&real, 0);
    let sent = &server.requests()[0];
    assert!(sent.verified, "{sent:?}");
    assert_eq!(printed.method, sent.method);
    assert_eq!(printed.url, format!("{}{}", server.endpoint(), sent.path));
    assert_eq!(printed.body, sent.body_text());
    // Every header printed is sent with the same value, but for the fresh nonce, date and
    // signature of each attempt.
    let header = |name: &str| {
        printed
            .headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no {name} printed"))
    };
    for (name, value) in &printed.headers {
        let got = sent
            .header(name)
            .unwrap_or_else(|| panic!("{name} not sent"));
        match name.as_str() {
            "x-acs-date" | "x-acs-signature-nonce" => {}
            "authorization" => {
                let without_signature =
                    |v: &str| v.split(",Signature=").next().unwrap_or("").to_owned();
                assert_eq!(without_signature(value), without_signature(got));
            }
            _ => assert_eq!(value, got, "{name}"),
        }
    }
    // The canonical request is the server's, with this attempt's nonce and date.
    let canonical = printed
        .signed_text
        .replace(
            &header("x-acs-signature-nonce"),
            sent.header("x-acs-signature-nonce").expect("nonce"),
        )
        .replace(
            &header("x-acs-date"),
            sent.header("x-acs-date").expect("date"),
        );
    assert_eq!(Some(canonical), sent.canonical_request);
}

#[test]
fn dry_run_v1_prints_the_string_to_sign_the_server_computes() {
    let server = server(vec![Step::ok(json!({"Success": true, "Data": 1}))]);
    let dry = run(
        &server,
        &[
            &["--signature", "v1"][..],
            &SUBMIT[..],
            &["--wait", "--dry-run"][..],
        ]
        .concat(),
    );
    assert_code(&dry, 0);
    assert_eq!(server.requests().len(), 0, "a dry run sends nothing");
    let text = stdout(&dry);
    assert!(text.contains("Signature=<redacted>"), "{text}");
    assert!(text.contains("--wait: this is the first request"), "{text}");
    let printed = parse_dry_run(&text);

    let real = run(&server, &[&["--signature", "v1"][..], &SUBMIT[..]].concat());
    assert_code(&real, 0);
    let sent = &server.requests()[0];
    assert!(sent.verified, "{sent:?}");
    assert_eq!(printed.body, sent.body_text());
    let query = |url: &str| -> Vec<(String, String)> {
        url.split_once('?')
            .map(|(_, q)| q)
            .unwrap_or("")
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    };
    let printed_query = query(&printed.url);
    let sent_query = query(&format!("?{}", sent.raw_query));
    let names = |q: &[(String, String)]| q.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
    assert_eq!(names(&printed_query), names(&sent_query));
    let value = |q: &[(String, String)], name: &str| {
        q.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    for (name, v) in &printed_query {
        if !["SignatureNonce", "Timestamp", "Signature"].contains(&name.as_str()) {
            assert_eq!(v, &value(&sent_query, name), "{name}");
        }
    }
    // In the string to sign the values are encoded once more (`%` -> `%25`).
    let twice = |v: String| v.replace('%', "%25");
    let string_to_sign = printed
        .signed_text
        .replace(
            &value(&printed_query, "SignatureNonce"),
            &value(&sent_query, "SignatureNonce"),
        )
        .replace(
            &twice(value(&printed_query, "Timestamp")),
            &twice(value(&sent_query, "Timestamp")),
        );
    assert_eq!(Some(string_to_sign), sent.string_to_sign);
}

#[test]
fn dry_run_redacts_the_token_and_checks_the_request_first() {
    let server = server(vec![]);
    let token = "CAISdryRunToken+/x=secret";
    for signature in ["v3", "v1"] {
        let output = dataworks()
            .env("ALIBABA_CLOUD_SECURITY_TOKEN", token)
            .args(["--endpoint", &server.endpoint(), "--signature", signature])
            .args([
                "get-deployment",
                "--project-id",
                "1",
                "--deployment-id",
                "2",
                "--dry-run",
            ])
            .output()
            .expect("runs");
        assert_no_secret(&output);
        assert_code(&output, 0);
        let text = stdout(&output);
        for leaked in [token, "CAISdryRunToken%2B", "CAISdryRunToken%252B"] {
            assert!(!text.contains(leaked), "{signature}: token in {text}");
        }
        assert!(text.contains("<redacted>"), "{text}");
    }
    // The spec's rules are checked before anything is built: exit 2.
    let output = run(
        &server,
        &[
            "list-deployments",
            "--project-id",
            "1",
            "--page-size",
            "1000",
            "--dry-run",
        ],
    );
    assert_code(&output, 2);
    assert!(output.stdout.is_empty());
    assert_eq!(server.requests().len(), 0);
}

// ---------------------------------------------------------------------------------------
// progress and Ctrl-C
// ---------------------------------------------------------------------------------------

fn deployment(status: i64) -> Step {
    Step::ok(
        json!({"Success": true, "Data": {"Deployment": {"Status": status, "CheckingStatus": 0}}}),
    )
}

/// SubmitFile, then GetDeployment in progress once, then succeeded.
fn submit_then_deploy() -> TestServer {
    server(vec![
        Step::ok(json!({"Success": true, "Data": 3000001})),
        deployment(0),
        deployment(1),
    ])
}

const SUBMIT_WAIT: [&str; 5] = ["submit-file", "--project-id", "10000", "--file-id", "5"];

#[test]
fn wait_progress_in_a_terminal_shows_status_polls_and_next_poll() {
    if !installed_script() {
        eprintln!("skipped: script(1) is not installed");
        return;
    }
    let server = submit_then_deploy();
    let (output, terminal) = in_terminal(&server, &[&SUBMIT_WAIT[..], &["--wait"][..]].concat());
    assert_code(&output, 0);
    assert!(
        terminal.contains("\r\x1b[2Kwaiting for GetDeployment: "),
        "{terminal:?}"
    );
    assert!(
        terminal.contains("Data.Deployment.Status=0"),
        "{terminal:?}"
    );
    assert!(terminal.contains("1 poll, next poll in "), "{terminal:?}");
    assert!(terminal.contains("\"SubmitFile\""), "{terminal:?}");
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn no_progress_bytes_in_a_pipe_or_with_quiet_in_a_terminal() {
    let server = submit_then_deploy();
    let output = run(&server, &[&SUBMIT_WAIT[..], &["--wait"][..]].concat());
    assert_code(&output, 0);
    assert_eq!(stderr(&output), "", "nothing on a piped stderr");
    assert_eq!(
        serde_json::from_slice::<Value>(&output.stdout).expect("JSON")["GetDeployment"]["Data"]
            ["Deployment"]["Status"],
        1
    );
    if installed_script() {
        let server = submit_then_deploy();
        let (output, terminal) = in_terminal(
            &server,
            &[&["--quiet"][..], &SUBMIT_WAIT[..], &["--wait"][..]].concat(),
        );
        assert_code(&output, 0);
        assert!(!terminal.contains("waiting for"), "{terminal:?}");
        assert!(!terminal.contains('\x1b'), "{terminal:?}");
    }
}

#[test]
fn all_pages_progress_in_a_terminal_and_none_in_a_pipe() {
    let page = |n: i64, ids: &[i64]| {
        let items: Vec<Value> = ids.iter().map(|id| json!({"Id": id})).collect();
        Step::ok(
            json!({"Data": {"PageNumber": n, "PageSize": 2, "TotalCount": 3, "Deployments": items}}),
        )
    };
    let server_pages = || server(vec![page(1, &[1, 2]), page(2, &[3])]);
    let args = [
        "list-deployments",
        "--project-id",
        "1",
        "--page-size",
        "2",
        "--all-pages",
    ];
    let piped = server_pages();
    let output = run(&piped, &args);
    assert_code(&output, 0);
    assert_eq!(stderr(&output), "");
    if installed_script() {
        let server = server_pages();
        let (output, terminal) = in_terminal(&server, &args);
        assert_code(&output, 0);
        assert!(
            terminal.contains("fetching all pages: 1 page and 2 items so far"),
            "{terminal:?}"
        );
        assert!(
            terminal.contains("fetching all pages: 2 pages and 3 items so far"),
            "{terminal:?}"
        );
    }
}

#[test]
fn ctrl_c_during_a_wait_says_what_was_last_seen_and_exits_130() {
    let server = TestServer::start_blocking(
        ServerConfig::new()
            .with_credential(AK, SECRET)
            .with_lifetime(Duration::from_secs(60))
            .with_steps([Step::ok(json!({"Success": true, "Data": 3000001}))])
            .with_default(deployment(0)),
    )
    .expect("server starts");
    let child = dataworks()
        .args(["--endpoint", &server.endpoint()])
        .args([
            "submit-file",
            "--project-id",
            "10000",
            "--file-id",
            "5",
            "--wait",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawns");
    let started = std::time::Instant::now();
    while server.requests().len() < 2 {
        assert!(started.elapsed() < Duration::from_secs(20), "no poll");
        std::thread::sleep(Duration::from_millis(20));
    }
    // The first poll's response is read while the waiter sleeps at least 2 s before the next.
    std::thread::sleep(Duration::from_millis(500));
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(kill.success());
    let output = child.wait_with_output().expect("exits");
    assert_no_secret(&output);
    assert_code(&output, 130);
    let err = stderr(&output);
    assert!(err.starts_with("interrupted after "), "{err}");
    assert!(err.contains("1 poll of GetDeployment "), "{err}");
    assert!(err.contains("DeploymentId=3000001"), "{err}");
    assert!(
        err.contains("last seen Data.Deployment.CheckingStatus=0 Data.Deployment.Status=0"),
        "{err}"
    );
    assert!(err.contains("the process goes on at the service"), "{err}");
    assert_eq!(
        serde_json::from_slice::<Value>(&output.stdout).expect("JSON")["GetDeployment"]["Data"]
            ["Deployment"]["Status"],
        0
    );
    assert_eq!(server.requests().len(), 2, "no poll after Ctrl-C");
}

/// Runs `dataworks --endpoint <server> <args>` (plain words) with stdin, stdout and stderr
/// on a pseudo-terminal (script(1)): the exit status and what the terminal showed.
fn in_terminal(server: &TestServer, args: &[&str]) -> (Output, String) {
    let command = format!(
        "'{}' --endpoint {} {}",
        env!("CARGO_BIN_EXE_dataworks"),
        server.endpoint(),
        args.join(" ")
    );
    let output = dataworks_env(Command::new("script"))
        .args(["-qefc", &command, "/dev/null"])
        .output()
        .expect("script runs");
    let terminal = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(!terminal.contains(SECRET), "the secret leaked");
    (output, terminal)
}

fn installed_script() -> bool {
    Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// `command` with the test's environment (cleared, credentials, HOME).
fn dataworks_env(command: Command) -> Command {
    TEST.env(command)
}

// ---------------------------------------------------------------------------------------
// --help examples
// ---------------------------------------------------------------------------------------

/// The words of a shell command line with single-quoted words (`'it'\''s'`).
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' if in_word => {
                words.push(std::mem::take(&mut word));
                in_word = false;
            }
            ' ' => {}
            '\'' => {
                in_word = true;
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    word.push(q);
                }
            }
            '\\' => {
                in_word = true;
                word.extend(chars.next());
            }
            other => {
                in_word = true;
                word.push(other);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

#[test]
fn every_subcommand_help_shows_an_example_that_is_a_valid_invocation() {
    let help = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_dataworks"))
            .env_clear()
            .args(args)
            .output()
            .expect("runs");
        assert_code(&output, 0);
        stdout(&output)
    };
    assert!(help(&["get-deployment", "--help"])
        .contains("Example: dataworks get-deployment --project-id 10000 --deployment-id 3000001"));
    let subcommands: Vec<String> = help(&["--help"])
        .lines()
        .filter_map(|l| l.strip_prefix("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|w| w.chars().all(|c| c.is_ascii_lowercase() || c == '-') && !w.starts_with('-'))
        .filter(|w| !["completions", "credentials", "help"].contains(w))
        .map(str::to_owned)
        .collect();
    assert!(subcommands.len() > 300);
    let server = server(vec![]);
    let (mut checked, mut placeholders) = (0, 0);
    for name in &subcommands {
        let text = help(&[name, "--help"]);
        let example = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("Example: dataworks "))
            .unwrap_or_else(|| panic!("{name}: no example in {text}"));
        let words = shell_words(example);
        assert_eq!(&words[0], name, "{example}");
        if words.iter().any(|w| w.starts_with('<') && w.ends_with('>')) {
            // A value the spec gives no usable example for: shown as a placeholder.
            placeholders += 1;
            continue;
        }
        let args: Vec<&str> = words.iter().map(String::as_str).collect();
        let output = run(&server, &[&args[..], &["--dry-run"]].concat());
        assert_code(&output, 0);
        checked += 1;
    }
    assert_eq!(server.requests().len(), 0);
    assert!(
        checked > 250,
        "{checked} examples checked, {placeholders} with placeholders"
    );
}

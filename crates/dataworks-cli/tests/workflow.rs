//! `--wait` on submit-file / deploy-file and `--all-pages` on list-deployments, end to end.

use acs_test_server::{Step, TestServer};
use serde_json::{json, Value};
use std::process::{Command, Output};

mod common;

use common::{stdout_json, TestCredential};

const TEST: TestCredential = TestCredential {
    access_key_id: "LTAI5tCliWorkflowKey",
    secret: "cli-workflow-secret-Hs7Lk2",
    home: "dataworks-cli-workflow",
};

fn server(steps: Vec<Step>) -> TestServer {
    TEST.server(steps)
}

fn run(server: &TestServer, args: &[&str]) -> Output {
    run_with_attempts(server, 1, args)
}

fn run_with_attempts(server: &TestServer, attempts: u32, args: &[&str]) -> Output {
    let output = TEST
        .dataworks()
        .args(["--endpoint", &server.endpoint(), "--max-attempts"])
        .arg(attempts.to_string())
        .args(args)
        .output()
        .expect("the binary runs");
    TEST.assert_no_secret(&output);
    output
}

fn deployment(status: i64, items: Value) -> Step {
    Step::ok(
        json!({"Success": true, "Data": {"Deployment": {"Status": status}, "DeployedItems": items}}),
    )
}

#[test]
fn submit_file_wait_prints_both_responses_and_exits_0_on_success() {
    let server = server(vec![
        Step::ok(json!({"Success": true, "Data": 3000001})),
        deployment(1, json!([{"FileId": 5, "Status": 1}])),
    ]);
    let output = run(
        &server,
        &[
            "submit-file",
            "--project-id",
            "10000",
            "--file-id",
            "5",
            "--wait",
        ],
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let out = stdout_json(&output);
    assert_eq!(out["SubmitFile"]["Data"], 3000001);
    assert_eq!(out["GetDeployment"]["Data"]["Deployment"]["Status"], 1);
    assert!(out["GetDeployment"]["Data"]["DeployedItems"].is_array());
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].param("DeploymentId"), Some("3000001"));
    assert!(requests.iter().all(|r| r.verified));
}

#[test]
fn deploy_file_wait_exits_1_when_the_deployment_failed() {
    let server = server(vec![
        Step::ok(json!({"Success": true, "Data": 9})),
        deployment(2, json!([{"FileId": 5, "Status": 4}])),
    ]);
    let output = run(
        &server,
        &[
            "deploy-file",
            "--project-identifier",
            "dw",
            "--file-id",
            "5",
            "--wait",
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    let out = stdout_json(&output);
    assert_eq!(
        out["GetDeployment"]["Data"]["DeployedItems"][0]["Status"], 4,
        "the failed item is reported"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("failure state"), "{stderr}");
}

#[test]
fn submit_file_without_wait_sends_one_request() {
    let server = server(vec![Step::ok(json!({"Success": true, "Data": 1}))]);
    let output = run(
        &server,
        &["submit-file", "--project-id", "1", "--file-id", "5"],
    );
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout_json(&output)["Data"], 1);
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn list_deployments_all_pages_prints_every_item() {
    let page = |n: i64, ids: &[i64]| {
        let items: Vec<Value> = ids
            .iter()
            .map(|id| json!({"Id": id, "Status": 1}))
            .collect();
        Step::ok(
            json!({"Data": {"PageNumber": n, "PageSize": 2, "TotalCount": 3, "Deployments": items}}),
        )
    };
    let server = server(vec![page(1, &[1, 2]), page(2, &[3])]);
    let output = run(
        &server,
        &[
            "list-deployments",
            "--project-id",
            "1",
            "--page-size",
            "2",
            "--all-pages",
        ],
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let ids: Vec<i64> = stdout_json(&output)["Data"]["Deployments"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|d| d["Id"].as_i64())
        .collect();
    assert_eq!(ids, vec![1, 2, 3]);
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn workflow_usage_errors_exit_2_without_a_request() {
    let server = server(vec![]);
    for args in [
        vec!["submit-file", "--file-id", "5"],
        vec!["deploy-file", "--project-id", "1"],
        vec!["list-deployments", "--project-id", "1", "--status", "x"],
    ] {
        let output = run(&server, &args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    assert_eq!(server.requests().len(), 0);
}

#[test]
fn a_deploy_whose_outcome_is_unknown_is_sent_once_and_exits_1_with_a_hint() {
    // HTTP 503 after the server read the request: it may have been carried out.
    for wait in [false, true] {
        let server = server(vec![Step::error(
            503,
            "ServiceUnavailable",
            "The request has failed due to a temporary failure of the server.",
        )]);
        let mut args = vec!["deploy-file", "--project-id", "1", "--file-id", "5"];
        if wait {
            args.push("--wait");
        }
        let output = run_with_attempts(&server, 3, &args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert_eq!(server.requests().len(), 1, "sent again: {stderr}");
        assert!(output.stdout.is_empty());
        assert!(
            stderr.starts_with(
                "error: outcome unknown: the request may have been carried out (DeployFile, RequestId: "
            ),
            "{stderr}"
        );
        assert!(stderr.contains("HTTP 503 ServiceUnavailable"), "{stderr}");
        assert!(
            stderr.contains(
                "hint: DeployFile may have taken effect although it failed: check with `dataworks list-deployments / dataworks get-deployment` before repeating it"
            ),
            "{stderr}"
        );
    }
}

#[test]
fn help_says_which_actions_are_not_retried_after_an_uncertain_failure() {
    let help = |command: &str| {
        let output = Command::new(env!("CARGO_BIN_EXE_dataworks"))
            .args([command, "--help"])
            .output()
            .expect("the binary runs");
        assert_eq!(output.status.code(), Some(0));
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let note = "Not retried after a failure that leaves the outcome unknown";
    for write in ["deploy-file", "submit-file"] {
        let text = help(write);
        assert!(text.contains(note), "{write}: {text}");
        assert!(
            text.contains("dataworks list-deployments / dataworks get-deployment"),
            "{write}: {text}"
        );
    }
    for read in ["get-deployment", "list-deployments", "get-file"] {
        assert!(!help(read).contains(note), "{read}");
    }
}

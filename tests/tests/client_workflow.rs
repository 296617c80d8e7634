//! The deployment workflow through the generated client against the in-process server:
//! SubmitFile / DeployFile followed by the GetDeployment waiter, and ListDeployments pages.

use std::time::Duration;

use acs_runtime::stream::StreamExt;
use acs_test_server::{ServerConfig, Step, TestServer};
use dataworks_public::models::get_deployment::{DeployedItemStatus, DeploymentStatus};
use dataworks_public::models::list_deployments::DeploymentStatus as ListedStatus;
use dataworks_public::{Client, Credentials, Error, WaiterConfig, WaiterError};
use serde_json::json;
use workspace_tests::calls::hermetic_config;

const AK: &str = "LTAI5tWorkflowKeyId";
const SECRET: &str = "workflow-secret-Vn3Qp8";

async fn start(steps: Vec<Step>) -> TestServer {
    let config = ServerConfig::new()
        .with_credential(AK, SECRET)
        .with_lifetime(Duration::from_secs(120))
        .with_steps(steps)
        .with_default(Step::error(
            500,
            "UnexpectedRequest",
            "the test did not script this request",
        ));
    TestServer::start(config)
        .await
        .expect("the test server starts")
}

fn client(server: &TestServer) -> Client {
    let config = hermetic_config(&server.endpoint(), Credentials::new(AK, SECRET))
        .max_attempts(1)
        .build()
        .expect("config builds");
    Client::new(config)
}

fn fast_waiter() -> WaiterConfig {
    WaiterConfig::new(
        Duration::from_millis(1),
        Duration::from_millis(5),
        Duration::from_secs(10),
    )
}

fn deployment(status: i64, checking: Option<i64>, items: serde_json::Value) -> Step {
    let mut deployment = json!({"Status": status, "Name": "pkg", "ToEnvironment": 2});
    if let Some(c) = checking {
        deployment["CheckingStatus"] = json!(c);
    }
    Step::ok(
        json!({"Success": true, "HttpStatusCode": 200, "Data": {"Deployment": deployment, "DeployedItems": items}}),
    )
}

#[tokio::test]
async fn submit_file_then_wait_until_the_deployment_is_final() {
    let server = start(vec![
        Step::ok(json!({"Success": true, "HttpStatusCode": 200, "Data": 3000001})),
        deployment(0, None, json!([])),
        deployment(
            1,
            Some(8),
            json!([{"FileId": 5, "FileVersion": 2, "Status": 1}]),
        ),
        deployment(
            1,
            None,
            json!([{"FileId": 5, "FileVersion": 2, "Status": 1}]),
        ),
    ])
    .await;
    let (submitted, waited) = client(&server)
        .submit_file()
        .project_id(10000)
        .file_id(5)
        .comment("first submit")
        .send_and_wait_with(fast_waiter())
        .await
        .expect("submitted and final");
    assert_eq!(submitted.data, Some(3000001));
    let final_deployment = waited.data.and_then(|d| d.deployment).expect("deployment");
    assert_eq!(final_deployment.status, Some(DeploymentStatus::Success));
    assert_eq!(
        final_deployment.checking_status, None,
        "the waiter kept polling while checking"
    );

    let requests = server.requests();
    assert_eq!(requests.len(), 4);
    assert!(
        requests.iter().all(|r| r.verified),
        "every request was signed correctly"
    );
    assert_eq!(requests[0].header("x-acs-action"), Some("SubmitFile"));
    assert_eq!(requests[0].param("FileId"), Some("5"));
    assert_eq!(requests[0].param("Comment"), Some("first submit"));
    for poll in &requests[1..] {
        assert_eq!(poll.header("x-acs-action"), Some("GetDeployment"));
        assert_eq!(
            poll.param("DeploymentId"),
            Some("3000001"),
            "the deployment id comes from SubmitFile's Data"
        );
        assert_eq!(
            poll.param("ProjectId"),
            Some("10000"),
            "the workspace comes from SubmitFile's input"
        );
    }
}

#[tokio::test]
async fn deploy_file_wait_reports_a_failed_deployment_and_its_items() {
    let server = start(vec![
        Step::ok(json!({"Success": true, "Data": 77})),
        deployment(
            2,
            None,
            json!([{"FileId": 5, "Status": 1}, {"FileId": 6, "Status": 4}]),
        ),
    ])
    .await;
    let err = client(&server)
        .deploy_file()
        .project_identifier("dw_project")
        .node_id(900)
        .send_and_wait_with(fast_waiter())
        .await
        .expect_err("a failed deployment is an error");
    assert!(
        matches!(err, WaiterError::FailureState { polls: 1, .. }),
        "{err:?}"
    );
    let data = err
        .into_output()
        .and_then(|last| last.data)
        .expect("the failed deployment is kept");
    assert_eq!(
        data.deployment.and_then(|d| d.status),
        Some(DeploymentStatus::Failure)
    );
    let failed: Vec<i64> = data
        .deployed_items
        .unwrap_or_default()
        .into_iter()
        .filter(|i| i.status != Some(DeployedItemStatus::Success))
        .filter_map(|i| i.file_id)
        .collect();
    assert_eq!(failed, vec![6]);
    let requests = server.requests();
    assert_eq!(requests[1].param("ProjectIdentifier"), Some("dw_project"));
    assert_eq!(requests[1].param("DeploymentId"), Some("77"));
}

#[tokio::test]
async fn a_failed_submit_is_an_error_and_nothing_is_polled() {
    let server = start(vec![Step::ok(json!({
        "Success": false, "ErrorCode": "Invalid.File.NotFound", "ErrorMessage": "the file does not exist", "HttpStatusCode": 400
    }))])
    .await;
    let err = client(&server)
        .submit_file()
        .project_id(1)
        .file_id(404)
        .send_and_wait_with(fast_waiter())
        .await
        .expect_err("business error");
    let err = err.request_error().expect("the submit failed");
    assert_eq!(err.code(), Some("Invalid.File.NotFound"));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn workflow_rules_are_checked_before_any_request() {
    let server = start(vec![]).await;
    let err = client(&server)
        .submit_file()
        .file_id(1)
        .send()
        .await
        .expect_err("no project");
    assert!(matches!(err, Error::Validation { .. }), "{err}");
    let err = client(&server)
        .deploy_file()
        .project_id(1)
        .send()
        .await
        .expect_err("neither FileId nor NodeId");
    assert!(err.to_string().contains("FileId"), "{err}");
    let err = client(&server)
        .submit_file()
        .project_id(1)
        .send()
        .await
        .expect_err("FileId is required");
    assert!(err.to_string().contains("FileId"), "{err}");
    assert_eq!(server.requests().len(), 0);
}

fn page(number: i64, total: i64, ids: &[i64]) -> Step {
    let items: Vec<serde_json::Value> = ids
        .iter()
        .map(|id| json!({"Id": id, "Status": 1, "Name": format!("pkg-{id}")}))
        .collect();
    Step::ok(
        json!({"Data": {"PageNumber": number, "PageSize": 2, "TotalCount": total, "Deployments": items}}),
    )
}

#[tokio::test]
async fn list_deployments_pages_with_next_and_items_without_any_import() {
    let server = start(vec![
        page(1, 5, &[1, 2]),
        page(2, 5, &[3, 4]),
        page(3, 5, &[5]),
        page(1, 3, &[1, 2]),
        page(2, 3, &[3]),
    ])
    .await;
    let client = client(&server);
    // `next()` is inherent: no StreamExt, no pinning.
    let mut pages = client
        .list_deployments()
        .project_id(10000)
        .page_size(2)
        .into_paginator();
    let mut sizes = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.expect("a page");
        sizes.push(page.data.and_then(|d| d.deployments).map_or(0, |d| d.len()));
    }
    assert_eq!(sizes, vec![2, 2, 1]);
    assert!(pages.next().await.is_none(), "done stays done");
    // The listed items across pages.
    let ids: Vec<i64> = client
        .list_deployments()
        .project_id(10000)
        .page_size(2)
        .into_paginator()
        .items()
        .try_collect()
        .await
        .expect("all items")
        .into_iter()
        .filter_map(|d| d.id)
        .collect();
    assert_eq!(ids, vec![1, 2, 3]);
    assert_eq!(server.requests().len(), 5);
}

#[tokio::test]
async fn list_deployments_pages_as_a_stream() {
    let server = start(vec![
        page(1, 5, &[1, 2]),
        page(2, 5, &[3, 4]),
        page(3, 5, &[5]),
    ])
    .await;
    let pages: Vec<_> = client(&server)
        .list_deployments()
        .project_id(10000)
        .page_size(2)
        .status(ListedStatus::Success)
        .into_paginator()
        // The `Stream` implementation, for those who use stream combinators.
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<Vec<_>, _>>()
        .expect("all pages");
    assert_eq!(pages.len(), 3);
    let numbers: Vec<Option<String>> = server
        .requests()
        .iter()
        .map(|r| r.param("PageNumber").map(str::to_owned))
        .collect();
    assert_eq!(
        numbers,
        vec![Some("1".into()), Some("2".into()), Some("3".into())]
    );
    assert!(server
        .requests()
        .iter()
        .all(|r| r.param("PageSize") == Some("2") && r.param("Status") == Some("1")));
}

#[tokio::test]
async fn list_deployments_all_pages_merges_the_items() {
    let server = start(vec![
        page(1, 5, &[1, 2]),
        page(2, 5, &[3, 4]),
        page(3, 5, &[5]),
    ])
    .await;
    let all = client(&server)
        .list_deployments()
        .project_id(10000)
        .page_size(2)
        .send_all_pages()
        .await
        .expect("all pages");
    let ids: Vec<i64> = all
        .data
        .and_then(|d| d.deployments)
        .unwrap_or_default()
        .iter()
        .filter_map(|d| d.id)
        .collect();
    assert_eq!(ids, vec![1, 2, 3, 4, 5]);
}

#[tokio::test]
async fn a_page_error_ends_the_stream_with_that_error() {
    let server = start(vec![
        page(1, 5, &[1, 2]),
        Step::error(400, "InvalidParameter", "bad page"),
    ])
    .await;
    let mut pages = client(&server)
        .list_deployments()
        .project_id(1)
        .page_size(2)
        .into_paginator();
    assert!(pages.next().await.expect("first page").is_ok());
    let err = pages.next().await.expect("second page").expect_err("error");
    assert_eq!(err.code(), Some("InvalidParameter"));
    assert!(
        pages.next().await.is_none(),
        "the stream ends after an error"
    );
}

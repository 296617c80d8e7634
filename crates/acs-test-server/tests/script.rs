//! Scripted responses: queue, default, routes, rendering, request ids.

mod common;

use std::time::Duration;

use acs_test_server::{Route, ServerConfig, Step, TestServer, Then};
use common::*;
use serde_json::json;

fn json_get(deployment: &str) -> Vec<u8> {
    get(&format!(
        "/?Action=GetDeployment&Format=JSON&DeploymentId={deployment}"
    ))
}

#[tokio::test]
async fn sequence_then_default() {
    let s = TestServer::start(
        ServerConfig::new()
            .with_steps([
                Step::error(
                    429,
                    "Throttling.User",
                    "Request was denied due to user flow control.",
                )
                .with_header("x-acs-retry-after", "150"),
                Step::error(
                    503,
                    "ServiceUnavailable",
                    "The request has failed due to a temporary failure of the server.",
                ),
                Step::json(200, json!({"Success": true, "n": 3})),
            ])
            .with_default(Step::ok(json!({"Success": true, "n": "default"}))),
    )
    .await
    .unwrap();
    assert_eq!(s.queued_steps(), 3);
    let mut c = RawClient::connect(s.addr()).await;
    let r1 = c.request(&json_get("1")).await;
    assert_eq!(r1.status, 429);
    assert_eq!(r1.header("x-acs-retry-after"), Some("150"));
    assert_eq!(r1.json()["Code"], "Throttling.User");
    let r2 = c.request(&json_get("1")).await;
    assert_eq!(
        (r2.status, r2.json()["Code"].clone()),
        (503, "ServiceUnavailable".into())
    );
    let r3 = c.request(&json_get("1")).await;
    assert_eq!((r3.status, r3.json()["n"].clone()), (200, 3.into()));
    for _ in 0..2 {
        let r = c.request(&json_get("1")).await;
        assert_eq!(r.json()["n"], "default");
    }
    assert_eq!(s.queued_steps(), 0);
    let steps: Vec<String> = s.requests().into_iter().map(|r| r.step.unwrap()).collect();
    assert_eq!(
        steps,
        ["queue[0]", "queue[1]", "queue[2]", "default", "default"]
    );
    let codes: Vec<Option<String>> = s.requests().into_iter().map(|r| r.error_code).collect();
    assert_eq!(
        codes,
        [
            Some("Throttling.User".into()),
            Some("ServiceUnavailable".into()),
            None,
            None,
            None
        ]
    );

    // steps pushed at run time
    s.push_step(Step::error(
        500,
        "InternalError",
        "The request processing has failed due to some unknown error.",
    ));
    s.set_default(Step::raw(202, "text/plain", "accepted"));
    assert_eq!(c.request(&json_get("1")).await.status, 500);
    let r = c.request(&json_get("1")).await;
    assert_eq!(
        (r.status, r.text(), r.header("content-type")),
        (202, "accepted".into(), Some("text/plain"))
    );
}

#[tokio::test]
async fn rejected_requests_do_not_consume_steps() {
    let s = TestServer::start(
        ServerConfig::new()
            .with_credential(AK, SECRET)
            .with_step(Step::error(429, "Throttling.User", "throttled")),
    )
    .await
    .unwrap();
    let bad = one_shot(s.addr(), &V1::get_deployment("wrong").to_bytes()).await;
    assert_eq!(bad.json()["Code"], "SignatureDoesNotMatch");
    assert_eq!(s.queued_steps(), 1);
    let ok = one_shot(s.addr(), &V1::get_deployment(SECRET).to_bytes()).await;
    assert_eq!(ok.json()["Code"], "Throttling.User");
    assert_eq!(
        one_shot(s.addr(), &V1::get_deployment(SECRET).to_bytes())
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn routes_match_params() {
    let s = TestServer::start(
        ServerConfig::new()
            .with_route(
                Route::when("DeploymentId", "1001")
                    .step(Step::error(429, "Throttling.User", "t"))
                    .step(Step::ok(json!({"route": "second"})))
                    .then(Then::Last),
            )
            .with_route(
                Route::when("DeploymentId", "2002")
                    .and("ProjectId", "7")
                    .step(Step::error(404, "Invalid.Deployment.NotFound", "no"))
                    .then(Then::Cycle),
            )
            .with_step(Step::ok(json!({"queue": 0})))
            .with_default(Step::ok(json!({"default": true}))),
    )
    .await
    .unwrap();
    let a = s.addr();
    assert_eq!(one_shot(a, &json_get("1001")).await.status, 429);
    assert_eq!(one_shot(a, &json_get("9")).await.json()["queue"], 0);
    assert_eq!(
        one_shot(a, &json_get("1001")).await.json()["route"],
        "second"
    );
    assert_eq!(
        one_shot(a, &json_get("1001")).await.json()["route"],
        "second"
    );
    assert_eq!(one_shot(a, &json_get("9")).await.json()["default"], true);
    // second route needs both params
    assert_eq!(one_shot(a, &json_get("2002")).await.json()["default"], true);
    let both = get("/?Format=JSON&DeploymentId=2002&ProjectId=7");
    assert_eq!(one_shot(a, &both).await.status, 404);
    assert_eq!(one_shot(a, &both).await.status, 404);
    // routes added at run time go after the existing ones
    s.add_route(Route::when("DeploymentId", "3003").step(Step::error(400, "X", "x")));
    assert_eq!(one_shot(a, &json_get("3003")).await.status, 400);
    assert_eq!(one_shot(a, &json_get("3003")).await.status, 200);
    let labels: Vec<String> = s.requests().into_iter().filter_map(|r| r.step).collect();
    assert_eq!(
        labels,
        [
            "route0[0]",
            "queue[0]",
            "route0[1]",
            "route0[last]",
            "default",
            "default",
            "route1[0]",
            "route1[0]",
            "route2[0]",
            "route2->default"
        ]
    );
}

#[tokio::test]
async fn json_body_rendered_as_xml_with_repeated_elements() {
    let s = TestServer::start(ServerConfig::new().with_default(Step::ok(json!({
        "RequestId": null,
        "Success": true,
        "Data": {
            "DeployedItems": [
                {"FileId": 100001, "FileVersion": 3, "Status": 1},
                {"FileId": 100002, "FileVersion": 1, "Status": 0}
            ],
            "Deployment": {"ErrorMessage": "", "Name": "a&b"}
        }
    }))))
    .await
    .unwrap();
    let r = one_shot(s.addr(), &get("/?Action=GetDeployment&Format=XML")).await;
    assert_eq!(r.header("content-type"), Some("text/xml;charset=utf-8"));
    let rid = r.header("x-acs-request-id").unwrap();
    assert_eq!(
        r.text(),
        format!(
            "<?xml version='1.0' encoding='UTF-8'?><GetDeploymentResponse><Data>\
             <DeployedItems><FileId>100001</FileId><FileVersion>3</FileVersion><Status>1</Status></DeployedItems>\
             <DeployedItems><FileId>100002</FileId><FileVersion>1</FileVersion><Status>0</Status></DeployedItems>\
             <Deployment><ErrorMessage /><Name>a&amp;b</Name></Deployment></Data>\
             <RequestId>{rid}</RequestId><Success>true</Success></GetDeploymentResponse>"
        )
    );

    // lower-case format value, and the same body as JSON
    let r = one_shot(s.addr(), &get("/?Action=GetDeployment&Format=json")).await;
    let body = r.json();
    assert_eq!(body["RequestId"], r.header("x-acs-request-id").unwrap());
    assert_eq!(body["Data"]["DeployedItems"][1]["FileId"], 100002);

    // explicit root
    let s = TestServer::start(
        ServerConfig::new()
            .with_xml_root("Custom")
            .with_default(Step::ok(json!({"RequestId": "fixed-id", "A": [1]}))),
    )
    .await
    .unwrap();
    let r = one_shot(s.addr(), &get("/?Action=GetDeployment")).await;
    assert_eq!(
        r.text(),
        "<?xml version='1.0' encoding='UTF-8'?><Custom><A>1</A><RequestId>fixed-id</RequestId></Custom>"
    );
    // a RequestId that is set is kept; the header still carries the generated id
    assert_ne!(r.header("x-acs-request-id"), Some("fixed-id"));
}

#[tokio::test]
async fn error_steps_render_in_the_requested_format_with_extras() {
    let s = TestServer::start(
        ServerConfig::new()
            .with_host_id("dataworks.cn-hangzhou.aliyuncs.com")
            .with_default(
                Step::error(
                    403,
                    "Forbidden.RAM",
                    "User not authorized to operate on the specified resource.",
                )
                .with_error_field(
                    "AccessDeniedDetail",
                    json!({"PolicyType": "AccountLevelIdentityBasedPolicy"}),
                ),
            ),
    )
    .await
    .unwrap();
    let r = one_shot(s.addr(), &get("/?Format=JSON")).await;
    assert_eq!(r.status, 403);
    let text = r.text();
    // fields in gateway order
    let order: Vec<usize> = [
        "\"RequestId\"",
        "\"HostId\"",
        "\"Code\"",
        "\"Message\"",
        "\"Recommend\"",
        "\"AccessDeniedDetail\"",
    ]
    .iter()
    .map(|k| text.find(k).unwrap())
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");
    assert_eq!(r.json()["HostId"], "dataworks.cn-hangzhou.aliyuncs.com");
    assert_eq!(
        r.json()["AccessDeniedDetail"]["PolicyType"],
        "AccountLevelIdentityBasedPolicy"
    );

    let r = one_shot(s.addr(), &get("/")).await;
    assert_eq!(r.header("content-type"), Some("text/xml;charset=utf-8"));
    assert!(r.text().contains("<Code>Forbidden.RAM</Code>"));
    assert!(r.text().contains(r#"<AccessDeniedDetail>{"PolicyType":"AccountLevelIdentityBasedPolicy"}</AccessDeniedDetail></Error>"#));
}

#[tokio::test]
async fn request_ids_are_unique_and_uuid_shaped() {
    let s = TestServer::start(ServerConfig::new()).await.unwrap();
    let mut c = RawClient::connect(s.addr()).await;
    let mut ids = Vec::new();
    for _ in 0..20 {
        let r = c.request(&get("/?Format=JSON")).await;
        let id = r.header("x-acs-request-id").unwrap().to_owned();
        assert_eq!(r.json()["RequestId"], id.as_str());
        ids.push(id);
    }
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), ids.len());
    for id in &ids {
        let lens: Vec<usize> = id.split('-').map(str::len).collect();
        assert_eq!(lens, [8, 4, 4, 4, 12], "{id}");
        assert!(id
            .chars()
            .all(|c| c == '-' || c.is_ascii_digit() || ('A'..='F').contains(&c)));
    }
    assert!(s.wait_for_requests(20, Duration::from_secs(1)).await);
    assert_eq!(s.request_count(), 20);
    assert_eq!(s.take_requests().len(), 20);
    assert!(s.requests().is_empty());
}

#[tokio::test]
async fn routes_match_method_path_and_headers() {
    let s = TestServer::start(
        ServerConfig::new()
            .with_route(
                Route::path("/latest/api/token")
                    .and_method("PUT")
                    .step(Step::raw(200, "text/plain", "tok"))
                    .then(Then::Last),
            )
            .with_route(
                Route::path("/latest/meta-data/ram/security-credentials/")
                    .and_header("X-Aliyun-Ecs-Metadata-Token", "tok")
                    .step(Step::raw(200, "text/plain", "worker"))
                    .then(Then::Last),
            )
            .with_route(
                Route::path("/latest/meta-data/ram/security-credentials/")
                    .step(Step::raw(401, "text/plain", "token required"))
                    .then(Then::Last),
            )
            .with_default(Step::raw(404, "text/plain", "not found")),
    )
    .await
    .unwrap();
    let a = s.addr();
    let put = b"PUT /latest/api/token HTTP/1.1\r\nHost: x\r\nX-aliyun-ecs-metadata-token-ttl-seconds: 21600\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    let r = one_shot(a, put).await;
    assert_eq!((r.status, r.text().as_str()), (200, "tok"));
    // GET on the token path is not the PUT route.
    assert_eq!(one_shot(a, &get("/latest/api/token")).await.status, 404);
    let with_token = b"GET /latest/meta-data/ram/security-credentials/ HTTP/1.1\r\nHost: x\r\nx-aliyun-ecs-metadata-token: tok\r\nConnection: close\r\n\r\n";
    let r = one_shot(a, with_token).await;
    assert_eq!((r.status, r.text().as_str()), (200, "worker"));
    let without = get("/latest/meta-data/ram/security-credentials/");
    assert_eq!(one_shot(a, &without).await.status, 401);
    // The query is not part of the path.
    let with_query = get("/latest/meta-data/ram/security-credentials/?x=1");
    assert_eq!(one_shot(a, &with_query).await.status, 401);
}

//! Signature verification (RPC v1 and V3) and gateway-style rejections.

mod common;

use std::time::{Duration, SystemTime};

use acs_test_server::{AuthKind, ResponseFormat, ServerConfig, TestServer};
use common::*;

fn verifying() -> ServerConfig {
    ServerConfig::new()
        .with_credential(AK, SECRET)
        .with_lifetime(Duration::from_secs(60))
}

async fn server(config: ServerConfig) -> TestServer {
    TestServer::start(config).await.expect("start server")
}

#[tokio::test]
async fn v1_signed_request_is_verified() {
    let s = server(verifying().with_api("GetDeployment", "2020-05-18")).await;
    let req = V1::get_deployment(SECRET);
    let (sts, sig) = req.sign();
    let resp = one_shot(s.addr(), &req.to_bytes()).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(
        resp.header("content-type"),
        Some("application/json;charset=utf-8")
    );
    let body = resp.json();
    assert_eq!(body["Success"], true);
    assert_eq!(body["Data"]["Deployment"]["Name"], "deploy-2024-01-01");
    let rid = resp.header("x-acs-request-id").expect("request id header");
    assert_eq!(body["RequestId"], rid);

    let rec = s.last_request().expect("recorded");
    assert_eq!(rec.auth, AuthKind::V1);
    assert!(rec.verified);
    assert!(!rec.rejected);
    assert_eq!(rec.error_code, None);
    assert_eq!(rec.string_to_sign.as_deref(), Some(sts.as_str()));
    assert_eq!(rec.expected_signature.as_deref(), Some(sig.as_str()));
    assert_eq!(rec.method, "POST");
    assert_eq!(rec.path, "/");
    assert_eq!(rec.param("DeploymentId"), Some("1001"));
    assert_eq!(rec.param("Action"), Some("GetDeployment"));
    assert_eq!(rec.form.len(), 2);
    assert_eq!(rec.body_text(), "DeploymentId=1001&ProjectId=42");
    assert_eq!(
        rec.header("Content-Type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(rec.format, ResponseFormat::Json);
    assert_eq!(rec.request_id, rid);
    assert_eq!(rec.response_status, Some(200));
    assert_eq!(rec.step.as_deref(), Some("default"));
}

#[tokio::test]
async fn v1_form_params_win_over_query_and_are_signed_merged() {
    let s = server(verifying()).await;
    // DeploymentId both in the query (7) and the body (1001): the body wins, and the
    // signature over the merged set verifies.
    let req = V1::get_deployment(SECRET).set_query("DeploymentId", Some("7"));
    let resp = one_shot(s.addr(), &req.to_bytes()).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let rec = s.last_request().unwrap();
    assert_eq!(rec.param("DeploymentId"), Some("1001"));
    assert!(rec
        .query
        .iter()
        .any(|(k, v)| k == "DeploymentId" && v == "7"));
}

#[tokio::test]
async fn v1_wrong_secret_gives_signature_does_not_match_json_and_xml() {
    let s = server(verifying()).await;

    // JSON (Format=json)
    let req = V1::get_deployment("not-the-secret");
    let (sts, _) = req.sign();
    let resp = one_shot(s.addr(), &req.to_bytes()).await;
    assert_eq!(resp.status, 400);
    assert_eq!(
        resp.header("content-type"),
        Some("application/json;charset=utf-8")
    );
    let body = resp.json();
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for k in ["RequestId", "HostId", "Code", "Message", "Recommend"] {
        assert!(keys.contains(&k), "missing {k} in {body}");
    }
    assert_eq!(body["Code"], "SignatureDoesNotMatch");
    assert_eq!(
        body["Message"],
        format!("Specified signature is not matched with our calculation. server string to sign is:{sts}")
    );
    assert_eq!(body["HostId"], "dataworks.cn-shanghai.aliyuncs.com");
    let rid = resp.header("x-acs-request-id").unwrap().to_owned();
    assert_eq!(body["RequestId"], rid.as_str());
    assert_eq!(
        body["Recommend"],
        format!("https://api.aliyun.com/troubleshoot?q=SignatureDoesNotMatch&product=dataworks-public&requestId={rid}")
    );
    let rec = s.last_request().unwrap();
    assert!(rec.rejected && !rec.verified);
    assert_eq!(rec.error_code.as_deref(), Some("SignatureDoesNotMatch"));
    assert_eq!(rec.step, None);

    // XML (no Format param: the service default)
    let req = V1::get_deployment("not-the-secret").set_query("Format", None);
    let (sts, _) = req.sign();
    let resp = one_shot(s.addr(), &req.to_bytes()).await;
    assert_eq!(resp.status, 400);
    assert_eq!(resp.header("content-type"), Some("text/xml;charset=utf-8"));
    let text = resp.text();
    let rid = resp.header("x-acs-request-id").unwrap();
    let sts_xml = sts.replace('&', "&amp;");
    assert_eq!(
        text,
        format!(
            "<?xml version='1.0' encoding='UTF-8'?><Error><RequestId>{rid}</RequestId>\
             <HostId>dataworks.cn-shanghai.aliyuncs.com</HostId><Code>SignatureDoesNotMatch</Code>\
             <Message>Specified signature is not matched with our calculation. server string to sign is:{sts_xml}</Message>\
             <Recommend><![CDATA[https://api.aliyun.com/troubleshoot?q=SignatureDoesNotMatch&product=dataworks-public&requestId={rid}]]></Recommend></Error>"
        )
    );
    assert_eq!(s.last_request().unwrap().format, ResponseFormat::Xml);
}

#[tokio::test]
async fn v1_oracle_vector_from_the_official_docs_verifies() {
    // docs/rpc-mechanism/DescribeDedicatedHosts from shared/oracle/vectors.json:
    // GET, fixed Timestamp/nonce, secret "testsecret", signature 9NaGiOspFP5UPcwX8Iwt2YJXXuk=.
    let s = server(
        ServerConfig::new()
            .with_credential("testid", "testsecret")
            .with_max_skew(None),
    )
    .await;
    let target = "/?AccessKeyId=testid&Action=DescribeDedicatedHosts&Format=JSON&RegionId=cn-beijing\
                  &SignatureMethod=HMAC-SHA1&SignatureNonce=edb2b34af0af9a6d14deaf7c1a5315eb&SignatureVersion=1.0\
                  &Timestamp=2023-03-13T08%3A34%3A30Z&Version=2014-05-26&Signature=9NaGiOspFP5UPcwX8Iwt2YJXXuk%3D";
    let resp = one_shot(s.addr(), &get(target)).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let rec = s.last_request().unwrap();
    assert!(rec.verified);
    assert_eq!(
        rec.string_to_sign.as_deref(),
        Some("GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeDedicatedHosts%26Format%3DJSON%26RegionId%3Dcn-beijing%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3Dedb2b34af0af9a6d14deaf7c1a5315eb%26SignatureVersion%3D1.0%26Timestamp%3D2023-03-13T08%253A34%253A30Z%26Version%3D2014-05-26")
    );
    // XML root derived from the Action param when XML is asked for.
    let target = target
        .replace("Format=JSON", "Format=XML")
        .replace("SignatureNonce=edb2", "SignatureNonce=fdb2");
    let resp = one_shot(s.addr(), &get(&target)).await;
    // the params changed, so the fixed signature no longer matches
    assert_eq!(resp.status, 400);
    assert!(resp.text().contains("<Code>SignatureDoesNotMatch</Code>"));
}

#[tokio::test]
async fn v3_signed_request_is_verified_and_wrong_one_rejected() {
    let s = server(verifying().with_api("GetDeployment", "2020-05-18")).await;
    let req = V3::get_deployment(SECRET);
    let auth = req.authorization();
    let resp = one_shot(s.addr(), &req.to_bytes()).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(
        resp.header("content-type"),
        Some("application/json;charset=utf-8")
    );
    let rec = s.last_request().unwrap();
    assert_eq!(rec.auth, AuthKind::V3);
    assert!(rec.verified);
    assert_eq!(rec.expected_signature.as_deref(), Some(auth.as_str()));
    assert!(rec
        .string_to_sign
        .as_deref()
        .unwrap()
        .starts_with("ACS3-HMAC-SHA256\n"));
    assert!(rec
        .canonical_request
        .as_deref()
        .unwrap()
        .starts_with("POST\n/\n\n"));
    assert_eq!(rec.param("DeploymentId"), Some("1001"));

    // wrong secret
    let req = V3::get_deployment("wrong");
    let resp = one_shot(s.addr(), &req.to_bytes()).await;
    assert_eq!(resp.status, 400);
    let body = resp.json();
    assert_eq!(body["Code"], "SignatureDoesNotMatch");
    let rec = s.last_request().unwrap();
    let msg = body["Message"].as_str().unwrap();
    assert!(
        msg.ends_with(rec.string_to_sign.as_deref().unwrap()),
        "{msg}"
    );

    // XML error when Accept asks for XML
    let req = V3::get_deployment("wrong").set_signed("accept", "application/xml");
    let resp = one_shot(s.addr(), &req.to_bytes()).await;
    assert_eq!(resp.status, 400);
    assert_eq!(resp.header("content-type"), Some("text/xml;charset=utf-8"));
    assert!(resp.text().contains("<Code>SignatureDoesNotMatch</Code>"));
}

#[tokio::test]
async fn v3_structural_checks() {
    let s = server(verifying()).await;
    // body changed after signing -> content hash mismatch
    let mut req = V3::get_deployment(SECRET);
    let auth = req.authorization();
    req.body = b"DeploymentId=9".to_vec();
    let resp = one_shot(s.addr(), &req.to_bytes_with_authorization(&auth)).await;
    assert_eq!(
        (resp.status, resp.json()["Code"].clone()),
        (400, "ContentSHA256NotMatched".into())
    );

    // x-acs-action not signed (sent unsigned)
    let mut req = V3::get_deployment(SECRET);
    let pos = req
        .signed
        .iter()
        .position(|(k, _)| k == "x-acs-action")
        .unwrap();
    let h = req.signed.remove(pos);
    req.unsigned.push(h);
    let resp = one_shot(s.addr(), &req.to_bytes()).await;
    assert_eq!(resp.json()["Code"], "IncompleteSignature");

    // malformed Authorization
    let req = V3::get_deployment(SECRET);
    let resp = one_shot(
        s.addr(),
        &req.to_bytes_with_authorization("ACS3-HMAC-SHA256 nonsense"),
    )
    .await;
    assert_eq!(resp.json()["Code"], "InvalidAuthorization");

    // unknown access key -> 404
    let mut req = V3::get_deployment(SECRET);
    req.access_key_id = "LTAIunknown".to_owned();
    let resp = one_shot(s.addr(), &req.to_bytes()).await;
    assert_eq!(resp.status, 404);
    assert_eq!(resp.json()["Code"], "InvalidAccessKeyId.NotFound");
}

#[tokio::test]
async fn v3_oracle_vector_from_the_official_docs_verifies() {
    // docs/v3-signature/RunInstances from shared/oracle/vectors.json (POST, query params,
    // empty body); expected Authorization computed by the official Python SDK.
    let s = server(
        ServerConfig::new()
            .with_credential("YourAccessKeyId", "YourAccessKeySecret")
            .with_max_skew(None),
    )
    .await;
    let request = "POST /?ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai HTTP/1.1\r\n\
        host: ecs.cn-shanghai.aliyuncs.com\r\n\
        x-acs-action: RunInstances\r\n\
        x-acs-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\r\n\
        x-acs-date: 2023-10-26T10:22:32Z\r\n\
        x-acs-signature-nonce: 3156853299f313e23d1673dc12e1703d\r\n\
        x-acs-version: 2014-05-26\r\n\
        Authorization: ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0\r\n\
        Content-Length: 0\r\n\r\n";
    let resp = one_shot(s.addr(), request.as_bytes()).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let rec = s.last_request().unwrap();
    assert!(rec.verified);
    assert_eq!(
        rec.string_to_sign.as_deref(),
        Some("ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259")
    );
}

#[tokio::test]
async fn nonce_reuse_is_rejected_unless_allowed() {
    let s = server(verifying()).await;
    let bytes = V1::get_deployment(SECRET).to_bytes();
    assert_eq!(one_shot(s.addr(), &bytes).await.status, 200);
    let resp = one_shot(s.addr(), &bytes).await;
    assert_eq!(resp.status, 400);
    assert_eq!(resp.json()["Code"], "SignatureNonceUsed");
    assert_eq!(
        resp.json()["Message"],
        "Specified signature nonce was used already."
    );

    let v3 = V3::get_deployment(SECRET).to_bytes();
    assert_eq!(one_shot(s.addr(), &v3).await.status, 200);
    assert_eq!(
        one_shot(s.addr(), &v3).await.json()["Code"],
        "SignatureNonceUsed"
    );

    let s = server(verifying().allow_nonce_reuse()).await;
    assert_eq!(one_shot(s.addr(), &bytes).await.status, 200);
    assert_eq!(one_shot(s.addr(), &bytes).await.status, 200);
}

#[tokio::test]
async fn expired_and_malformed_timestamps() {
    let s = server(verifying()).await;
    let old =
        acs_test_server::clock::format_timestamp(SystemTime::now() - Duration::from_secs(3600));
    let req = V1::get_deployment(SECRET).set_query("Timestamp", Some(&old));
    let resp = one_shot(s.addr(), &req.to_bytes()).await;
    assert_eq!(resp.status, 400);
    assert_eq!(resp.json()["Code"], "InvalidTimeStamp.Expired");

    let req = V1::get_deployment(SECRET).set_query("Timestamp", Some("2024-01-01 00:00:00"));
    let resp = one_shot(s.addr(), &req.to_bytes()).await;
    assert_eq!(resp.json()["Code"], "InvalidTimeStamp.Format");

    let req = V3::get_deployment(SECRET).set_signed("x-acs-date", &old);
    let resp = one_shot(s.addr(), &req.to_bytes()).await;
    assert_eq!(resp.json()["Code"], "InvalidTimeStamp.Expired");

    // skew check off: old timestamps pass
    let s = server(verifying().with_max_skew(None)).await;
    let req = V1::get_deployment(SECRET).set_query("Timestamp", Some(&old));
    assert_eq!(one_shot(s.addr(), &req.to_bytes()).await.status, 200);
}

#[tokio::test]
async fn missing_common_params_and_wrong_api() {
    let s = server(
        verifying()
            .with_api("GetDeployment", "2020-05-18")
            .with_required_param("DeploymentId"),
    )
    .await;
    let req = V1::get_deployment(SECRET).set_query("SignatureNonce", None);
    let resp = one_shot(s.addr(), &req.to_bytes()).await;
    assert_eq!(
        (
            resp.status,
            resp.json()["Code"].as_str().unwrap().to_owned()
        ),
        (400, "MissingSignatureNonce".to_owned())
    );

    let req = V1::get_deployment(SECRET).set_query("Action", Some("ListFiles"));
    let resp = one_shot(s.addr(), &req.to_bytes()).await;
    assert_eq!(resp.status, 404);
    assert_eq!(resp.json()["Code"], "InvalidAction.NotFound");

    let req = V1::get_deployment(SECRET).set_query("Version", Some("2024-05-18"));
    assert_eq!(
        one_shot(s.addr(), &req.to_bytes()).await.json()["Code"],
        "InvalidVersion"
    );

    let mut req = V1::get_deployment(SECRET);
    req.form.clear();
    let resp = one_shot(s.addr(), &req.to_bytes()).await;
    assert_eq!(resp.json()["Code"], "MissingDeploymentId");
    assert_eq!(
        resp.json()["Message"],
        "DeploymentId is mandatory for this action."
    );

    let resp = one_shot(s.addr(), &get("/?Format=JSON&Action=GetDeployment")).await;
    assert_eq!(resp.json()["Code"], "MissingSignature");

    let req = V1::get_deployment(SECRET).set_query("SignatureMethod", Some("HMAC-SHA256"));
    assert_eq!(
        one_shot(s.addr(), &req.to_bytes()).await.json()["Code"],
        "InvalidSignatureMethod"
    );

    let req = V1::get_deployment(SECRET).set_query("Format", Some("yaml"));
    assert_eq!(
        one_shot(s.addr(), &req.to_bytes()).await.json()["Code"],
        "InvalidParameter"
    );

    let mut req = V1::get_deployment(SECRET);
    req.query.retain(|(k, _)| k != "AccessKeyId");
    req.query.push(("AccessKeyId".into(), "LTAIother".into()));
    let resp = one_shot(s.addr(), &req.to_bytes()).await;
    assert_eq!(resp.status, 404);
    assert_eq!(resp.json()["Code"], "InvalidAccessKeyId.NotFound");
    assert_eq!(resp.json()["Message"], "Specified access key is not found.");
}

#[tokio::test]
async fn security_token_is_required_when_configured() {
    let s = server(verifying().with_security_token("sts-token-1")).await;
    // v1 without the token
    let resp = one_shot(s.addr(), &V1::get_deployment(SECRET).to_bytes()).await;
    assert_eq!(resp.status, 400);
    assert_eq!(
        resp.json()["Code"],
        "InvalidSecurityToken.MismatchWithAccessKey"
    );
    // v1 with a wrong token
    let req = V1::get_deployment(SECRET).set_query("SecurityToken", Some("other"));
    assert_eq!(
        one_shot(s.addr(), &req.to_bytes()).await.json()["Code"],
        "InvalidSecurityToken.MismatchWithAccessKey"
    );
    // v1 with the token (signed like any param)
    let req = V1::get_deployment(SECRET).set_query("SecurityToken", Some("sts-token-1"));
    assert_eq!(one_shot(s.addr(), &req.to_bytes()).await.status, 200);
    // V3 without and with x-acs-security-token
    let resp = one_shot(s.addr(), &V3::get_deployment(SECRET).to_bytes()).await;
    assert_eq!(
        resp.json()["Code"],
        "InvalidSecurityToken.MismatchWithAccessKey"
    );
    let req = V3::get_deployment(SECRET)
        .set_signed("x-acs-security-token", "sts-token-1")
        .set_signed("x-acs-accesskey-id", AK);
    let resp = one_shot(s.addr(), &req.to_bytes()).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert!(s.last_request().unwrap().verified);
}

#[tokio::test]
async fn without_credentials_nothing_is_checked_but_everything_recorded() {
    let s = server(ServerConfig::new()).await;
    let req = V1::get_deployment("any-secret");
    let (sts, _) = req.sign();
    let resp = one_shot(s.addr(), &req.to_bytes()).await;
    assert_eq!(resp.status, 200);
    let rec = s.last_request().unwrap();
    assert_eq!(rec.auth, AuthKind::V1);
    assert!(!rec.verified && !rec.rejected);
    assert_eq!(rec.string_to_sign.as_deref(), Some(sts.as_str()));
    assert_eq!(rec.expected_signature, None);

    let resp = one_shot(s.addr(), &get("/")).await;
    assert_eq!(resp.status, 200);
    // no Format: XML with the root derived from the (absent) action
    assert_eq!(resp.header("content-type"), Some("text/xml;charset=utf-8"));
    assert!(resp
        .text()
        .starts_with("<?xml version='1.0' encoding='UTF-8'?><Response>"));
    assert_eq!(s.last_request().unwrap().auth, AuthKind::None);
}

#[tokio::test]
async fn wildcard_credential_accepts_any_access_key() {
    let s = server(ServerConfig::new().with_any_access_key(SECRET)).await;
    let mut req = V3::get_deployment(SECRET);
    req.access_key_id = "LTAIwhatever".to_owned();
    assert_eq!(one_shot(s.addr(), &req.to_bytes()).await.status, 200);
    assert!(!format!("{:?}", s).contains(SECRET));
}

#[tokio::test]
async fn several_credentials() {
    let s = server(
        ServerConfig::new().with_credentials([(AK, SECRET), ("LTAIsecond", "second-secret")]),
    )
    .await;
    assert_eq!(
        one_shot(s.addr(), &V3::get_deployment(SECRET).to_bytes())
            .await
            .status,
        200
    );
    let mut req = V3::get_deployment("second-secret");
    req.access_key_id = "LTAIsecond".to_owned();
    assert_eq!(one_shot(s.addr(), &req.to_bytes()).await.status, 200);
    // the first key's secret does not work for the second key
    let mut req = V3::get_deployment(SECRET);
    req.access_key_id = "LTAIsecond".to_owned();
    assert_eq!(
        one_shot(s.addr(), &req.to_bytes()).await.json()["Code"],
        "SignatureDoesNotMatch"
    );
    let debug = format!(
        "{:?}",
        ServerConfig::new()
            .with_credentials([(AK, SECRET)])
            .with_security_token("tok-secret")
    );
    assert!(
        debug.contains(AK) && !debug.contains(SECRET) && !debug.contains("tok-secret"),
        "{debug}"
    );
}

#[tokio::test]
async fn anonymous_actions_need_a_timestamp_but_no_signature() {
    let s = server(verifying().with_anonymous_action("AssumeRoleWithOIDC")).await;
    let ts = acs_test_server::clock::now_timestamp();
    let query = |action: &str, ts: &str| {
        encode_pairs(&owned(&[
            ("Action", action),
            ("Format", "JSON"),
            ("Version", "2015-04-01"),
            ("Timestamp", ts),
            ("SignatureNonce", "n-1"),
            ("OIDCToken", "eyJ.token"),
        ]))
    };
    let request = |q: String| {
        format!("POST /?{q} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .into_bytes()
    };
    let r = one_shot(s.addr(), &request(query("AssumeRoleWithOIDC", &ts))).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let rec = s.last_request().unwrap();
    assert!(rec.verified && rec.auth == acs_test_server::AuthKind::None);
    // Another action still needs a signature; a bad timestamp is rejected.
    let r = one_shot(s.addr(), &request(query("AssumeRole", &ts))).await;
    assert_eq!(r.json()["Code"], "MissingSignature");
    let r = one_shot(s.addr(), &request(query("AssumeRoleWithOIDC", "yesterday"))).await;
    assert_eq!(r.json()["Code"], "InvalidTimeStamp.Format");
}

//! The generated models: the documented samples of every action in both formats, every
//! decoding quirk listed in `GetDeployment.md`, the enums' helpers and the request rules.

use dataworks_public_models::get_deployment::{
    CheckingStatus, DeployedItem, DeployedItemStatus, DeploymentStatus, FromEnvironment,
    GetDeploymentResponse, ToEnvironment,
};
use dataworks_public_models::{from_json, from_xml};
use workspace_tests::read_workspace_file;

fn json_sample() -> Vec<u8> {
    read_workspace_file("spec/dataworks-public/samples/GetDeployment.json")
}

fn xml_sample() -> Vec<u8> {
    read_workspace_file("spec/dataworks-public/samples/GetDeployment.xml")
}

#[test]
fn documented_json_sample_decodes() {
    let out: GetDeploymentResponse = from_json(&json_sample()).expect("JSON sample decodes");
    insta::assert_debug_snapshot!("documented_json_sample", out);
    let data = out.data.as_ref().expect("Data");
    let deployment = data.deployment.as_ref().expect("Deployment");
    assert_eq!(deployment.status, Some(DeploymentStatus::Success));
    assert_eq!(deployment.from_environment, Some(FromEnvironment::Local));
    assert_eq!(deployment.to_environment, Some(ToEnvironment::Development));
    assert_eq!(
        deployment.checking_status,
        Some(CheckingStatus::CheckFailed)
    );
    assert_eq!(deployment.create_time, Some(1_593_877_765_000));
    let items = data.deployed_items.as_ref().expect("DeployedItems");
    assert_eq!(items.len(), 1, "a single object is a list of one");
    assert_eq!(items[0].file_id, Some(507_642_378));
    assert_eq!(items[0].status, Some(DeployedItemStatus::Success));
}

#[test]
fn documented_xml_sample_decodes() {
    let out: GetDeploymentResponse = from_xml(&xml_sample()).expect("XML sample decodes");
    insta::assert_debug_snapshot!("documented_xml_sample", out);
}

#[test]
fn json_and_xml_samples_decode_to_equal_values() {
    let json: GetDeploymentResponse = from_json(&json_sample()).expect("JSON sample decodes");
    let xml: GetDeploymentResponse = from_xml(&xml_sample()).expect("XML sample decodes");
    assert_eq!(json, xml);
}

#[test]
fn serializes_back_to_wire_names_with_items_as_an_array() {
    let out: GetDeploymentResponse = from_xml(&xml_sample()).expect("XML sample decodes");
    let value = serde_json::to_value(&out).expect("serializes");
    insta::assert_json_snapshot!("sample_as_json", value);
    assert!(value["Data"]["DeployedItems"].is_array());
    assert_eq!(value["Data"]["Deployment"]["Status"], 1);
}

#[test]
fn deployed_items_accepts_an_array_and_repeated_elements() {
    let json = br#"{"Data":{"DeployedItems":[{"FileId":1,"Status":0},{"FileId":2,"Status":6}]}}"#;
    let xml = b"<GetDeploymentResponse><Data><DeployedItems><FileId>1</FileId><Status>0</Status></DeployedItems>\
<DeployedItems><FileId>2</FileId><Status>6</Status></DeployedItems></Data></GetDeploymentResponse>";
    let from_j: GetDeploymentResponse = from_json(json).expect("array decodes");
    let from_x: GetDeploymentResponse = from_xml(xml).expect("repeated elements decode");
    assert_eq!(from_j, from_x);
    let items = from_j.data.and_then(|d| d.deployed_items).expect("items");
    assert_eq!(items.len(), 2);
    assert_eq!(items[1].status, Some(DeployedItemStatus::Reject));
}

#[test]
fn repeated_xml_elements_need_not_be_adjacent() {
    let xml = b"<R><Data><DeployedItems><FileId>1</FileId></DeployedItems><Deployment><Status>0</Status></Deployment>\
<DeployedItems><FileId>2</FileId></DeployedItems></Data></R>";
    let out: GetDeploymentResponse = from_xml(xml).expect("decodes");
    let ids: Vec<Option<i64>> = out
        .data
        .and_then(|d| d.deployed_items)
        .unwrap_or_default()
        .iter()
        .map(|i| i.file_id)
        .collect();
    assert_eq!(ids, vec![Some(1), Some(2)]);
}

#[test]
fn xml_numbers_and_booleans_are_text() {
    let xml = b"<R><Success> true </Success><HttpStatusCode>\n 200 \n</HttpStatusCode></R>";
    let out: GetDeploymentResponse = from_xml(xml).expect("decodes");
    assert_eq!(out.success, Some(true));
    assert_eq!(out.http_status_code, Some(200));
}

#[test]
fn error_fields_may_come_with_success_true() {
    let out: GetDeploymentResponse = from_json(&json_sample()).expect("decodes");
    assert_eq!(out.success, Some(true));
    assert_eq!(
        out.error_code.as_deref(),
        Some("Invalid.Tenant.ConnectionNotExists")
    );
    assert_eq!(
        out.error_message.as_deref(),
        Some("The connection does not exist.")
    );
}

#[test]
fn masked_ids_stay_strings() {
    let out: GetDeploymentResponse = from_json(&json_sample()).expect("decodes");
    let d = out.data.and_then(|d| d.deployment).expect("Deployment");
    assert_eq!(d.handler_id.as_deref(), Some("2003****"));
    assert_eq!(d.creator_id.as_deref(), Some("20030****"));
    // A service that sends an unmasked ID as a JSON number still yields the same text.
    let out: GetDeploymentResponse =
        from_json(br#"{"Data":{"Deployment":{"HandlerId":20030001}}}"#).expect("decodes");
    assert_eq!(
        out.data
            .and_then(|d| d.deployment)
            .and_then(|d| d.handler_id)
            .as_deref(),
        Some("20030001")
    );
}

#[test]
fn absent_and_empty_fields_are_none() {
    let out: GetDeploymentResponse =
        from_json(br#"{"Data":{"Deployment":{"Status":1}}}"#).expect("decodes");
    let d = out.data.and_then(|d| d.deployment).expect("Deployment");
    assert_eq!(d.checking_status, None);
    assert_eq!(d.name, None);
    let xml = b"<R><Data><Deployment><Status>1</Status><CheckingStatus></CheckingStatus><Name/></Deployment><DeployedItems/></Data></R>";
    let out: GetDeploymentResponse = from_xml(xml).expect("decodes");
    let data = out.data.expect("Data");
    let d = data.deployment.expect("Deployment");
    assert_eq!(d.checking_status, None, "empty CheckingStatus means absent");
    assert_eq!(
        data.deployed_items.unwrap_or_default(),
        Vec::<DeployedItem>::new(),
        "an empty element is no item"
    );
    let out: GetDeploymentResponse =
        from_json(br#"{"Data":{"Deployment":{"CheckingStatus":null},"DeployedItems":null}}"#)
            .expect("nulls decode");
    assert_eq!(
        out.data
            .and_then(|d| d.deployment)
            .and_then(|d| d.checking_status),
        None
    );
}

#[test]
fn unknown_fields_are_ignored() {
    let json = br#"{"NewTopLevel":{"deep":[1,2,{"x":null}]},"Data":{"Deployment":{"Status":2,"Future":"x"},"Other":[]},"Success":false}"#;
    let out: GetDeploymentResponse = from_json(json).expect("decodes");
    assert_eq!(out.success, Some(false));
    assert_eq!(
        out.data.and_then(|d| d.deployment).and_then(|d| d.status),
        Some(DeploymentStatus::Failure)
    );
    let xml = b"<R attr=\"1\"><Future><A>1</A></Future><Success>false</Success></R>";
    let out: GetDeploymentResponse = from_xml(xml).expect("decodes");
    assert_eq!(out.success, Some(false));
}

#[test]
fn unknown_enum_values_are_kept_and_serialize_back() {
    let json = br#"{"Data":{"Deployment":{"Status":9,"CheckingStatus":42},"DeployedItems":[{"Status":77}]}}"#;
    let out: GetDeploymentResponse = from_json(json).expect("decodes");
    let data = out.data.clone().expect("Data");
    let d = data.deployment.expect("Deployment");
    assert_eq!(d.status, Some(DeploymentStatus::Unknown(9)));
    assert_eq!(d.status.and_then(|s| s.is_final()), None);
    assert_eq!(d.checking_status, Some(CheckingStatus::Unknown(42)));
    assert_eq!(
        data.deployed_items.expect("items")[0].status,
        Some(DeployedItemStatus::Unknown(77))
    );
    let back = serde_json::to_value(&out).expect("serializes");
    assert_eq!(back["Data"]["Deployment"]["Status"], 9);
    assert_eq!(back["Data"]["DeployedItems"][0]["Status"], 77);
}

#[test]
fn enum_helpers_follow_the_documentation() {
    assert_eq!(DeploymentStatus::from_value(0).is_final(), Some(false));
    assert_eq!(DeploymentStatus::Success.is_final(), Some(true));
    assert_eq!(DeploymentStatus::Failure.is_final(), Some(true));
    assert_eq!(CheckingStatus::Checking.is_final(), Some(false));
    assert_eq!(DeployedItemStatus::DeployError.name(), Some("DEPLOY_ERROR"));
    assert_eq!(
        DeployedItemStatus::from_value(4),
        DeployedItemStatus::DeployError
    );
    assert_eq!(i32::from(DeployedItemStatus::Cloning), 5);
    assert_eq!(DeployedItemStatus::KNOWN.len(), 7);
}

#[test]
fn chinese_text_is_utf8() {
    let out: GetDeploymentResponse = from_xml(&xml_sample()).expect("decodes");
    assert_eq!(
        out.data
            .and_then(|d| d.deployment)
            .and_then(|d| d.error_message)
            .as_deref(),
        Some("成功")
    );
}

#[test]
fn a_bom_is_skipped() {
    let mut body = b"\xEF\xBB\xBF".to_vec();
    body.extend_from_slice(&json_sample());
    let out: GetDeploymentResponse = from_json(&body).expect("decodes with a BOM");
    assert_eq!(out.request_id.as_deref(), Some("0000-ABCD-EFG****"));
}

#[test]
fn bad_bodies_are_typed_errors_with_positions() {
    let err =
        from_json::<GetDeploymentResponse>(b"{\n  \"Success\": tru }").expect_err("invalid JSON");
    assert_eq!(err.position().map(|(line, _)| line), Some(2));
    insta::assert_snapshot!("json_error", err.to_string());
    let err = from_json::<GetDeploymentResponse>(br#"{"HttpStatusCode": 99999999999}"#)
        .expect_err("out of range");
    assert!(err.to_string().contains("32-bit integer"), "{err}");
    let err = from_xml::<GetDeploymentResponse>(b"<R><HttpStatusCode>abc</HttpStatusCode></R>")
        .expect_err("not a number");
    insta::assert_snapshot!("xml_error", err.to_string());
    let err = from_xml::<GetDeploymentResponse>(b"<R>\xff</R>").expect_err("invalid UTF-8");
    assert!(err.to_string().contains("UTF-8"), "{err}");
    let err = from_xml::<GetDeploymentResponse>(b"<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><R><RequestId>&x;</RequestId></R>")
        .expect_err("external entities are not expanded");
    assert!(!err.to_string().contains("root:"), "{err}");
}

#[test]
fn request_builder_enforces_the_spec_rules() {
    use dataworks_public_models::get_deployment::GetDeploymentRequest;
    use dataworks_public_models::{BuildError, ParamLocation};
    let err = GetDeploymentRequest::builder()
        .project_id(1)
        .build()
        .expect_err("DeploymentId missing");
    assert_eq!(
        err,
        BuildError::MissingParameter {
            parameter: "DeploymentId"
        }
    );
    let err = GetDeploymentRequest::builder()
        .deployment_id(1)
        .build()
        .expect_err("no project");
    assert_eq!(
        err.to_string(),
        "at least one of the parameters `ProjectId`, `ProjectIdentifier` must be set"
    );
    let req = GetDeploymentRequest::builder()
        .project_identifier("dw_project")
        .deployment_id(3_000_001)
        .build()
        .expect("valid");
    assert_eq!(
        workspace_tests::calls::wire_pairs(&req),
        vec![
            (
                "ProjectIdentifier".to_string(),
                "dw_project".to_string(),
                ParamLocation::Form
            ),
            (
                "DeploymentId".to_string(),
                "3000001".to_string(),
                ParamLocation::Form
            ),
        ]
    );
}

/// Every imported action decodes its documented samples, and JSON and XML agree.
#[test]
fn imported_samples_decode_in_both_formats() {
    use dataworks_public::models as m;
    fn decode<T: acs_model::Object>(action: &str) -> (T, T) {
        let json: T = m::from_json(&read_workspace_file(&format!(
            "spec/dataworks-public/samples/{action}.json"
        )))
        .expect("JSON sample");
        let xml: T = m::from_xml(&read_workspace_file(&format!(
            "spec/dataworks-public/samples/{action}.xml"
        )))
        .expect("XML sample");
        (json, xml)
    }
    fn both<T: acs_model::Object + PartialEq + std::fmt::Debug>(action: &str) -> T {
        let (json, xml) = decode::<T>(action);
        assert_eq!(json, xml, "{action}: JSON and XML samples differ");
        json
    }
    let submit: m::submit_file::SubmitFileResponse = both("SubmitFile");
    assert!(submit.data.is_some());
    let deploy: m::deploy_file::DeployFileResponse = both("DeployFile");
    assert!(deploy.data.is_some());
    let list: m::list_deployments::ListDeploymentsResponse = both("ListDeployments");
    assert!(!list
        .data
        .and_then(|d| d.deployments)
        .unwrap_or_default()
        .is_empty());
    // The official GetFile demos differ in two texts (FileDescription and AdvancedSettings), so
    // compare them with those two fields set aside.
    let (json, xml): (m::get_file::GetFileResponse, m::get_file::GetFileResponse) =
        decode("GetFile");
    let set_aside = |mut r: m::get_file::GetFileResponse| {
        if let Some(file) = r.data.as_mut().and_then(|d| d.file.as_mut()) {
            file.file_description = None;
            file.advanced_settings = None;
        }
        r
    };
    assert!(json
        .data
        .as_ref()
        .and_then(|d| d.file.as_ref())
        .and_then(|f| f.advanced_settings.as_ref())
        .is_some());
    assert_eq!(set_aside(json), set_aside(xml));
}

//! Decoding the documented GetDeployment samples with the generated models, against a
//! hand-written minimal serde struct over the same JSON (the baseline), in the same run.
//!
//! `cargo bench -p workspace-tests --bench decode`

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use dataworks_public_models::get_deployment::GetDeploymentResponse;
use serde::Deserialize;
use std::hint::black_box;

/// The baseline: what a person would write by hand with `#[derive(Deserialize)]` for the
/// documented JSON shape (no XML quirks, no enums).
#[allow(dead_code)]
#[derive(Deserialize)]
struct HandResponse {
    #[serde(rename = "HttpStatusCode")]
    http_status_code: Option<i32>,
    #[serde(rename = "ErrorMessage")]
    error_message: Option<String>,
    #[serde(rename = "RequestId")]
    request_id: Option<String>,
    #[serde(rename = "ErrorCode")]
    error_code: Option<String>,
    #[serde(rename = "Success")]
    success: Option<bool>,
    #[serde(rename = "Data")]
    data: Option<HandData>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct HandData {
    #[serde(rename = "Deployment")]
    deployment: Option<HandDeployment>,
    #[serde(rename = "DeployedItems")]
    deployed_items: Option<Vec<HandItem>>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct HandDeployment {
    #[serde(rename = "Status")]
    status: Option<i32>,
    #[serde(rename = "ErrorMessage")]
    error_message: Option<String>,
    #[serde(rename = "FromEnvironment")]
    from_environment: Option<i32>,
    #[serde(rename = "ToEnvironment")]
    to_environment: Option<i32>,
    #[serde(rename = "CheckingStatus")]
    checking_status: Option<i32>,
    #[serde(rename = "CreateTime")]
    create_time: Option<i64>,
    #[serde(rename = "HandlerId")]
    handler_id: Option<String>,
    #[serde(rename = "CreatorId")]
    creator_id: Option<String>,
    #[serde(rename = "ExecuteTime")]
    execute_time: Option<i64>,
    #[serde(rename = "Name")]
    name: Option<String>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct HandItem {
    #[serde(rename = "FileId")]
    file_id: Option<i64>,
    #[serde(rename = "FileVersion")]
    file_version: Option<i64>,
    #[serde(rename = "Status")]
    status: Option<i32>,
}

fn sample(name: &str) -> Vec<u8> {
    let path = workspace_tests::workspace_root()
        .join("spec/dataworks-public/samples")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The documented JSON sample with `DeployedItems` as an array of `n` items (the hand-written
/// baseline cannot read the single-object form, so the array form is used for both).
fn json_with_items(n: usize) -> Vec<u8> {
    let mut value: serde_json::Value =
        serde_json::from_slice(&sample("GetDeployment.json")).expect("sample is JSON");
    let item = value["Data"]["DeployedItems"].clone();
    value["Data"]["DeployedItems"] = serde_json::Value::Array(vec![item; n]);
    serde_json::to_vec_pretty(&value).expect("serializes")
}

fn xml_with_items(n: usize) -> Vec<u8> {
    let text = String::from_utf8(sample("GetDeployment.xml")).expect("UTF-8");
    let start = text.find("<DeployedItems>").expect("items");
    let end = text.find("</DeployedItems>").expect("items") + "</DeployedItems>".len();
    let item = &text[start..end];
    let mut out = String::with_capacity(text.len() + item.len() * n);
    out.push_str(&text[..start]);
    for _ in 0..n {
        out.push_str(item);
    }
    out.push_str(&text[end..]);
    out.into_bytes()
}

fn bench(c: &mut Criterion) {
    let cases = [("sample", 1usize), ("100_items", 100)];
    let mut group = c.benchmark_group("decode");
    for (label, n) in cases {
        let json = json_with_items(n);
        let xml = xml_with_items(n);
        group.throughput(Throughput::Bytes(json.len() as u64));
        group.bench_with_input(
            BenchmarkId::new("json_hand_written_baseline", label),
            &json,
            |b, body| {
                b.iter(|| serde_json::from_slice::<HandResponse>(black_box(body)).expect("decodes"))
            },
        );
        group.bench_with_input(
            BenchmarkId::new("json_generated", label),
            &json,
            |b, body| {
                b.iter(|| {
                    dataworks_public_models::from_json::<GetDeploymentResponse>(black_box(body))
                        .expect("decodes")
                })
            },
        );
        group.bench_with_input(BenchmarkId::new("xml_generated", label), &xml, |b, body| {
            b.iter(|| {
                dataworks_public_models::from_xml::<GetDeploymentResponse>(black_box(body))
                    .expect("decodes")
            })
        });
    }
    // The documented JSON sample exactly as published (DeployedItems as one object).
    let documented = sample("GetDeployment.json");
    group.bench_function("json_generated/documented_single_object", |b| {
        b.iter(|| {
            dataworks_public_models::from_json::<GetDeploymentResponse>(black_box(&documented))
                .expect("decodes")
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

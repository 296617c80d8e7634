//! Decoding the documented GetDeployment samples with the generated models, against two
//! baselines measured in the same run: a hand-written minimal serde struct over the same JSON,
//! and, for XML, the floor: quick-xml's pull reader reading every event of the same bytes and
//! building nothing.
//!
//! `cargo bench -p workspace-tests --bench decode`
//!
//! `DECODE_ONLY=<case>/<size> DECODE_ITERS=<n>` skips criterion and decodes that input `n`
//! times (`xml_generated/100_items`, ...), for counting instructions with valgrind: run it with
//! two values of `n` and divide the difference (see BENCHMARKS.md).

use criterion::{criterion_group, BenchmarkId, Criterion, Throughput};
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

/// The XML floor: quick-xml's pull reader reads every event of the body and builds nothing
/// (no UTF-8 check, no names compared, no text unescaped). Returns the number of events.
fn xml_floor(body: &[u8]) -> usize {
    let mut reader = quick_xml::Reader::from_reader(body);
    let mut events = 0;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => return events,
            Ok(event) => {
                black_box(&event);
                events += 1;
            }
            Err(e) => panic!("the XML floor failed: {e}"),
        }
    }
}

/// What one case does with its input.
#[derive(Clone, Copy)]
enum Case {
    JsonHandWritten,
    JsonGenerated,
    XmlGenerated,
    XmlFloor,
}

impl Case {
    const ALL: [(&'static str, Case); 4] = [
        ("json_hand_written_baseline", Case::JsonHandWritten),
        ("json_generated", Case::JsonGenerated),
        ("xml_generated", Case::XmlGenerated),
        ("xml_floor_quick_xml_events", Case::XmlFloor),
    ];

    fn is_xml(self) -> bool {
        matches!(self, Case::XmlGenerated | Case::XmlFloor)
    }

    fn run(self, body: &[u8]) {
        match self {
            Case::JsonHandWritten => {
                black_box(
                    serde_json::from_slice::<HandResponse>(black_box(body)).expect("decodes"),
                );
            }
            Case::JsonGenerated => {
                black_box(
                    dataworks_public_models::from_json::<GetDeploymentResponse>(black_box(body))
                        .expect("decodes"),
                );
            }
            Case::XmlGenerated => {
                black_box(
                    dataworks_public_models::from_xml::<GetDeploymentResponse>(black_box(body))
                        .expect("decodes"),
                );
            }
            Case::XmlFloor => {
                black_box(xml_floor(black_box(body)));
            }
        }
    }
}

const SIZES: [(&str, usize); 2] = [("sample", 1), ("100_items", 100)];

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("decode");
    for (label, n) in SIZES {
        let json = json_with_items(n);
        let xml = xml_with_items(n);
        // Bytes of each case's own input, so that MiB/s compares like with like.
        for (name, case) in Case::ALL {
            let body = if case.is_xml() { &xml } else { &json };
            group.throughput(Throughput::Bytes(body.len() as u64));
            group.bench_with_input(BenchmarkId::new(name, label), body, |b, body| {
                b.iter(|| case.run(body))
            });
        }
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

/// `DECODE_ONLY=<case>/<size> DECODE_ITERS=<n>`: that case only, `n` times, no criterion.
fn run_only(only: &str) {
    let iters: u64 = std::env::var("DECODE_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let (name, label) = only
        .split_once('/')
        .unwrap_or_else(|| panic!("DECODE_ONLY={only:?}: expected <case>/<size>"));
    let case = Case::ALL
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("no case {name:?}"))
        .1;
    let n = SIZES
        .iter()
        .find(|(l, _)| *l == label)
        .unwrap_or_else(|| panic!("no size {label:?}"))
        .1;
    let body = if case.is_xml() {
        xml_with_items(n)
    } else {
        json_with_items(n)
    };
    for _ in 0..iters {
        case.run(&body);
    }
}

criterion_group!(benches, bench);

fn main() {
    if let Ok(only) = std::env::var("DECODE_ONLY") {
        run_only(&only);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}

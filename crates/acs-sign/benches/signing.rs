//! Signing benchmark for a GetDeployment request: RPC v1 and V3, against bare HMAC floors.
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::Sha256;

use acs_sign::{v1, v3, Credentials};

const SECRET: &str = "testAccessKeySecretValue1234567";
const AK: &str = "LTAI5tTestAccessKeyId01";
const NONCE: &str = "3156853299f313e23d1673dc12e1703d";
const TIMESTAMP: &str = "2024-05-18T10:22:32Z";

fn v1_params() -> [(&'static str, &'static str); 11] {
    [
        ("Action", "GetDeployment"),
        ("Version", "2020-05-18"),
        ("Format", "JSON"),
        ("AccessKeyId", AK),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
        ("SignatureNonce", NONCE),
        ("Timestamp", TIMESTAMP),
        ("DeploymentId", "3000001"),
        ("ProjectId", "10000"),
        ("ProjectIdentifier", "dw_project"),
    ]
}

fn bench_signing(c: &mut Criterion) {
    let params = v1_params();
    let body = b"DeploymentId=3000001&ProjectId=10000&ProjectIdentifier=dw_project";
    let creds = Credentials::new(AK, SECRET);
    let req = v3::V3Request {
        method: "POST",
        pathname: "/",
        host: "dataworks.cn-shanghai.aliyuncs.com",
        query: &[],
        content_type: Some("application/x-www-form-urlencoded"),
        body,
        action: "GetDeployment",
        version: "2020-05-18",
        timestamp: TIMESTAMP,
        nonce: NONCE,
    };

    let v1_sts = v1::string_to_sign("POST", &params);
    let v1_key = format!("{SECRET}&");
    let headers = v3::sign_request(&req, &creds);
    let signed: Vec<(&str, &str)> = headers[..headers.len() - 1]
        .iter()
        .map(|(k, v)| (*k, v.as_str()))
        .collect();
    let v3_sts = v3::string_to_sign(&v3::canonical_request(
        "POST",
        "/",
        &[],
        &signed,
        &v3::hex_sha256(body),
    ));

    let mut group = c.benchmark_group("GetDeployment");
    group.bench_function("v1_sign", |b| {
        b.iter(|| {
            let sts = v1::string_to_sign(black_box("POST"), black_box(&params));
            v1::signature(black_box(SECRET), &sts)
        })
    });
    group.bench_function("floor_hmac_sha1", |b| {
        b.iter(|| {
            let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(black_box(v1_key.as_bytes()))
                .expect("HMAC accepts any key length");
            mac.update(black_box(v1_sts.as_bytes()));
            mac.finalize().into_bytes()
        })
    });
    group.bench_function("v3_sign_request", |b| {
        b.iter(|| v3::sign_request(black_box(&req), black_box(&creds)))
    });
    group.bench_function("floor_hmac_sha256", |b| {
        b.iter(|| {
            let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(black_box(SECRET.as_bytes()))
                .expect("HMAC accepts any key length");
            mac.update(black_box(v3_sts.as_bytes()));
            mac.finalize().into_bytes()
        })
    });
    group.finish();
}

criterion_group!(benches, bench_signing);
criterion_main!(benches);

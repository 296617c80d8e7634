//! Signing benchmark for a GetDeployment request: RPC v1 (`string_to_sign` + `signature`) and
//! V3 (`sign_request`), with a bare HMAC-SHA1 / HMAC-SHA256 over the same strings-to-sign as
//! floors.
//!
//! After the criterion measurements, the same closures are timed interleaved (each round runs
//! every case; the minimum per-iteration time over all rounds is kept), which keeps the
//! reported ratios meaningful on a loaded machine. Run:
//! `cargo bench -p acs-sign -- --warm-up-time 1 --measurement-time 3`.
use std::hint::black_box;
use std::time::Instant;

use criterion::Criterion;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::Sha256;

use acs_sign::{v1, v3, Credentials};

const SECRET: &str = "testAccessKeySecretValue1234567";
const AK: &str = "LTAI5tTestAccessKeyId01";
const NONCE: &str = "3156853299f313e23d1673dc12e1703d";
const TIMESTAMP: &str = "2024-05-18T10:22:32Z";
const BODY: &[u8] = b"DeploymentId=3000001&ProjectId=10000&ProjectIdentifier=dw_project";

/// The signed parameters of an RPC v1 GetDeployment call, in the order a client builds them.
const V1_PARAMS: [(&str, &str); 11] = [
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
];

fn v3_request() -> v3::V3Request<'static> {
    v3::V3Request {
        method: "POST",
        pathname: "/",
        host: "dataworks.cn-shanghai.aliyuncs.com",
        query: &[],
        content_type: Some("application/x-www-form-urlencoded"),
        body: BODY,
        action: "GetDeployment",
        version: "2020-05-18",
        timestamp: TIMESTAMP,
        nonce: NONCE,
    }
}

/// The V3 string-to-sign `sign_request` produces for [`v3_request`].
fn v3_string_to_sign(creds: &Credentials) -> String {
    let headers = v3::sign_request(&v3_request(), creds);
    let signed: Vec<(&str, &str)> = headers
        .iter()
        .filter(|(k, _)| *k != "authorization")
        .map(|(k, v)| (*k, v.as_str()))
        .collect();
    v3::string_to_sign(&v3::canonical_request(
        "POST",
        "/",
        &[],
        &signed,
        &v3::hex_sha256(BODY),
    ))
}

/// A named benchmark case.
type Case<'a> = (&'static str, Box<dyn Fn() + 'a>);

fn cases<'a>(
    creds: &'a Credentials,
    req: &'a v3::V3Request<'a>,
    v1_sts: &'a str,
    v1_key: &'a str,
    v3_sts: &'a str,
) -> Vec<Case<'a>> {
    vec![
        (
            "v1_sign",
            Box::new(|| {
                let sts = v1::string_to_sign(black_box("POST"), black_box(&V1_PARAMS));
                black_box(v1::signature(black_box(SECRET), &sts));
            }),
        ),
        (
            "v1_string_to_sign_only",
            Box::new(|| {
                black_box(v1::string_to_sign(black_box("POST"), black_box(&V1_PARAMS)));
            }),
        ),
        (
            "v1_signature_only",
            Box::new(move || {
                black_box(v1::signature(black_box(SECRET), black_box(v1_sts)));
            }),
        ),
        (
            "floor_hmac_sha1",
            Box::new(move || {
                let Ok(mut mac) = <Hmac<Sha1> as Mac>::new_from_slice(black_box(v1_key.as_bytes()))
                else {
                    return;
                };
                mac.update(black_box(v1_sts.as_bytes()));
                black_box(mac.finalize().into_bytes());
            }),
        ),
        (
            "v3_sign_request",
            Box::new(move || {
                black_box(v3::sign_request(black_box(req), black_box(creds)));
            }),
        ),
        (
            "floor_hmac_sha256",
            Box::new(move || {
                let Ok(mut mac) =
                    <Hmac<Sha256> as Mac>::new_from_slice(black_box(SECRET.as_bytes()))
                else {
                    return;
                };
                mac.update(black_box(v3_sts.as_bytes()));
                black_box(mac.finalize().into_bytes());
            }),
        ),
    ]
}

/// Min-of-rounds timing, all cases interleaved in every round; returns ns per iteration.
fn interleaved(cases: &[Case<'_>], rounds: usize, iters: u32) -> Vec<f64> {
    let mut best = vec![f64::MAX; cases.len()];
    for _ in 0..rounds {
        for (slot, (_, f)) in best.iter_mut().zip(cases) {
            let start = Instant::now();
            for _ in 0..iters {
                f();
            }
            *slot = slot.min(start.elapsed().as_nanos() as f64 / f64::from(iters));
        }
    }
    best
}

fn main() {
    let creds = Credentials::new(AK, SECRET);
    let req = v3_request();
    let v1_sts = v1::string_to_sign("POST", &V1_PARAMS);
    let v1_key = format!("{SECRET}&");
    let v3_sts = v3_string_to_sign(&creds);
    let cases = cases(&creds, &req, &v1_sts, &v1_key, &v3_sts);

    let mut c = Criterion::default().configure_from_args();
    let test_mode = std::env::args().any(|a| a == "--test");
    {
        let mut group = c.benchmark_group("GetDeployment");
        for (name, f) in &cases {
            group.bench_function(*name, |b| b.iter(f));
        }
        group.finish();
    }
    c.final_summary();

    // Interleaved min-of-rounds ratios (about a second; one short round in test mode).
    let (rounds, iters) = if test_mode { (1, 1) } else { (200, 500) };
    let best = interleaved(&cases, rounds, iters);
    let t = |name: &str| {
        cases
            .iter()
            .position(|(n, _)| *n == name)
            .map_or(f64::NAN, |i| best[i])
    };
    println!("\ninterleaved min-of-{rounds}-rounds, ns/iteration:");
    for ((name, _), ns) in cases.iter().zip(&best) {
        println!("  {name:<24} {ns:>8.1}");
    }
    println!(
        "  ratio v1_sign / floor_hmac_sha1          = {:.2} (target <= 2)",
        t("v1_sign") / t("floor_hmac_sha1")
    );
    println!(
        "  ratio v3_sign_request / floor_hmac_sha256 = {:.2}",
        t("v3_sign_request") / t("floor_hmac_sha256")
    );
}

//! The generated `dataworks-public` client against a raw `reqwest` POST of an identical
//! pre-signed request, both against the same `acs-test-server` (verification off, so the
//! server's cost is the same and minimal for both), sequentially and with 64 concurrent tasks.
//!
//! `cargo bench -p workspace-tests --bench client`
//!
//! Criterion measures the four cases (3 s each by default). A second, interleaved timing
//! loop then records every call's latency and prints requests/s, the client/raw ratio and
//! p50/p99 latency. `BENCH_CLIENT_SECS` sets that loop's duration per case (default 2 s).
//! Under `cargo test --benches` everything runs once, briefly.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use acs_runtime::MemoryEnv;
use acs_test_server::{ServerConfig, Step, TestServer};
use criterion::{Criterion, Throughput};
use dataworks_public::models::get_deployment::GetDeploymentResponse;
use dataworks_public::{Client, Config, Credentials};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use tokio::runtime::Runtime;

const AK: &str = "LTAI5tBenchKeyId";
const SECRET: &str = "bench-secret-value";
const CONCURRENCY: usize = 64;
const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

/// Everything both sides need: the server, the generated client, and the raw request.
struct Setup {
    server: TestServer,
    client: Client,
    raw: Arc<RawRequest>,
}

/// A pre-signed request replayed verbatim with its own `reqwest::Client`.
struct RawRequest {
    http: reqwest::Client,
    url: String,
    headers: HeaderMap,
    body: String,
}

impl RawRequest {
    async fn send(&self) -> usize {
        let response = self
            .http
            .post(self.url.as_str())
            .headers(self.headers.clone())
            .body(self.body.clone())
            .send()
            .await
            .expect("the raw request is answered");
        assert_eq!(response.status(), 200);
        response.bytes().await.expect("the raw body is read").len()
    }
}

async fn client_call(client: &Client) -> GetDeploymentResponse {
    client
        .get_deployment()
        .project_id(10000)
        .deployment_id(3000001)
        .send()
        .await
        .expect("the client call succeeds")
}

fn sample() -> Vec<u8> {
    let path =
        workspace_tests::workspace_root().join("spec/dataworks-public/samples/GetDeployment.json");
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn setup(rt: &Runtime) -> Setup {
    // Verification off; a few recorded requests are kept to check the two requests match.
    let server = TestServer::start_blocking(
        ServerConfig::new()
            .with_default(Step::raw(200, "application/json;charset=utf-8", sample()))
            .with_max_recorded(4)
            .with_lifetime(Duration::from_secs(3600)),
    )
    .expect("the test server starts");
    let config = Config::builder()
        .env(Arc::new(MemoryEnv::new()))
        .endpoint(server.endpoint())
        .credentials(Credentials::new(AK, SECRET))
        .build()
        .expect("config builds");
    let client = Client::new(config);

    // Sign once, the way the client does (same host, body, headers), then replay.
    let host = server.host();
    let body = "ProjectId=10000&DeploymentId=3000001".to_string();
    let timestamp = acs_sign::clock::timestamp_now();
    let nonce = acs_sign::clock::new_nonce();
    let signed = acs_sign::v3::sign_request(
        &acs_sign::v3::V3Request {
            method: "POST",
            pathname: "/",
            host: &host,
            query: &[],
            content_type: Some(FORM_CONTENT_TYPE),
            body: body.as_bytes(),
            action: "GetDeployment",
            version: "2020-05-18",
            timestamp: &timestamp,
            nonce: &nonce,
        },
        &Credentials::new(AK, SECRET),
    );
    let mut headers = HeaderMap::new();
    let extra = [
        ("accept", "application/json".to_string()),
        ("user-agent", client.config().user_agent().to_string()),
    ];
    for (name, value) in signed.into_iter().chain(extra) {
        headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_str(&value).expect("a valid header value"),
        );
    }
    let raw = RawRequest {
        http: reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("reqwest client"),
        url: format!("{}/", server.endpoint()),
        headers,
        body,
    };

    // Both requests must be the same on the wire (header names, body, method, path).
    rt.block_on(async {
        client_call(&client).await;
        raw.send().await;
    });
    let recorded = server.take_requests();
    assert_eq!(recorded.len(), 2, "one client and one raw request recorded");
    let names = |i: usize| {
        let mut v: Vec<&str> = recorded[i]
            .headers
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        v.sort_unstable();
        v
    };
    assert_eq!(names(0), names(1), "the same headers are sent");
    assert_eq!(recorded[0].body, recorded[1].body, "the same body is sent");
    assert_eq!(
        (&recorded[0].method, &recorded[0].path),
        (&recorded[1].method, &recorded[1].path)
    );

    Setup {
        server,
        client,
        raw: Arc::new(raw),
    }
}

/// Runs `total` calls spread over `CONCURRENCY` tasks; returns the wall time.
async fn concurrent_client(client: &Client, total: u64) -> Duration {
    let start = Instant::now();
    let tasks: Vec<_> = (0..CONCURRENCY as u64)
        .map(|t| {
            let client = client.clone();
            let n = share(total, t);
            tokio::spawn(async move {
                for _ in 0..n {
                    black_box(client_call(&client).await);
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task completes");
    }
    start.elapsed()
}

async fn concurrent_raw(raw: &Arc<RawRequest>, total: u64) -> Duration {
    let start = Instant::now();
    let tasks: Vec<_> = (0..CONCURRENCY as u64)
        .map(|t| {
            let raw = Arc::clone(raw);
            let n = share(total, t);
            tokio::spawn(async move {
                for _ in 0..n {
                    black_box(raw.send().await);
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task completes");
    }
    start.elapsed()
}

/// Task `t`'s share of `total` calls.
fn share(total: u64, t: u64) -> u64 {
    let c = CONCURRENCY as u64;
    total / c + u64::from(t < total % c)
}

fn criterion_benches(c: &mut Criterion, rt: &Runtime, s: &Setup) {
    let mut group = c.benchmark_group("get_deployment");
    group.throughput(Throughput::Elements(1));
    group.bench_function("sequential/client", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    black_box(client_call(&s.client).await);
                }
                start.elapsed()
            })
        })
    });
    group.bench_function("sequential/raw_reqwest", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    black_box(s.raw.send().await);
                }
                start.elapsed()
            })
        })
    });
    group.bench_function("concurrent64/client", |b| {
        b.iter_custom(|iters| rt.block_on(concurrent_client(&s.client, iters)))
    });
    group.bench_function("concurrent64/raw_reqwest", |b| {
        b.iter_custom(|iters| rt.block_on(concurrent_raw(&s.raw, iters)))
    });
    group.finish();

    // Parts of the client's work, for the breakdown.
    let mut parts = c.benchmark_group("client_parts");
    let body = sample();
    parts.bench_function("decode_json_sample", |b| {
        b.iter(|| {
            dataworks_public_models::from_json::<GetDeploymentResponse>(black_box(&body))
                .expect("decodes")
        })
    });
    let credentials = Credentials::new(AK, SECRET);
    parts.bench_function("sign_v3", |b| {
        b.iter(|| {
            let timestamp = acs_sign::clock::timestamp_now();
            let nonce = acs_sign::clock::new_nonce();
            acs_sign::v3::sign_request(
                &acs_sign::v3::V3Request {
                    method: "POST",
                    pathname: "/",
                    host: "127.0.0.1:40000",
                    query: &[],
                    content_type: Some(FORM_CONTENT_TYPE),
                    body: black_box(b"ProjectId=10000&DeploymentId=3000001"),
                    action: "GetDeployment",
                    version: "2020-05-18",
                    timestamp: &timestamp,
                    nonce: &nonce,
                },
                &credentials,
            )
        })
    });
    parts.finish();
}

/// Latencies of one measured round.
struct Round {
    calls: usize,
    wall: Duration,
    latencies: Vec<Duration>,
}

async fn timed_sequential<F, Fut>(duration: Duration, max_calls: usize, mut call: F) -> Round
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut latencies = Vec::with_capacity(1 << 16);
    let start = Instant::now();
    while start.elapsed() < duration && latencies.len() < max_calls {
        let t = Instant::now();
        call().await;
        latencies.push(t.elapsed());
    }
    Round {
        calls: latencies.len(),
        wall: start.elapsed(),
        latencies,
    }
}

async fn timed_concurrent<F, Fut>(duration: Duration, max_calls: usize, call: F) -> Round
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let per_task = max_calls.div_ceil(CONCURRENCY).max(1);
    let start = Instant::now();
    let tasks: Vec<_> = (0..CONCURRENCY)
        .map(|_| {
            let call = call.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(4096);
                while start.elapsed() < duration && latencies.len() < per_task {
                    let t = Instant::now();
                    call().await;
                    latencies.push(t.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.expect("task completes"));
    }
    Round {
        calls: latencies.len(),
        wall: start.elapsed(),
        latencies,
    }
}

#[derive(Default)]
struct Totals {
    calls: usize,
    wall: Duration,
    latencies: Vec<Duration>,
}

impl Totals {
    fn add(&mut self, r: Round) {
        self.calls += r.calls;
        self.wall += r.wall;
        self.latencies.extend(r.latencies);
    }

    fn rps(&self) -> f64 {
        self.calls as f64 / self.wall.as_secs_f64().max(1e-9)
    }

    fn percentile(&mut self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        self.latencies.sort_unstable();
        let i = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies[i.min(self.latencies.len() - 1)]
    }
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// Interleaved rounds (client, raw, client, raw, ...) so drift affects both alike.
fn latency_report(rt: &Runtime, s: &Setup, per_case: Duration, max_calls: usize) {
    const ROUNDS: u32 = 4;
    let slice = per_case / ROUNDS;
    let max_per_round = max_calls.div_ceil(ROUNDS as usize);
    println!();
    println!(
        "client vs raw reqwest, interleaved timing loop ({per_case:?} per case, {ROUNDS} rounds)"
    );
    println!(
        "{:<26} {:>10} {:>12} {:>10} {:>10}",
        "case", "calls", "requests/s", "p50 us", "p99 us"
    );
    for concurrent in [false, true] {
        let (mut client_totals, mut raw_totals) = (Totals::default(), Totals::default());
        for _ in 0..ROUNDS {
            let client = s.client.clone();
            let raw = Arc::clone(&s.raw);
            let (c, r) = rt.block_on(async move {
                if concurrent {
                    let cl = client.clone();
                    let c = timed_concurrent(slice, max_per_round, move || {
                        let cl = cl.clone();
                        async move {
                            black_box(client_call(&cl).await);
                        }
                    })
                    .await;
                    let rw = Arc::clone(&raw);
                    let r = timed_concurrent(slice, max_per_round, move || {
                        let rw = Arc::clone(&rw);
                        async move {
                            black_box(rw.send().await);
                        }
                    })
                    .await;
                    (c, r)
                } else {
                    let c = timed_sequential(slice, max_per_round, || async {
                        black_box(client_call(&client).await);
                    })
                    .await;
                    let r = timed_sequential(slice, max_per_round, || async {
                        black_box(raw.send().await);
                    })
                    .await;
                    (c, r)
                }
            });
            client_totals.add(c);
            raw_totals.add(r);
        }
        let mode = if concurrent {
            "concurrent64"
        } else {
            "sequential"
        };
        for (name, totals) in [
            ("client", &mut client_totals),
            ("raw_reqwest", &mut raw_totals),
        ] {
            let (p50, p99) = (totals.percentile(0.50), totals.percentile(0.99));
            println!(
                "{:<26} {:>10} {:>12.0} {:>10.1} {:>10.1}",
                format!("{mode}/{name}"),
                totals.calls,
                totals.rps(),
                us(p50),
                us(p99)
            );
        }
        let ratio = client_totals.rps() / raw_totals.rps().max(1e-9);
        println!(
            "{:<26} client/raw = {ratio:.3}x (target >= 0.9x){}",
            format!("{mode}/ratio"),
            if ratio >= 0.9 { "" } else { "  BELOW TARGET" }
        );
    }
    println!("server requests answered: {}", s.server.request_count());
}

fn main() {
    let bench_mode = std::env::args().any(|a| a == "--bench");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let s = setup(&rt);

    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(30)
        .configure_from_args();
    criterion_benches(&mut c, &rt, &s);
    c.final_summary();

    if bench_mode {
        let secs = std::env::var("BENCH_CLIENT_SECS")
            .ok()
            .and_then(|v| v.parse::<f64>().ok())
            .filter(|v| v.is_finite() && *v > 0.0 && *v <= 600.0)
            .unwrap_or(2.0);
        latency_report(&rt, &s, Duration::from_secs_f64(secs), usize::MAX);
    } else {
        // `cargo test --benches`: a quick check that the report runs.
        latency_report(&rt, &s, Duration::from_millis(200), 256);
    }
}

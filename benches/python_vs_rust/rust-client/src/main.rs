//! Python-vs-Rust benchmark, Rust side: `N` sequential `GetDeployment` calls with the generated
//! `dataworks_public::Client` against a loopback server, each call timed on its own.
//!
//! ```text
//! pvr-rust-client --endpoint http://127.0.0.1:PORT --n 200 [--warmup 5]
//!                 [--ak AK --secret SECRET] [--signature v3|v1] [--flavor multi|current]
//! ```
//!
//! Prints one JSON line: `{"impl":"rust",...,"cpu_us_total":..,"per_call_us":[...]}`
//! (microseconds; `cpu_us_total` is this process's CPU time over the timed calls). Every call
//! must succeed and decode `Data.Deployment.Name`; otherwise the program exits with status 1.
#![forbid(unsafe_code)]

use dataworks_public::{Client, Config, Credentials, SignatureVersion};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Command-line options.
struct Options {
    endpoint: String,
    n: usize,
    warmup: usize,
    ak: String,
    secret: String,
    signature: SignatureVersion,
    current_thread: bool,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        endpoint: String::new(),
        n: 200,
        warmup: 5,
        ak: "LTAI5tFakeAccessKeyId".to_owned(),
        secret: "bench-secret".to_owned(),
        signature: SignatureVersion::V3,
        current_thread: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--endpoint" => o.endpoint = value()?,
            "--n" => o.n = value()?.parse().map_err(|e| format!("--n: {e}"))?,
            "--warmup" => o.warmup = value()?.parse().map_err(|e| format!("--warmup: {e}"))?,
            "--ak" => o.ak = value()?,
            "--secret" => o.secret = value()?,
            "--signature" => {
                o.signature = match value()?.as_str() {
                    "v3" => SignatureVersion::V3,
                    "v1" => SignatureVersion::V1,
                    other => return Err(format!("--signature: v3 or v1, not {other}")),
                }
            }
            "--flavor" => {
                o.current_thread = match value()?.as_str() {
                    "multi" => false,
                    "current" => true,
                    other => return Err(format!("--flavor: multi or current, not {other}")),
                }
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if o.endpoint.is_empty() {
        return Err("--endpoint is required".to_owned());
    }
    if o.n == 0 {
        return Err("--n must be at least 1".to_owned());
    }
    Ok(o)
}

async fn one_call(client: &Client) -> Result<(), String> {
    let out = client
        .get_deployment()
        .project_id(10000)
        .deployment_id(3000001)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let name = out.data.and_then(|d| d.deployment).and_then(|d| d.name);
    if name.as_deref().is_none_or(str::is_empty) {
        return Err("the response has no Data.Deployment.Name".to_owned());
    }
    Ok(())
}

/// CPU time used so far by all live threads of this process, in nanoseconds: the sum of the
/// first field of `/proc/self/task/*/schedstat` (Linux; `None` elsewhere). The running
/// thread's figure can lag by up to one scheduler tick, so use it over many calls.
fn process_cpu_ns() -> Option<u64> {
    let mut total = 0u64;
    for entry in std::fs::read_dir("/proc/self/task").ok()?.flatten() {
        let text = std::fs::read_to_string(entry.path().join("schedstat")).ok()?;
        total += text.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(total)
}

/// What one run measured.
struct Measured {
    setup: Duration,
    per_call: Vec<Duration>,
    cpu_ns: Option<u64>,
}

async fn run(o: &Options) -> Result<Measured, String> {
    let started = Instant::now();
    let config = Config::builder()
        .endpoint(o.endpoint.clone())
        .credentials(Credentials::new(o.ak.clone(), o.secret.clone()))
        .signature_version(o.signature)
        .build()
        .map_err(|e| e.to_string())?;
    let client = Client::new(config);
    let setup = started.elapsed();
    for _ in 0..o.warmup {
        one_call(&client).await?;
    }
    let mut per_call = Vec::with_capacity(o.n);
    let cpu_before = process_cpu_ns();
    for _ in 0..o.n {
        let t = Instant::now();
        one_call(&client).await?;
        per_call.push(t.elapsed());
    }
    let cpu_ns = cpu_before.and_then(|b| process_cpu_ns().map(|a| a.saturating_sub(b)));
    Ok(Measured {
        setup,
        per_call,
        cpu_ns,
    })
}

fn main() -> ExitCode {
    let o = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("pvr-rust-client: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = if o.current_thread {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
    };
    let runtime = match runtime {
        Ok(r) => r,
        Err(e) => {
            eprintln!("pvr-rust-client: cannot start tokio: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(&o)) {
        Ok(m) => {
            let us: Vec<String> = m
                .per_call
                .iter()
                .map(|d| format!("{:.1}", d.as_secs_f64() * 1e6))
                .collect();
            println!(
                "{{\"impl\":\"rust\",\"flavor\":\"{}\",\"signature\":\"{}\",\"n\":{},\"warmup\":{},\"setup_us\":{:.1},\"cpu_us_total\":{},\"per_call_us\":[{}]}}",
                if o.current_thread { "current" } else { "multi" },
                match o.signature {
                    SignatureVersion::V1 => "v1",
                    _ => "v3",
                },
                o.n,
                o.warmup,
                m.setup.as_secs_f64() * 1e6,
                m.cpu_ns
                    .map_or("null".to_owned(), |ns| format!("{:.1}", ns as f64 / 1e3)),
                us.join(",")
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("pvr-rust-client: call failed: {e}");
            ExitCode::FAILURE
        }
    }
}

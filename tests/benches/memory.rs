//! Memory per in-flight call: 1, 1,000 and 10,000 concurrent `GetDeployment` calls on one
//! client against the in-process test server, which holds every response for a while so that
//! all the calls are in flight at once. Reports, per size: peak heap of the process above what
//! it held before the wave (the server included) and per call, peak RSS (`VmHWM`, reset before
//! each wave), connections the server accepted, and the wall time; for the default client (its
//! bound on in-flight requests) and for one with the bound lifted, alternately.
//!
//! `cargo bench -p workspace-tests --bench memory` (`MEMORY_SIZES=1,1000` to choose sizes,
//! `MEMORY_HOLD_MS` for how long the server holds each response, default 1,500 ms). Under
//! `cargo test --benches` it runs 1 and 100 calls.
//!
//! Heap bytes are counted by `peak_alloc`'s global allocator (current and peak bytes of the
//! whole process, the peak reset before each wave), so this bench has no `unsafe` of its own.
//! The heap figures are the process's: the client and the in-process server together.
#![forbid(unsafe_code)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use acs_runtime::MemoryEnv;
use acs_test_server::{ServerConfig, Step, TestServer};
use dataworks_public::{Client, Config, Credentials};
use peak_alloc::PeakAlloc;

#[global_allocator]
static HEAP: PeakAlloc = PeakAlloc;

/// `/proc/self/status` and `/proc/self/clear_refs`, opened before a wave: with 10,000
/// connections the process may have no file descriptor left to open them during it.
struct ProcFiles {
    status: Option<std::fs::File>,
    clear_refs: Option<std::fs::File>,
}

impl ProcFiles {
    fn open() -> ProcFiles {
        ProcFiles {
            status: std::fs::File::open("/proc/self/status").ok(),
            clear_refs: std::fs::OpenOptions::new()
                .write(true)
                .open("/proc/self/clear_refs")
                .ok(),
        }
    }

    /// Resets `VmHWM` to the current RSS (Linux: `5` in `clear_refs`); false if not possible.
    fn reset_peak_rss(&mut self) -> bool {
        use std::io::Write;
        self.clear_refs
            .as_mut()
            .is_some_and(|f| f.write_all(b"5").is_ok())
    }

    /// Peak resident memory of the process (`VmHWM`), in KiB.
    fn peak_rss_kib(&mut self) -> Option<u64> {
        use std::io::{Read, Seek};
        let file = self.status.as_mut()?;
        file.rewind().ok()?;
        let mut status = String::new();
        file.read_to_string(&mut status).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }
}

fn sample() -> Vec<u8> {
    let path =
        workspace_tests::workspace_root().join("spec/dataworks-public/samples/GetDeployment.json");
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// What one wave measured.
struct Wave {
    calls: usize,
    failures: usize,
    first_failure: Option<String>,
    /// Peak heap of the process above what it held before the wave, in bytes.
    heap_peak: usize,
    peak_rss_kib: Option<u64>,
    connections: u64,
    wall: Duration,
}

/// `calls` concurrent calls on one client (`bounded`: the default configuration; else the
/// bound on in-flight requests lifted) against a fresh server that holds each response for
/// `hold`.
fn wave(calls: usize, bounded: bool, hold: Duration) -> Wave {
    let server = TestServer::start_blocking(
        ServerConfig::new()
            .with_default(
                Step::raw(200, "application/json;charset=utf-8", sample()).with_delay(hold),
            )
            .with_max_connections(calls + 64)
            .with_max_recorded(1)
            .with_lifetime(Duration::from_secs(600)),
    )
    .expect("the test server starts");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let mut builder = Config::builder()
        .env(Arc::new(MemoryEnv::new()))
        .endpoint(server.endpoint())
        .credentials(Credentials::new("LTAI5tBenchKeyId", "bench-secret-value"))
        .attempt_timeout(Duration::from_secs(120))
        .max_attempts(1);
    if !bounded {
        builder = builder.max_in_flight_requests(None);
    }
    let client = Client::new(builder.build().expect("config builds"));
    let call =
        |client: Client| async move { workspace_tests::calls::get_deployment(&client).await };
    // One call first, so that what every client allocates once is not counted.
    rt.block_on(call(client.clone()))
        .expect("the first call succeeds");
    let connections_before = server.connection_count();

    let heap_base = HEAP.current_usage();
    HEAP.reset_peak_usage();
    let mut proc_files = ProcFiles::open();
    let rss_reset = proc_files.reset_peak_rss();
    let started = Instant::now();
    let results = rt.block_on(async {
        let tasks: Vec<_> = (0..calls)
            .map(|_| tokio::spawn(call(client.clone())))
            .collect();
        let mut results = Vec::with_capacity(calls);
        for task in tasks {
            results.push(task.await.expect("the task completes"));
        }
        results
    });
    let wall = started.elapsed();
    let failures: Vec<String> = results
        .iter()
        .filter_map(|r| r.as_ref().err().map(ToString::to_string))
        .collect();
    let out = Wave {
        calls,
        failures: failures.len(),
        first_failure: failures.into_iter().next(),
        heap_peak: HEAP.peak_usage().saturating_sub(heap_base),
        peak_rss_kib: if rss_reset {
            proc_files.peak_rss_kib()
        } else {
            None
        },
        connections: server.connection_count() - connections_before,
        wall,
    };
    drop(results);
    drop(client);
    rt.shutdown_timeout(Duration::from_secs(5));
    out
}

fn kib(bytes: usize) -> String {
    format!("{:.1}", bytes as f64 / 1024.0)
}

fn main() {
    let bench_mode = std::env::args().any(|a| a == "--bench");
    let sizes: Vec<usize> = match std::env::var("MEMORY_SIZES") {
        Ok(v) => v.split(',').filter_map(|s| s.trim().parse().ok()).collect(),
        Err(_) if bench_mode => vec![1, 1000, 10_000],
        Err(_) => vec![1, 100],
    };
    let hold = Duration::from_millis(
        std::env::var("MEMORY_HOLD_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(if bench_mode { 1500 } else { 200 }),
    );
    println!(
        "memory per in-flight call, one client, server holds each response {hold:?} (KiB; heap: the whole process, server included; per call: heap peak / calls)"
    );
    println!(
        "{:<10} {:>7} {:>9} {:>12} {:>14} {:>12} {:>12} {:>9}",
        "client",
        "calls",
        "failures",
        "heap peak",
        "per call",
        "peak RSS",
        "connections",
        "wall ms"
    );
    for &calls in &sizes {
        for bounded in [true, false] {
            let w = wave(calls, bounded, hold);
            println!(
                "{:<10} {:>7} {:>9} {:>12} {:>14} {:>12} {:>12} {:>9}",
                if bounded { "default" } else { "unbounded" },
                w.calls,
                w.failures,
                kib(w.heap_peak),
                kib(w.heap_peak / w.calls.max(1)),
                w.peak_rss_kib.map_or("-".to_string(), |k| k.to_string()),
                w.connections,
                w.wall.as_millis()
            );
            if let Some(first) = w.first_failure {
                println!("           first failure: {first}");
            }
        }
    }
}

//! Codegen scaling: how the generator's cost grows with the number of actions.
//!
//! Synthesizes specs with 1, 10 and 100 actions in a temporary directory (copies of
//! `spec/dataworks-public/GetDeployment.yaml` renamed `GetDeployment0001`, ... with their
//! samples; waiters renamed to match; `product.yaml` copied, so the crate paths, which are
//! relative to the codegen root, point into the temporary directory) and measures in-process:
//!
//! * `load_validate`: `xtask::load::load_api` (parse + validate + lower);
//! * `load_validate_emit`: the above plus `xtask::generate_from_model` (all three crates,
//!   `quote!` + `prettyplease` + one `rustfmt` process per Rust file);
//! * `codegen_fresh`: the whole `xtask::codegen` into an empty output tree (writes every file).
//!
//! After the criterion groups it prints interleaved min-of-rounds times and the ratios
//! `t(10)/t(1)`, `t(100)/t(10)` and the marginal cost per action, measured in the same run.
//!
//! `cargo bench -p xtask --bench codegen -- --warm-up-time 1 --measurement-time 3`
//!
//! With `CODEGEN_SCALING_OUT=<dir>` set, the binary instead writes `<dir>/n<N>/` (spec and
//! generated crates) for each N in `CODEGEN_SCALING_COUNTS` (default `1,10,100`), prints one
//! JSON line per N with the in-process codegen time and the generated line counts, and exits;
//! `benches/codegen-scaling.sh` uses this to compile the generated crates.
#![forbid(unsafe_code)]

use criterion::{BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const COUNTS: [usize; 3] = [1, 10, 100];
const TEMPLATE: &str = "GetDeployment";

/// The real spec folder the template action is copied from.
fn source_spec_dir() -> PathBuf {
    xtask::workspace_root()
        .join("spec")
        .join("dataworks-public")
}

/// The action's spec text renamed to `name`: every `GetDeployment` (name, type names, sample
/// files) becomes `name`, and each waiter key under `waiters:` gets `suffix` so that the
/// generated `wait_until_*` methods stay distinct.
fn rename_action(template: &str, name: &str, suffix: &str) -> String {
    let text = template.replace(TEMPLATE, name);
    let mut out = String::with_capacity(text.len() + 64);
    let mut in_waiters = false;
    for line in text.lines() {
        if !line.starts_with(' ') && !line.starts_with('#') && !line.is_empty() {
            in_waiters = line.trim_end() == "waiters:";
        }
        let key = line.strip_prefix("  ").and_then(|l| l.strip_suffix(':'));
        match key {
            Some(k)
                if in_waiters && !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric()) =>
            {
                out.push_str("  ");
                out.push_str(k);
                out.push_str(suffix);
                out.push(':');
            }
            _ => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

/// Writes `root/spec/dataworks-public/` with `product.yaml` and `n` copies of the template
/// action (and their samples). Returns the spec folder.
fn synthesize(root: &Path, n: usize) -> std::io::Result<PathBuf> {
    let src = source_spec_dir();
    let spec_dir = root.join("spec").join("dataworks-public");
    std::fs::create_dir_all(spec_dir.join("samples"))?;
    std::fs::copy(src.join("product.yaml"), spec_dir.join("product.yaml"))?;
    let template = std::fs::read_to_string(src.join(format!("{TEMPLATE}.yaml")))?;
    let mut samples = Vec::new();
    for entry in std::fs::read_dir(src.join("samples"))?.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        if let Some(ext) = file.strip_prefix(&format!("{TEMPLATE}.")) {
            samples.push((entry.path(), ext.to_owned()));
        }
    }
    for i in 1..=n {
        let suffix = format!("{i:04}");
        let name = format!("{TEMPLATE}{suffix}");
        std::fs::write(
            spec_dir.join(format!("{name}.yaml")),
            rename_action(&template, &name, &suffix),
        )?;
        for (path, ext) in &samples {
            std::fs::copy(path, spec_dir.join("samples").join(format!("{name}.{ext}")))?;
        }
    }
    Ok(spec_dir)
}

/// Removes the generated crates under `root` (the paths are the product's `crates.*.path`,
/// all under `crates/`).
fn clear_output(root: &Path) {
    let _ = std::fs::remove_dir_all(root.join("crates"));
}

fn load_emit(spec_dir: &Path, root: &Path) -> usize {
    let api = xtask::load::load_api(spec_dir, root).expect("synthesized spec is valid");
    let files = xtask::generate_from_model(&api).expect("emits");
    files.len()
}

fn codegen_fresh(spec_dir: &Path, root: &Path) -> usize {
    let changes = xtask::codegen(root, &[spec_dir.to_path_buf()], false).expect("codegen succeeds");
    changes.len()
}

/// A fresh temporary directory for this process.
fn temp_root(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "xtask-codegen-bench-{}-{label}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn criterion_benches(c: &mut Criterion, roots: &[(usize, PathBuf, PathBuf)]) {
    let mut group = c.benchmark_group("codegen");
    group.sample_size(10);
    for (n, root, spec_dir) in roots {
        group.throughput(Throughput::Elements(*n as u64));
        group.bench_with_input(BenchmarkId::new("load_validate", n), n, |b, _| {
            b.iter(|| xtask::load::load_api(black_box(spec_dir), root).expect("valid"))
        });
        group.bench_with_input(BenchmarkId::new("load_validate_emit", n), n, |b, _| {
            b.iter(|| load_emit(black_box(spec_dir), root))
        });
        group.bench_with_input(BenchmarkId::new("codegen_fresh", n), n, |b, _| {
            b.iter_batched(
                || clear_output(root),
                |()| codegen_fresh(black_box(spec_dir), root),
                criterion::BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

/// Interleaved rounds (1, 10, 100, 1, 10, 100, ...); the minimum per count.
fn interleaved(roots: &[(usize, PathBuf, PathBuf)], rounds: usize) {
    let mut best = vec![[Duration::MAX; 3]; roots.len()];
    for _ in 0..rounds {
        for (i, (_, root, spec_dir)) in roots.iter().enumerate() {
            let t = Instant::now();
            black_box(xtask::load::load_api(spec_dir, root).expect("valid"));
            best[i][0] = best[i][0].min(t.elapsed());
            let t = Instant::now();
            black_box(load_emit(spec_dir, root));
            best[i][1] = best[i][1].min(t.elapsed());
            clear_output(root);
            let t = Instant::now();
            black_box(codegen_fresh(spec_dir, root));
            best[i][2] = best[i][2].min(t.elapsed());
        }
    }
    println!("\ncodegen scaling, min of {rounds} interleaved rounds (ms):");
    println!(
        "{:>8} {:>14} {:>20} {:>15}",
        "actions", "load_validate", "load_validate_emit", "codegen_fresh"
    );
    for (i, (n, _, _)) in roots.iter().enumerate() {
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!(
            "{n:>8} {:>14.2} {:>20.2} {:>15.2}",
            ms(best[i][0]),
            ms(best[i][1]),
            ms(best[i][2])
        );
    }
    let names = ["load_validate", "load_validate_emit", "codegen_fresh"];
    for (k, name) in names.iter().enumerate() {
        let mut parts = Vec::new();
        for w in roots.windows(2).zip(best.windows(2)) {
            let ((a, b), (ta, tb)) = ((&w.0[0], &w.0[1]), (&w.1[0][k], &w.1[1][k]));
            let ratio = tb.as_secs_f64() / ta.as_secs_f64();
            let marginal = (tb.as_secs_f64() - ta.as_secs_f64()) / (b.0 - a.0) as f64 * 1e3;
            parts.push(format!(
                "t({})/t({}) = {ratio:.2}x, marginal {marginal:.2} ms/action",
                b.0, a.0
            ));
        }
        println!("{name}: {}", parts.join("; "));
    }
}

/// `CODEGEN_SCALING_OUT` mode: write the trees for the compile measurements and exit.
fn write_trees(out: &Path) {
    let counts: Vec<usize> = std::env::var("CODEGEN_SCALING_COUNTS")
        .unwrap_or_else(|_| "1,10,100".to_owned())
        .split(',')
        .map(|s| {
            s.trim()
                .parse()
                .expect("CODEGEN_SCALING_COUNTS: comma-separated numbers")
        })
        .collect();
    for n in counts {
        let root = out.join(format!("n{n}"));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).expect("create the output folder");
        let spec_dir = synthesize(&root, n).expect("synthesize the spec");
        let t = Instant::now();
        let written = codegen_fresh(&spec_dir, &root);
        let codegen_ms = t.elapsed().as_secs_f64() * 1e3;
        let mut lines = [0usize; 3];
        for (i, krate) in [
            "dataworks-public-models",
            "dataworks-public",
            "dataworks-cli",
        ]
        .iter()
        .enumerate()
        {
            lines[i] = count_rust_lines(&root.join("crates").join(krate));
        }
        println!(
            "{{\"actions\":{n},\"root\":\"{}\",\"codegen_ms\":{codegen_ms:.1},\"files_written\":{written},\"lines_models\":{},\"lines_client\":{},\"lines_cli\":{}}}",
            root.display(),
            lines[0],
            lines[1],
            lines[2]
        );
    }
}

fn count_rust_lines(dir: &Path) -> usize {
    let mut total = 0;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            total += count_rust_lines(&path);
        } else if path.extension().is_some_and(|e| e == "rs") {
            total += std::fs::read_to_string(&path).map_or(0, |s| s.lines().count());
        }
    }
    total
}

fn main() {
    if let Some(out) = std::env::var_os("CODEGEN_SCALING_OUT") {
        write_trees(Path::new(&out));
        return;
    }
    let roots: Vec<(usize, PathBuf, PathBuf)> = COUNTS
        .iter()
        .map(|&n| {
            let root = temp_root(&format!("n{n}"));
            let spec_dir = synthesize(&root, n).expect("synthesize the spec");
            (n, root, spec_dir)
        })
        .collect();
    let mut c = Criterion::default().configure_from_args();
    criterion_benches(&mut c, &roots);
    c.final_summary();
    interleaved(&roots, 3);
    for (_, root, _) in &roots {
        let _ = std::fs::remove_dir_all(root);
    }
}

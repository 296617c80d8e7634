#!/usr/bin/env bash
# Build cost of the `dataworks` CLI: a clean `cargo build --release -p dataworks-cli` in a fresh
# CARGO_TARGET_DIR, on a snapshot of the committed tree (git archive REV), for the baseline and
# for candidate dependency-feature trims applied to throw-away copies (the repository itself is
# never changed). For each variant it reports: wall / user / sys time and the load average
# around the build, the number of crates compiled (`Compiling` lines), the unique crates in
# `cargo tree -p dataworks-cli -e normal`, the binary size and stripped size, and the crates that
# took longest (from `cargo build --timings`); then each variant's ratios to the baseline.
#
# usage: benches/build-cost.sh [VARIANT...]          (default: baseline)
#   baseline         the tree as committed
#   tracing-lean     tracing-subscriber features ["fmt", "std"] instead of ["fmt", "env-filter",
#                    "ansi"]; acs-cli's init_tracing parses RUST_LOG as a `filter::Targets`
#                    (`debug`, `acs_runtime=debug,warn`; no span/field/regex directives).
#                    Drops regex-automata, regex-syntax, matchers, nu-ansi-term, ...
#   clap-lean        clap without the default `color` and `suggestions` features (plain help,
#                    no "did you mean"); drops anstream, anstyle-*, colorchoice, strsim, ...
#   idna-unicode-rs  pins idna_adapter 1.1 (unicode-rs back end for url/idna instead of ICU4X;
#                    same IDNA function); drops the icu_* / zerovec / yoke / synstructure crates
#   idna-ascii       pins idna_adapter 1.0 (ASCII-only host names: an IDN host is rejected)
#   lean             tracing-lean + clap-lean + idna-unicode-rs
# env:  REV (HEAD)  JOBS (cargo -j, default: all cores)  KEEP=1 keeps the temp folders
#       BUILD_COST_TMP (temp parent, default /tmp)  JSON_OUT (write the results as JSON)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# resolved once, so that every variant builds the same commit even if the branch moves meanwhile
REV="$(git -C "$REPO" rev-parse --verify "${REV:-HEAD}^{commit}")"
VARIANTS=("$@")
[ ${#VARIANTS[@]} -eq 0 ] && VARIANTS=(baseline)
WORK="$(mktemp -d "${BUILD_COST_TMP:-/tmp}/build-cost.XXXXXX")"
cleanup() { [ "${KEEP:-0}" = 1 ] && echo "kept $WORK" >&2 || rm -rf "$WORK"; }
trap cleanup EXIT
JOBS_ARG=()
[ -n "${JOBS:-}" ] && JOBS_ARG=(-j "$JOBS")

# --- variants: each edits the copy in $1 -------------------------------------------------------
set_ws_dep() { # file, dep name, new line
  python3 - "$@" <<'PY'
import re, sys
path, name, line = sys.argv[1:4]
text = open(path).read()
new, n = re.subn(rf"(?m)^{re.escape(name)} = .*$", line, text)
if n != 1:
    sys.exit(f"build-cost: no `{name} = ...` line in {path}")
open(path, "w").write(new)
PY
}
add_runtime_dep() { # copy, dependency line for acs-runtime
  python3 - "$1/crates/acs-runtime/Cargo.toml" "$2" <<'PY'
import sys
path, line = sys.argv[1:3]
text = open(path).read()
if "\n[dependencies]\n" not in text:
    sys.exit(f"build-cost: no [dependencies] in {path}")
open(path, "w").write(text.replace("\n[dependencies]\n", f"\n[dependencies]\n{line}\n", 1))
PY
}
variant_tracing_lean() {
  set_ws_dep "$1/Cargo.toml" tracing-subscriber \
    'tracing-subscriber = { version = "0.3", default-features = false, features = ["fmt", "std"] }'
  python3 - "$1/crates/acs-cli/src/lib.rs" <<'PY'
import re, sys
path = sys.argv[1]
text = open(path).read()
new_body = '''pub fn init_tracing() {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let Ok(filter) = std::env::var("RUST_LOG") else {
        return;
    };
    let filter = filter
        .parse::<tracing_subscriber::filter::Targets>()
        .unwrap_or_else(|e| {
            eprintln!("warning: ignoring RUST_LOG: {e}");
            tracing_subscriber::filter::Targets::new()
        });
    let _ = tracing_subscriber::fmt()
        .with_max_level(tracing_subscriber::filter::LevelFilter::TRACE)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .finish()
        .with(filter)
        .try_init();
}
'''
new, n = re.subn(r"(?ms)^pub fn init_tracing\(\) \{.*?^\}\n", new_body, text)
if n != 1:
    sys.exit("build-cost: init_tracing not found in acs-cli")
open(path, "w").write(new)
PY
}
variant_clap_lean() {
  set_ws_dep "$1/Cargo.toml" clap \
    'clap = { version = "4", default-features = false, features = ["std", "help", "usage", "error-context", "derive", "env"] }'
}
variant_idna_unicode_rs() { add_runtime_dep "$1" 'idna_adapter = "~1.1"'; }
variant_idna_ascii() { add_runtime_dep "$1" 'idna_adapter = "~1.0.0"'; }
variant_lean() { variant_tracing_lean "$1"; variant_clap_lean "$1"; variant_idna_unicode_rs "$1"; }
apply_variant() {
  case "$1" in
    baseline) ;;
    tracing-lean) variant_tracing_lean "$2" ;;
    clap-lean) variant_clap_lean "$2" ;;
    idna-unicode-rs) variant_idna_unicode_rs "$2" ;;
    idna-ascii) variant_idna_ascii "$2" ;;
    lean) variant_lean "$2" ;;
    *) echo "build-cost: unknown variant $1" >&2; exit 2 ;;
  esac
}

# --- measurement -------------------------------------------------------------------------------
CPU_MODEL=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')
echo "machine: nproc=$(nproc) cpu=$CPU_MODEL  rustc: $(rustc --version)" >&2
echo "source: commit $REV" >&2
RESULTS="$WORK/results.jsonl"
for v in "${VARIANTS[@]}"; do
  src="$WORK/$v/ws"
  target="$WORK/$v/target"
  mkdir -p "$src"
  git -C "$REPO" archive "$REV" | tar -x -C "$src"
  apply_variant "$v" "$src"
  echo "== $v: resolving and fetching (not timed)" >&2
  (cd "$src" && cargo fetch --quiet) >&2
  deps=$(cd "$src" && cargo tree -p dataworks-cli -e normal --prefix none --offline | sed 's/ (\*)$//' | sort -u | grep -vc '^dataworks-cli ')
  deps_build=$(cd "$src" && cargo tree -p dataworks-cli -e normal,build --prefix none --offline | sed 's/ (\*)$//' | sort -u | grep -vc '^dataworks-cli ')
  provider=$(cd "$src" && { cargo tree -p dataworks-cli -e normal --prefix none --offline | grep -oE '^(ring|aws-lc-rs|aws-lc-sys) ' | sort -u | tr -d ' ' | paste -sd, -; } || true)
  echo "== $v: clean cargo build --release -p dataworks-cli (timed)" >&2
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  busy_before=$(ps -eo stat=,comm= | awk '$1 ~ /^R/ && $2 != "ps" && $2 != "awk"' | wc -l)
  start=$(date +%s.%N)
  TIMEFORMAT='%R %U %S'
  { time (cd "$src" && CARGO_TARGET_DIR="$target" cargo build --release -p dataworks-cli --offline \
      --timings "${JOBS_ARG[@]}" > "$WORK/$v/build.log" 2>&1); } 2> "$WORK/$v/time" || {
    tail -30 "$WORK/$v/build.log" >&2; echo "build-cost: $v failed to build" >&2; exit 1; }
  load_after=$(cut -d' ' -f1-3 /proc/loadavg)
  read -r wall user sys < "$WORK/$v/time"
  compiled=$(grep -c '^ *Compiling ' "$WORK/$v/build.log" || true)
  bin="$target/release/dataworks"
  size=$(stat -c %s "$bin")
  strip -o "$WORK/$v/dataworks.stripped" "$bin"
  stripped=$(stat -c %s "$WORK/$v/dataworks.stripped")
  # the binary still works: help, and a traced call that fails to connect (exit 1)
  "$bin" --help > /dev/null
  smoke=$(ALIBABA_CLOUD_ACCESS_KEY_ID=ak ALIBABA_CLOUD_ACCESS_KEY_SECRET=sk RUST_LOG=debug \
    "$bin" --endpoint http://127.0.0.1:9 --max-attempts 1 get-deployment --project-id 1 --deployment-id 2 2>&1 >/dev/null || true)
  traced=$(printf '%s\n' "$smoke" | grep -c 'DEBUG' || true)
  timing_html=$(ls "$target"/cargo-timings/cargo-timing-*.html 2>/dev/null | head -1)
  python3 - "$v" "$wall" "$user" "$sys" "$load_before" "$load_after" "$busy_before" "$compiled" "$deps" \
      "$deps_build" "$size" "$stripped" "$provider" "$traced" "$timing_html" >> "$RESULTS" <<'PY'
import json, re, sys
(v, wall, user, sys_, lb, la, busy, compiled, deps, deps_build, size, stripped, provider, traced,
 html) = sys.argv[1:16]
top = []
if html:
    text = open(html).read()
    m = re.search(r"const UNIT_DATA = (\[.*?\]);\n", text, re.S)
    if m:
        units = json.loads(m.group(1))
        units.sort(key=lambda u: -u["duration"])
        top = [[f'{u["name"]}{" (" + u["target"].strip() + ")" if u["target"].strip() else ""}', round(u["duration"], 1)] for u in units[:12]]
        sum_units = round(sum(u["duration"] for u in units), 1)
    else:
        sum_units = None
print(json.dumps(dict(variant=v, wall_s=float(wall), user_s=float(user), sys_s=float(sys_), load_before=lb,
                      load_after=la, running_before=int(busy), compiled=int(compiled), tree_normal=int(deps),
                      tree_normal_build=int(deps_build), binary_bytes=int(size), stripped_bytes=int(stripped),
                      crypto_provider=provider, smoke_debug_lines=int(traced), sum_unit_s=sum_units, slowest=top)))
PY
  [ "${KEEP:-0}" = 1 ] || rm -rf "$target"
done

python3 - "$RESULTS" "${JSON_OUT:-}" "$(nproc)" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
nproc = int(sys.argv[3])
print(f"\n{'variant':<16} {'wall s':>7} {'user+sys s':>10} {'(u+s)/nproc':>11} {'compiled':>8} {'tree':>5} {'binary':>10} {'stripped':>10} {'load before -> after':<30} {'provider':<8}")
for r in rows:
    cpu = r["user_s"] + r["sys_s"]
    print(f"{r['variant']:<16} {r['wall_s']:>7.1f} {cpu:>10.1f} {cpu / nproc:>11.1f} {r['compiled']:>8} {r['tree_normal']:>5} {r['binary_bytes']:>10} {r['stripped_bytes']:>10} {r['load_before'] + ' -> ' + r['load_after']:<30} {r['crypto_provider']:<8}")
base = next((r for r in rows if r["variant"] == "baseline"), None)
if base and len(rows) > 1:
    print("\nratio to baseline (same script run):")
    for r in rows:
        if r is base:
            continue
        bc, rc = base["user_s"] + base["sys_s"], r["user_s"] + r["sys_s"]
        print(f"  {r['variant']:<16} wall {r['wall_s'] / base['wall_s']:.2f}x  cpu {rc / bc:.2f}x  "
              f"compiled {r['compiled'] - base['compiled']:+d}  tree {r['tree_normal'] - base['tree_normal']:+d}  "
              f"stripped {r['stripped_bytes'] / base['stripped_bytes']:.3f}x ({(r['stripped_bytes'] - base['stripped_bytes']) / 1024:+.0f} KiB)")
for r in rows:
    print(f"\n{r['variant']}: slowest units (s, from --timings; sum of all units {r['sum_unit_s']} s): " +
          ", ".join(f"{n} {d}" for n, d in r["slowest"]))
    print(f"  smoke test: --help ok; RUST_LOG=debug call printed {r['smoke_debug_lines']} DEBUG line(s)")
if sys.argv[2]:
    json.dump(rows, open(sys.argv[2], "w"), indent=1)
PY

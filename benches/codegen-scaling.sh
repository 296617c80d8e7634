#!/usr/bin/env bash
# Codegen scaling: generate the models, client and CLI crates for specs of 1, 10 and 100 actions
# (copies of GetDeployment, synthesized by xtask/benches/codegen.rs in CODEGEN_SCALING_OUT mode,
# which also times the in-process `xtask::codegen`), then compile each generated tree in a
# temporary workspace whose [workspace.dependencies] point at the real hand-written crates by
# absolute path, and time `cargo check` and `cargo build` of the generated crates. The
# dependencies are compiled once beforehand (in a warm-up tree that is not measured), so the
# timed builds compile only the three generated crates. Reports time per action and how it
# grows between counts (ratios measured in the same run).
#
# usage: benches/codegen-scaling.sh            (counts from COUNTS, default "1 10 100")
# env:   COUNTS ("1 10 100")  RELEASE=1 also times `cargo build --release`
#        CARGO_TARGET_DIR for the bench binary (default /work/target-bench if it exists, else target)
#        GEN_TARGET_DIR target dir for the generated trees (default: in the temp folder)
#        KEEP=1 keeps the temp folder   JSON_OUT writes the results as JSON
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
COUNTS="${COUNTS:-1 10 100}"
if [ -z "${CARGO_TARGET_DIR:-}" ]; then
  if [ -d /work/target-bench ]; then export CARGO_TARGET_DIR=/work/target-bench; else export CARGO_TARGET_DIR="$REPO/target"; fi
fi
WORK="$(mktemp -d "${TMPDIR:-/tmp}/codegen-scaling.XXXXXX")"
cleanup() { [ "${KEEP:-0}" = 1 ] && echo "kept $WORK" >&2 || rm -rf "$WORK"; }
trap cleanup EXIT
CPU_MODEL=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')
echo "machine: nproc=$(nproc) cpu=$CPU_MODEL  load=$(cut -d' ' -f1-3 /proc/loadavg)" >&2

# 1. generate the trees (in-process codegen timing included). "warm" is a 1-action tree at
#    another path, built first so that the dependencies are compiled before any timed build.
echo "== generating trees for $COUNTS actions (cargo bench -p xtask --bench codegen, CODEGEN_SCALING_OUT mode)" >&2
(cd "$REPO" && CODEGEN_SCALING_OUT="$WORK/warm" CODEGEN_SCALING_COUNTS=1 \
  cargo bench --quiet -p xtask --bench codegen) > /dev/null
(cd "$REPO" && CODEGEN_SCALING_OUT="$WORK/trees" CODEGEN_SCALING_COUNTS="$(echo $COUNTS | tr ' ' ,)" \
  cargo bench --quiet -p xtask --bench codegen) > "$WORK/codegen.jsonl"

# 2. a workspace manifest for a generated tree: the generated crates as members, the project's
#    [workspace.package] and [workspace.dependencies] with the hand-written crates made absolute.
write_workspace() { # tree root
  python3 - "$REPO" "$1" <<'PY'
import re, sys, os
repo, root = sys.argv[1:3]
text = open(os.path.join(repo, "Cargo.toml")).read()
def table(name):
    m = re.search(rf"(?ms)^\[{re.escape(name)}\]\n(.*?)(?=^\[|\Z)", text)
    if not m:
        sys.exit(f"codegen-scaling: no [{name}] in the root Cargo.toml")
    return m.group(1)
package = table("workspace.package")
deps = []
for line in table("workspace.dependencies").splitlines():
    m = re.match(r'^([A-Za-z0-9_-]+) = \{ path = "([^"]+)"(.*)$', line)
    if m:
        name, path, rest = m.groups()
        if os.path.isdir(os.path.join(root, path)):
            dep_path = os.path.join(root, path)          # a generated crate of this tree
        else:
            dep_path = os.path.join(repo, path)          # a hand-written crate of the project
        line = f'{name} = {{ path = "{dep_path}"{rest}'
    deps.append(line)
profile = re.search(r"(?ms)^\[profile\.release\]\n(.*?)(?=^\[|\Z)", text)
members = sorted(d for d in os.listdir(os.path.join(root, "crates")))
out = ["# written by benches/codegen-scaling.sh", "[workspace]", 'resolver = "2"',
       "members = [" + ", ".join(f'"crates/{m}"' for m in members) + "]", "",
       "[workspace.package]", package.strip(), "", "[workspace.dependencies]", "\n".join(deps).strip(), ""]
if profile:
    out += ["[profile.release]", profile.group(1).strip(), ""]
open(os.path.join(root, "Cargo.toml"), "w").write("\n".join(out))
PY
  cp "$REPO/Cargo.lock" "$1/Cargo.lock"
}

# target dir for the generated trees (GEN_TARGET_DIR keeps the compiled dependencies across runs)
CARGO_TARGET_DIR_GEN="${GEN_TARGET_DIR:-$WORK/target}"
timed() { # label, tree, cargo args... -> prints "seconds"
  local label=$1 tree=$2; shift 2
  local start end
  start=$(date +%s.%N)
  (cd "$tree" && CARGO_TARGET_DIR="$CARGO_TARGET_DIR_GEN" cargo "$@" -p dataworks-cli --offline > "$WORK/$label.log" 2>&1) || {
    tail -40 "$WORK/$label.log" >&2; echo "codegen-scaling: $label failed" >&2; exit 1; }
  end=$(date +%s.%N)
  python3 -c "print(round($end - $start, 2))"
}

# Every tree's generated crates have the same names and the same paths relative to their
# workspace root, so cargo gives them the same artifact names and would take the previous tree's
# artifacts as fresh. Before each timed step, forget the generated crates' artifacts (the
# dependencies stay compiled).
forget_generated() {
  local profile part
  for profile in debug release; do
    for part in .fingerprint deps incremental build; do
      rm -rf "$CARGO_TARGET_DIR_GEN/$profile/$part/"dataworks[-_]* "$CARGO_TARGET_DIR_GEN/$profile/$part/"libdataworks[-_]*
    done
  done
}

WARM_TREE="$WORK/warm/n1"
write_workspace "$WARM_TREE"
echo "== warm-up: compiling the dependencies once (not timed)" >&2
timed warm-check "$WARM_TREE" check > /dev/null
timed warm-build "$WARM_TREE" build > /dev/null
[ "${RELEASE:-0}" = 1 ] && timed warm-release "$WARM_TREE" build --release > /dev/null

: > "$WORK/compile.jsonl"
for n in $COUNTS; do
  tree="$WORK/trees/n$n"
  write_workspace "$tree"
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  echo "== $n actions: cargo check / cargo build (load $load_before)" >&2
  forget_generated
  t_check=$(timed "check-$n" "$tree" check)
  forget_generated
  t_build=$(timed "build-$n" "$tree" build)
  t_release=null
  if [ "${RELEASE:-0}" = 1 ]; then
    forget_generated
    t_release=$(timed "release-$n" "$tree" build --release)
  fi
  compiled=$(grep -c '^ *Compiling ' "$WORK/build-$n.log" || true)
  [ "$compiled" -ge 3 ] || { echo "codegen-scaling: the $n-action build compiled $compiled crates, expected the 3 generated ones" >&2; exit 1; }
  load_after=$(cut -d' ' -f1-3 /proc/loadavg)
  echo "{\"actions\":$n,\"check_s\":$t_check,\"build_s\":$t_build,\"release_s\":$t_release,\"compiled_in_build\":$compiled,\"load_before\":\"$load_before\",\"load_after\":\"$load_after\"}" >> "$WORK/compile.jsonl"
done

python3 - "$WORK/codegen.jsonl" "$WORK/compile.jsonl" "${JSON_OUT:-}" <<'PY'
import json, sys
gen = {r["actions"]: r for r in map(json.loads, open(sys.argv[1]))}
comp = {r["actions"]: r for r in map(json.loads, open(sys.argv[2]))}
ns = sorted(comp)
print(f"\n{'actions':>7} {'codegen ms':>10} {'gen lines':>9} {'check s':>8} {'build s':>8} {'release s':>9} {'crates':>6}  load before -> after")
rows = []
for n in ns:
    g, c = gen[n], comp[n]
    lines = g["lines_models"] + g["lines_client"] + g["lines_cli"]
    rel = "-" if c["release_s"] is None else f"{c['release_s']:.1f}"
    print(f"{n:>7} {g['codegen_ms']:>10.1f} {lines:>9} {c['check_s']:>8.1f} {c['build_s']:>8.1f} {rel:>9} {c['compiled_in_build']:>6}  {c['load_before']} -> {c['load_after']}")
    rows.append({**{k: v for k, v in g.items() if k != "root"}, **c, "lines": lines})
metrics = ["codegen_ms", "check_s", "build_s"] + (["release_s"] if all(comp[n]["release_s"] is not None for n in ns) else [])
print("\ngrowth (ratio of consecutive counts; marginal cost per added action):")
for m in metrics:
    get = (lambda n: gen[n][m]) if m in gen[ns[0]] else (lambda n: comp[n][m])
    parts = []
    for a, b in zip(ns, ns[1:]):
        ta, tb = get(a), get(b)
        parts.append(f"t({b})/t({a}) = {tb / ta:.2f}x, +{(tb - ta) / (b - a):.3f}/action")
    print(f"  {m:>10}: " + "; ".join(parts))
if len(ns) >= 3:
    a, b, c = ns[0], ns[1], ns[-1]
    for m in metrics:
        get = (lambda n: gen[n][m]) if m in gen[ns[0]] else (lambda n: comp[n][m])
        m1 = (get(b) - get(a)) / (b - a)
        m2 = (get(c) - get(b)) / (c - b)
        verdict = "about linear" if 0.67 <= m2 / m1 <= 1.5 else ("superlinear" if m2 > m1 else "sublinear (fixed cost dominates)")
        print(f"  {m:>10}: marginal {a}->{b} {m1:.3f}, {b}->{c} {m2:.3f} per action: {verdict}")
if sys.argv[3]:
    json.dump(rows, open(sys.argv[3], "w"), indent=1)
PY

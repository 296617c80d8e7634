#!/usr/bin/env bash
# The whole product: import all 306 actions of the official metadata into a temporary
# workspace, generate the models, client and CLI crates there, then `cargo check` and
# `cargo clippy -D warnings` them. Slow (minutes), so it is not part of `cargo test`.
#
#   scripts/whole-product.sh [api-docs.json] [work-dir]
#
# Prints how many actions import, validate and compile, and the time of each step.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
metadata="${1:-$here/xtask/tests/fixtures/dataworks-public-2020-05-18.api-docs.json}"
work="${2:-$(mktemp -d /tmp/whole-product.XXXXXX)}"
target="${CARGO_TARGET_DIR:-$work/target}"
mkdir -p "$work/spec/dataworks-public"
echo "work dir: $work"

now() { date +%s.%N; }
took() { python3 -c "print(f'{$2 - $1:.1f} s')"; }

cd "$here"
cargo build -q -p xtask
xtask="${CARGO_TARGET_DIR:-$here/target}/debug/xtask"

cp spec/dataworks-public/product.yaml "$work/spec/dataworks-public/"
t0=$(now)
set +e
"$xtask" import --from "$metadata" --all --out "$work/spec/dataworks-public" \
    --rejected-list "$work/rejected.txt" > "$work/import.log" 2>&1
import_status=$?
set -e
t1=$(now)
grep -E '^[0-9]+ action\(s\):' "$work/import.log" || tail -n 3 "$work/import.log"
echo "import: $(took "$t0" "$t1") (exit $import_status)"

# Actions the generator cannot represent are not written into the spec folder; import lists
# them, one name per line, in the machine-readable rejected list.
rejected=$(grep -c . "$work/rejected.txt" || true)
echo "rejected by validation: $rejected"
[ "$rejected" = 0 ] || sed 's/^/  rejected: /' "$work/rejected.txt"

# A workspace around the generated crates, with the project's hand-written crates by path
# (written first: codegen refuses a root without a Cargo.toml).
"$here/scripts/generated-workspace.py" "$here" "$work"
cp "$here/Cargo.lock" "$work/Cargo.lock"

t0=$(now)
"$xtask" codegen --root "$work" --spec spec/dataworks-public
t1=$(now)
echo "codegen: $(took "$t0" "$t1")"
actions=$(ls "$work/spec/dataworks-public"/*.yaml | grep -vc product.yaml)
echo "actions generated: $actions"

cd "$work"
t0=$(now)
CARGO_TARGET_DIR="$target" cargo check --workspace --all-targets 2>&1 | tail -n 5
t1=$(now)
echo "cargo check: $(took "$t0" "$t1")"
t0=$(now)
CARGO_TARGET_DIR="$target" cargo clippy --workspace --all-targets -- -D warnings 2>&1 | tail -n 5
t1=$(now)
echo "cargo clippy -D warnings: $(took "$t0" "$t1")"
echo "lines generated: $(cat crates/*/src/*.rs crates/*/src/*/*.rs 2>/dev/null | wc -l)"

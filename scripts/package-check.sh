#!/usr/bin/env bash
# Builds the tests of every published package from its packaged sources, as a user of the
# registry gets them: each .crate is unpacked into a temporary workspace whose
# [patch.crates-io] points the project's crates at their unpacked siblings, and
# `cargo test --no-run` compiles every test target there (a test that needs a file outside
# its package, or a dev-dependency the packaging dropped, fails here).
# It shares the workspace's target directory, so the dependencies are compiled once.
# Usage: scripts/package-check.sh   (run `cargo publish --workspace --dry-run` for the rest)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

published=$(cargo metadata --format-version 1 --no-deps | python3 -c '
import json, sys
meta = json.load(sys.stdin)
for p in meta["packages"]:
    if p.get("publish") != []:
        print(p["name"], p["version"])
')
excluded=$(cargo metadata --format-version 1 --no-deps | python3 -c '
import json, sys
meta = json.load(sys.stdin)
print(" ".join("--exclude " + p["name"] for p in meta["packages"] if p.get("publish") == []))
')
# shellcheck disable=SC2086
cargo package --workspace $excluded --no-verify --allow-dirty --quiet

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
members=()
patches=()
while read -r name version; do
    tar -xzf "target/package/$name-$version.crate" -C "$work"
    members+=("\"$name-$version\"")
    patches+=("$name = { path = \"$name-$version\" }")
done <<< "$published"
{
    echo '[workspace]'
    echo 'resolver = "2"'
    echo "members = [$(IFS=,; echo "${members[*]}")]"
    echo
    echo '[patch.crates-io]'
    printf '%s\n' "${patches[@]}"
} > "$work/Cargo.toml"
# The workspace's lock file keeps the dependency versions the project tests with.
cp Cargo.lock "$work/Cargo.lock"
echo "== building the tests of the packaged crates: $(echo "$published" | cut -d' ' -f1 | tr '\n' ' ')"
(cd "$work" && CARGO_TARGET_DIR="$root/target" cargo test --workspace --no-run --offline --quiet)
echo "== packaged tests build"

#!/usr/bin/env bash
# The packaging checks, as a user of the registry would get the crates:
# 1. `cargo publish --workspace --dry-run`: every publishable package is packaged in
#    dependency order and built from its .crate (against its siblings' .crate files);
# 2. the tests of every package are built from the packaged sources: each .crate is unpacked
#    into a temporary workspace whose [patch.crates-io] points the project's crates at their
#    unpacked siblings, and `cargo test --no-run` compiles every test target there (a test
#    that needs a file outside its package, or a dev-dependency the packaging dropped, fails).
# It shares the workspace's target directory, so the dependencies are compiled once.
# Usage: scripts/package-check.sh
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

# Cargo treats the .crate files of step 1 like registry packages, which never change for a
# name and version: it keeps their unpacked sources ($CARGO_HOME/registry/src/-<hash>/) and
# their builds, so a previous run's would be used instead of this checkout's. Remove them
# (the third-party dependencies stay built in target/publish-verify).
cargo_home=${CARGO_HOME:-$HOME/.cargo}
for dir in "$cargo_home"/registry/src/-*/; do
    if [ -d "$dir" ]; then rm -rf "$dir"; fi
done
verify=target/publish-verify
while read -r name _; do
    rm -rf "$verify"/debug/.fingerprint/"$name"-* "$verify"/debug/deps/lib"${name//-/_}"-* \
        "$verify"/debug/deps/"${name//-/_}"-*
done <<< "$published"
echo "== cargo publish --workspace --dry-run"
cargo publish --workspace --dry-run --allow-dirty --target-dir "$verify"

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

#!/usr/bin/env bash
# Issue 18: `cargo xtask codegen` and the workspace tests act on the checkout they run in, even
# when several checkouts share one target directory and cargo reuses one's build in another.
# Copies this workspace twice into a temporary folder, builds in one copy, runs in the other,
# and checks that each touches only its own tree. Slow (it builds xtask, and for the second
# test every dependency of the workspace tests, in a fresh target directory), so the tests are
# `#[ignore]`d and not part of `cargo test`.
#
#   scripts/two-checkouts.sh [shared-target-dir]
#
# A shared-target-dir kept between runs builds the dependencies only once.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
if [ -n "${1:-}" ]; then
    mkdir -p "$1"
    export TWO_CHECKOUTS_TARGET_DIR="$(cd "$1" && pwd)"
fi
cargo test -p xtask --test workspace_root -- --ignored --test-threads=1 --nocapture

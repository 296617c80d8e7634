#!/usr/bin/env bash
# Two generators, one run: imports all 306 actions of the official metadata with each tree's
# xtask, times its codegen, counts the generated lines, then times `cargo check` and a debug
# `cargo build` of the three generated crates (models, client, CLI) in a workspace whose
# hand-written crates are that tree's. Rounds alternate old and new so that the load of the
# shared machine falls on both; the dependencies are compiled once before any timed build,
# and the generated crates' artifacts are removed before each timed build, so each timing
# compiles exactly the three generated crates.
#
# usage: benches/generator-compare.sh OLD_TREE NEW_TREE
#        (e.g. a `git worktree` of the baseline commit, and this checkout)
# env:   ROUNDS (2)   WORK (a temp folder)   TARGET (shared target dir, default $WORK/target)
#        METADATA (xtask/tests/fixtures/dataworks-public-2020-05-18.api-docs.json)
set -euo pipefail

OLD="$(cd "$1" && pwd)"
NEW="$(cd "$2" && pwd)"
ROUNDS="${ROUNDS:-2}"
WORK="${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/generator-compare.XXXXXX")}"
TARGET="${TARGET:-$WORK/target}"
METADATA="${METADATA:-$NEW/xtask/tests/fixtures/dataworks-public-2020-05-18.api-docs.json}"
mkdir -p "$WORK"
echo "work dir: $WORK; machine: nproc=$(nproc) load=$(cut -d' ' -f1-3 /proc/loadavg)"

load() { cut -d' ' -f1 /proc/loadavg; }
seconds() { # command... -> wall seconds on stdout (the command's output to the log)
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >> "$WORK/log" 2>&1
    t1=$(date +%s.%N)
    python3 -c "print(f'{$t1 - $t0:.1f}')"
}

for name in old new; do
    tree=$OLD; [ "$name" = new ] && tree=$NEW
    (cd "$tree" && CARGO_TARGET_DIR="$TARGET/xtask-$name" cargo build -q -p xtask)
    mkdir -p "$WORK/$name/spec/dataworks-public"
    cp "$tree/spec/dataworks-public/product.yaml" "$WORK/$name/spec/dataworks-public/"
    "$TARGET/xtask-$name/debug/xtask" import --from "$METADATA" --all \
        --out "$WORK/$name/spec/dataworks-public" > "$WORK/$name/import.log" 2>&1 || true
    # A workspace around the generated crates, with this tree's hand-written crates by path.
    "$NEW/scripts/generated-workspace.py" "$tree" "$WORK/$name"
    cp "$tree/Cargo.lock" "$WORK/$name/Cargo.lock"
done

codegen() { # name
    local tree_target="$TARGET/xtask-$1"
    rm -rf "$WORK/$1/crates"
    seconds "$tree_target/debug/xtask" codegen --root "$WORK/$1" --spec spec/dataworks-public
}
clean_generated() { # name
    (cd "$WORK/$1" && CARGO_TARGET_DIR="$TARGET/gen" cargo clean -q \
        -p dataworks-public-models -p dataworks-public -p dataworks-cli)
}
cargo_step() { # name step
    clean_generated "$1"
    (cd "$WORK/$1" && seconds env CARGO_TARGET_DIR="$TARGET/gen" cargo "$2" -q -p dataworks-cli)
}

echo "== codegen (debug xtask), ${ROUNDS} rounds, alternating"
for round in $(seq "$ROUNDS"); do
    for name in old new; do
        echo "codegen $name round $round: $(codegen $name) s (load $(load))"
    done
done
for name in old new; do
    actions=$(ls "$WORK/$name/spec/dataworks-public"/*.yaml | grep -vc product.yaml)
    lines=$(find "$WORK/$name/crates" -name '*.rs' -exec cat {} + | wc -l)
    echo "lines $name: $lines for $actions actions ($((lines / actions)) per action)"
done

echo "== warm-up: the dependencies of both workspaces (not timed)"
for name in old new; do
    (cd "$WORK/$name" && CARGO_TARGET_DIR="$TARGET/gen" cargo build -q -p dataworks-cli \
        && CARGO_TARGET_DIR="$TARGET/gen" cargo check -q -p dataworks-cli) >> "$WORK/log" 2>&1
done

echo "== cargo check / cargo build (debug) of the three generated crates, ${ROUNDS} rounds, alternating"
for round in $(seq "$ROUNDS"); do
    for step in check build; do
        for name in old new; do
            echo "$step $name round $round: $(cargo_step $name $step) s (load $(load))"
        done
    done
done

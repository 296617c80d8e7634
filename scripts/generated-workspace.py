#!/usr/bin/env python3
"""Writes WORK/Cargo.toml: a workspace around the three generated crates in WORK/crates, with
the [workspace.package] of TREE and its [workspace.dependencies], the hand-written crates
(`path = "crates/..."`) made absolute so that they are TREE's.

usage: scripts/generated-workspace.py TREE WORK
"""
import re
import sys

tree, work = sys.argv[1], sys.argv[2]
root = open(f"{tree}/Cargo.toml").read()
package = re.search(r"\[workspace\.package\]\n(.*?)\n\n", root, re.S).group(0)
deps = re.search(r"\[workspace\.dependencies\]\n(.*?)(\n\[|\Z)", root, re.S).group(1)
deps = re.sub(r'path = "(crates/[^"]+)"', lambda m: f'path = "{tree}/{m.group(1)}"', deps)
open(f"{work}/Cargo.toml", "w").write(
    '[workspace]\nresolver = "2"\nmembers = ["crates/dataworks-public-models", '
    '"crates/dataworks-public", "crates/dataworks-cli"]\n\n'
    + package + "\n[workspace.dependencies]\n" + deps + "\n")

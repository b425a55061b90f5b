#!/usr/bin/env python3
"""Counts C++ functions longer than given line limits (issue 18).

usage: tools/long_functions.py [--limit N ...] [--list] [DIR ...]

Scans the .h/.cc files under DIR (default: engine tools) with universal-ctags
(package universal-ctags; `ctags --output-format=json --fields=+ne
--c++-kinds=f`), which reports each function definition's first and last
line. A function's length is end - line + 1: its signature through the
closing brace, comments and blank lines inside included. Lambdas count as
part of the function that contains them.

Prints, for each limit (default 100 and 150), how many functions exceed it;
with --list (or when any function exceeds the largest limit) also lists them,
longest first, as "LINES path:line name". Exit status: 0; 1 if any function
exceeds the largest limit (so CI can hold the line); 2 on bad usage or
without universal-ctags.

The project's rule (HELPERS.md): no function over 150 lines, at most 10 over
100.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys


def functions(dirs):
    ctags = shutil.which("ctags-universal") or shutil.which("ctags")
    if ctags is None or "Universal Ctags" not in subprocess.run(
            [ctags, "--version"], capture_output=True, text=True).stdout:
        sys.stderr.write("long_functions.py: universal-ctags is required "
                         "(apt-get install universal-ctags)\n")
        sys.exit(2)
    files = []
    for d in dirs:
        for root, _, names in os.walk(d):
            files += [os.path.join(root, n) for n in names
                      if n.endswith((".h", ".cc"))]
    files.sort()
    if not files:
        return []
    out = subprocess.run(
        [ctags, "--output-format=json", "--fields=+ne", "--c++-kinds=f",
         "--languages=C++", "--langmap=C++:+.h", "-f", "-", *files],
        check=True, capture_output=True, text=True).stdout
    found = []
    for row in out.splitlines():
        tag = json.loads(row)
        if tag.get("_type") != "tag" or "end" not in tag:
            continue
        name = tag["name"]
        scope = tag.get("scope", "").split("::")[-1]
        if scope and not scope.startswith("__anon"):
            name = scope + "::" + name
        found.append((tag["end"] - tag["line"] + 1, tag["path"], tag["line"],
                      name))
    return found


def main():
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("dirs", nargs="*", default=["engine", "tools"],
                   help="directories to scan (default: engine tools)")
    p.add_argument("--limit", type=int, action="append",
                   help="report functions longer than N lines "
                        "(repeatable; default 100 and 150)")
    p.add_argument("--list", action="store_true",
                   help="list every function over the smallest limit")
    args = p.parse_args()
    limits = sorted(args.limit or [100, 150])
    if limits[0] < 1:
        p.error("--limit must be at least 1")
    found = sorted(functions(args.dirs), reverse=True)
    for limit in limits:
        n = sum(1 for f in found if f[0] > limit)
        print(f"functions over {limit} lines: {n}")
    over_max = [f for f in found if f[0] > limits[-1]]
    if args.list or over_max:
        for lines, path, line, name in found:
            if lines > limits[0]:
                print(f"{lines:5d} {path}:{line} {name}")
    return 1 if over_max else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Extracts a header's usage example as compilable C++.

usage: extract_example.py HEADER OUT

The example is the block between the first "// clang-format off" and the next
"// clang-format on" that follows a comment line starting "// Example". The
leading "//" of each line is dropped, and a #line directive makes compiler
errors point at the header's own lines. Exits 1 (and writes nothing) if the
header has no such block, so a removed or renamed example fails the build.
tests/docs/header_examples_test.cc #includes the output inside functions that
declare the example's free variables.
"""
import sys


def extract(lines):
    seen_example = False
    for i, line in enumerate(lines):
        s = line.strip()
        if s.startswith("// Example"):
            seen_example = True
        elif seen_example and s == "// clang-format off":
            body = []
            for j in range(i + 1, len(lines)):
                t = lines[j].rstrip("\n")
                if t.strip() == "// clang-format on":
                    return i + 2, body
                if not t.startswith("//"):
                    break
                body.append(t[2:])
            break
    return None, None


def main():
    if len(sys.argv) != 3 or sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(sys.argv) == 2 else 2
    header, out = sys.argv[1], sys.argv[2]
    with open(header, encoding="utf-8") as f:
        first, body = extract(f.readlines())
    if body is None:
        sys.stderr.write(f"{header}: no '// Example' ... '// clang-format off'"
                         " ... '// clang-format on' block\n")
        return 1
    with open(out, "w", encoding="utf-8") as f:
        f.write(f'#line {first} "{header}"\n')
        f.write("\n".join(body) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

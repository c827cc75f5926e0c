#!/usr/bin/env python3
"""Runs the Python of services/leaderboard/domain/README.md as written on the golden audit (the same
tally the C++ test hashes) and checks it gives the README's worked example, byte for byte.

usage: audit_readme_test.py <README.md> <golden_audit.json>; exit status 0 when everything agrees."""
import json
import re
import sys


def block(readme, heading, language):
    """The first ```<language> block after the line `heading`."""
    after = readme.split(heading + "\n", 1)
    if len(after) != 2:
        sys.exit(f"README has no heading {heading!r}")
    found = re.search(r"```" + language + r"\n(.*?)```", after[1], re.S)
    if not found:
        sys.exit(f"README has no ```{language} block after {heading!r}")
    return found.group(1)


def main():
    readme_path, golden_path = sys.argv[1], sys.argv[2]
    with open(readme_path, encoding="utf-8") as f:
        readme = f.read()
    with open(golden_path, encoding="utf-8") as f:
        golden = json.load(f)

    snippet = {}
    exec(block(readme, "### The same in Python", "python"), snippet)  # the README's code, as written
    example = block(readme, "### Worked example", "text")
    example_hash = re.search(r"SHA-256: `([0-9a-f]{64})`", readme).group(1)

    failures = []

    def check(name, got, want):
        if got != want:
            failures.append(f"{name}:\n  got  {got!r}\n  want {want!r}")

    check("README example text vs golden canonical_text", example, golden["canonical_text"])
    check("README example hash vs golden sha256", example_hash, golden["sha256"])
    check("snippet canonical_text(golden)", snippet["canonical_text"](golden), golden["canonical_text"])
    check("snippet audit_hash(golden)", snippet["audit_hash"](golden), golden["sha256"])
    # Zero facts leave no line, as in the C++.
    padded = json.loads(json.dumps(golden))
    padded["offsets"].append({"topic": "votes.v1", "partition": 3, "next_offset": 0})
    padded["booths"].append({"booth_id": "3501", "day": "all", "checkins": 0, "unique_visitors": 0})
    check("snippet ignores zero facts", snippet["audit_hash"](padded), golden["sha256"])
    # Escaping, the same cases as audit_test.cpp.
    check("field escaping", snippet["field"]("a b\nc%"), "a%20b%0Ac%25")
    check("field escaping UTF-8", snippet["field"]("\u00e9"), "%C3%A9")
    check("empty audit", snippet["audit_hash"]({"offsets": [], "innovations": [], "booths": []}),
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")

    for failure in failures:
        print("FAIL", failure)
    if failures:
        sys.exit(1)
    print("README Python agrees with the golden audit:", golden["sha256"])


if __name__ == "__main__":
    main()

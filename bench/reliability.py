"""The reliability suite of issue 15, run and summed up as the table of docs/reliability.md.

    .venv/bin/python -m bench.reliability            # runs tests/reliability and the cross-project test
    .venv/bin/python -m bench.reliability --out F    # also writes the figures as JSON

It runs pytest on tests/reliability and tests/api/test_access.py::test_every_project_route_hides_other_projects
with RELIABILITY_FIGURES pointing at a file each test appends its figures to (tests/reliability/conftest.py),
then prints every figure with the test that measured it and whether that test passed. The cross-project
figure is the number of operations with ``{project}`` in api/policy.py, which that test walks one by one
(it passes only when every one of them answers a key of another project 404 and writes nothing).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CROSS_PROJECT = "tests/api/test_access.py::test_every_project_route_hides_other_projects"
COMMAND = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/reliability", CROSS_PROJECT]


def outcomes(junit: Path) -> dict[str, str]:
    """Test node id (file::name) -> passed, failed, skipped, xfailed."""
    out = {}
    for case in ET.parse(junit).iter("testcase"):
        path = case.get("classname", "").replace(".", "/") + ".py"
        node = f"{path}::{case.get('name')}"
        kinds = {child.tag for child in case}
        if "failure" in kinds or "error" in kinds:
            out[node] = "failed"
        elif "skipped" in kinds:
            message = next(c.get("message", "") for c in case if c.tag == "skipped")
            out[node] = "xfailed" if "xfail" in message.lower() else "skipped"
        else:
            out[node] = "passed"
    return out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, help="Write the figures and outcomes as JSON here.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        figures_file, junit = Path(tmp) / "figures.jsonl", Path(tmp) / "junit.xml"
        env = {**os.environ, "RELIABILITY_FIGURES": str(figures_file)}
        started = time.monotonic()
        code = subprocess.call([*COMMAND, f"--junitxml={junit}"], cwd=REPO, env=env)
        seconds = time.monotonic() - started
        figures = (
            [json.loads(line) for line in figures_file.read_text().splitlines()]
            if figures_file.exists()
            else []
        )
        results = outcomes(junit) if junit.exists() else {}

    sys.path.insert(0, str(REPO))
    from api.policy import POLICY

    project_routes = sum("{project}" in path for _, path in POLICY)
    cross = results.get(CROSS_PROJECT, "not run")
    rows = [(f["figure"], f["value"], f["test"], results.get(f["test"], "?")) for f in figures]
    rows.append(
        ("project operations checked with another project's key", project_routes, CROSS_PROJECT, cross)
    )
    rows.append(("cross-project reads", 0 if cross == "passed" else "unknown", CROSS_PROJECT, cross))

    width = max(len(r[0]) for r in rows)
    print(f"\n{'figure':<{width}}  {'value':>7}  outcome  test")
    for name, value, test, outcome in rows:
        print(f"{name:<{width}}  {value!s:>7}  {outcome:<7}  {test}")
    print(f"\n{' '.join(COMMAND[2:])}: exit {code}, {seconds:.0f} s")
    if args.out:
        payload = {"exit": code, "seconds": round(seconds), "figures": rows}
        args.out.write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
    return code


if __name__ == "__main__":
    raise SystemExit(main())

"""Conformance: run every Cardinal fixture in ../shared/data/cardinal through `ggzy analyze --format cardinal`.

The fixtures are read in place (never copied). Settings come from the `.cmd` files (docs examples) or from the
fixture's file name (Cardinal's indicator tests: `R003-threshold-10` → `[R003] threshold = 10`, `+` → `|`,
`R003-procurement_method_details-x-5-y-10` → `[R003.procurement_method_details] x = 5, y = 10`); the tests also
use `no_price_comparison_procurement_methods = NPC` and `[exclusions] procurement_method_details = EXC`.
Prints PASS/FAIL per fixture (PASS when the JSON is equal with exact floats; `bytes` when also byte-identical)
and exits non-zero on any failure.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("GGZY_SHARED", ROOT.parent / "shared")) / "data" / "cardinal"
TEST_GLOBALS = "no_price_comparison_procurement_methods = NPC\n\n[exclusions]\nprocurement_method_details = EXC\n"


def settings_from_name(stem: str) -> str:
    """The INI text for a tests-indicators fixture name."""
    code, *rest = stem.split("-")
    if not rest:
        return f"{TEST_GLOBALS}\n[{code}]\n"
    key, values = rest[0], rest[1:]
    if key == "procurement_method_details":
        pairs = "".join(f"{values[i]} = {values[i + 1]}\n" for i in range(0, len(values), 2))
        return f"{TEST_GLOBALS}\n[{code}]\n\n[{code}.procurement_method_details]\n{pairs}"
    return f"{TEST_GLOBALS}\n[{code}]\n{key} = {'-'.join(values).replace('+', '|')}\n"


def settings_from_cmd(cmd: Path) -> Path:
    """The settings file a docs example's `.cmd` names, mapped to docs-examples/."""
    words = cmd.read_text(encoding="utf-8").split()
    named = Path(words[words.index("--settings") + 1]).name
    return DATA / "docs-examples" / named


def cases(tmp: Path) -> list[tuple[str, Path, Path, Path]]:
    """(name, input, settings, expected) for every fixture."""
    found = []
    for expected in sorted((DATA / "docs-expected-outputs").glob("*.expected")):
        settings = settings_from_cmd(expected.with_suffix(".cmd"))
        found.append((f"docs/{expected.stem}", DATA / "docs-examples" / f"{expected.stem}.jsonl", settings, expected))
    for expected in sorted((DATA / "tests-indicators").glob("*.expected")):
        ini = tmp / f"{expected.stem}.ini"
        ini.write_text(settings_from_name(expected.stem), encoding="utf-8")
        found.append((f"tests/{expected.stem}", expected.with_suffix(".jsonl"), ini, expected))
    return found


def run(source: Path, settings: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "ggzy", "analyze", str(source), "--settings", str(settings)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [*command, "--format", "cardinal", "--no-progress"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )


def check(name: str, source: Path, settings: Path, expected: Path) -> bool:
    done = run(source, settings)
    want = expected.read_text(encoding="utf-8").strip()
    got = done.stdout.strip()
    try:
        same = json.loads(got) == json.loads(want)
    except json.JSONDecodeError:
        same = False
    verdict = "PASS" if same and done.returncode == 0 else "FAIL"
    print(f"{verdict} {name}{' (bytes)' if got == want else ''}")
    if verdict == "FAIL":
        print(f"  expected: {want}\n  got:      {got}\n  stderr:   {done.stderr.strip()[-500:]}")
    return verdict == "PASS"


def main() -> None:
    if not DATA.is_dir():
        print(f"FAIL no fixtures at {DATA}")
        sys.exit(1)
    with tempfile.TemporaryDirectory() as tmp:
        results = [check(*case) for case in cases(Path(tmp))]
    print(f"{sum(results)}/{len(results)} fixtures pass")
    if not all(results):
        sys.exit(1)


if __name__ == "__main__":
    main()

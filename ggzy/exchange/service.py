"""批量导出 — daily bulk files of every release (gzip JSON Lines: one release per line,
the JSON Lines bulk form OCDS describes), written by `ggzy export ocds [--since DATE] -o DIR`.

A file per Beijing day of the releases' dates: `releases-YYYY-MM-DD.jsonl.gz`, plus `index.json` listing the files
with their counts and the publisher's metadata (uri, version, extensions), so a reader knows what each file holds.
A file is written to `.part` and renamed when complete: a reader never sees half a day.
"""

from __future__ import annotations

import gzip
import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from ggzy.core.clock import SHANGHAI, Clock
from ggzy.exchange import ocds, queries

STEP_BATCH = 5000


@dataclass
class BulkResult:
    files: dict[str, int] = field(default_factory=dict)  # file name → releases

    @property
    def releases(self) -> int:
        return sum(self.files.values())


def export_bulk(
    session: Session,
    out_dir: Path,
    *,
    prefix: str,
    publisher: str,
    clock: Clock,
    since: datetime | None = None,
    level: int = 3,
) -> BulkResult:
    """Write every release from `since` (all when None) into daily gzip JSON Lines files under `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    result = BulkResult()
    parties: dict[tuple[str, str], Any] = {}  # organisations' party objects, shared by the export's releases
    open_files: dict[str, gzip.GzipFile] = {}
    try:  # the files stay open across batches (a day's releases can span several) and are closed below
        after = queries.Cursor()
        while True:
            found = list(queries.steps(session, after, limit=STEP_BATCH, since=since))
            if not found:
                break
            for rel, step in zip(queries.releases(session, found, prefix=prefix, parties=parties), found, strict=True):
                name = f"releases-{step.at.astimezone(SHANGHAI):%Y-%m-%d}.jsonl.gz"
                f = open_files.get(name)
                if f is None:
                    f = open_files[name] = gzip.open(  # noqa: SIM115
                        out_dir / f"{name}.part", "wb", compresslevel=level
                    )
                f.write(ocds.dumps(rel) + b"\n")
                result.files[name] = result.files.get(name, 0) + 1
            after = queries.next_cursor(found, after)
            session.expunge_all()  # the batch's rows are written: keep memory flat over 100,000 trades
    finally:
        for f in open_files.values():
            f.close()
    for name in open_files:
        os.replace(out_dir / f"{name}.part", out_dir / name)
    index = {
        "publisher": {"name": publisher},
        "publishedDate": clock.now().isoformat(),
        "version": "1.1",
        "extensions": list(ocds.EXTENSIONS),
        "since": since.isoformat() if since else None,
        "files": [{"name": n, "releases": c} for n, c in sorted(result.files.items())],
    }
    (out_dir / "index.json").write_text(json.dumps(index, ensure_ascii=False, indent=1), encoding="utf-8")
    return result

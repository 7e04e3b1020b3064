"""Every kind of bad file of ../shared/DESIGN.md, and four more, uploaded over HTTP in one request with a good
file: each bad one is refused with a reason that names its problem, the good one is indexed, and nothing else
changes: not the document that was there before, not the counts of documents, chunks and vectors beyond the
good file's, and no file anywhere but in the data directory."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.container import Container
from assistant.documents.models import Chunk
from assistant.settings import Settings
from assistant.text import tokenize
from tests.conftest import make_settings, wait_for_job
from tests.ingest.fixtures import make_pdf, make_zip, png, unknown_charset_mail
from tests.reliability.conftest import Record

MB = 1024 * 1024
GOOD = "# 周例会纪要\n\n接口联调计划于2026年5月25日开始，负责人王磊。WMS 库位编码由吴静核对。\n".encode()
EXISTING = b"# Kick-off\n\nThe ERP cut-over is planned for June. Wu Jing owns the data migration.\n"
WARNING = "body: declared charset 'x-unknown' is unknown or wrong; decoded as gb18030"


def zip_bomb() -> bytes:
    """One member under the file limit that expands a thousand times: refused whole, never inflated."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("zeros.txt", b"0" * (MB - 1024))
    return out.getvalue()


def truncated_pdf() -> bytes:
    good = make_pdf(["Requirements baseline", "Interface catalogue"])
    return good[: len(good) // 2]


# file name -> (bytes, the words its reason must contain). The first seven are DESIGN.md's list.
BAD: dict[str, tuple[Callable[[], bytes], str]] = {
    "corrupt.pdf": (truncated_pdf, "corrupt PDF"),
    "salaries.pdf": (lambda: make_pdf(["Salary table"], owner_password="o", user_password="s3cret"), "encrypted PDF"),
    "empty.txt": (lambda: b"", "file is empty"),
    "scan.pdf": (lambda: make_pdf([None, None]), "no text layer, OCR needed"),
    "report.pdf": (lambda: make_zip({"a.txt": b"hello"}), "named .pdf but the content is a ZIP archive"),
    "big.txt": (lambda: ("风险 " * (MB // 4)).encode(), "over the 1 MB limit (ASSISTANT_MAX_FILE_MB)"),
    "bomb.zip": (zip_bomb, "zip bomb suspected"),
    "diagram.txt": (png, "named .txt but the content is a PNG image"),
    "zero.pdf": (lambda: b"", "file is empty"),
}  # fmt: skip
CLIMBING = make_zip({"../evil.txt": b"planted", "../../etc/evil.md": b"planted"})
UNSAFE = "unsafe name in the archive: its name climbs out of the archive"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, max_file_mb=1)


class Doc(NamedTuple):
    id: str
    status: str
    sha256: str | None
    chunk_count: int
    warnings: tuple[str, ...]


def state(client: TestClient, container: Container, project: str) -> tuple[dict[str, Doc], int, int]:
    """Every document's identity and state, and the chunk rows and vectors the project holds."""
    docs = {
        d["file_name"]: Doc(d["id"], d["status"], d["sha256"], d["chunk_count"], tuple(d["warnings"]))
        for d in client.get(f"/projects/{project}/documents").json()["items"]
    }
    with container.sessions() as session:
        chunks = session.scalar(select(func.count()).select_from(Chunk).where(Chunk.project_id == project))
    return docs, int(chunks or 0), container.vectors.count(project)


def files_under(root: Path, *, but: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file() and but not in p.parents}


def test_each_bad_file_fails_alone_with_its_reason_and_only_the_good_files_change_anything(
    client: TestClient, container: Container, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, figures: Record
) -> None:
    data_dir = container.settings.data_dir
    tokenize("预热")  # jieba loaded first: its cache lives in the product cache folder
    spool = tmp_path / "spool"  # where the web server spools uploads (big ones reach the disk)
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    project = client.post("/projects", json={"name": "Bad input"}).json()["id"]
    first = client.post(f"/projects/{project}/documents", files=[("files", ("kick-off.md", EXISTING))])
    wait_for_job(client, first.json()["job_id"])
    before, chunks_before, vectors_before = state(client, container, project)
    outside_before = files_under(tmp_path, but=data_dir)

    upload = [("files", (name, make())) for name, (make, _) in BAD.items()]
    upload += [
        ("files", ("bundle.zip", CLIMBING)),
        ("files", ("status.eml", unknown_charset_mail())),
        ("files", ("周例会纪要.md", GOOD)),
    ]
    accepted = client.post(f"/projects/{project}/documents", files=upload)
    assert accepted.status_code == 202, accepted.text
    job = wait_for_job(client, accepted.json()["job_id"])

    outside = files_under(tmp_path, but=data_dir) - outside_before
    figures("files written outside the data directory", len(outside) + len(list(tmp_path.rglob("*evil*"))))
    figures(
        "bad files refused with a reason",
        sum(f["status"] == "failed" and bool(f["reason"]) for f in job["files"]),
    )
    assert job["status"] == "done"
    rows = {f["file_name"]: (f["status"], f["reason"]) for f in job["files"]}
    assert rows.keys() == set(BAD) | {"bundle.zip/../evil.txt", "bundle.zip/../../etc/evil.md"} | {
        "status.eml",
        "周例会纪要.md",
    }
    for name, (_, words) in BAD.items():
        status, reason = rows[name]
        assert status == "failed" and reason is not None and words in reason, (name, reason)
    for member in ("bundle.zip/../evil.txt", "bundle.zip/../../etc/evil.md"):
        status, reason = rows[member]
        assert status == "failed" and reason is not None and reason.startswith(UNSAFE), (member, reason)
    # The e-mail is readable: indexed, with the fallback said as a warning (what ingest/ does, tests/ingest).
    assert rows["status.eml"] == ("indexed", None)
    assert rows["周例会纪要.md"] == ("indexed", None)

    after, chunks_after, vectors_after = state(client, container, project)
    assert {name: after[name] for name in before} == before  # the document that was there is untouched
    new = {name: doc for name, doc in after.items() if name not in before}
    good = {name: new.pop(name) for name in ("status.eml", "周例会纪要.md")}
    assert (good["status.eml"].status, good["status.eml"].warnings) == ("indexed", (WARNING,))
    assert (good["周例会纪要.md"].status, good["周例会纪要.md"].warnings) == ("indexed", ())
    # A bad file read and refused is listed as a failed document without chunks; none is indexed.
    assert set(new) <= set(BAD) and {(doc.status, doc.chunk_count) for doc in new.values()} <= {("failed", 0)}
    grown = sum(doc.chunk_count for doc in good.values())
    assert grown > 0
    assert (chunks_after - chunks_before, vectors_after - vectors_before) == (grown, grown)

    assert outside == set()  # nothing outside the data directory
    assert not list(spool.iterdir())  # and the spooled uploads are gone
    assert not [p for p in tmp_path.rglob("*evil*")]
    assert not (data_dir / "uploads" / accepted.json()["job_id"]).exists()  # staging cleaned up


def test_jieba_cache_stays_out_of_the_shared_temporary_folder(tmp_path: Path) -> None:
    """A fresh process (jieba not yet loaded) with its own empty temporary folder reads Chinese text."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    code = "from assistant.text import tokenize; print(tokenize('接口联调计划于五月开始'))"
    env = {**os.environ, "TMPDIR": str(temp)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "联调" in done.stdout
    assert [p.name for p in temp.iterdir()] == []

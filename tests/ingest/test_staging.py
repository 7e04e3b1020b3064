"""Staging an upload: one budget for all its files, archives refused whole, names never paths."""

from __future__ import annotations

import errno
import io
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.container import Container
from assistant.db import transaction
from assistant.documents import repository as documents
from assistant.errors import ProviderUnavailableError
from assistant.jobs import repository as jobs_repo
from assistant.jobs.models import Job, JobFile
from assistant.projects import repository as projects
from assistant.providers.embeddings import HashingEmbeddings
from assistant.providers.fakes import ScriptedChatModel
from ingest.jobs import run_job
from ingest.staging import Upload, stage_job
from tests.conftest import make_settings
from tests.ingest.fixtures import make_zip

KB = 1024


WORDS = ["接口", "联调", "数据", "迁移", "interface", "schedule", "MES", "ERP", "risk", "owner", "会议"]


def prose(n_bytes: int, seed: int) -> bytes:
    """``n_bytes`` of text that compresses like real notes do (a few times), so only a budget can stop it."""
    rng = random.Random(seed)
    out = bytearray()
    while len(out) + 12 < n_bytes:
        out += (rng.choice(WORDS) + " ").encode()
    return bytes(out.ljust(n_bytes, b" "))


def limited_container(tmp_path: Path, **limits: object) -> Iterator[Container]:
    c = Container(
        make_settings(tmp_path, **limits), embeddings=HashingEmbeddings(), chat_model=ScriptedChatModel()
    )
    yield c
    c.close()


@pytest.fixture
def byte_limited(tmp_path: Path) -> Iterator[Container]:
    """Uploads may expand to 256 KB."""
    yield from limited_container(tmp_path, zip_max_total_mb=0.25)


@pytest.fixture
def file_limited(tmp_path: Path) -> Iterator[Container]:
    """Uploads may hold 5 files."""
    yield from limited_container(tmp_path, max_upload_files=5)


def new_project(container: Container) -> str:
    with transaction(container.sessions) as session:
        return projects.create_project(session, name="staging").id


def rows(container: Container, job_id: str) -> list[tuple[str, str, str | None]]:
    with container.sessions() as session:
        return [(f.file_name, f.status, f.reason) for f in jobs_repo.job_files(session, job_id=job_id)]


def staged_files(container: Container) -> list[Path]:
    return sorted(p for p in container.settings.uploads_dir.rglob("*") if p.is_file())


def test_small_zip_bombs_are_refused_whole_and_stage_nothing(container: Container) -> None:
    """The reported attack: zips of 1 MB zero-filled members (which used to skip the ratio check)."""
    pid = new_project(container)
    bomb = make_zip([(f"part{i:03}.txt", b"\x00" * 1024 * KB) for i in range(100)])
    assert len(bomb) < 200 * KB
    uploads = [Upload(f"bomb{n}.zip", bomb) for n in range(3)]
    job_id = stage_job(container.ingestor, project_id=pid, uploads=uploads)
    found = rows(container, job_id)
    assert [(name, status) for name, status, _ in found] == [(f"bomb{n}.zip", "failed") for n in range(3)]
    assert all(
        (reason or "").startswith(f"zip bomb suspected: 'bomb{n}.zip/part000.txt' expands")
        and (reason or "").endswith("nothing was taken from the archive")
        for n, (_, _, reason) in enumerate(found)
    )
    assert staged_files(container) == []
    run_job(container.ingestor, job_id)
    with container.sessions() as session:
        assert documents.list_documents(session, project_id=pid) == []


def test_the_byte_budget_is_the_uploads_not_each_archives(byte_limited: Container) -> None:
    limited = byte_limited
    pid = new_project(limited)
    parts = [make_zip({"a.txt": prose(50 * KB, n), "b.txt": prose(50 * KB, n + 10)}) for n in range(3)]
    small = prose(10 * KB, 99)
    uploads = [*(Upload(f"batch{n}.zip", z) for n, z in enumerate(parts)), Upload("later.txt", small)]
    job_id = stage_job(limited.ingestor, project_id=pid, uploads=uploads)
    found = rows(limited, job_id)
    assert [(name, status) for name, status, _ in found] == [
        ("batch0.zip/a.txt", "queued"),
        ("batch0.zip/b.txt", "queued"),
        ("batch1.zip/a.txt", "queued"),
        ("batch1.zip/b.txt", "queued"),
        ("batch2.zip", "failed"),
        ("later.txt", "queued"),  # what the refused archive would have taken is still there for others
    ]
    assert found[4][2] == (
        "the upload would expand to more than 256 KB (ASSISTANT_ZIP_MAX_TOTAL_MB); nothing was taken from the archive"
    )
    on_disk = staged_files(limited)
    assert len(on_disk) == 5 and sum(p.stat().st_size for p in on_disk) <= 256 * KB


def test_the_file_budget_counts_every_file_of_the_upload(file_limited: Container) -> None:
    limited = file_limited
    pid = new_project(limited)
    three = make_zip({f"n{i}.txt": f"note {i}".encode() for i in range(3)})
    uploads = [
        Upload("first.zip", three),
        Upload("second.zip", three),
        Upload("x.txt", b"x"),
        Upload("y.txt", b"y"),
    ]
    uploads += [Upload("z.txt", b"z")]
    job_id = stage_job(limited.ingestor, project_id=pid, uploads=uploads)
    found = rows(limited, job_id)
    assert [(name, status) for name, status, _ in found] == [
        ("first.zip/n0.txt", "queued"),
        ("first.zip/n1.txt", "queued"),
        ("first.zip/n2.txt", "queued"),
        ("second.zip", "failed"),
        ("x.txt", "queued"),
        ("y.txt", "queued"),
        ("z.txt", "failed"),
    ]
    assert found[3][2] == (
        "the upload would hold more than 5 files (ASSISTANT_MAX_UPLOAD_FILES); nothing was taken from the archive"
    )
    assert found[6][2] == "the upload would hold more than 5 files (ASSISTANT_MAX_UPLOAD_FILES)"


def test_names_are_data_and_nothing_lands_outside_the_job_folder(
    container: Container, tmp_path: Path
) -> None:
    pid = new_project(container)
    hostile_zip = make_zip(
        {"../../evil.txt": b"payload", "/tmp/evil2.txt": b"payload", "ok.txt": b"fine text"}
    )
    uploads = [Upload("../../../escape.txt", b"plain text"), Upload("C:\\bundle.zip", hostile_zip)]
    job_id = stage_job(container.ingestor, project_id=pid, uploads=uploads)
    folder = container.settings.uploads_dir / job_id
    assert {p.parent for p in staged_files(container)} == {folder}
    assert sorted(p.name for p in staged_files(container)) == ["000000.txt", "000001.txt"]
    assert not [p for p in tmp_path.rglob("*") if "evil" in p.name or "escape" in p.name]
    assert not Path("/tmp/evil2.txt").exists()
    with container.sessions() as session:
        assert [(f.file_name, f.status) for f in jobs_repo.job_files(session, job_id=job_id)] == [
            ("../../../escape.txt", "queued"),  # stage_job keeps names as given: they are only labels
            ("C:\\bundle.zip/../../evil.txt", "failed"),
            ("C:\\bundle.zip//tmp/evil2.txt", "failed"),
            ("C:\\bundle.zip/ok.txt", "queued"),
        ]


class FullDisk(io.BytesIO):
    """A spooled upload whose reading fails the way a full or vanished disk does."""

    def read(self, size: int | None = -1) -> bytes:
        raise OSError(errno.ENOSPC, "No space left on device", "/var/tmp/spool/abc")


def test_a_disk_failure_refuses_the_upload_and_leaves_nothing(container: Container) -> None:
    pid = new_project(container)
    uploads = [Upload("a.txt", b"fine text"), Upload("b.txt", size=100, source=FullDisk(b"x" * 100))]
    with pytest.raises(ProviderUnavailableError) as caught:
        stage_job(container.ingestor, project_id=pid, uploads=uploads)
    assert (
        str(caught.value)
        == "the server could not store the upload (No space left on device); nothing was kept"
    )
    assert not any(container.settings.uploads_dir.iterdir())
    with container.sessions() as session:
        assert session.query(Job).count() == 0 and session.query(JobFile).count() == 0

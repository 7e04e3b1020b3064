"""Bad input: each file fails alone, with a reason a user can act on."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from fpdf import FPDF
from PIL import Image

from api.container import Container
from assistant.db import transaction
from assistant.documents import repository as documents
from assistant.documents.models import Chunk
from assistant.index import chunks as chunk_store
from assistant.jobs import repository as jobs_repo
from assistant.projects import repository as projects
from ingest.jobs import run_job
from ingest.readers import (
    FileTooLarge,
    ReadLimits,
    UnreadableFile,
    UnsupportedFileType,
    read_document,
)
from ingest.staging import Upload, stage_job
from tests.ingest.fixtures import make_docx, make_pdf, make_zip, png, unknown_charset_mail


def reason(file_name: str, data: bytes, limits: ReadLimits = ReadLimits()) -> str:
    with pytest.raises(UnreadableFile) as caught:
        read_document(file_name, data, limits)
    return str(caught.value)


def test_corrupt_pdf() -> None:
    good = make_pdf(["Requirements baseline"])
    assert reason("spec.pdf", good[: len(good) // 2]).startswith("corrupt PDF: ")
    assert reason("spec.pdf", b"%PDF-1.7\n" + b"\x00garbage\xff" * 50).startswith("corrupt PDF: ")


def test_encrypted_pdf_with_a_real_password() -> None:
    data = make_pdf(["Salary table"], owner_password="owner", user_password="s3cret")
    assert reason("hr.pdf", data) == "encrypted PDF: a password is needed to open it"


def test_scanned_pdf_with_only_drawn_shapes() -> None:
    assert reason("scan.pdf", make_pdf([None, None])) == (
        "no text layer, OCR needed: none of the 2 pages has extractable text"
    )


def test_scanned_pdf_with_only_an_image() -> None:
    png = io.BytesIO()
    Image.new("RGB", (60, 40), (200, 30, 30)).save(png, format="PNG")
    pdf = FPDF()
    pdf.add_page()
    pdf.image(io.BytesIO(png.getvalue()), x=10, y=10, w=120)
    expected = "no text layer, OCR needed: the only page has no extractable text"
    assert reason("scan.pdf", bytes(pdf.output())) == expected


def test_pdf_that_is_really_a_zip() -> None:
    message = reason("report.pdf", make_zip({"a.txt": b"hello"}))
    assert message == "named .pdf but the content is a ZIP archive"


def test_docx_that_is_really_a_pdf_or_a_plain_zip() -> None:
    assert reason("spec.docx", make_pdf(["x"])) == "named .docx but the content is a PDF document"
    assert reason("spec.docx", make_zip({"a.txt": b"x"})) == "named .docx but the content is a ZIP archive"


def test_text_file_that_is_really_a_docx() -> None:
    data = make_docx(lambda d: d.add_paragraph("x"))
    with pytest.raises(UnsupportedFileType) as caught:
        read_document("notes.txt", data)
    assert str(caught.value) == "named .txt but the content is a Word document (.docx)"


def test_corrupt_docx() -> None:
    good = make_docx(lambda d: d.add_paragraph("接口清单"))
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = b"<w:document><unclosed" if item.filename == "word/document.xml" else src.read(item)
            dst.writestr(item, data)
    assert reason("broken.docx", out.getvalue()).startswith("corrupt DOCX: ")


def test_password_protected_docx() -> None:
    # Office stores a password-protected .docx as an OLE container holding an EncryptionInfo stream.
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "EncryptionInfo".encode("utf-16-le")
    assert reason("secret.docx", ole) == "encrypted DOCX: a password is needed to open it"


def test_empty_file() -> None:
    for name in ("a.pdf", "a.docx", "a.eml", "a.md", "a.txt"):
        assert reason(name, b"") == "file is empty"


def test_file_over_the_size_limit() -> None:
    limits = ReadLimits(max_file_bytes=1024 * 1024)
    with pytest.raises(FileTooLarge) as caught:
        read_document("big.txt", b"a" * (1024 * 1024 + 200 * 1024), limits)
    assert str(caught.value) == "file is 1.2 MB, over the 1 MB limit"


def test_unsupported_extension_names_the_supported_ones() -> None:
    with pytest.raises(UnsupportedFileType) as caught:
        read_document("budget.xlsx", b"PK\x03\x04")
    supported = ".docx, .eml, .markdown, .md, .pdf, .txt, .zip"
    assert str(caught.value) == f"unsupported type .xlsx (supported: {supported})"
    assert reason("README", b"text").startswith("unsupported type (no extension)")


def test_zip_is_expanded_not_read() -> None:
    with pytest.raises(UnsupportedFileType):
        read_document("bundle.zip", make_zip({"a.txt": b"x"}))
    assert reason("bundle.zip", b"plain words") == "named .zip but the content is plain text"


def test_binary_content_in_a_text_file() -> None:
    assert reason("notes.txt", b"\x00\x01\x02\x03binary\x00stuff" * 20) == "binary content, not text"
    assert reason("notes.md", bytes(range(256)) * 8) == "binary content, not text"


def test_eml_with_unknown_charset_still_reads_with_a_warning() -> None:
    raw = (
        b"From: pm@example.com\r\nTo: dev@example.com\r\nSubject: status\r\n"
        b'Content-Type: text/plain; charset="x-unknown"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'
        + "数据迁移推迟到下周。".encode("gbk")
    )
    result = read_document("status.eml", raw)
    assert "数据迁移推迟到下周。" in result.segments[0].text
    assert result.warnings == ["body: declared charset 'x-unknown' is unknown or wrong; decoded as gb18030"]


def test_eml_with_wrong_charset_falls_back() -> None:
    raw = (
        b"From: pm@example.com\r\nSubject: status\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        + "驗收標準".encode("big5")
    )
    result = read_document("status.eml", raw)
    assert result.segments and result.warnings  # decoded by a fallback, never an exception


# The same files through a whole job: each refused with its own reason, and nothing else changes.

GOOD = "# 周例会纪要\n\n接口联调计划于2026年5月25日开始，负责人王磊。\n".encode()


@pytest.fixture
def project_id(container: Container) -> str:
    with transaction(container.sessions) as session:
        return projects.create_project(session, name="bad-input").id


def snapshot(container: Container, project_id: str) -> tuple[dict[str, tuple[object, ...]], int, int]:
    """Every document's state, and how many chunk rows and vectors the project holds."""
    with container.sessions() as session:
        docs = {
            d.file_name: (d.id, d.status, d.sha256, d.active_version, d.chunk_count)
            for d in documents.list_documents(session, project_id=project_id)
        }
        chunks = session.query(Chunk).filter_by(project_id=project_id).count()
    return docs, chunks, container.vectors.count(project_id)


def run_upload(
    container: Container, project_id: str, name: str, data: bytes
) -> list[tuple[str, str, str | None]]:
    job_id = stage_job(container.ingestor, project_id=project_id, uploads=[Upload(name, data)])
    run_job(container.ingestor, job_id)
    with container.sessions() as session:
        return [(f.file_name, f.status, f.reason) for f in jobs_repo.job_files(session, job_id=job_id)]


BAD_FILES = {
    "a zip with ../ members": (
        "bundle.zip",
        lambda: make_zip({"../evil.txt": b"planted", "../../etc/evil.md": b"planted"}),
        [
            ("bundle.zip/../evil.txt", "unsafe name in the archive: its name climbs out of the archive ('..'); "
             "the member was not taken"),
            ("bundle.zip/../../etc/evil.md", "unsafe name in the archive: its name climbs out of the archive "
             "('..'); the member was not taken"),
        ],
    ),
    "a PNG named .txt": ("diagram.txt", png, [("diagram.txt", "named .txt but the content is a PNG image")]),
    "a 0-byte .pdf": ("empty.pdf", lambda: b"", [("empty.pdf", "file is empty")]),
    "a PNG under the name of a good document": (
        "good.md",
        png,
        [("good.md", "named .md but the content is a PNG image (the previously indexed version is kept)")],
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_file_is_refused_with_its_reason_and_nothing_else_changes(
    container: Container, project_id: str, tmp_path: Path, case: str
) -> None:
    name, make, expected = BAD_FILES[case]
    run_upload(container, project_id, "good.md", GOOD)
    docs, chunks, vectors = snapshot(container, project_id)
    found = run_upload(container, project_id, name, make())
    assert [(n, status, reason) for n, status, reason in found] == [(n, "failed", r) for n, r in expected]
    after, chunks_after, vectors_after = snapshot(container, project_id)
    assert (chunks_after, vectors_after) == (chunks, vectors)
    assert {n: after[n] for n in docs} == docs  # the good document is untouched
    # A file read and refused is listed as failed under its own name; a refused archive member is not a document.
    new = {n: state[1] for n, state in after.items() if n not in docs}
    assert new == ({} if name.endswith(".zip") or name in docs else {name: "failed"})
    assert not [p for p in tmp_path.rglob("*") if "evil" in p.name]


def test_an_email_with_an_unknown_charset_is_indexed_with_a_warning(
    container: Container, project_id: str
) -> None:
    """Refusing it would lose a readable e-mail: it is decoded by the fallback and says so."""
    run_upload(container, project_id, "good.md", GOOD)
    docs, _, _ = snapshot(container, project_id)
    assert run_upload(container, project_id, "status.eml", unknown_charset_mail()) == [
        ("status.eml", "indexed", None)
    ]
    with container.sessions() as session:
        mail = documents.find_document(session, project_id=project_id, file_name="status.eml")
        assert mail is not None and mail.status == "indexed"
        assert mail.warnings == ["body: declared charset 'x-unknown' is unknown or wrong; decoded as gb18030"]
        assert any("吴静负责" in c.text for c in chunk_store.document_chunks(session, document_id=mail.id))
    after, _, _ = snapshot(container, project_id)
    assert {n: after[n] for n in docs} == docs

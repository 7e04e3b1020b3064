"""Bad input: each file fails alone, with a reason a user can act on."""

from __future__ import annotations

import io
import zipfile

import pytest
from fpdf import FPDF
from PIL import Image

from ingest.readers import (
    FileTooLarge,
    ReadLimits,
    UnreadableFile,
    UnsupportedFileType,
    read_document,
)
from tests.ingest.fixtures import make_docx, make_pdf, make_zip


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

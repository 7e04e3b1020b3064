"""Builders for the files the reader tests need, made at test time so no binaries live in the repository."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable, Iterable

import docx
from docx.document import Document as DocxDocument
from fpdf import FPDF
from fpdf.enums import EncryptionMethod
from PIL import Image


def make_pdf(
    pages: Iterable[str | None],
    *,
    title: str | None = None,
    user_password: str | None = None,
    owner_password: str | None = None,
) -> bytes:
    """A PDF with one page per item (Latin text, core font); None makes a page with only drawn shapes."""
    pdf = FPDF()
    if title:
        pdf.set_title(title)
    pdf.set_font("helvetica", size=12)
    for text in pages:
        pdf.add_page()
        if text is None:
            pdf.set_fill_color(40, 40, 40)
            pdf.rect(20, 20, 120, 80, style="F")
            pdf.circle(x=80, y=150, radius=30, style="D")
        else:
            for line in text.split("\n"):
                pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    if owner_password is not None:
        method = EncryptionMethod.AES_128
        pdf.set_encryption(
            owner_password=owner_password, user_password=user_password or "", encryption_method=method
        )
    return bytes(pdf.output())


def make_docx(
    build: Callable[[DocxDocument], object], *, created: dt.datetime | None = None, title: str | None = None
) -> bytes:
    """A DOCX made by ``build(document)``."""
    document = docx.Document()
    build(document)
    if created:
        document.core_properties.created = created
        document.core_properties.modified = created
    if title is not None:
        document.core_properties.title = title
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


class _RawNameInfo(zipfile.ZipInfo):
    """A member whose name is stored as given bytes without the UTF-8 flag, as old Windows tools do."""

    raw_name: bytes = b""

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:  # noqa: N802 - zipfile's own name
        return self.raw_name, self.flag_bits & ~0x800


def raw_name_member(raw_name: bytes) -> zipfile.ZipInfo:
    info = _RawNameInfo(raw_name.decode("cp437"), date_time=(2024, 3, 5, 10, 0, 0))
    info.raw_name = raw_name
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


Members = dict[str | zipfile.ZipInfo, bytes] | list[tuple[str | zipfile.ZipInfo, bytes]]


def make_zip(members: Members) -> bytes:
    out = io.BytesIO()
    items = members.items() if isinstance(members, dict) else members
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in items:
            zf.writestr(name, data)
    return out.getvalue()


def nested_zip(depth: int, leaf_name: str = "deep.txt", leaf: bytes = b"deep text") -> bytes:
    """A zip holding a zip ... ``depth`` archives in all, the innermost holding one text file."""
    data = make_zip({leaf_name: leaf})
    for level in range(depth - 1, 0, -1):
        data = make_zip({f"level{level + 1}.zip": data})
    return data


def mark_encrypted(data: bytes, name: str) -> bytes:
    """Flag one member as encrypted, as in a password-protected archive (zipfile cannot write one)."""
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(name)
        out[info.header_offset + 6] |= 0x1  # general purpose flags of the local header
        cd = data.index(b"PK\x01\x02")
        while cd >= 0:
            name_len = int.from_bytes(data[cd + 28 : cd + 30], "little")
            if data[cd + 46 : cd + 46 + name_len] == name.encode():
                out[cd + 8] |= 0x1  # the same flags in the central directory
            cd = data.find(b"PK\x01\x02", cd + 46)
    return bytes(out)


def png() -> bytes:
    """A real PNG (the bad-input tests send it under a text file's name)."""
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 90, 200)).save(out, format="PNG")
    return out.getvalue()


def unknown_charset_mail() -> bytes:
    """An e-mail whose declared charset no codec knows; its body is GBK."""
    return (
        b"From: pm@example.com\r\nTo: dev@example.com\r\nSubject: status\r\n"
        b'Content-Type: text/plain; charset="x-unknown"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'
        + "数据迁移推迟到下周，吴静负责。".encode("gbk")
    )

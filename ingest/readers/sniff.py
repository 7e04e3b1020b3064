"""What a file really is, judged by its bytes rather than its name."""

from __future__ import annotations

import io
import re
import zipfile

# Readable names for the kinds sniff() returns, used in "named .pdf but the content is ..." messages.
KIND_NAMES: dict[str, str] = {
    "pdf": "a PDF document",
    "docx": "a Word document (.docx)",
    "xlsx": "an Excel workbook (.xlsx)",
    "pptx": "a PowerPoint presentation (.pptx)",
    "odf": "an OpenDocument file",
    "zip": "a ZIP archive",
    "ole": "a legacy Microsoft Office file (.doc/.xls/.ppt)",
    "ole-encrypted": "a password-protected Office document",
    "rtf": "an RTF document",
    "png": "a PNG image",
    "jpeg": "a JPEG image",
    "gif": "a GIF image",
    "tiff": "a TIFF image",
    "gzip": "a gzip archive",
    "7z": "a 7-Zip archive",
    "rar": "a RAR archive",
    "eml": "an e-mail message",
    "text": "plain text",
    "binary": "binary data",
}

_MAGIC: list[tuple[bytes, str]] = [
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"\x1f\x8b", "gzip"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"Rar!\x1a\x07", "rar"),
    (b"{\\rtf", "rtf"),
]
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")

# Header names that make a block of "Name: value" lines an e-mail rather than, say, a YAML note.
_MAIL_HEADERS = {
    "from", "to", "cc", "subject", "date", "received", "message-id", "mime-version",
    "return-path", "delivered-to", "reply-to", "x-mailer", "content-type", "sender",
}  # fmt: skip
_HEADER_LINE = re.compile(rb"^([A-Za-z][A-Za-z0-9-]*):[ \t]*\S?")


def looks_binary(data: bytes) -> bool:
    """NUL bytes in the first KB mean binary, unless the text is UTF-16/32 (which is full of NULs)."""
    head = data[:1024]
    if b"\x00" not in head:
        return False
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):
        return False
    return utf16_without_bom(head) is None


def utf16_without_bom(head: bytes) -> str | None:
    """Mostly-ASCII UTF-16 without a BOM has NULs on every other byte; returns the codec or None."""
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except Exception:
        return "zip"  # damaged: the reader that opens it will say what is wrong
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "ppt/presentation.xml" in names:
        return "pptx"
    if "mimetype" in names and "content.xml" in names:
        return "odf"
    return "zip"


def _looks_like_email(data: bytes) -> bool:
    head = data[:8192].lstrip(b"\xef\xbb\xbf")
    if head.startswith(b"From ") and b"\n" in head:  # mbox "From " separator line before the headers
        head = head.split(b"\n", 1)[1]
    lines = head.replace(b"\r\n", b"\n").split(b"\n")
    seen: set[str] = set()
    for line in lines[:60]:
        if not line.strip():
            break  # end of the header block
        if line[:1] in (b" ", b"\t"):
            continue  # folded continuation of the previous header
        m = _HEADER_LINE.match(line)
        if not m:
            return False
        seen.add(m.group(1).decode("ascii").lower())
    # One known header could be a note that starts with "Subject: ..."; two make a header block.
    return len(seen & _MAIL_HEADERS) >= 2


def sniff(data: bytes) -> str:
    """One of the keys of KIND_NAMES."""
    head = data[:1024]
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"%PDF-"):
        return "pdf"
    if b"%PDF-" in head and b"%%EOF" in data[-2048:]:  # readers accept junk before the header
        return "pdf"
    if data.startswith(_ZIP_MAGICS):
        return _zip_kind(data)
    if data.startswith(_OLE_MAGIC):
        # Password-protected .docx/.xlsx are stored as OLE containers holding an "EncryptionInfo" stream.
        return "ole-encrypted" if "EncryptionInfo".encode("utf-16-le") in data[: 1 << 20] else "ole"
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if looks_binary(data):
        return "binary"
    if _looks_like_email(data):
        return "eml"
    return "text"

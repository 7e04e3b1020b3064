"""E-mail (.eml): headers, the readable body, and the attachments handed back as documents of their own."""

from __future__ import annotations

import datetime as dt
import email
import re
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from html.parser import HTMLParser
from pathlib import PurePosixPath, PureWindowsPath

from ingest.readers.base import Attachment, ReadResult, Segment, find_date, first_lines, title_from_text

# Declared names that Python knows under another name, or whose real-world use is a superset.
_CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "x-euc-cn": "gb18030",
    "big5-hkscs": "big5hkscs",
    "x-big5": "big5",
    "unicode-1-1-utf-7": "utf-7",
}
_FALLBACKS = ("utf-8", "gb18030", "big5", "latin-1")
_SURROGATES = re.compile("[\udc80-\udcff]+")


def decode_bytes(raw: bytes, declared: str | None, warnings: list[str], what: str) -> str:
    """Decode with the declared charset; an unknown or wrong one falls back with a warning, never raises."""
    if declared:
        codec = _CHARSET_ALIASES.get(declared.lower().strip(), declared.lower().strip())
        try:
            return raw.decode(codec)
        except (LookupError, UnicodeDecodeError):
            pass
    for codec in _FALLBACKS:
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError:
            continue
        if declared:
            warnings.append(f"{what}: declared charset {declared!r} is unknown or wrong; decoded as {codec}")
        elif codec != "utf-8":
            warnings.append(f"{what}: no charset declared for 8-bit text; decoded as {codec}")
        return text
    return raw.decode("latin-1")  # unreachable: latin-1 decodes every byte


def _fix_surrogates(text: str, warnings: list[str], what: str) -> str:
    """Raw 8-bit bytes in headers (common from Chinese mail clients) arrive as surrogate escapes."""
    if not _SURROGATES.search(text):
        return text
    return _SURROGATES.sub(
        lambda m: decode_bytes(bytes(ord(c) - 0xDC00 for c in m.group()), None, warnings, what), text
    )


def _header(msg: Message, name: str, warnings: list[str]) -> str:
    raw = next((str(v) for k, v in msg.raw_items() if k.lower() == name), None)
    if raw is None:
        return ""
    if _SURROGATES.search(raw):
        # Undeclared 8-bit bytes: the parsed value has lost them to U+FFFD, the raw one still has them.
        text = _fix_surrogates(raw, warnings, f"header {name}")
    else:
        try:
            text = str(msg.get(name))
        except Exception:  # a header the parser cannot render: fall back to the raw text
            text = raw
    return " ".join(_decode_words(text).split())


def _decode_words(text: str) -> str:
    """Encoded words the parser left alone (inside quotes, in names); kept undecoded if they are broken."""
    if "=?" not in text:
        return text
    try:
        return str(make_header(decode_header(text)))
    except Exception:  # a broken encoded word: the raw text is better than nothing
        return text


_LINE, _PARAGRAPH = "\x00", "\x01"  # block boundaries, resolved to newlines once the whole text is known
_BOUNDARY_RUN = re.compile("[\\s\x00\x01]*[\x00\x01][\\s\x00\x01]*")


def _resolve_boundaries(run: re.Match[str]) -> str:
    text = run.group()
    needed = 2 if _PARAGRAPH in text else 1
    return "\n" * max(needed, text.count("\n"))


class _HtmlToText(HTMLParser):
    _PARAGRAPHS = frozenset(
        {"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "blockquote", "pre", "hr"}
    )
    _LINES = frozenset({"div", "li", "tr", "dt", "dd", "section", "article", "header", "footer", "address"})
    _SKIP = frozenset({"script", "style", "head", "title", "noscript", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0
        self.pre_depth = 0
        self.cell_in_row = 0

    def _boundary(self, tag: str) -> None:
        if tag in self._PARAGRAPHS:
            self.parts.append(_PARAGRAPH)
        elif tag in self._LINES:
            self.parts.append(_LINE)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self.skip_depth += 1
        elif tag == "pre":
            self.pre_depth += 1
        elif tag == "br":
            self.parts.append("\n")
        self._boundary(tag)
        if tag == "tr":
            self.cell_in_row = 0
        elif tag in ("td", "th"):
            if self.cell_in_row:
                self.parts.append(" | ")
            self.cell_in_row += 1
        elif tag == "li":
            self.parts.append("- ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        else:
            self._boundary(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag == "pre":
            self.pre_depth = max(0, self.pre_depth - 1)
        self._boundary(tag)

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        data = data.replace(_LINE, "").replace(_PARAGRAPH, "")
        self.parts.append(data if self.pre_depth else re.sub(r"\s+", " ", data))

    def text(self) -> str:
        text = _BOUNDARY_RUN.sub(_resolve_boundaries, "".join(self.parts).replace("\xa0", " "))
        lines = [line.strip() for line in text.split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def html_to_text(html: str) -> str:
    parser = _HtmlToText()
    parser.feed(html)
    parser.close()
    return parser.text()


def _part_text(part: Message, warnings: list[str]) -> str:
    raw = part.get_payload(decode=True)
    if not isinstance(raw, bytes):
        raw = str(part.get_payload()).encode("utf-8", "surrogateescape")
    text = decode_bytes(raw, part.get_content_charset(), warnings, "body").replace("\r\n", "\n")
    return html_to_text(text) if part.get_content_subtype() == "html" else text.strip()


def _is_attachment(part: Message) -> bool:
    return bool(part.get_filename()) or part.get_content_disposition() == "attachment"


def _body_parts(part: Message) -> list[Message]:
    """The text parts a reader sees, in order: plain preferred over HTML inside multipart/alternative."""
    if part.get_content_maintype() == "multipart":
        children = [p for p in part.get_payload() if isinstance(p, Message)]
        if part.get_content_subtype() == "alternative":
            for wanted in ("plain", "html"):
                for child in children:
                    if child.get_content_type() == f"text/{wanted}" and not _is_attachment(child):
                        return [child]
            for child in reversed(children):
                if found := _body_parts(child):
                    return found
            return []
        return [found for child in children for found in _body_parts(child)]
    if part.get_content_maintype() == "text":  # text/calendar invitations too: they carry dates and places
        return [] if _is_attachment(part) else [part]
    return []


def _safe_name(name: str, index: int, fallback_ext: str) -> str:
    # Names may carry client-side paths ("C:\\Users\\..\\报价.pdf"); only the last component is the file name.
    base = PureWindowsPath(PurePosixPath(name).name).name.strip().strip(".")
    return base or f"attachment-{index}{fallback_ext}"


def _attachments(msg: Message, forwarded: list[Message], warnings: list[str]) -> list[Attachment]:
    found: list[Attachment] = []
    skip = {id(p) for p in forwarded}
    for part in msg.walk():
        if part is msg or id(part) in skip:
            continue
        if part.get_content_type() == "message/rfc822":
            # A forwarded mail travels as its own document, so it is not lost with its parent's body.
            inner = part.get_payload()
            inner_msg = inner[0] if isinstance(inner, list) and inner else None
            if isinstance(inner_msg, Message):
                subject = _header(inner_msg, "subject", warnings) or "forwarded"
                name = part.get_filename() or f"{subject}.eml"
                found.append(Attachment(_safe_name(name, len(found) + 1, ".eml"), inner_msg.as_bytes()))
            continue
        if part.is_multipart() or not _is_attachment(part):
            continue
        name = _decode_words(_fix_surrogates(part.get_filename() or "", warnings, "attachment name"))
        data = part.get_payload(decode=True)
        data = data if isinstance(data, bytes) else b""
        found.append(Attachment(_safe_name(name, len(found) + 1, ".bin"), data))
    return found


def _inside_rfc822(msg: Message) -> list[Message]:
    """Parts of forwarded mails, which travel inside their own .eml attachment instead."""
    inner: list[Message] = []
    for part in msg.walk():
        if part is not msg and part.get_content_type() == "message/rfc822":
            inner.extend(p for p in part.walk() if p is not part)
    return inner


def read_eml(data: bytes) -> ReadResult:
    msg = email.message_from_bytes(data, policy=policy.default)
    warnings: list[str] = []
    headers = {name: _header(msg, name, warnings) for name in ("from", "to", "cc", "date", "subject")}
    forwarded = _inside_rfc822(msg)
    skip = {id(p) for p in forwarded}
    parts = [part for part in _body_parts(msg) if id(part) not in skip]
    bodies = [text for part in parts if (text := _part_text(part, warnings))]
    body = "\n\n".join(bodies)
    if not any(headers.values()):
        warnings.append("no e-mail headers found; the whole file was read as the body")
    head = "".join(f"{name.capitalize()}: {value}\n" for name, value in headers.items() if value)
    subject = headers["subject"]
    text = f"{head}\n{body}".strip() if head else body
    return ReadResult(
        segments=[Segment(text, section=f"Subject: {subject}" if subject else None)] if text.strip() else [],
        title=subject or title_from_text(body),
        date=_date(msg, headers["date"]) or find_date(first_lines(body)),
        warnings=warnings,
        attachments=_attachments(msg, forwarded, warnings),
        metadata={k: v for k, v in headers.items() if v} | _extra_ids(msg, warnings),
        kind_hint="email",
    )


def _extra_ids(msg: Message, warnings: list[str]) -> dict[str, str]:
    out = {}
    for name in ("message-id", "in-reply-to"):
        if value := _header(msg, name, warnings):
            out[name.replace("-", "_")] = value
    return out


def _date(msg: Message, raw: str) -> dt.date | None:
    header = msg.get("date")
    try:
        when = getattr(header, "datetime", None)
    except Exception:  # a malformed Date header: look for a date in its text instead
        when = None
    if when is not None:
        return when.date()
    return find_date(raw) if raw else None

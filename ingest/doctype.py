"""Guess whether a document is meeting notes, an e-mail, a spec or something else."""

from __future__ import annotations

import re

from assistant.documents.models import DocumentType

_MEETING_NAME = re.compile(r"会议|纪要|例会|周会|minutes|meeting|\bmom\b|workshop|standup", re.IGNORECASE)
_SPEC_NAME = re.compile(r"需求|规格|说明书|规范|设计|spec|requirement|srs|\bprd\b|design", re.IGNORECASE)
_MEETING_TEXT = re.compile(
    r"参会|与会|出席|会议时间|会议地点|议程|纪要|行动项|attendees|participants|agenda|action items?|minutes of",
    re.IGNORECASE,
)
_REQ_TEXT = re.compile(
    r"\b(?:shall|must)\b|应当|必须|须|系统应|REQ[-_]\w+|\b(?:FR|NFR)[-_ ]?\d", re.IGNORECASE
)


def detect_doc_type(file_name: str, text: str, *, kind_hint: str | None = None) -> DocumentType:
    if kind_hint == "email" or file_name.lower().endswith(".eml"):
        return DocumentType.email
    base = file_name.rsplit("/", 1)[-1]
    head = text[:4000]
    meeting_cues = len(_MEETING_TEXT.findall(head))
    req_cues = len(_REQ_TEXT.findall(text[:40000]))
    if _MEETING_NAME.search(base) or meeting_cues >= 2:
        return DocumentType.meeting
    if _SPEC_NAME.search(base) or req_cues >= 8:
        return DocumentType.spec
    return DocumentType.other

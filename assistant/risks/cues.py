"""The cheap pass before the LLM: every sentence of a document is scored for the language that carries risk in
minutes and mails (Chinese, English); the sentences that score become candidates, each with a sentence of
context on each side, ranked strongest first. Nothing is cut here: the scan reads candidates in rank order
until the document is done (the first ones at once, the rest in the background).

The word lists name kinds of risk statements, not any project's wording: concerns, open or pending decisions
and questions, dependencies, unconfirmed commitments, people leaving, dates at risk or slipping, "not yet",
"TBD", conditions ("如果…则…", "if … then"). Change words (closed, confirmed, signed, slipped again) mark the
sentences that may update a risk the register already holds (follow.py).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

# Strong cues name a risk or a problem outright; weak ones only hedge ("might", "可能"), so it takes two.
STRONG_WEIGHT, WEAK_WEIGHT = 2, 1

ZH_STRONG = (
    "风险", "隐患", "延期", "延误", "推迟", "滞后", "拖期", "来不及", "落后", "不兼容", "兼容性", "阻塞", "阻断",
    "卡住", "担心", "担忧", "顾虑", "瓶颈", "尚未", "未确认", "待确认", "待定", "待明确", "待决策", "待审批",
    "未确定", "不确定", "未明确", "不明确", "不清楚", "无法", "等保", "合规", "密评", "离职", "流失", "调离",
    "人手不足", "资源不足", "短缺", "超支", "超预算", "依赖", "取决于", "受制于", "冲突", "故障", "数据质量",
    "重复", "返工", "未签约", "未到位", "仍未", "还未", "还没", "问题", "重叠", "紧张", "缺少", "缺失", "失败",
    "隐私", "泄露", "停产", "停线", "压缩", "逾期", "超期", "未落实", "无人负责", "悬而未决", "不一致", "矛盾",
    "超出预期", "整改", "投诉", "宕机", "堵点", "卡点", "掉链子", "只有一人", "只有一名", "仅有一名", "仅一人",
    "没有备用", "无备用", "没有缓冲", "无缓冲", "没有退路", "没有备选", "无备选", "单点",
)  # fmt: skip
ZH_WEAK = (
    "可能", "也许", "或许", "如果", "一旦", "假如", "万一", "否则", "暂未", "需要确认", "影响", "提醒", "注意",
    "关注", "确认", "待", "是否", "？", "能否", "前提", "条件", "兼职", "只有", "仅有",
)  # fmt: skip
# "如果…则/就/将/会", "一旦…就": a condition with its consequence is a risk statement by its form.
ZH_CONDITION = re.compile(r"(?:如果|若|如|假如|万一|一旦)[^。；！？\n]{2,60}?(?:则|就|将|会|可能|恐)")

EN_STRONG = (
    r"risks?", r"risky", r"delay(?:s|ed)?", r"slip(?:s|ped|page)?", r"late", r"behind schedule", r"blockers?",
    r"block(?:ed|ing)", r"concerns?", r"concerned", r"worr(?:y|ied|ies)", r"dependenc(?:y|ies)",
    r"depend(?:s|ent|ing)? on", r"incompatib\w*", r"compatibility", r"not yet", r"unconfirmed",
    r"not (?:been )?confirmed", r"to be (?:confirmed|clarified|defined|decided|determined|agreed|discussed)",
    r"complian\w*", r"gdpr", r"shortages?", r"overrun", r"over budget", r"leaving", r"resign\w*",
    r"uncertain\w*", r"unclear", r"tbd", r"tbc", r"open (?:issues?|questions?|points?)", r"issues?",
    r"impossible", r"not available", r"unavailable", r"bottlenecks?", r"cannot", r"can't", r"unable",
    r"threats?", r"fail(?:s|ed|ure|ures)?", r"problems?", r"missing", r"lack(?:s|ing)?", r"conflict(?:s|ing)?",
    r"duplicates?", r"rework", r"not (?:sufficient|possible|unique|defined|decided|agreed|approved|signed|clear)",
    r"insufficient", r"no final", r"no firm", r"outstanding", r"on hold", r"unresolved", r"undecided",
    r"overlaps?", r"overdue", r"postpone[ds]?", r"cancell?ed", r"escalat\w*", r"understaffed", r"handover",
    r"single point of failure", r"not (?:been )?(?:delivered|provisioned|started|received|scheduled)",
    r"only (?:one|a single) (?:person|people|engineer|developer|tester|expert|resource)",
    r"no (?:fallback|backup|buffer|contingency|spare|slack|plan b)",
)  # fmt: skip
EN_WEAK = (
    r"might", r"may", r"could", r"possibl[ey]", r"perhaps", r"unless", r"whether", r"pending",
    r"wait(?:ing)?", r"awaiting", r"questions?", r"depends", r"open", r"expected", r"deadline", r"resources?",
    r"commitment", r"availability", r"condition", r"confirm\w*", r"clarif\w*", r"decision", r"if",
    r"only (?:one|two|a single)", r"part[- ]time", r"(?:has|have|had) no",
)  # fmt: skip
# An open question in minutes or a mail is an open issue: as strong as a cue word.
QUESTION = re.compile(r"[?？]\s*$")

# Words that say an earlier risk has changed (follow.py): resolved, or moved for the worse. The closing words
# close an item outright when they follow its id ("OI-01 已关闭", "OI-03 closed"; follow.closed_ids).
ZH_CLOSED = ("已关闭", "已解决", "已结项")
EN_CLOSED = (r"closed", r"resolved")
ZH_RESOLVED = ZH_CLOSED + (
    "已确认", "已签约", "已签署", "已到位", "已到岗", "已开通", "已就绪", "已选定",
    "已批准", "已通过", "通过测评", "通过验收", "已落实", "已完成", "已交付", "已到货", "已恢复", "已解除",
    "已确定", "不再", "同意", "确认交付", "确认为",
)  # fmt: skip
ZH_WORSE = (
    "再次", "又一次", "仍未", "依然", "进一步", "推迟到", "延期到", "延迟到", "调整为", "原预计", "原计划", "原定",
    "压缩", "重叠", "冲突", "加剧", "扩大", "升级",
)  # fmt: skip
EN_RESOLVED = EN_CLOSED + (
    r"confirmed", r"signed", r"approved", r"passed", r"in place", r"named",
    r"appointed", r"on board", r"completed", r"delivered", r"no longer", r"lifted", r"unblocked", r"granted",
    r"agreed", r"provisioned", r"arrived", r"fixed",
)  # fmt: skip
EN_WORSE = (
    r"again", r"still (?:not|open|pending|missing|blocked)", r"further delay\w*", r"postponed to",
    r"moved to", r"pushed (?:back|out|to)", r"now expected", r"later than planned", r"slipped", r"worse",
    r"overlaps?", r"escalated", r"originally",
)  # fmt: skip


def _compile(words: Sequence[str]) -> re.Pattern[str]:
    return re.compile(r"(?<![A-Za-z])(?:" + "|".join(words) + r")(?![A-Za-z])", re.IGNORECASE)


def _literal(words: Sequence[str]) -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, words)))


_EN_STRONG = _compile(EN_STRONG)
_EN_WEAK = _compile(EN_WEAK)
_ZH_STRONG = _literal(ZH_STRONG)
_ZH_WEAK = _literal(ZH_WEAK)
_RESOLVED = (_literal(ZH_RESOLVED), _compile(EN_RESOLVED))
_EXPECTED = re.compile(
    r"(?<![A-Za-z])(?:will|shall|to|must|should|may|might|can|could|would|not|never|yet to|needs? to|has to|"
    r"have to|pending)\s+(?:be\s+|have\s+been\s+|been\s+)?(?:\w+ly\s+)?(?:"
    + "|".join(EN_RESOLVED)
    + r")(?![A-Za-z])",
    re.IGNORECASE,
)
_WORSE = (_literal(ZH_WORSE), _compile(EN_WORSE))
# Sentence ends: Chinese full stops and semicolons, English ones followed by space, and line breaks.
_SENTENCE_END = re.compile(r"[。！？；!?;]+|(?<=[a-z0-9\)\]\*])\.(?=\s)|\n+")
_SPACE = re.compile(r"\s+")
# A sentence shorter than this is a heading, a table cell or a list marker: never a candidate by itself.
MIN_SENTENCE_CHARS = 6
# A heading (or a label line, below) names a topic ("## 五、风险与关注点", "## 3. Open issues", "1. Material
# master quality"): the risks are in the lines under it, so its sentences are context, never candidates. A heading line is a Markdown heading,
# a line in bold alone, or a short line (at most 4 words, or 5 Chinese characters, after its numbering)
# without closing punctuation or digits. Bullets and table rows are content, however short ("- 尚未签约").
_MD_HEADING = re.compile(r"^\s*#{1,6}\s")
# Label sentences: the header lines the mail reader puts above a mail's text ("Subject: Data migration concerns -
# ...": a subject names a topic the body discusses) and the attendance lines of minutes ("缺席：孙浩（恒控，PLC
# 网关供应商）"): they name people, dates and topics, not risks.
_LABEL_LINE = re.compile(
    r"^\s*[-*•]?\s*(?:from|to|cc|bcc|date|sent|subject|发件人|收件人|抄送|日期|发送时间|主题|"
    r"attendees|participants|present|absent|apologies|chair|minutes taken by|出席|参会人员|参加人员|与会人员|"
    r"缺席|列席|请假|主持人?|记录人?)\s*[:：]",
    re.IGNORECASE,
)
# An agenda's time slot ("* 15:30 - 16:00 Summary on key decisions", "09:30–10:00 项目概况") names a topic,
# and a line that is only a link with a word or two before it ("* Presentation [Verification of the API](https://...)")
# points at slides: neither says anything that could go wrong.
_TIME_SLOT = re.compile(r"^\s*[-*•]?\s*\d{1,2}[:：]\d{2}\s*(?:[-–—~～至到]|to)\s*\d{1,2}[:：]\d{2}")
_LINK_LINE = re.compile(r"^\s*[-*•]?\s*(?:[^\s\[\]]+\s+){0,2}\[[^\]]*\]\([^)\s]*\)?\s*[.。]?\s*$")
_BOLD_LINE = re.compile(r"^\s*\*\*[^*]+\*\*\s*$")
_NUMBERING = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?|[一二三四五六七八九十]+、|\(?[a-z]\))\s*", re.IGNORECASE)
_CLOSING = '。！？；：.!?;:)）」』"”|'
HEADING_MAX_WORDS, HEADING_MAX_CJK = 4, 5
_CJK = re.compile(r"[\u3400-\u9fff]")


class ChunkLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def page(self) -> int | None: ...
    @property
    def section(self) -> str | None: ...


@dataclass(frozen=True)
class Passage:
    """A candidate: cue sentences of one chunk with their neighbours, cut to a character budget."""

    chunk_id: str
    page: int | None
    section: str | None
    text: str
    score: float
    cues: tuple[str, ...]
    position: int  # document order of the candidate
    change: str | None = None  # "resolved" or "worse" when the text says an earlier risk moved
    focus: tuple[str, ...] = field(default=(), compare=False)  # the candidate sentences themselves

    @property
    def hash(self) -> str:
        return hashlib.sha256(normalize(self.text).encode("utf-8")).hexdigest()


def normalize(text: str) -> str:
    """For comparing quotes with passages: width, case and spacing differences do not count."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip().lower()


def cues_in(text: str) -> tuple[int, tuple[str, ...]]:
    """The cue score of a text (distinct cues, weighted) and the cues found."""
    found: dict[str, int] = {}
    for pattern, weight in ((_ZH_STRONG, STRONG_WEIGHT), (_EN_STRONG, STRONG_WEIGHT)):
        for m in pattern.finditer(text):
            found[m.group(0).lower()] = weight
    if ZH_CONDITION.search(text):
        found["如果…则"] = STRONG_WEIGHT
    if QUESTION.search(text):
        found["?"] = STRONG_WEIGHT
    for pattern in (_ZH_WEAK, _EN_WEAK):
        for m in pattern.finditer(text):
            found.setdefault(m.group(0).lower(), WEAK_WEIGHT)
    return sum(found.values()), tuple(found)


def change_in(text: str) -> str | None:
    """'resolved' or 'worse' when the text says something moved (closed, signed, slipped again), else None.
    Worse wins a tie: "confirmed the delivery date, originally 30 April, as 8 May" is a slip. A resolution
    word that is only expected ("to be confirmed", "will be delivered", "尚未签约") is no resolution."""
    if any(p.search(text) for p in _WORSE):
        return "worse"
    settled = _EXPECTED.sub(" ", text)
    if any(p.search(settled) for p in _RESOLVED):
        return "resolved"
    return None


def is_heading(line: str) -> bool:
    """Whether a line of a chunk is a heading (see above)."""
    if _MD_HEADING.match(line) or _BOLD_LINE.match(line):
        return True
    body = _NUMBERING.sub("", line.strip(), count=1).strip()
    if not body or body[0] in "-*•|" or body[-1] in _CLOSING or any(c.isdigit() for c in body):
        return False
    cjk = len(_CJK.findall(body))
    return cjk <= HEADING_MAX_CJK if cjk else len(body.split()) <= HEADING_MAX_WORDS


def is_label(sentence: str) -> bool:
    """Whether a sentence is a label line's (a mail header, an attendance list, an agenda's time slot, a link to
    slides), see ``_LABEL_LINE``."""
    return any(p.match(sentence) is not None for p in (_LABEL_LINE, _TIME_SLOT, _LINK_LINE))


def _heading_lines(text: str) -> list[str]:
    return [normalize(line) for line in text.splitlines() if line.strip() and is_heading(line)]


def sentences(text: str) -> list[str]:
    out, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        piece = text[start : m.end()].strip()
        if piece:
            out.append(piece)
        start = m.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


@dataclass
class Sentence:
    """One sentence of a document as the cue pass sees it."""

    chunk: ChunkLike
    index: int  # within its chunk
    text: str
    score: int
    cues: tuple[str, ...]
    duplicate: bool  # already seen in an earlier chunk (chunk overlap)
    extra: float = 0.0  # what a second judge (the embedder) adds to the rule score
    candidate: bool = True  # False: too short or a heading (context only)


def document_sentences(chunks: Iterable[ChunkLike]) -> list[list[Sentence]]:
    """Every sentence of every chunk, scored; a sentence repeated by chunk overlap is marked, not dropped,
    so it still serves as context."""
    seen: set[str] = set()
    out: list[list[Sentence]] = []
    for chunk in chunks:
        row = []
        headings = _heading_lines(chunk.text)
        for i, text in enumerate(sentences(chunk.text)):
            key = normalize(text)
            fit = (
                len(key) >= MIN_SENTENCE_CHARS
                and not is_label(text)
                and not any(key in line for line in headings)
            )
            score, found = cues_in(text) if fit else (0, ())
            row.append(Sentence(chunk, i, text, score, found, key in seen, candidate=fit))
            seen.add(key)
        out.append(row)
    return out


def _window(parts: list[Sentence], hits: list[int], max_chars: int) -> tuple[str, tuple[str, ...]]:
    """Hit sentences with one neighbour each side while they fit in ``max_chars``; gaps are marked."""
    keep: set[int] = set()
    used = 0
    for i in hits:  # the strongest hit first
        if used + len(parts[i].text) > max_chars and keep:
            break
        keep.add(i)
        used += len(parts[i].text) + 1
    focus = tuple(parts[i].text for i in sorted(keep))
    for i in sorted(keep):
        for j in (i - 1, i + 1):
            if 0 <= j < len(parts) and j not in keep and used + len(parts[j].text) <= max_chars:
                keep.add(j)
                used += len(parts[j].text) + 1
    pieces: list[str] = []
    last = None
    for i in sorted(keep):
        if last is not None and i != last + 1:
            pieces.append("…")
        pieces.append(parts[i].text[:max_chars])
        last = i
    return " ".join(pieces), focus


def _clusters(hits: list[int]) -> list[list[int]]:
    """Hits at most one sentence apart read together (they share their context sentence)."""
    groups: list[list[int]] = []
    for i in sorted(hits):
        if groups and i - groups[-1][-1] <= 2:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def candidate_passages(
    doc: list[list[Sentence]], *, max_chars: int = 360, min_score: float = 2
) -> list[Passage]:
    """Candidates in document order: each cluster of sentences whose score (rules plus ``extra``) reaches
    ``min_score``, with context. A cluster longer than ``max_chars`` is split so nothing it holds is lost."""
    out: list[Passage] = []
    for parts in doc:
        hits = [
            i
            for i, s in enumerate(parts)
            if s.candidate and not s.duplicate and s.score + s.extra >= min_score
        ]
        for group in _clusters(hits):
            while group:
                ranked = sorted(group, key=lambda i: -(parts[i].score + parts[i].extra))
                text, focus = _window(parts, ranked, max_chars)
                taken = [i for i in group if parts[i].text in focus]
                group = [i for i in group if i not in taken] if taken else []
                score, cues = cues_in(" ".join(focus))
                chunk = parts[taken[0] if taken else ranked[0]].chunk
                out.append(
                    Passage(
                        chunk_id=chunk.id,
                        page=chunk.page,
                        section=chunk.section,
                        text=text,
                        score=round(score + max((parts[i].extra for i in taken), default=0.0), 3),
                        cues=cues,
                        position=len(out),
                        change=change_in(" ".join(focus)),
                        focus=focus,
                    )
                )
    return out


def select_passages(
    chunks: Iterable[ChunkLike], *, max_chars: int = 360, min_score: int = 2
) -> tuple[int, list[Passage]]:
    """(chunks read, candidate passages by the rules alone), in document order."""
    doc = document_sentences(chunks)
    return len(doc), candidate_passages(doc, max_chars=max_chars, min_score=min_score)


def rank(passages: list[Passage]) -> list[Passage]:
    """Strongest first (document order among equals): the order in which a scan reads them."""
    return sorted(passages, key=lambda p: (-p.score, p.position))


def cap_passages(passages: list[Passage], limit: int) -> list[Passage]:
    """The ``limit`` strongest passages, back in document order."""
    if len(passages) <= limit:
        return passages
    return sorted(rank(passages)[:limit], key=lambda p: p.position)

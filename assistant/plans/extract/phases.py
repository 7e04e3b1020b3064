"""Phases with their dates and deliverables, and the milestones the documents date.

Phases come from phase tables (阶段 | 起止日期 | 交付物; Phase | Dates | Deliverable), from the lines a PDF
table became ("Testing (测试) 2026-06-22 to 2026-08-07 SIT report"), and from enumerations in prose
("需求细化（2026年3月2日至4月10日）"). Once their names are known, prose that names one with a start or an end
("测试阶段开始日期（6月22日）") dates it too.

A milestone is a dated event of the plan's vocabulary (联调, SIT, UAT, 切换, 上线, 推广, 模拟迁移, 冻结, 验收 ...),
read clause by clause: the milestone word nearest before the date (else after it; else earlier in the
sentence) names what the date is. What a clause marks as the old value (由…调整为, 原定, "moved from X to Y")
or as a condition (如果, 可能, if, may) dates nothing; an estimate (预计, 约, expected) only fills a gap. Tables
of action items, open issues or environments are not milestones: their dates are due dates.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.plans.extract.conflicts import Observation, resolve
from assistant.plans.extract.dates import DateMention, find_dates
from assistant.plans.extract.documents import Document
from assistant.plans.extract.interfaces import ID as INTERFACE_ID
from assistant.plans.extract.spans import Span, clauses, clean, evidence, fold, lines, sentences
from assistant.plans.extract.tables import column, table_rows
from assistant.plans.facts import Conflict, Evidence, Milestone, OpenQuestion, Phase, SourceChunk

# The one home of phase vocabulary: kind -> what names a phase of that kind. The first kind that matches a
# phase name is its kind ("集成测试" is testing, "开发集成" development).
PHASE_KINDS: list[tuple[str, re.Pattern[str]]] = [
    (k, re.compile(p))
    for k, p in (
        ("initiation", r"立项|(?i:initiation|inception|project start)"),
        ("requirements", r"需求|调研|蓝图|(?i:requirements?|analysis|blueprint|discovery)"),
        ("design", r"设计|(?i:design)"),
        ("testing", r"测试|SIT|UAT|(?i:testing|test)"),
        (
            "development",
            r"开发|集成|实施|配置|(?i:development|integration|build|implementation|configuration)",
        ),
        ("pilot", r"试运行|灰度|试点|上线|切换|部署|(?i:pilot|go-?live|roll-?out|cut-?over|deployment)"),
        ("training", r"培训|移交|(?i:training|hand-?over|transition)"),
        ("acceptance", r"验收|(?i:acceptance|sign-?off)"),
        ("operations", r"运维|保障|(?i:hypercare|operations|maintenance)"),
    )
]
# Milestone vocabulary: kind -> words; kinds whose words need the word before them to say which one
# ("安全评审" and "规格说明书评审" are two reviews; "联调环境" and "QAS 环境" two environments).
MILESTONE_KINDS: list[tuple[str, re.Pattern[str], bool]] = [
    (k, re.compile(p), subject)
    for k, p, subject in (
        (
            "integration_test",
            r"接口联调|联调|(?i:integration test(?:ing)?|interface test(?:ing)?|end-to-end test(?:ing)?)",
            False,
        ),
        ("sit", r"SIT|系统集成测试", False),
        ("uat", r"UAT|用户验收测试", False),
        ("performance_test", r"性能测试|压力测试|(?i:performance test(?:ing)?|load test(?:ing)?)", False),
        ("cutover", r"切换|割接|(?i:cut-?over|switch-?over)", False),
        ("go_live", r"上线|投产|(?i:go-?live|goes live|went live|go live)", False),
        ("rollout", r"推广|(?i:roll-?out)", False),
        (
            "mock_migration",
            r"模拟迁移|迁移演练|(?i:mock migration|migration rehearsal|dress rehearsal|trial migration)",
            False,
        ),
        ("migration", r"数据迁移|正式迁移|(?i:data migration|production migration)", True),
        ("environment", r"环境|(?i:environments?)", True),
        ("review", r"评审|(?i:review)", True),
        ("freeze", r"冻结|(?i:freeze)", False),
        ("acceptance", r"终验|初验|验收|(?i:final acceptance|acceptance|sign-?off)", False),
        ("training", r"培训|(?i:training)", True),
        ("handover", r"移交|(?i:hand-?over)", False),
        ("kickoff", r"启动会|开工会|(?i:kick-?off)", False),
        ("trial_run", r"试运行|试运营|(?i:trial run|pilot run|hypercare)", False),
        ("assessment", r"测评|(?i:assessment|audit|penetration test)", True),
        ("delivery", r"到货|交货|(?i:delivery)", True),
    )
]
_PHASE_WORD = r"阶段|(?i:phase|stage)"
_START = re.compile(
    r"开始|启动|开工|(?<![引])起(?![草])|(?i:\b(?:start|starts|begin|begins|commence|from)\b)"
)
_END = re.compile(
    r"结束|完成|截止|(?i:\b(?:end|ends|finish|finishes|complete|completed|close|by|until|done)\b)"
)
_READY = re.compile(r"就绪|开通|到位|(?i:\b(?:ready|available|provisioned)\b)")
_CHANGE = re.compile(
    r"调整为|改为|变更为|推迟到|推迟至|延期到|延期至|延后到|提前到|提前至|顺延至|(?i:\b(?:moved|postponed|changed|shifted|rescheduled|delayed|brought forward|pushed)\b)"
)
_OLD_BEFORE = re.compile(
    r"(?:由|从|原定的?|原计划的?|原预计的?|原|而非|而不是|不是)\s*$"
    r"|(?i:\b(?:from|originally|previously|instead of|rather than|not)\s+(?:the\s+)?$)"
)
_CONDITIONAL = re.compile(r"如果|若|假如|可能|如为|(?i:\b(?:if|may|might|could|would|unless|whether)\b)")
_ESTIMATE = re.compile(
    r"预计|约|左右|大约|暂定|(?i:\b(?:expected|estimated|approximately|about|around|tentative(?:ly)?)\b)"
)
_TBD = re.compile(
    r"待定|待确认|未确定|未确认|未定|(?i:\bTB[DC]\b|to be (?:confirmed|decided|determined|agreed)|not yet (?:fixed|confirmed|scheduled|dated))"
)
_DOC_NOUN = re.compile(
    r"^\s*(?:清单|方案|计划书|报告|说明书|文档|会议纪要|纪要|稿|(?i:list|plan|report|document|minutes|specification|draft))"
)
# "交货期尚未确认", "UAT 时间待定": an undated milestone is one whose date the sentence says is open.
_DATE_WORD = re.compile(r"^\s*(?:日期|时间|时间表|期|计划)?\s*(?:仍|尚|还)?\s*$|^\s*(?i:date|schedule)")
_FIRST = re.compile(r"首批|第一批|第1批|一期|(?i:\bfirst\b|\b1st\b|wave\s*1\b|phase\s*1\b|pilot)")
_SECOND = re.compile(r"第二批|第2批|二期|(?i:\bsecond\b|\b2nd\b|wave\s*2\b)")
_REST = re.compile(
    r"其余|其他|剩余|全部|全厂|全院|全市|全省|全面|(?i:\ball other\b|\bremaining\b|\bthe rest\b|\ball (?:sites|stores|workshops|wards|branches|warehouses|plants|regions|departments)\b)"
)
_NUMBER_AFTER = re.compile(r"\s*(?:#\s*)?(\d{1,2})(?!\d|[-./:年月日])")
_CN_ORDINAL = re.compile(r"第([一二三四五1-5])次")
_GRAY = re.compile(r"灰度|上线|推广|试点|(?i:gray|grey|go-?live|goes live|roll-?out|pilot|wave|canary)")
_ROW_SKIP = re.compile(r"(?i)行动项|action|open issue|问题|遗留|环境|environment|风险|risk|决议|decision")


@dataclass(frozen=True)
class _Anchor:
    kind: str
    span: Span
    phase: str | None = None  # the phase key when the anchor names a phase
    subject_needed: bool = False


def phase_kind(name: str) -> str | None:
    folded = fold(name)
    for kind, pattern in PHASE_KINDS:
        if pattern.search(folded):
            if kind == "testing":
                sub = re.search(r"SIT|UAT|性能|(?i:performance)", folded)
                return f"testing:{sub.group().lower()}" if sub else kind
            return kind
    return None


def _phase_key(name: str) -> str:
    return phase_kind(name) or re.sub(r"\W+", "", fold(name)).lower()


@dataclass
class _PhaseDraft:
    key: str
    names: list[Observation] = field(default_factory=list)
    start: list[Observation] = field(default_factory=list)
    end: list[Observation] = field(default_factory=list)
    deliverables: list[Observation] = field(default_factory=list)
    evidence: list[tuple[tuple[int, int, int], Evidence]] = field(default_factory=list)
    surface: set[str] = field(default_factory=set)  # names as written, for finding them in prose


@dataclass
class _MilestoneDraft:
    key: tuple[str, str | None, str | None, str | None]
    names: list[Observation] = field(default_factory=list)
    dates: list[Observation] = field(default_factory=list)
    periods: list[Observation] = field(default_factory=list)  # "mid-July", "Q3": not a day
    undated: list[Observation] = field(default_factory=list)  # "UAT 签字时间待定"
    evidence: list[tuple[tuple[int, int, int], Evidence]] = field(default_factory=list)


@dataclass
class _Plan:
    phases: dict[str, _PhaseDraft] = field(default_factory=dict)
    milestones: dict[tuple[str, str | None, str | None, str | None], _MilestoneDraft] = field(
        default_factory=dict
    )

    def phase(self, key: str) -> _PhaseDraft:
        return self.phases.setdefault(key, _PhaseDraft(key))

    def milestone(self, key: tuple[str, str | None, str | None, str | None]) -> _MilestoneDraft:
        return self.milestones.setdefault(key, _MilestoneDraft(key))


def _obs(value: str, doc: Document, chunk: SourceChunk, span: Span, firm: bool = True) -> Observation:
    return Observation(value, firm, doc.rank(chunk, span), chunk, span)


def _add_phase(
    plan: _Plan,
    doc: Document,
    chunk: SourceChunk,
    span: Span,
    name: str,
    when: DateMention | None,
    *,
    side: str | None = None,
    deliverables: str = "",
) -> None:
    name = clean(name)
    if not name or len(name) > 60:
        return
    draft = plan.phase(_phase_key(name))
    draft.names.append(_obs(name, doc, chunk, span))
    draft.surface.add(name)
    for inner in re.findall(r"[（(]([^()（）]{2,20})[)）]", name):
        draft.surface.add(inner.strip())
    outer = re.sub(r"\s*[（(][^()（）]*[)）]", "", name).strip()
    if outer:
        draft.surface.add(outer)
    if when is not None and when.is_day:
        if when.end is not None:
            draft.start.append(_obs(when.start.isoformat(), doc, chunk, span))
            draft.end.append(_obs(when.end.isoformat(), doc, chunk, span))
        elif side == "start":
            draft.start.append(_obs(when.start.isoformat(), doc, chunk, span))
        elif side == "end":
            draft.end.append(_obs(when.start.isoformat(), doc, chunk, span))
    if deliverables.strip():
        draft.deliverables.append(_obs(deliverables, doc, chunk, span))
    draft.evidence.append((doc.rank(chunk, span), evidence(chunk, span)))


def _side(text: str) -> str | None:
    if _END.search(text) or re.search(r"已于|(?i:completed|done)", text):
        return "end"
    if _START.search(text):
        return "start"
    return None


# ---------------------------------------------------------------------------------------------- phases
def _phase_tables(plan: _Plan, doc: Document) -> None:
    for row in table_rows(doc.chunks):
        name_col = column(row.header, ["阶段", "phase", "stage"])
        if name_col is None or column(row.header, ["里程碑", "milestone"]) == name_col:
            continue
        date_col = column(row.header, ["起止", "日期", "时间", "dates", "date", "period", "timeline", "计划"])
        start_col = column(row.header, ["开始", "start", "from"])
        end_col = column(row.header, ["结束", "完成", "end", "finish", "to"])
        deliver_col = column(row.header, ["交付物", "交付", "产出", "成果", "deliverable", "output"])
        name = row.get(name_col)
        if not name:
            continue
        ref = doc.doc_date
        deliverables = row.get(deliver_col)
        if date_col is not None and date_col not in (start_col, end_col):
            cell = row.get(date_col)
            found = find_dates(cell, ref=ref, default_year=doc.year)
            when = found[0] if found else None
            _add_phase(
                plan, doc, row.chunk, row.span, name, when, side=_side(cell), deliverables=deliverables
            )
        else:
            for col, side in ((start_col, "start"), (end_col, "end")):
                found = find_dates(row.get(col), ref=ref, default_year=doc.year)
                _add_phase(plan, doc, row.chunk, row.span, name, found[0] if found else None, side=side)
            if deliverables:
                _add_phase(plan, doc, row.chunk, row.span, name, None, deliverables=deliverables)


def _phase_lines(plan: _Plan, doc: Document, chunk: SourceChunk) -> None:
    """Lines a PDF phase table became: a phase name, its dates, then its deliverables."""
    text = chunk.text
    all_lines = list(lines(text))
    for i, line in enumerate(all_lines):
        body = line.of(text)
        if "|" in body:
            continue
        found = [d for d in find_dates(body, ref=doc.doc_date, default_year=doc.year) if d.is_day]
        if not found:
            continue
        when = found[0]
        prefix = body[: when.span.start]
        side = "end" if re.search(r"已于|(?i:completed|done)\s*$", prefix) else None
        prefix = re.sub(r"(?:已于|(?i:completed|done|finished))\s*$", "", prefix).strip()
        if when.end is None and side is None:
            continue
        start = line.start
        if (prefix.startswith(("(", "（")) or prefix[:1].islower()) and i > 0:
            prev = all_lines[i - 1]
            prev_body = prev.of(text)
            if (
                len(prev_body) < 40
                and not find_dates(prev_body, default_year=doc.year)
                and "|" not in prev_body
            ):
                prefix, start = f"{prev_body} {prefix}", prev.start
            else:
                continue  # the tail of a wrapped sentence, not a table row
        if (
            not prefix
            or len(prefix) > 50
            or re.search(r"[，,;；。:：]|\.\s", prefix)
            or phase_kind(prefix) is None
        ):
            continue
        if re.match(r"(?i)(?:the|a|an|this|that|all|our)\b", prefix) or re.search(
            r"[;；。]", body[when.span.end :]
        ):
            continue
        rest = body[when.span.end :].strip()
        deliverables = rest if len(rest) <= 80 and not re.search(r"[。;；]", rest) else ""
        _add_phase(
            plan, doc, chunk, Span(start, line.end), prefix, when, side=side, deliverables=deliverables
        )


# "需求细化（2026年3月2日至4月10日）", "立项（已于2026年2月23日完成）", "Design (1 June to 30 June)"
_ENUMERATED = re.compile(
    r"(?P<name>[\u4e00-\u9fffA-Za-z][\u4e00-\u9fffA-Za-z /&]{0,30}?)\s*[（(](?P<inner>[^()（）]{6,60})[)）]"
)


def _phase_enumerations(plan: _Plan, doc: Document, chunk: SourceChunk) -> None:
    text = chunk.text
    for m in _ENUMERATED.finditer(fold(text)):
        name = m.group("name").strip()
        name = re.split(r"[、，,：:—\-]|\s{2,}|阶段$", name)[-1].strip() or name
        if phase_kind(name) is None or len(name) > 20:
            continue
        inner = m.group("inner")
        found = [d for d in find_dates(inner, ref=doc.doc_date, default_year=doc.year) if d.is_day]
        if not found:
            continue
        when = found[0]
        side = None if when.end is not None else _side(inner)
        if when.end is None and side is None:
            continue
        span = Span(m.start("name") + m.group("name").rfind(name), m.end())
        _add_phase(plan, doc, chunk, span, name, when, side=side)


# ---------------------------------------------------------------------------------------------- milestones
def _anchors(text: str, plan: _Plan) -> list[_Anchor]:
    folded = fold(text)
    found: list[_Anchor] = []
    for kind, pattern, subject in MILESTONE_KINDS:
        for m in pattern.finditer(folded):
            found.append(_Anchor(kind, Span(m.start(), m.end()), subject_needed=subject))
    for key, draft in plan.phases.items():
        for name in sorted(draft.surface, key=len, reverse=True):
            if len(name) < 2:
                continue
            for m in re.finditer(re.escape(fold(name)) + rf"\s*(?:{_PHASE_WORD})?", folded):
                found.append(_Anchor("phase", Span(m.start(), m.end()), phase=key))
    # Longest first at a position: "培训移交" (a phase) over "培训" (a milestone word).
    found.sort(key=lambda a: (a.span.start, -(a.span.end - a.span.start)))
    out: list[_Anchor] = []
    for a in found:
        if out and a.span.start < out[-1].span.end:
            continue
        out.append(a)
    return out


def _nearest(anchors: list[_Anchor], within: Span, date: Span) -> _Anchor | None:
    before = [a for a in anchors if within.start <= a.span.start and a.span.end <= date.start]
    if before:
        return before[-1]
    after = [a for a in anchors if date.end <= a.span.start and a.span.end <= within.end]
    return after[0] if after else None


def _names_phase(text: str, anchor: _Anchor, date: Span) -> bool:
    """A phase name dates its phase when it says 阶段/phase, stands before the date, or is right beside it
    ("（培训移交完成）"); "测试网络" after a date is a test network, not the test phase."""
    if re.search(_PHASE_WORD, text[anchor.span.start : anchor.span.end]):
        return True
    if anchor.span.end <= date.start and re.match(
        r"\s*(?:开始|结束|完成|(?i:start|end|finish))", fold(text[anchor.span.end : anchor.span.end + 8])
    ):
        return True  # "联调测试开始日期由…调整为…"
    gap = anchor.span.start - date.end if anchor.span.start >= date.end else date.start - anchor.span.end
    return gap <= 6


def _qualifier(text: str, clause: Span, date: Span) -> str | None:
    best: tuple[int, str] | None = None
    for name, pattern in (("start", _START), ("end", _END), ("ready", _READY)):
        for m in pattern.finditer(fold(text), clause.start, clause.end):
            if date.start <= m.start() < date.end:
                continue
            distance = date.start - m.end() if m.end() <= date.start else m.start() - date.end
            if best is None or distance < best[0]:
                best = (distance, name)
    return best[1] if best else None


def _ordinal(text: str, sentence: Span, anchor: _Anchor) -> tuple[str | None, str]:
    """(key, as written) of the wave or run an anchor names: "mock migration 2", "首批", "all other"."""
    folded = fold(text)
    if m := _NUMBER_AFTER.match(folded, anchor.span.end):
        return m.group(1), m.group(0).strip()
    if m := _CN_ORDINAL.search(folded, max(sentence.start, anchor.span.start - 4), anchor.span.start):
        return str("一二三四五".find(m.group(1)) + 1 if m.group(1) in "一二三四五" else m.group(1)), m.group(
            0
        )
    if anchor.kind not in ("go_live", "rollout", "trial_run"):
        return None, ""
    best: tuple[int, str, str] | None = None
    for key, pattern in (("1", _FIRST), ("2", _SECOND), ("rest", _REST)):
        for m in pattern.finditer(folded, sentence.start, sentence.end):
            distance = abs(m.start() - anchor.span.start)
            if best is None or distance < best[0]:
                best = (distance, key, text[m.start() : m.end()])
    return (best[1], best[2]) if best else (None, "")


def _subject(text: str, anchor: _Anchor, sentence: Span) -> tuple[str | None, str]:
    """The word before an anchor that says which one it is: an interface id, a system, "安全", "联调"."""
    head = fold(text[sentence.start : anchor.span.start]).rstrip(" 《<>\"'“”，,、：:")
    head = re.sub(r"\s*v?\d+(?:\.\d+)*\s*(?=》?$)", "", head).rstrip(" 《")
    if m := INTERFACE_ID.search(head[-12:]):
        return m.group("id"), m.group("id")
    if m := re.search(r"([A-Za-z][A-Za-z0-9]{1,15})$", head):
        return m.group(1).lower(), m.group(1)
    if m := re.search(r"《([^《》]{2,30})》$", head):  # a document's title: "《集成需求规格说明书 v1.0》评审"
        return m.group(1)[-2:], m.group(1)
    # Chinese: the last word before the anchor (after any 的); its last two characters are the key.
    if m := re.search(r"([\u4e00-\u9fff]{1,6})$", head.split("的")[-1]):
        return m.group(1)[-2:], m.group(1)
    return None, ""


def _surface(*parts: str) -> str:
    joined = ""
    for p in (p.strip() for p in parts if p and p.strip()):
        sep = " " if joined and (re.search(r"[A-Za-z0-9]$", joined) or re.match(r"[A-Za-z0-9]", p)) else ""
        joined += sep + p
    return joined


def _milestone_statements(plan: _Plan, doc: Document, chunk: SourceChunk) -> None:
    text = chunk.text
    gray_context = bool(_GRAY.search(fold(text)))
    for line in lines(text):
        body = line.of(text)
        if "|" in body:
            continue
        for sentence in sentences(text, line):
            dates = find_dates(sentence.of(text), ref=doc.doc_date, default_year=doc.year)
            dates = [
                DateMention(
                    d.start,
                    d.end,
                    d.precision,
                    Span(sentence.start + d.span.start, sentence.start + d.span.end),
                    d.text,
                )
                for d in dates
            ]
            anchors = _anchors(sentence.of(text), plan)
            anchors = [
                _Anchor(
                    a.kind,
                    Span(sentence.start + a.span.start, sentence.start + a.span.end),
                    a.phase,
                    a.subject_needed,
                )
                for a in anchors
            ]
            parts = clauses(text, sentence, [d.span for d in dates])
            for date in dates:
                clause = next((c for c in parts if c.start <= date.span.start < c.end), sentence)
                _milestone_date(plan, doc, chunk, sentence, clause, date, anchors, gray_context)
            if not dates and (tbd := _TBD.search(fold(sentence.of(text)))):
                for anchor in anchors:
                    between = fold(text[anchor.span.end : sentence.start + tbd.start()])
                    if (
                        anchor.kind != "phase"
                        and anchor.span.end <= sentence.start + tbd.start()
                        and _DATE_WORD.match(between)
                    ):
                        _undated(plan, doc, chunk, sentence, anchor)


def _milestone_date(
    plan: _Plan,
    doc: Document,
    chunk: SourceChunk,
    sentence: Span,
    clause: Span,
    date: DateMention,
    anchors: list[_Anchor],
    gray_context: bool,
) -> None:
    text = chunk.text
    # The date itself is blanked out of the clause: "11 May 2026" holds no modal "may".
    raw = text[clause.start : date.span.start] + " " * len(date.text) + text[date.span.end : clause.end]
    clause_text = fold(raw)
    head = fold(text[clause.start : date.span.start])
    if _OLD_BEFORE.search(head) and (
        _CHANGE.search(clause_text) or re.search(r"原|不是|而非|(?i:\bnot\b|instead|rather)", head[-12:])
    ):
        return
    change = _CHANGE.search(clause_text)
    if change is not None and clause.start + change.start() > date.span.start:
        return  # "…开始日期已按3月20日邮件…调整为5月25日": only the date after the change verb is the value
    if _CONDITIONAL.search(clause_text):
        return
    anchor = _nearest(anchors, clause, date.span)
    if anchor is not None and anchor.kind == "phase" and not _names_phase(text, anchor, date.span):
        anchor = None
    # A clause that is little more than the date ("首批灰度上线：总装一车间，2026-08-17", "预计4月30日左右")
    # takes the milestone word said just before it in the sentence.
    if anchor is None and len(clause_text) - len(date.text) <= 12:
        anchor = _nearest(anchors, Span(sentence.start, date.span.start), date.span)
    if anchor is None:
        rest = _REST.search(fold(text), clause.start, clause.end)
        if rest is None or not gray_context:
            return
        anchor = _Anchor("rollout", Span(rest.start(), rest.end()))
    if _DOC_NOUN.match(fold(text[anchor.span.end : anchor.span.end + 8])):
        return
    firm = not _ESTIMATE.search(clause_text)
    qualifier = _qualifier(text, clause, date.span)
    if anchor.kind == "phase":
        assert anchor.phase is not None
        draft = plan.phase(anchor.phase)
        if date.is_day and date.end is not None:
            draft.start.append(_obs(date.start.isoformat(), doc, chunk, clause, firm))
            draft.end.append(_obs(date.end.isoformat(), doc, chunk, clause, firm))
        elif date.is_day and qualifier in ("start", "end"):
            (draft.start if qualifier == "start" else draft.end).append(
                _obs(date.start.isoformat(), doc, chunk, clause, firm)
            )
        else:
            return
        draft.evidence.append((doc.rank(chunk, clause), evidence(chunk, clause, date.span)))
        return
    ordinal, ordinal_text = _ordinal(text, sentence, anchor)
    subject, subject_text = _subject(text, anchor, sentence) if anchor.subject_needed else (None, "")
    if not anchor.subject_needed:
        head_ids = list(
            INTERFACE_ID.finditer(fold(text[max(sentence.start, anchor.span.start - 12) : anchor.span.start]))
        )
        if head_ids:
            subject = subject_text = head_ids[-1].group("id")
    if anchor.kind in ("go_live", "cutover", "mock_migration", "kickoff"):
        qualifier = None  # an event, not a span: "上线开始" and "上线" are one date
    key = (anchor.kind, qualifier, ordinal, subject)
    mdraft = plan.milestone(key)
    words = {"start": _START, "end": _END, "ready": _READY}
    qualifier_text = ""
    if qualifier is not None and (m := words[qualifier].search(fold(text), clause.start, clause.end)):
        qualifier_text = text[m.start() : m.end()]
    word = text[anchor.span.start : anchor.span.end]
    numbered = bool(_NUMBER_AFTER.match(fold(text), anchor.span.end))
    if ordinal_text and ordinal_text == word:
        ordinal_text = ""  # the anchor is the wave word itself ("all other … by 20 July")
    name = (
        _surface(subject_text, word, ordinal_text, qualifier_text)
        if numbered
        else _surface(subject_text, ordinal_text, word, qualifier_text)
    )
    mdraft.names.append(_obs(name, doc, chunk, clause))
    value = date.start.isoformat()
    if date.is_day:
        mdraft.dates.append(_obs(value, doc, chunk, clause, firm))
    else:
        mdraft.periods.append(_obs(date.text, doc, chunk, clause, False))
    mdraft.evidence.append((doc.rank(chunk, clause), evidence(chunk, sentence, date.span)))


def _undated(plan: _Plan, doc: Document, chunk: SourceChunk, sentence: Span, anchor: _Anchor) -> None:
    text = chunk.text
    subject, subject_text = _subject(text, anchor, sentence) if anchor.subject_needed else (None, "")
    draft = plan.milestone((anchor.kind, None, None, subject))
    draft.names.append(
        _obs(_surface(subject_text, text[anchor.span.start : anchor.span.end]), doc, chunk, sentence)
    )
    draft.undated.append(_obs(text[sentence.start : sentence.end], doc, chunk, sentence, False))
    draft.evidence.append((doc.rank(chunk, sentence), evidence(chunk, sentence, anchor.span)))


def _milestone_tables(plan: _Plan, doc: Document) -> None:
    for row in table_rows(doc.chunks):
        name_col = column(row.header, ["里程碑", "milestone"])
        if name_col is None:
            continue
        date_col = column(row.header, ["日期", "时间", "date", "due", "planned", "计划"])
        name = row.get(name_col)
        if not name:
            continue
        found = (
            find_dates(row.get(date_col), ref=doc.doc_date, default_year=doc.year)
            if date_col is not None
            else []
        )
        kind = next((k for k, p, _ in MILESTONE_KINDS if p.search(fold(name))), None)
        key = (kind or re.sub(r"\W+", "", fold(name)).lower(), None, None, name if kind else None)
        draft = plan.milestone(key)
        draft.names.append(_obs(name, doc, row.chunk, row.span))
        if found and found[0].is_day:
            draft.dates.append(_obs(found[0].start.isoformat(), doc, row.chunk, row.span))
        elif found:
            draft.periods.append(_obs(found[0].text, doc, row.chunk, row.span, False))
        else:
            draft.undated.append(_obs(row.get(date_col) or "", doc, row.chunk, row.span, False))
        draft.evidence.append((doc.rank(row.chunk, row.span), evidence(row.chunk, row.span)))


# ---------------------------------------------------------------------------------------------- assembly
def read_phases(
    docs: Sequence[Document],
) -> tuple[list[Phase], list[Milestone], list[Conflict], list[OpenQuestion]]:
    """Phases (each holding the milestones its dates contain), milestones no phase holds, conflicts, and
    the questions the documents leave open."""
    plan = _Plan()
    for doc in docs:
        _phase_tables(plan, doc)
        for chunk in doc.chunks:
            _phase_lines(plan, doc, chunk)
            _phase_enumerations(plan, doc, chunk)
    for doc in docs:
        _milestone_tables(plan, doc)
        for chunk in doc.chunks:
            _milestone_statements(plan, doc, chunk)
    conflicts: list[Conflict] = []
    questions: list[OpenQuestion] = []
    phases = _assemble_phases(plan, conflicts, questions)
    milestones = _assemble_milestones(plan, conflicts, questions)
    loose = _place(phases, milestones)
    return phases, loose, conflicts, questions


def _latest(observed: list[Observation]) -> str | None:
    return max(observed, key=lambda o: o.rank).value if observed else None


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _evidence(items: list[tuple[tuple[int, int, int], Evidence]], limit: int = 5) -> list[Evidence]:
    seen: set[tuple[str, str]] = set()
    out = []
    for _, ev in sorted(items, key=lambda x: x[0], reverse=True):
        if (ev.document_id, ev.quote) in seen:
            continue
        seen.add((ev.document_id, ev.quote))
        out.append(ev)
    return out[:limit]


def _assemble_phases(plan: _Plan, conflicts: list[Conflict], questions: list[OpenQuestion]) -> list[Phase]:
    phases = []
    for draft in plan.phases.values():
        name = _latest(draft.names)
        if name is None:
            continue
        start, c1 = resolve(f"phase {name} start", draft.start)
        end, c2 = resolve(f"phase {name} end", draft.end)
        conflicts.extend(c for c in (c1, c2) if c is not None)
        deliverables = _latest(draft.deliverables)
        phase = Phase(
            name=name,
            start=_date(start.value if start else None),
            end=_date(end.value if end else None),
            deliverables=[clean(d) for d in re.split(r"[、，,;；]|\band\b", deliverables) if clean(d)]
            if deliverables
            else [],
            evidence=_evidence(draft.evidence),
        )
        phases.append(phase)
        if phase.end is None:
            questions.append(
                OpenQuestion(question=f"Phase {name}: the documents give no end date.", about=name)
            )
        elif phase.start is None and draft.key != "initiation":
            questions.append(
                OpenQuestion(question=f"Phase {name}: the documents give no start date.", about=name)
            )
    phases.sort(key=lambda p: (p.start or p.end or dt.date.max, p.end or dt.date.max))
    return phases


def _assemble_milestones(
    plan: _Plan, conflicts: list[Conflict], questions: list[OpenQuestion]
) -> list[Milestone]:
    out = []
    for draft in plan.milestones.values():
        name = _latest(draft.names) or draft.key[0]
        chosen, conflict = resolve(f"milestone {name} date", draft.dates)
        if conflict is not None:
            conflicts.append(conflict)
        out.append(
            Milestone(
                name=name, date=_date(chosen.value if chosen else None), evidence=_evidence(draft.evidence)
            )
        )
        if chosen is None:
            if draft.periods:
                period = max(draft.periods, key=lambda o: o.rank).value
                questions.append(
                    OpenQuestion(
                        question=f"Milestone {name}: the documents give only '{period}', no day.", about=name
                    )
                )
            else:
                questions.append(
                    OpenQuestion(question=f"Milestone {name}: the documents give no date.", about=name)
                )
    return out


def _place(phases: list[Phase], milestones: list[Milestone]) -> list[Milestone]:
    """Each dated milestone into the narrowest phase whose dates contain it, else the nearest dated phase; the
    rest (undated ones, or all when no phase is dated) are returned."""
    dated = [p for p in phases if p.start or p.end]
    loose = []
    for m in sorted(milestones, key=lambda m: m.date or dt.date.max):
        if m.date is None or not dated:
            loose.append(m)
            continue
        when = m.date
        spans = [(p, p.start or p.end or when, p.end or p.start or when) for p in dated]
        holding = [(p, a, b) for p, a, b in spans if p.start and p.end and a <= when <= b]
        if holding:
            target = min(holding, key=lambda x: (x[2] - x[1]).days)[0]
        else:
            target = min(spans, key=lambda x: min(abs((x[1] - when).days), abs((x[2] - when).days)))[0]
        target.milestones.append(m)
    return loose

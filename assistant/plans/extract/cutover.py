"""Cut-over: gray-release stages, rollback triggers with their thresholds, the rollback procedure and time limit.

A stage is a wave of a gray release (首批/第二批/其余, first wave/pilot/all other sites) with the scope and date
a sentence gives it; a sentence that sets a wave's success bar ("灰度上线期间（首批…），连续 10 个工作日…成功率
应不低于 99.5%") is its exit criterion, and "观察期 3 天" / "observe for 5 days" its observation period. A
rollback trigger is a sentence that names a rollback and a measurable threshold ("错误率超过 0.5% 持续 15 分钟
即回滚", "roll back if order latency exceeds 2 s"); the threshold is kept as written. Nothing is invented: a
plan whose documents state no trigger gets an open question instead.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.plans.extract.conflicts import Observation, resolve
from assistant.plans.extract.dates import DateMention, find_dates
from assistant.plans.extract.documents import Document
from assistant.plans.extract.spans import Span, clean, evidence, fold, lines, sentences
from assistant.plans.facts import Conflict, Cutover, CutoverStage, Evidence, OpenQuestion, RollbackTrigger

_GRAY = re.compile(
    r"灰度|试点|分批|首批|第[一二三四2-4]批|(?i:gr[ae]y[- ]release|canary|pilot|wave|phased roll-?out)"
)
_WAVES: list[tuple[str, re.Pattern[str]]] = [
    ("1", re.compile(r"首批|第一批|第1批|(?i:\bfirst (?:\w+[- ])?wave\b|\bwave\s*1\b|\bpilot\b|\bfirst\b)")),
    ("2", re.compile(r"第二批|第2批|(?i:\bsecond (?:\w+[- ])?wave\b|\bwave\s*2\b|\bsecond\b)")),
    ("3", re.compile(r"第三批|第3批|(?i:\bthird (?:\w+[- ])?wave\b|\bwave\s*3\b|\bthird\b)")),
    (
        "rest",
        re.compile(r"其余|剩余|全部|全厂|全院|全市|全面推广|(?i:\ball other\b|\bremaining\b|\bthe rest\b)"),
    ),
]
_GO = re.compile(r"上线|推广|切换|投产|(?i:go(?:es)?[- ]live|roll(?:s|ed)?[- ]?out|follow|cut-?over|switch)")
_SCOPE = [
    re.compile(r"(?:首批|第.批)(?:灰度)?(?:上线)?\s*[：:]\s*(?P<s>[^，,；;。（(]{2,30})"),
    re.compile(r"(?:首批|第.批)?在\s*(?P<s>[^，,；;。]{2,24}?)\s*(?:上线|试点|推广|切换)"),
    re.compile(
        r"(?i:go(?:es)?[- ]live\s+(?:in|at|for)\s+)(?P<s>.{2,60}?)(?=\s+(?:on|by|from|after)\b|[,;.]|$)"
    ),
    re.compile(r"(?i:wave|批)\s*[（(](?P<s>[^()（）]{2,40})[)）]"),
    re.compile(
        r"(?P<s>(?:其余|剩余|全部)[\u4e00-\u9fff]{1,4}?(?=在|于|将|[，,；;。\s\d]|$)|(?i:all other \w+|remaining \w+))"
    ),
]
_OBSERVE = re.compile(
    r"观察期\s*\d+\s*(?:个)?(?:工作日|天|日|周)|观察\s*\d+\s*(?:个)?(?:工作日|天|日|周)|连续\s*\d+\s*(?:个)?(?:工作日|天|日|周)"
    r"|(?i:observ\w*\s+(?:period\s+of\s+|for\s+)?\d+\s*(?:working\s+|business\s+)?(?:days?|weeks?)|\d+\s*consecutive\s+(?:working\s+|business\s+)?days)"
)
_CRITERIA = re.compile(
    r"成功率|准出|退出条件|准入|进入条件|不低于|(?i:success rate|exit criteri|entry criteri|at least|no open|shall pass)"
)
_ENTRY = re.compile(
    r"准入|进入条件|前提|(?i:entry criteri|before (?:the )?(?:wave|go-live) starts|prerequisite)"
)

_ROLLBACK = re.compile(
    r"回滚|回退|切回|退回(?:旧|原)|(?i:roll(?:ed|s)?[- ]?back|fall(?:s)?[- ]?back to|revert(?:ed|s)? to)"
)
_THRESHOLD = re.compile(
    r"(?:>=|<=|≥|≤|>|<|超过|高于|低于|大于|小于|不低于|不高于|达到|多于|少于|(?i:exceeds?|exceeding|above|below|more than|less than|greater than|over|under|at least|at most|drops? below|rises? above))"
    r"\s*\d+(?:\.\d+)?\s*(?:%|％|‰|ms|毫秒|秒|分钟|小时|笔|单|次|个|条|(?i:s\b|sec(?:ond)?s?\b|min(?:ute)?s?\b|hours?\b|errors?\b|orders?\b|calls?\b|messages?\b|tickets?\b))?"
    r"(?:\s*(?:并?持续|for|over|within)\s*\d+\s*(?:分钟|小时|秒|(?i:min(?:ute)?s?|hours?|seconds?)))?"
    r"|\d+(?:\.\d+)?\s*(?:%|％)\s*(?:以上|以下)"
)
_ACTION = re.compile(
    r"(?P<a>(?:立即|即|则|应)?\s*(?:回滚|回退|切回|退回)[^，,；;。]{0,30})"
    r"|(?i:(?P<e>(?:roll(?:ed)?[- ]?back|revert\w*|fall[- ]?back)\s+to\s+[^,;.]{2,40}?)(?=\s+(?:if|when|once|should|unless)\b|[,;.]|$))"
)
_PROCEDURE = re.compile(
    r"回滚(?:步骤|方案|流程|程序|预案)|(?i:rollback (?:procedure|plan|steps|runbook)|back-?out plan)"
)
_TIME_LIMIT = re.compile(
    r"(?:回滚|回退|(?i:roll(?:ed)?[- ]?back|revert))[^。；;]{0,40}?(?:在|于|须在|应在|(?i:within|in under|in))\s*(?P<t>\d+(?:\.\d+)?\s*(?:个)?(?:小时|分钟|(?i:hours?|minutes?|mins?|h\b)))"
)


@dataclass
class _Stage:
    key: str
    names: list[Observation] = field(default_factory=list)
    scopes: list[Observation] = field(default_factory=list)
    dates: list[Observation] = field(default_factory=list)
    entry: list[Observation] = field(default_factory=list)
    exit: list[Observation] = field(default_factory=list)
    observe: list[Observation] = field(default_factory=list)
    evidence: list[tuple[tuple[int, int, int], Evidence]] = field(default_factory=list)


def _wave(text: str, near: int) -> tuple[str, str] | None:
    best: tuple[int, str, str] | None = None
    for key, pattern in _WAVES:
        for m in pattern.finditer(text):
            distance = abs(m.start() - near)
            if best is None or distance < best[0]:
                best = (distance, key, m.group())
    return (best[1], best[2]) if best else None


def _obs(value: str, doc: Document, chunk, span: Span, firm: bool = True) -> Observation:  # type: ignore[no-untyped-def]
    return Observation(clean(value), firm, doc.rank(chunk, span), chunk, span)


def read_cutover(docs: Sequence[Document]) -> tuple[Cutover, list[Conflict], list[OpenQuestion]]:
    stages: dict[str, _Stage] = {}
    triggers: list[RollbackTrigger] = []
    seen_triggers: set[str] = set()
    procedure: list[Observation] = []
    time_limit: list[Observation] = []
    observe_all: list[Observation] = []  # "灰度期间观察期 5 个工作日": every wave's
    for doc in docs:
        for chunk in doc.chunks:
            text = chunk.text
            gray_chunk = bool(_GRAY.search(fold(text)))
            for line in lines(text):
                for sent in sentences(text, line):
                    raw = fold(sent.of(text))
                    if gray_chunk and (_GRAY.search(raw) or _WAVES[-1][1].search(raw)):
                        _stage_sentence(stages, doc, chunk, sent, raw)
                        if (
                            (m := _OBSERVE.search(raw))
                            and _GRAY.search(raw)
                            and _wave(raw, m.start()) is None
                        ):
                            observe_all.append(_obs(sent.of(text)[m.start() : m.end()], doc, chunk, sent))
                    if _ROLLBACK.search(raw):
                        trigger = _trigger(doc, chunk, sent, raw)
                        if trigger is not None and clean(trigger.condition) not in seen_triggers:
                            seen_triggers.add(clean(trigger.condition))
                            triggers.append(trigger)
                        if _PROCEDURE.search(raw):
                            procedure.append(_obs(sent.of(text), doc, chunk, sent))
                        if m := _TIME_LIMIT.search(raw):
                            time_limit.append(
                                _obs(sent.of(text)[m.start("t") : m.end("t")], doc, chunk, sent)
                            )
    for st in stages.values():
        st.observe = st.observe or observe_all
    conflicts: list[Conflict] = []
    out_stages = []
    order = {"1": 1, "2": 2, "3": 3, "rest": 9}
    for key in sorted(stages, key=lambda k: order.get(k, 5)):
        st = stages[key]
        date, conflict = resolve(f"gray-release stage {key} date", st.dates)
        if conflict is not None:
            conflicts.append(conflict)
        pick = lambda obs: max(obs, key=lambda o: o.rank).value if obs else None  # noqa: E731
        out_stages.append(
            CutoverStage(
                name=pick(st.names) or key,
                scope=pick(st.scopes),
                date=dt.date.fromisoformat(date.value) if date else None,
                entry_criteria=pick(st.entry),
                exit_criteria=pick(st.exit),
                observation_period=pick(st.observe),
                evidence=_evidence(st.evidence),
            )
        )
    chosen_procedure = max(procedure, key=lambda o: o.rank) if procedure else None
    chosen_limit = max(time_limit, key=lambda o: o.rank) if time_limit else None
    cut = Cutover(
        stages=out_stages,
        rollback_triggers=triggers,
        rollback_procedure=chosen_procedure.value if chosen_procedure else None,
        rollback_time_limit=chosen_limit.value if chosen_limit else None,
        evidence=[o.evidence() for o in (chosen_procedure, chosen_limit) if o is not None],
    )
    return cut, conflicts, _questions(cut)


def _stage_sentence(stages: dict[str, _Stage], doc: Document, chunk, sent: Span, raw: str) -> None:  # type: ignore[no-untyped-def]
    text = chunk.text
    dates = [d for d in find_dates(sent.of(text), ref=doc.doc_date, default_year=doc.year)]
    go = _GO.search(raw)
    criteria = _CRITERIA.search(raw) and (_THRESHOLD.search(raw) or _OBSERVE.search(raw))
    if not (go and dates) and not criteria:
        return
    # Each date belongs to the wave named nearest to it; a criterion sentence to the wave it names.
    targets: list[tuple[int, DateMention | None]] = (
        [(d.span.start, d) for d in dates if d.is_day and not _conditional(raw)] if go else []
    )
    if criteria and not targets:
        targets = [(0, None)]
    for pos, date in targets:
        wave = _wave(raw, pos)
        if wave is None:
            continue
        key, written = wave
        st = stages.setdefault(key, _Stage(key))
        st.names.append(_obs(written, doc, chunk, sent))
        for pattern in _SCOPE:
            if (m := pattern.search(raw)) and (key == "rest") == bool(_WAVES[-1][1].search(m.group("s"))):
                st.scopes.append(_obs(sent.of(text)[m.start("s") : m.end("s")], doc, chunk, sent))
                break
        if date is not None:
            st.dates.append(_obs(date.start.isoformat(), doc, chunk, sent))
        elif criteria:
            (st.entry if _ENTRY.search(raw) else st.exit).append(_obs(sent.of(text), doc, chunk, sent))
        if m := _OBSERVE.search(raw):
            st.observe.append(_obs(sent.of(text)[m.start() : m.end()], doc, chunk, sent))
        st.evidence.append((doc.rank(chunk, sent), evidence(chunk, sent)))


def _conditional(raw: str) -> bool:
    return bool(re.search(r"如果|若|假如|(?i:\bif\b|\bunless\b)", raw))


def _trigger(doc: Document, chunk, sent: Span, raw: str) -> RollbackTrigger | None:  # type: ignore[no-untyped-def]
    text = chunk.text
    threshold = _THRESHOLD.search(raw)
    condition_words = re.search(
        r"如果|若|一旦|当|出现|触发|(?i:\bif\b|\bwhen\b|\bshould\b|\bin case\b|\btrigger)", raw
    )
    if threshold is None and condition_words is None:
        return None  # "回滚方案见附件" names a rollback, not a trigger
    action = _ACTION.search(raw)
    return RollbackTrigger(
        condition=clean(sent.of(text)),
        threshold=clean(sent.of(text)[threshold.start() : threshold.end()]) if threshold else None,
        action=clean(sent.of(text)[action.start() : action.end()]) if action else None,
        evidence=[evidence(chunk, sent)],
    )


def _evidence(items: list[tuple[tuple[int, int, int], Evidence]], limit: int = 4) -> list[Evidence]:
    seen: set[tuple[str, str]] = set()
    out = []
    for _, ev in sorted(items, key=lambda x: x[0], reverse=True):
        if (ev.document_id, ev.quote) not in seen:
            seen.add((ev.document_id, ev.quote))
            out.append(ev)
    return out[:limit]


def _questions(cut: Cutover) -> list[OpenQuestion]:
    out = []
    if not cut.rollback_triggers:
        out.append(
            OpenQuestion(question="The documents state no rollback trigger or threshold.", about="rollback")
        )
    for t in cut.rollback_triggers:
        if t.threshold is None:
            out.append(
                OpenQuestion(
                    question=f"Rollback trigger without a threshold: {t.condition[:80]}", about="rollback"
                )
            )
    if cut.rollback_procedure is None:
        out.append(OpenQuestion(question="The documents give no rollback procedure.", about="rollback"))
    if cut.rollback_triggers and cut.rollback_time_limit is None:
        out.append(
            OpenQuestion(question="The documents give no time limit for a rollback.", about="rollback")
        )
    for s in cut.stages:
        if s.date is None:
            out.append(
                OpenQuestion(
                    question=f"Gray-release stage {s.name}: the documents give no date.", about=s.name
                )
            )
    return out

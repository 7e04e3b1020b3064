"""The interface catalogue: from interface tables, from table lines a PDF lost its borders on, and from prose.

Read in this order, all documents each time:
1. Rows of pipe tables whose header names interface columns (源系统/目标系统, Source/Target, 协议/Protocol ...),
   and rows of header-less tables that start with an interface id.
2. Lines that start with an interface id and read like a table row (a PDF table): systems, protocol,
   direction words, frequency, by their content.
3. Lines of prose that name exactly one interface id: "IF-01 ERP → MES production orders. REST/JSON ...".
4. Prose that names no id: "MES 通过 Kafka 向 ERP 回传报工", "The TMS sends loads to the WMS over REST".
   Such a statement joins the catalogued interface of the same two systems (and a matching protocol) as
   more evidence; when none matches and it states a direction and a protocol (or says it is an interface),
   it is an interface of its own with a generated id (IF-G1 ...).
Tables and arrows state source and target firmly; a verb in loose prose only fills what nothing firmer gave.
Requirement ids (REQ-INT-008), interface requirements (IR-001), action items and versions are not interfaces.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.plans.extract.conflicts import Observation, resolve
from assistant.plans.extract.documents import Document
from assistant.plans.extract.protocols import ProtocolMention, find_protocols, protocol_label, same_protocol
from assistant.plans.extract.spans import Span, clean, evidence, fold, lines, sentences
from assistant.plans.extract.systems import Lexicon, SystemMention, system_key
from assistant.plans.extract.tables import TableRow, column, table_rows
from assistant.plans.facts import Conflict, Evidence, Interface, OpenQuestion, SourceChunk

# IF-01, IF01, IF-ERP-03, IFC-2, ITF-12, 接口-03, 接口03, INT-7, API-04. Not REQ-INT-008 (a requirement id
# carrying INT), not "接口 3 个" (a count), not IR-001 (an interface requirement).
ID = re.compile(
    r"(?<![A-Za-z0-9_\-/.])(?P<id>(?:IF|IFC|ITF|INT|API)(?:-[A-Z]{2,8})*-?[A-Z]?\d{1,4}(?:\.\d{1,3})?"
    r"|接口[-_]?\d{1,4})(?![A-Za-z0-9]|-\d)"
)
# INT- and API- ids are interfaces only where the text around them says so (a protocol, two systems, an
# arrow, or an interface table); the others always are.
_WEAK_ID_PREFIX = ("INT", "API")
_GENERATED = "IF-G"

_COLUMNS: dict[str, list[str]] = {
    "id": [
        "接口编号",
        "接口标识",
        "接口id",
        "接口号",
        "interface id",
        "interface no",
        "id",
        "编号",
        "代号",
        "ref",
    ],
    "source": ["源系统", "发送方", "发起方", "提供方", "上游", "source", "from", "sender", "provider", "源"],
    "target": ["目标系统", "接收方", "消费方", "下游", "target", "to", "receiver", "consumer", "目标"],
    "protocol": [
        "协议",
        "技术",
        "方式",
        "protocol",
        "transport",
        "technology",
        "method",
        "mechanism",
        "channel",
    ],
    "data": ["数据", "内容", "报文", "消息", "业务对象", "data", "payload", "content", "message", "object"],
    "frequency": ["频率", "频次", "周期", "时效", "frequency", "schedule", "timing", "trigger", "sla"],
    "direction": ["方向", "direction"],
    "owner": ["负责人", "责任人", "责任方", "owner", "responsible"],
    "name": ["接口名称", "名称", "name", "description", "说明"],
}
_ONE_WAY = re.compile(r"单向|one[- ]?way|uni-?directional|单", re.I)
_TWO_WAY = re.compile(r"双向|two[- ]?way|bi-?directional|双|↔|<->|⇄", re.I)
_ARROW = re.compile(
    r"^\s*(?P<a>→|->|-->|=>|⇒|➔|至|到|to)\s*$|^\s*(?P<b>↔|<->|<=>|⇄|⟷)\s*$|^\s*(?P<r>←|<-|<--)\s*$"
)
# Frequency as written: "every 5 min", "Batch every 5 min", "daily 02:00", "每 5 分钟批量", "实时", "event".
_FREQUENCY = re.compile(
    r"(?i:(?:batch\s+)?every\s+\d+\s*(?:s|sec|seconds?|min|minutes?|h|hours?)\b|(?:daily|nightly|hourly|weekly|monthly)"
    r"(?:\s+(?:at\s+)?\d{1,2}:\d{2})?|real[- ]time|near[- ]real[- ]time|on demand|event(?:-driven|-based)?\b"
    r"|within\s+\d+\s*(?:s|sec|seconds?|min|minutes?|h|hours?)\b|once\s+a\s+(?:day|week|month))"
    r"|每\s*\d*\s*(?:秒|分钟|小时|天|日|周|月)[^，,;；|]{0,12}|实时|准实时|事件触发|按需|定时[^，,;；|]{0,10}|\d+\s*(?:秒|分钟)内"
)
# Loose-prose direction cues, read from the words between two system names.
_TO_CUE = re.compile(
    r"(?:向|至|(?<![收得达做看遇提感受等])到|给|接入|回写|写入|推送|发送|下发|传输|同步|上传|上报|发布)\s*(?:the\s+)?$"
    r"|\b(?:to|into|reaches|reach)\s+(?:the\s+)?$",
    re.I,
)
_FROM_CUE = re.compile(r"(?:从|自|来自)\s*$|\b(?:from)\s+(?:the\s+)?$", re.I)
_BOTH_CUE = re.compile(r"(?:与|和|及|同)\s*$|\band\s+(?:the\s+)?$", re.I)
_BETWEEN_AFTER = re.compile(r"^\s*(?:之间|间|双向|互相|相互|exchange)", re.I)
_BETWEEN_BEFORE = re.compile(r"\bbetween\s+(?:the\s+)?$", re.I)
_PULL_VERB = re.compile(
    r"pull|read|fetch|retriev|receiv|quer|poll|import|consum|获取|拉取|读取|接收|查询|调用|订阅", re.I
)
_REPLACED = re.compile(
    r"(?:instead of|rather than|replac\w*|from|不再使用|不再|而非|而不是|替代|取代|原)\s*(?:the\s+)?$", re.I
)
_USES = re.compile(
    r"采用|使用|改用|改为|通过|经由|\b(?:uses?|using|via|over|through|switch(?:es|ed)? to|moves? to)\b", re.I
)
_TRANSFER = re.compile(
    r"同步|传输|发送|推送|下发|回传|回写|交换|对接|接口|调用|上传|上报|sync|send|push|pull|exchang|transfer|interface"
    r"|call|integrat|publish|consum|written back|writes? back",
    re.I,
)
_INTERFACE_WORD = re.compile(r"接口|对接|interface|integration|API\b|集成", re.I)
_OWNER_IN_TEXT = re.compile(r"(?:负责人|责任人|owner)\s*[:：]\s*(?P<o>[^，,;；。)\n]{2,30})", re.I)


@dataclass
class _Draft:
    id: str | None
    fields: dict[str, list[Observation]] = field(default_factory=dict)
    # (priority: 2 a table row, 1 a statement about the interface, 0 a loose mention; document rank)
    evidence: list[tuple[tuple[int, tuple[int, int, int]], Evidence]] = field(default_factory=list)
    mention_evidence: list[tuple[tuple[int, tuple[int, int, int]], Evidence]] = field(default_factory=list)
    order: int = 0

    def add(self, name: str, obs: Observation | None) -> None:
        if obs is not None and obs.value:
            self.fields.setdefault(name, []).append(obs)

    def best(self, name: str) -> Observation | None:
        return resolve(name, self.fields.get(name, []))[0]

    def keys(self) -> frozenset[str]:
        return frozenset(system_key(o.value) for n in ("source", "target") for o in self.fields.get(n, []))

    def protocol(self) -> str | None:
        best = self.best("protocol")
        return best.value if best else None


@dataclass
class _Catalogue:
    lexicon: Lexicon
    drafts: dict[str, _Draft] = field(default_factory=dict)  # by id (documents' ids, then generated)
    count: int = 0

    def get(self, iid: str) -> _Draft:
        if iid not in self.drafts:
            self.count += 1
            self.drafts[iid] = _Draft(iid, order=self.count)
        return self.drafts[iid]


def _obs(value: str | None, firm: bool, doc: Document, chunk: SourceChunk, span: Span) -> Observation | None:
    value = clean(value or "")
    return Observation(value, firm, doc.rank(chunk, span), chunk, span) if value else None


def _fill(
    draft: _Draft, values: dict[str, str | None], firm: bool, doc: Document, chunk: SourceChunk, span: Span
) -> None:
    for name, value in values.items():
        draft.add(name, _obs(value, firm, doc, chunk, span))


def _direction(cell: str, source: str | None, target: str | None) -> str | None:
    if not source or not target:
        return None
    if _TWO_WAY.search(cell):
        return f"{source}<->{target}"
    if _ONE_WAY.search(cell) or re.search(r"→|->", cell):
        return f"{source}->{target}"
    return None


def _valid_id(text: str) -> bool:
    return bool(ID.fullmatch(fold(text).strip()))


def _ids(text: str) -> list[re.Match[str]]:
    return list(ID.finditer(fold(text)))


# ---------------------------------------------------------------------------------------------- tables
def _is_interface_table(header: list[str] | None) -> bool:
    if not header:
        return False
    has = {name for name, words in _COLUMNS.items() if column(header, words) is not None}
    return {"source", "target"} <= has or ({"id", "protocol"} <= has and "接口" in "".join(header))


def _read_row(cat: _Catalogue, doc: Document, row: TableRow) -> None:
    header = row.header if _is_interface_table(row.header) else None
    raw = row.span.of(row.chunk.text)
    if header is None:
        # A header-less row, or a row of some other table: an interface only if it starts with an id and
        # names two systems or a protocol.
        first = row.cells[0] if row.cells else ""
        if not _valid_id(first):
            return
        systems = cat.lexicon.find(raw)
        protocols = find_protocols(raw)
        if len({s.key for s in systems}) < 2 and not protocols:
            return
        draft = cat.get(fold(first).strip())
        # Without a header the cells are read in the usual order: source, then target, then protocol.
        distinct = [s for i, s in enumerate(systems) if s.key not in {x.key for x in systems[:i]}]
        values = {
            "source": distinct[0].name if len(distinct) >= 2 else None,
            "target": distinct[1].name if len(distinct) >= 2 else None,
            "protocol": protocol_label(list(dict.fromkeys(p.family for p in protocols))),
        }
        _fill(draft, values, True, doc, row.chunk, row.span)
        draft.evidence.append(((2, doc.rank(row.chunk, row.span)), evidence(row.chunk, row.span)))
        return
    col = {name: column(header, words) for name, words in _COLUMNS.items()}
    # "目标系统" must not be read as the source column through "系统"; a column named for both is ambiguous.
    if col["source"] == col["target"]:
        return
    source, target = row.get(col["source"]), row.get(col["target"])
    id_cell = row.get(col["id"])
    iid = (
        fold(id_cell).strip()
        if id_cell and len(id_cell) <= 24 and not re.fullmatch(r"\d+", id_cell)
        else None
    )
    if not (source or target) and not iid:
        return
    for name in (source, target):
        if name:
            cat.lexicon.learn(name)
    draft = cat.get(iid) if iid else _unnamed(cat, source, target, row.get(col["protocol"]))
    protocol_cell = row.get(col["protocol"]) if col["protocol"] is not None else raw
    fams = list(dict.fromkeys(p.family for p in find_protocols(protocol_cell)))
    values = {
        "source": source,
        "target": target,
        "protocol": protocol_label(fams),
        "data": row.get(col["data"]) or row.get(col["name"]),
        "frequency": row.get(col["frequency"]),
        "owner": row.get(col["owner"]),
        "direction": _direction(row.get(col["direction"]), source, target),
    }
    _fill(draft, values, True, doc, row.chunk, row.span)
    draft.evidence.append(((2, doc.rank(row.chunk, row.span)), evidence(row.chunk, row.span)))


def _unnamed(cat: _Catalogue, source: str, target: str, protocol: str) -> _Draft:
    """The draft of a table row that has no id: one per (source, target, protocol)."""
    key = f"?{system_key(source)}>{system_key(target)}>{protocol_label(list(dict.fromkeys(p.family for p in find_protocols(protocol))))}"
    return cat.get(key)


# ---------------------------------------------------------------------------------------------- id-led lines
_ROW_STOP = re.compile(r"^\s*(?:[A-Z]{1,6}(?:-[A-Z]{2,8})*-\d{1,4}\b|#|\d+(?:\.\d+)*\s+[A-Z\u4e00-\u9fff])")


def _id_led_blocks(text: str) -> list[tuple[str, Span]]:
    """(id, span) of lines that start with an interface id, with the short lines a PDF wrapped its cells onto."""
    out = []
    all_lines = list(lines(text))
    for i, line in enumerate(all_lines):
        body = fold(line.of(text))
        m = ID.match(body.lstrip())
        if m is None or "|" in body:
            continue
        # A table row has no arrow and no sentence punctuation; prose starting with an id is read as prose.
        if re.search(r"->|→|⇒|=>|[;；。]|\.\s|\.$", body):
            continue
        end = line.end
        for nxt in all_lines[i + 1 : i + 6]:
            nbody = nxt.of(text)
            blank = "\n\n" in text[end : nxt.start]
            if (
                blank
                or _ROW_STOP.match(fold(nbody))
                or len(nbody) > 60
                or nbody.rstrip().endswith(("。", "."))
            ):
                break
            end = nxt.end
        out.append((m.group("id"), Span(line.start, end)))
    return out


def _read_id_led(cat: _Catalogue, doc: Document, chunk: SourceChunk, claimed: list[Span]) -> None:
    for iid, span in _id_led_blocks(chunk.text):
        raw = span.of(chunk.text)
        systems = cat.lexicon.find(raw)
        protocols = find_protocols(raw)
        keys = [s.key for s in systems]
        # A table row lists source and target before the protocol and has no sentence verbs between them.
        if len(set(keys)) < 2 or not protocols or protocols[0].span.start < systems[1].span.start:
            continue
        if re.search(r"\b(?:shall|must|should|will)\b|[应须]", raw):
            continue
        claimed.append(span)
        draft = cat.get(iid)
        src, tgt = systems[0], next(s for s in systems if s.key != systems[0].key)
        last_protocol = max(p.span.end for p in protocols if p.span.start < protocols[0].span.start + 40)
        rest = re.sub(r"^\s*\([^)]*\)", "", raw[last_protocol:])
        way = re.search(r"(?i)one[- ]?way|two[- ]?way|单向|双向|bi-?directional|uni-?directional", rest)
        freq = _FREQUENCY.search(fold(rest))
        data_end = min(x.start() for x in (freq, way) if x is not None) if (freq or way) else len(rest)
        freq_end = way.start() if way and freq and way.start() > freq.start() else len(rest)
        values = {
            "source": src.name,
            "target": tgt.name,
            "protocol": protocol_label(list(dict.fromkeys(p.family for p in protocols))),
            "data": rest[:data_end],
            "frequency": rest[freq.start() : freq_end] if freq else None,
            "direction": _direction(way.group(), src.name, tgt.name) if way else None,
        }
        _fill(draft, values, True, doc, chunk, span)
        draft.evidence.append(((2, doc.rank(chunk, span)), evidence(chunk, span)))


# ---------------------------------------------------------------------------------------------- prose
@dataclass(frozen=True)
class _Flow:
    source: SystemMention
    target: SystemMention
    both: bool
    firm: bool  # an arrow, not a verb


def _flows(text: str, systems: list[SystemMention]) -> list[_Flow]:
    """Source -> target pairs the words between consecutive system names state."""
    out = []
    distinct = [s for i, s in enumerate(systems) if i == 0 or s.key != systems[i - 1].key]
    for a, b in zip(distinct, distinct[1:], strict=False):
        if a.key == b.key:
            continue
        gap = text[a.span.end : b.span.start]
        before = text[max(0, a.span.start - 12) : a.span.start]
        after = text[b.span.end : b.span.end + 8]
        m = _ARROW.match(gap)
        if m and (m.group("a") in ("→", "->", "-->", "=>", "⇒", "➔") or m.group("b") or m.group("r")):
            if m.group("b"):
                out.append(_Flow(a, b, True, True))
            elif m.group("r"):
                out.append(_Flow(b, a, False, True))
            else:
                out.append(_Flow(a, b, False, True))
            continue
        if len(gap) > 60:
            continue
        if _BOTH_CUE.search(gap) and (_BETWEEN_AFTER.match(after) or _BETWEEN_BEFORE.search(before)):
            out.append(_Flow(a, b, True, False))
        elif _FROM_CUE.search(gap) and _PULL_VERB.search(gap):
            out.append(_Flow(b, a, False, False))
        elif _TO_CUE.search(gap):  # "A 向 B", "A sends ... to B", "from A to B"
            out.append(_Flow(a, b, False, False))
    return out


def _bind_content(
    draft: _Draft,
    doc: Document,
    chunk: SourceChunk,
    span: Span,
    raw: str,
    systems: list[SystemMention],
    protocols: list[ProtocolMention],
    *,
    firm: bool,
    owner_text: str | None = None,
) -> bool:
    """Bind what ``raw`` states to ``draft``; False when it states nothing about it (a bare mention)."""
    flows = _flows(raw, systems)
    if flows:
        f = flows[0]
        draft.add("source", _obs(f.source.name, f.firm or firm, doc, chunk, span))
        draft.add("target", _obs(f.target.name, f.firm or firm, doc, chunk, span))
        arrow = "<->" if f.both else "->"
        draft.add(
            "direction", _obs(f"{f.source.name}{arrow}{f.target.name}", f.firm or firm, doc, chunk, span)
        )
    fams = list(dict.fromkeys(p.family for p in protocols))
    draft.add("protocol", _obs(protocol_label(fams), firm, doc, chunk, span))
    if freq := _FREQUENCY.search(fold(raw)):
        draft.add("frequency", _obs(raw[freq.start() : freq.end()], False, doc, chunk, span))
    owner_in = owner_text if owner_text is not None else raw
    if owner := _OWNER_IN_TEXT.search(fold(owner_in)):
        draft.add("owner", _obs(owner_in[owner.start("o") : owner.end("o")], firm, doc, chunk, span))
    if not (flows or fams or len({s.key for s in systems}) >= 2):
        return False
    draft.evidence.append(
        ((0 if not firm and not flows else 1, doc.rank(chunk, span)), evidence(chunk, span))
    )
    return True


def _data_after_arrow(raw: str, flow: _Flow) -> str | None:
    """ "IF-01 ERP → MES production orders. REST ..." -> "production orders"."""
    m = re.match(r"\s*([^.。;；,，:：|()（）`*]{2,40})", raw[flow.target.span.end :])
    if m is None or find_protocols(m.group(1)):
        return None
    return m.group(1)


def _read_prose(cat: _Catalogue, doc: Document, chunk: SourceChunk, claimed: list[Span]) -> list[tuple]:
    """Lines naming one interface id are bound to it now; id-less statements are returned for later."""
    text = chunk.text
    loose: list[tuple] = []
    for line in lines(text):
        if "|" in line.of(text) or any(c.start <= line.start < c.end for c in claimed):
            continue
        body = line.of(text)
        ids = list(dict.fromkeys(m.group("id") for m in _ids(body)))
        if len(ids) == 1:
            iid = ids[0]
            systems = cat.lexicon.find(body)
            protocols = find_protocols(body)
            if iid.startswith(_WEAK_ID_PREFIX) and len({s.key for s in systems}) < 2 and not protocols:
                continue
            draft = cat.get(iid)
            head = sentences(text, line)
            focus = next(s for s in head if _ids(s.of(text))) if head else line
            flows = _flows(body, systems)
            if flows and flows[0].firm:
                data = _data_after_arrow(body, flows[0])
                draft.add("data", _obs(data, False, doc, chunk, line))
            span = _focus(text, line, focus)
            own = focus.of(text)
            replaced = [
                p for p in protocols if _REPLACED.search(fold(body[max(0, p.span.start - 14) : p.span.start]))
            ]
            protocols = [p for p in protocols if p not in replaced]
            # "INT-3 now uses REST instead of SOAP": what the id's own sentence says it uses is stated firmly.
            in_sentence = [p for p in protocols if focus.start <= line.start + p.span.start < focus.end]
            if in_sentence and _USES.search(fold(own)):
                label = protocol_label(list(dict.fromkeys(p.family for p in in_sentence)))
                draft.add("protocol", _obs(label, True, doc, chunk, focus))
            if not _bind_content(
                draft, doc, chunk, span, body, systems, protocols, firm=False, owner_text=own
            ):
                draft.mention_evidence.append(((0, doc.rank(chunk, focus)), evidence(chunk, focus)))
            continue
        for m in _ids(body):  # several ids on one line: each is mentioned, nothing bound
            iid = m.group("id")
            if iid.startswith(_WEAK_ID_PREFIX):
                continue
            draft = cat.get(iid)
            span = Span(line.start + m.start(), line.start + m.end())
            sent = next((s for s in sentences(text, line) if s.start <= span.start < s.end), line)
            draft.mention_evidence.append(((0, doc.rank(chunk, sent)), evidence(chunk, sent, span)))
        if ids:
            continue
        for sent in sentences(text, line):
            raw = sent.of(text)
            systems = cat.lexicon.find(raw)
            if len({s.key for s in systems}) < 2:
                continue
            loose.append((doc, chunk, sent, raw, systems, find_protocols(raw)))
    return loose


def _focus(text: str, line: Span, sentence: Span) -> Span:
    """An id'd paragraph is quoted from its id's sentence on, as far as the quote limit allows."""
    return Span(sentence.start, line.end)


def _read_loose(cat: _Catalogue, item: tuple) -> None:
    doc, chunk, sent, raw, systems, protocols = item
    flows = _flows(raw, systems)
    fams = list(dict.fromkeys(p.family for p in protocols))
    pair_sets: list[tuple[_Flow | None, frozenset[str]]]
    if flows:
        pair_sets = [(f, frozenset({f.source.key, f.target.key})) for f in flows]
    elif len({s.key for s in systems}) == 2:
        pair_sets = [(None, frozenset(s.key for s in systems))]
    else:
        return
    for flow, pair in pair_sets:
        matches = [d for d in cat.drafts.values() if d.keys() == pair]
        if fams:
            with_protocol = [
                d for d in matches if d.protocol() and same_protocol(d.protocol(), protocol_label(fams))
            ]
            matches = with_protocol or [d for d in matches if not d.protocol()]
        if len(matches) == 1 and (flow is not None or fams or _TRANSFER.search(raw)):
            draft = matches[0]
            if flow is not None:
                draft.add("source", _obs(flow.source.name, False, doc, chunk, sent))
                draft.add("target", _obs(flow.target.name, False, doc, chunk, sent))
            draft.add("protocol", _obs(protocol_label(fams), False, doc, chunk, sent))
            draft.evidence.append(((0, doc.rank(chunk, sent)), evidence(chunk, sent)))
            continue
        if matches or flow is None or not (fams or _INTERFACE_WORD.search(raw)):
            continue
        key = f"?{flow.source.key}>{flow.target.key}>{protocol_label(fams)}"
        draft = cat.get(key)
        _bind_content(draft, doc, chunk, sent, raw, [flow.source, flow.target], protocols, firm=False)


# ---------------------------------------------------------------------------------------------- assembly
_SAME = {
    "source": lambda a, b: system_key(a) == system_key(b),
    "target": lambda a, b: system_key(a) == system_key(b),
    "protocol": same_protocol,
    "direction": lambda a, b: (
        ("<->" in a) == ("<->" in b)
        and {system_key(x) for x in re.split(r"<->|->", a)} == {system_key(x) for x in re.split(r"<->|->", b)}
    ),
}
_MAX_EVIDENCE = 6


def read_interfaces(
    docs: Sequence[Document], lexicon: Lexicon
) -> tuple[list[Interface], list[Conflict], list[OpenQuestion]]:
    cat = _Catalogue(lexicon)
    for doc in docs:
        for row in table_rows(doc.chunks):
            _read_row(cat, doc, row)
    loose: list[tuple] = []
    for doc in docs:
        for chunk in doc.chunks:
            claimed: list[Span] = []
            _read_id_led(cat, doc, chunk, claimed)
            loose.extend(_read_prose(cat, doc, chunk, claimed))
    for item in loose:
        _read_loose(cat, item)
    return _assemble(cat)


def _assemble(cat: _Catalogue) -> tuple[list[Interface], list[Conflict], list[OpenQuestion]]:
    interfaces: list[Interface] = []
    conflicts: list[Conflict] = []
    questions: list[OpenQuestion] = []
    taken = {d.id for d in cat.drafts.values() if d.id and not d.id.startswith("?")}
    generated = 0
    for draft in sorted(cat.drafts.values(), key=lambda d: d.order):
        iid = draft.id or ""
        if iid.startswith("?"):
            generated += 1
            while f"{_GENERATED}{generated}" in taken:
                generated += 1
            iid = f"{_GENERATED}{generated}"
        values: dict[str, str | None] = {}
        for name in ("source", "target", "protocol", "data", "frequency", "direction", "owner"):
            chosen, conflict = resolve(
                f"interface {iid} {name}", draft.fields.get(name, []), _SAME.get(name, _loose)
            )
            values[name] = chosen.value if chosen else None
            if conflict is not None:
                conflicts.append(conflict)
        ev = _dedupe(draft.evidence) or _dedupe(draft.mention_evidence)
        if not ev:
            continue
        interfaces.append(
            Interface(
                id=iid,
                source=values["source"],
                target=values["target"],
                protocol=values["protocol"],
                data=values["data"],
                frequency=values["frequency"],
                direction=values["direction"],
                owner=values["owner"],
                evidence=ev[:_MAX_EVIDENCE],
            )
        )
        missing = [
            label
            for label, name in (
                ("source or target system", "source"),
                ("protocol", "protocol"),
                ("owner", "owner"),
            )
            if not values[name] or (name == "source" and not values["target"])
        ]
        if missing:
            questions.append(
                OpenQuestion(question=f"{iid}: the documents name no {', '.join(missing)}.", about=iid)
            )
    return interfaces, conflicts, questions


def _loose(a: str, b: str) -> bool:
    return True  # free text (data, frequency) differs by language and wording: the later one is used, no conflict


def _dedupe(items: list[tuple[tuple[int, tuple[int, int, int]], Evidence]]) -> list[Evidence]:
    """Table rows first, then statements, then mentions; latest first within each; one per (document, quote)."""
    seen: set[tuple[str, str]] = set()
    out: list[Evidence] = []
    for _, ev in sorted(items, key=lambda x: x[0], reverse=True):
        key = (ev.document_id, ev.quote)
        if key in seen or any(ev.document_id == o.document_id and ev.quote in o.quote for o in out):
            continue
        seen.add(key)
        out.append(ev)
    return out

"""Training (who is trained, on what, when) and hand-over (which documents go to whom).

A training item is a sentence or table row that names training and an audience (关键用户, 管理员, nurses, key
users ...), with its date when it gives one. Hand-over items are the documents a sentence says are handed
over (移交/交付/hand over + 手册, 文档, 清单, manual, runbook ...) and the deliverables of a training or
hand-over phase. Staff hand-overs between people (何志远's 知识交接) name no document and are not items.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.plans.extract.dates import find_dates
from assistant.plans.extract.documents import Document
from assistant.plans.extract.phases import phase_kind
from assistant.plans.extract.spans import clean, evidence, fold, lines, sentences
from assistant.plans.facts import Handover, Phase, Training

_TRAINING = re.compile(r"培训|(?i:\btrain(?:ing|ed)?\b|train-the-trainer|workshops? for)")
_AUDIENCE = re.compile(
    r"关键用户|最终用户|终端用户|业务用户|系统管理员|管理员|运维人员|运维团队|IT\s*人员|医护人员|护士|医生|窗口人员|司机|调度员|仓管员|库管员"
    r"|计划员|操作员|班组长|车间主任|财务人员|内部讲师|讲师"
    r"|(?i:key[- ]users?|end[- ]users?|super[- ]users?|power users?|administrators?|admins?|operations staff|ops team|IT staff"
    r"|support staff|help ?desk|nurses?|physicians?|doctors?|clinicians?|drivers?|dispatchers?|planners?|operators?"
    r"|warehouse staff|store managers?|cashiers?|trainers?|case workers?|clerks?)"
)
_HANDOVER = re.compile(r"移交|交付|(?i:hand(?:ed|s)?[- ]?over|handover|turn(?:ed)? over|deliver(?:ed|s)? to)")
_DOCUMENT = re.compile(
    r"[\u4e00-\u9fffA-Za-z]{0,8}(?:手册|文档|清单|源代码|源码|记录|报告|说明书|账号|台账)"
    r"|(?i:(?:[A-Za-z-]+\s){0,3}(?:manuals?|documentation|runbooks?|source code|credentials|handover lists?|reports?|guides?|records?))"
)
_TO = re.compile(
    r"(?:移交给|移交至|交付给|交给)\s*(?P<t>[^，,；;。]{2,20})|(?i:hand(?:ed)?[- ]?over to\s+(?:the\s+)?(?P<e>[^,;.]{2,40}))"
)


def read_training(docs: Sequence[Document], phases: Sequence[Phase]) -> tuple[list[Training], list[Handover]]:
    training: list[Training] = []
    handover: list[Handover] = []
    seen_training: set[tuple[str, str | None]] = set()
    seen_docs: set[str] = set()
    for doc in docs:
        for chunk in doc.chunks:
            text = chunk.text
            for line in lines(text):
                for sent in sentences(text, line):
                    raw = fold(sent.of(text))
                    if _TRAINING.search(raw) and (aud := _AUDIENCE.search(raw)):
                        audience = sent.of(text)[aud.start() : aud.end()]
                        dates = [
                            d
                            for d in find_dates(sent.of(text), ref=doc.doc_date, default_year=doc.year)
                            if d.is_day
                        ]
                        key = (audience.casefold(), dates[0].start.isoformat() if dates else None)
                        if key not in seen_training:
                            seen_training.add(key)
                            training.append(
                                Training(
                                    audience=audience,
                                    content=clean(sent.of(text))[:200],
                                    date=dates[0].start if dates else None,
                                    evidence=[evidence(chunk, sent, None)],
                                )
                            )
                    if _HANDOVER.search(raw):
                        to = _TO.search(raw)
                        receiver = (
                            clean((to.group("t") or to.group("e") or to.group("g")) if to else "") or None
                        )
                        for m in _DOCUMENT.finditer(raw):
                            # "移交运维手册和接口文档": the document is what follows the verb or the conjunction.
                            name = clean(
                                re.split(r"移交|交付|和|及|与|、|的|后", sent.of(text)[m.start() : m.end()])[
                                    -1
                                ]
                            )
                            if len(name) < 2 or name.casefold() in seen_docs:
                                continue
                            seen_docs.add(name.casefold())
                            handover.append(
                                Handover(document=name, to=receiver, evidence=[evidence(chunk, sent)])
                            )
    for phase in phases:
        kind = phase_kind(phase.name) or ""
        if kind != "training" or not phase.evidence:
            continue
        for item in phase.deliverables:
            if (
                item.casefold() in seen_docs
                or _TRAINING.search(fold(item))
                and not _HANDOVER.search(fold(item))
            ):
                continue
            stated = next((e for e in phase.evidence if item in e.quote), None)
            if stated is None:
                continue
            seen_docs.add(item.casefold())
            handover.append(Handover(document=item, evidence=[stated]))
    return training, handover

"""Open questions code can ask: what the documents leave unsaid about the plan's own items.

Each is a gap the plan shows (no date for a milestone, no owner for an interface, no rollback trigger), asked
in the plan's language. The model may add others; these never depend on it.
"""

from __future__ import annotations

from assistant.plans.facts import OpenQuestion, PlanContent

NO_DOCUMENTS = "documents"
# One sentence per gap, per language; {placeholders} name the item.
TEXT: dict[str, dict[str, str]] = {
    "en": {
        "no_documents": "The project has no indexed documents: which minutes, e-mails and specifications "
        "describe the systems, interfaces, schedule and cut-over?",
        "no_interfaces": "The documents name no interface: which systems exchange which data, by what "
        "protocol, how often and in which direction?",
        "no_systems": "The documents name no system: which systems does the integration join, and who owns "
        "each?",
        "no_phases": "The documents give no phases or milestones: what is the schedule from kick-off to "
        "acceptance?",
        "interface_owner": "Who owns interface {id} ({route})?",
        "interface_protocol": "By what protocol does interface {id} ({route}) exchange its data?",
        "interface_frequency": "How often does interface {id} ({route}) run (real time, every N minutes, "
        "daily batch)?",
        "interface_ends": "Which systems does interface {id} join (source and target)?",
        "phase_dates": "When does phase '{name}' start and end?",
        "milestone_date": "What is the date of milestone '{name}'?",
        "no_stages": "The documents give no gray-release or cut-over stages: in what steps, with which scope "
        "and dates, does the new integration go live?",
        "no_triggers": "The documents give no rollback trigger: which measured thresholds (error rate, "
        "delay, backlog) stop the cut-over and roll back?",
        "no_procedure": "The documents give no rollback procedure: who rolls back, in what steps, within what "
        "time?",
        "no_training": "The documents plan no training: which users and administrators are trained, on "
        "what, and when?",
        "no_handover": "The documents list nothing to hand over: which documents and artefacts go to "
        "operations at acceptance?",
        "conflict": "The documents disagree on {field}; the plan uses the later value '{chosen}'. Is that "
        "right?",
    },
    "zh": {
        "no_documents": "项目尚无已索引的文档：哪些会议纪要、邮件和需求规格说明了系统、接口、进度和上线切换？",
        "no_interfaces": "文档未提及任何接口：哪些系统之间交换什么数据，采用何种协议、频率和方向？",
        "no_systems": "文档未提及任何系统：本次集成涉及哪些系统，各由谁负责？",
        "no_phases": "文档未给出阶段或里程碑：从立项到验收的进度计划是什么？",
        "interface_owner": "接口 {id}（{route}）由谁负责？",
        "interface_protocol": "接口 {id}（{route}）采用什么协议交换数据？",
        "interface_frequency": "接口 {id}（{route}）的频率是什么（实时、每N分钟、每日批量）？",
        "interface_ends": "接口 {id} 连接哪两个系统（源系统和目标系统）？",
        "phase_dates": "阶段“{name}”的起止日期是什么？",
        "milestone_date": "里程碑“{name}”的日期是哪天？",
        "no_stages": "文档未给出灰度发布或切换阶段：新集成分几步上线，各步的范围和日期是什么？",
        "no_triggers": "文档未给出回滚触发条件：哪些可度量的阈值（错误率、延迟、积压）会终止切换并回滚？",
        "no_procedure": "文档未给出回滚步骤：由谁回滚，分哪些步骤，在多长时间内完成？",
        "no_training": "文档未安排培训：哪些业务用户和管理员需要培训，培训什么内容，何时进行？",
        "no_handover": "文档未列出移交内容：验收时向运维移交哪些文档和成果物？",
        "conflict": "文档对“{field}”的说法不一致，计划采用较晚文档的值“{chosen}”，是否正确？",
    },
}


def _ask(language: str, key: str, about: str | None = None, **values: object) -> OpenQuestion:
    template = TEXT.get(language, TEXT["en"])[key]
    return OpenQuestion(question=template.format(**values), about=about)


def gaps(content: PlanContent, *, language: str, has_documents: bool) -> list[OpenQuestion]:
    """The questions the plan's own gaps raise, in the order a reader meets them."""
    if not has_documents:
        return [_ask(language, "no_documents", NO_DOCUMENTS)]
    out: list[OpenQuestion] = []
    if not content.systems:
        out.append(_ask(language, "no_systems", "systems"))
    if not content.interfaces:
        out.append(_ask(language, "no_interfaces", "interfaces"))
    for iface in content.interfaces:
        route = f"{iface.source or '?'} -> {iface.target or '?'}"
        if not (iface.source and iface.target):
            out.append(_ask(language, "interface_ends", iface.id, id=iface.id))
        if not iface.protocol:
            out.append(_ask(language, "interface_protocol", iface.id, id=iface.id, route=route))
        if not iface.frequency:
            out.append(_ask(language, "interface_frequency", iface.id, id=iface.id, route=route))
        if not iface.owner:
            out.append(_ask(language, "interface_owner", iface.id, id=iface.id, route=route))
    if not content.phases and not content.milestones:
        out.append(_ask(language, "no_phases", "phases"))
    for phase in content.phases:
        if not (phase.start or phase.end) and not any(m.date for m in phase.milestones):
            out.append(_ask(language, "phase_dates", phase.name, name=phase.name))
        for milestone in phase.milestones:
            if milestone.date is None:
                out.append(_ask(language, "milestone_date", milestone.name, name=milestone.name))
    for milestone in content.milestones:
        if milestone.date is None:
            out.append(_ask(language, "milestone_date", milestone.name, name=milestone.name))
    cutover = content.cutover
    if not cutover.stages:
        out.append(_ask(language, "no_stages", "cutover"))
    if not cutover.rollback_triggers:
        out.append(_ask(language, "no_triggers", "rollback"))
    if not cutover.rollback_procedure or cutover.rollback_procedure_proposed:
        out.append(_ask(language, "no_procedure", "rollback"))
    if not content.training:
        out.append(_ask(language, "no_training", "training"))
    if not content.handover:
        out.append(_ask(language, "no_handover", "handover"))
    for conflict in content.conflicts:
        out.append(_ask(language, "conflict", conflict.field, field=conflict.field, chosen=conflict.chosen))
    return out


def not_asked(reader: list[OpenQuestion], ours: list[OpenQuestion]) -> list[OpenQuestion]:
    """The reader's questions (assistant/plans/extract) about items ours do not already ask about: ours are
    in the plan's language and read the final plan, the reader's are finer where ours are silent (a phase
    with a start but no end, a rollback without a time limit). Without documents there is nothing else to
    ask."""
    if any(q.about == NO_DOCUMENTS for q in ours):
        return []
    asked = {q.about for q in ours if q.about}
    return [q for q in reader if q.about not in asked]


def merged(*groups: list[OpenQuestion]) -> list[OpenQuestion]:
    """The questions of every group, each once (same wording, ignoring case and spaces)."""
    seen: set[str] = set()
    out: list[OpenQuestion] = []
    for group in groups:
        for q in group:
            key = "".join(q.question.lower().split())
            if key and key not in seen:
                seen.add(key)
                out.append(q)
    return out

"""The test strategy, built by code from the interfaces and requirements: at least one integration test per
interface, unit tests of the adapters, UAT over the functional requirements, and a performance and a security
test per requirement of that class. Acceptance criteria are the requirements' own statements; where no
requirement speaks to a test, the model proposes them (drafting.py). Every test is a proposal of the
assistant: the documents state requirements, not the plan's tests.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.plans.facts import Interface, PlanRequirement, TestItem, TestLevel

TITLES: dict[str, dict[str, str]] = {
    "en": {
        "integration": "{id}: {route}{data}{protocol} end-to-end exchange",
        "unit": "Interface adapters: mapping, validation and error handling",
        "uat": "User acceptance of the business requirements",
        "uat_interfaces": "User acceptance of the integrated business flows",
        "performance": "Performance: {req}",
        "performance_interfaces": "Performance of the interfaces under peak load",
        "security": "Security: {req}",
        "security_interfaces": "Security of the interfaces: authentication, authorisation, transport",
        "integration_acceptance": "Every {data} message sent from {source} to {target}{protocol}{frequency} "
        "arrives complete and unchanged; a failed message is retried or reported.",
        "data": "data",
    },
    "zh": {
        "integration": "{id} {route}{data}{protocol}接口联调测试",
        "unit": "接口适配器单元测试：字段映射、校验与异常处理",
        "uat": "业务需求用户验收测试（UAT）",
        "uat_interfaces": "集成业务流程用户验收测试（UAT）",
        "performance": "性能测试：{req}",
        "performance_interfaces": "接口峰值负载性能测试",
        "security": "安全测试：{req}",
        "security_interfaces": "接口安全测试：认证、授权与传输加密",
        "integration_acceptance": "{source}发往{target}的每条{data}{protocol}{frequency}完整、准确地到达目标系统；"
        "失败的报文可重试或告警。",
        "data": "数据",
    },
}
# Requirements quoted in full in one acceptance field; the rest are named by id (the plan lists them all).
MAX_QUOTED = 8
MAX_TITLE_REQ = 40


def _words(language: str) -> dict[str, str]:
    return TITLES.get(language, TITLES["en"])


def mentions(text: str, name: str | None) -> bool:
    """``name`` (a system, an interface id) occurs in ``text`` as a word, not inside a longer one."""
    if not name or not name.strip():
        return False
    name = name.strip()
    if re.search(r"[\u4e00-\u9fff]", name):  # Chinese has no word boundaries: a substring is a mention
        return name in text
    return re.search(rf"(?<![A-Za-z0-9]){re.escape(name)}(?![A-Za-z0-9])", text, re.IGNORECASE) is not None


def requirements_of(iface: Interface, requirements: Sequence[PlanRequirement]) -> list[PlanRequirement]:
    """Requirements that speak of the interface: by its id, or by both the systems it joins."""
    return [
        r
        for r in requirements
        if mentions(r.text, iface.id)
        or mentions(r.requirement_id, iface.id)
        or (mentions(r.text, iface.source) and mentions(r.text, iface.target))
    ]


def acceptance_from(requirements: Sequence[PlanRequirement]) -> str | None:
    """The requirements' own statements, each with its id: what the test must show holds."""
    if not requirements:
        return None
    lines = [f"{r.requirement_id}: {r.text}" for r in requirements[:MAX_QUOTED]]
    rest = [r.requirement_id for r in requirements[MAX_QUOTED:]]
    if rest:
        lines.append("+ " + ", ".join(rest))
    return "\n".join(lines)


def _integration_title(iface: Interface, language: str) -> str:
    arrow = "→" if language == "zh" else " -> "
    route = f"{iface.source or '?'}{arrow}{iface.target or '?'}" if iface.source or iface.target else ""
    data = f" {iface.data}" if iface.data else ""
    if language == "zh":
        protocol = f"（{iface.protocol}）" if iface.protocol else ""
    else:
        protocol = f" via {iface.protocol}" if iface.protocol else ""
    return _words(language)["integration"].format(id=iface.id, route=route, data=data, protocol=protocol)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_TITLE_REQ else text[: MAX_TITLE_REQ - 1] + "…"


def fallback_acceptance(test: TestItem, interfaces: Sequence[Interface], language: str) -> str | None:
    """Acceptance for an integration test nobody wrote criteria for, from what its interface states."""
    iface = next((i for i in interfaces if test.interfaces and i.id == test.interfaces[0]), None)
    if test.level is not TestLevel.integration or iface is None:
        return None
    words = _words(language)
    if language == "zh":
        protocol = f"（{iface.protocol}）" if iface.protocol else ""
        frequency = f"，{iface.frequency}" if iface.frequency else ""
    else:
        protocol = f" via {iface.protocol}" if iface.protocol else ""
        frequency = f", {iface.frequency}" if iface.frequency else ""
    return words["integration_acceptance"].format(
        data=iface.data or words["data"],
        source=iface.source or "?",
        target=iface.target or "?",
        protocol=protocol,
        frequency=frequency,
    )


def build(
    interfaces: Sequence[Interface], requirements: Sequence[PlanRequirement], *, language: str
) -> list[TestItem]:
    words = _words(language)
    interface_ids = [i.id for i in interfaces]
    tests: list[TestItem] = []
    if interfaces:
        tests.append(
            TestItem(
                id="UT-01",
                level=TestLevel.unit,
                title=words["unit"],
                interfaces=interface_ids,
                proposed=True,
            )
        )
    for iface in interfaces:
        linked = requirements_of(iface, requirements)
        tests.append(
            TestItem(
                id=f"IT-{iface.id}",
                level=TestLevel.integration,
                title=_integration_title(iface, language),
                requirements=[r.requirement_id for r in linked],
                interfaces=[iface.id],
                acceptance=acceptance_from(linked),
                proposed=True,
            )
        )
    functional = [r for r in requirements if r.kind != "non_functional"]
    if functional or interfaces:
        tests.append(
            TestItem(
                id="UAT-01",
                level=TestLevel.uat,
                title=words["uat"] if functional else words["uat_interfaces"],
                requirements=[r.requirement_id for r in functional],
                interfaces=interface_ids,
                acceptance=acceptance_from(functional),
                proposed=True,
            )
        )
    for level, prefix in ((TestLevel.performance, "PT"), (TestLevel.security, "ST")):
        own = [r for r in requirements if r.quality_class == level.value]
        for n, req in enumerate(own, 1):
            tests.append(
                TestItem(
                    id=f"{prefix}-{n:02d}",
                    level=level,
                    title=words[level.value].format(req=req.requirement_id + " " + _short(req.text)),
                    requirements=[req.requirement_id],
                    interfaces=[i.id for i in interfaces if requirements_of(i, [req])],
                    acceptance=acceptance_from([req]),
                    proposed=True,
                )
            )
        if not own and interfaces:
            tests.append(
                TestItem(
                    id=f"{prefix}-01",
                    level=level,
                    title=words[f"{level.value}_interfaces"],
                    interfaces=interface_ids,
                    proposed=True,
                )
            )
    return tests

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
        "performance": "System performance: response times, throughput and capacity",
        "performance_interface": "Performance of {id} {route}",
        "performance_interfaces": "Performance of the interfaces under peak load",
        "security": "System security: access control, encryption and audit",
        "security_interface": "Security of {id} {route}",
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
        "performance": "系统性能测试：响应时间、吞吐量与容量",
        "performance_interface": "{id} {route} 接口性能测试",
        "performance_interfaces": "接口峰值负载性能测试",
        "security": "系统安全测试：访问控制、加密与审计",
        "security_interface": "{id} {route} 接口安全测试",
        "security_interfaces": "接口安全测试：认证、授权与传输加密",
        "integration_acceptance": "{source}发往{target}的每条{data}{protocol}{frequency}完整、准确地到达目标系统；"
        "失败的报文可重试或告警。",
        "data": "数据",
    },
}
# Requirements quoted in full in one acceptance field; the rest are named by id (the plan lists them all).
MAX_QUOTED = 8


def _words(language: str) -> dict[str, str]:
    return TITLES.get(language, TITLES["en"])


def _where(text: str, name: str | None) -> int:
    """Where ``name`` (a system, an interface id, a protocol) first occurs in ``text`` as a word, not inside a
    longer one; -1 when it does not."""
    if not name or not name.strip():
        return -1
    name = name.strip()
    if re.search(r"[\u4e00-\u9fff]", name):  # Chinese has no word boundaries: a substring is a mention
        return text.find(name)
    found = re.search(rf"(?<![A-Za-z0-9]){re.escape(name)}(?![A-Za-z0-9])", text, re.IGNORECASE)
    return found.start() if found else -1


def mentions(text: str, name: str | None) -> bool:
    return _where(text, name) >= 0


def _terms(value: str | None) -> list[str]:
    """The words of a protocol or data field ("REST/JSON (HTTPS)", "库存变动、库存余额") worth looking for."""
    return [t for t in re.split(r"[\s/、,，;；()（）]+", value or "") if len(t) >= 2]


def requirements_of(iface: Interface, requirements: Sequence[PlanRequirement]) -> list[PlanRequirement]:
    """Requirements that speak of the interface: by its id, or by both the systems it joins, named in the
    direction it runs or together with its protocol or data. Both systems alone are not enough: most
    requirements of an ERP-MES project name both."""
    out = []
    for r in requirements:
        source, target = _where(r.text, iface.source), _where(r.text, iface.target)
        both = source >= 0 and target >= 0
        along = both and (
            source < target or any(mentions(r.text, t) for t in _terms(iface.protocol) + _terms(iface.data))
        )
        if mentions(r.text, iface.id) or along:
            out.append(r)
    return out


def acceptance_from(requirements: Sequence[PlanRequirement]) -> str | None:
    """The requirements' own statements, each with its id: what the test must show holds."""
    if not requirements:
        return None
    lines = [f"{r.requirement_id}: {r.text}" for r in requirements[:MAX_QUOTED]]
    rest = [r.requirement_id for r in requirements[MAX_QUOTED:]]
    if rest:
        lines.append("+ " + ", ".join(rest))
    return "\n".join(lines)


def _route(iface: Interface, language: str) -> str:
    arrow = "→" if language == "zh" else " -> "
    return f"{iface.source or '?'}{arrow}{iface.target or '?'}" if iface.source or iface.target else ""


def _integration_title(iface: Interface, language: str) -> str:
    route = _route(iface, language)
    data = f" {iface.data}" if iface.data else ""
    if language == "zh":
        protocol = f"（{iface.protocol}）" if iface.protocol else ""
    else:
        protocol = f" via {iface.protocol}" if iface.protocol else ""
    return _words(language)["integration"].format(id=iface.id, route=route, data=data, protocol=protocol)


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
    # A catalogue row the requirement store read as a statement ("IF-01 ERP MES REST ...") is the interface,
    # not a requirement about it: tying it to tests would only repeat the catalogue.
    ids = {i.id.casefold() for i in interfaces}
    requirements = [r for r in requirements if r.requirement_id.casefold() not in ids]
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
        tests.extend(_quality_tests(level, prefix, interfaces, requirements, language))
    return tests


def _quality_tests(
    level: TestLevel,
    prefix: str,
    interfaces: Sequence[Interface],
    requirements: Sequence[PlanRequirement],
    language: str,
) -> list[TestItem]:
    """A performance (or security) test per interface its requirements speak of, and one for the system
    covering the rest; without any such requirement, one over the interfaces for the model to fill."""
    words = _words(language)
    own = [r for r in requirements if r.quality_class == level.value]
    out: list[TestItem] = []
    placed: set[str] = set()
    for iface in interfaces:
        linked = requirements_of(iface, own)
        if not linked:
            continue
        placed.update(r.requirement_id for r in linked)
        out.append(
            TestItem(
                id=f"{prefix}-{iface.id}",
                level=level,
                title=words[f"{level.value}_interface"].format(id=iface.id, route=_route(iface, language)),
                requirements=[r.requirement_id for r in linked],
                interfaces=[iface.id],
                acceptance=acceptance_from(linked),
                proposed=True,
            )
        )
    rest = [r for r in own if r.requirement_id not in placed]
    if rest or (not own and interfaces):
        out.append(
            TestItem(
                id=f"{prefix}-01",
                level=level,
                title=words[level.value] if rest else words[f"{level.value}_interfaces"],
                requirements=[r.requirement_id for r in rest],
                interfaces=[] if rest else [i.id for i in interfaces],
                acceptance=acceptance_from(rest),
                proposed=True,
            )
        )
    return out

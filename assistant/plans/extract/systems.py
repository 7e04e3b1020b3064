"""The one home of system names: the kinds of systems integration projects join, in Chinese and English.

A system is found by its acronym as written (ERP, MES, HIS, TMS ...; "the rest" is not REST, "his" is not HIS),
by its Chinese or English full name (医院信息系统, warehouse management system), or by a name the project's own
interface tables use as a source or target ("PLC 网关", "Billing gateway"): ``Lexicon.learn`` adds those. Each
mention carries a key, so "PLC 网关", "PLC gateway" and "PLCs" are one system. Integration middleware (ESB,
an integration platform) is a channel, not an endpoint: protocols.py names it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.plans.extract.spans import Span, clean, fold

# key -> full names that stand for it (any case; Chinese as written)
_KNOWN: dict[str, list[str]] = {
    "ERP": ["enterprise resource planning", "企业资源计划", "SAP S/4HANA", "SAP ECC"],
    "MES": ["manufacturing execution system", "制造执行系统"],
    "WMS": ["warehouse management system", "仓储管理系统", "仓库管理系统"],
    "WCS": ["warehouse control system", "仓储控制系统"],
    "TMS": ["transport management system", "transportation management system", "运输管理系统"],
    "OMS": ["order management system", "订单管理系统"],
    "YMS": ["yard management system", "园区管理系统"],
    "CRM": ["customer relationship management", "客户关系管理系统"],
    "SRM": ["supplier relationship management", "供应商关系管理系统"],
    "SCM": ["supply chain management system", "供应链管理系统"],
    "PLM": ["product lifecycle management", "产品生命周期管理系统"],
    "PDM": ["product data management", "产品数据管理系统"],
    "APS": ["advanced planning and scheduling", "高级计划排程系统"],
    "QMS": ["quality management system", "质量管理系统"],
    "EAM": ["enterprise asset management", "设备资产管理系统"],
    "LIMS": ["laboratory information management system", "实验室信息管理系统"],
    "HRM": ["human resources system", "人力资源系统", "HR system", "eHR", "HCM"],
    "OA": ["office automation", "办公自动化系统", "协同办公系统", "OA 审批流", "OA审批流"],
    "BPM": ["business process management", "流程管理平台"],
    "BI": ["business intelligence", "商业智能", "数据仓库", "data warehouse"],
    "POS": ["point of sale", "收银系统"],
    "PLC": ["programmable logic controller"],
    "SCADA": ["SCADA"],
    "DCS": ["distributed control system"],
    "HIS": ["hospital information system", "医院信息系统"],
    "LIS": ["laboratory information system", "检验信息系统", "检验系统"],
    "PACS": ["picture archiving and communication system", "影像归档和通信系统", "影像系统"],
    "RIS": ["radiology information system", "放射信息系统"],
    "EMR": ["electronic medical record", "电子病历系统", "电子病历", "EHR"],
    "CIS": ["clinical information system", "临床信息系统"],
    "NIS": ["nursing information system", "护理信息系统"],
    "HRP": ["hospital resource planning", "医院资源规划系统"],
    "医保": ["医保平台", "医保结算平台", "medical insurance platform"],
    "FMS": ["finance system", "financial system", "财务系统", "总账系统", "general ledger"],
    "IAM": ["identity and access management", "统一身份认证", "统一身份认证平台", "SSO"],
    "GIS": ["geographic information system", "地理信息系统"],
    "CMS": ["content management system", "内容管理系统"],
    "DMS": ["document management system", "文档管理系统"],
    "BMS": ["building management system", "楼宇管理系统"],
    "IoT": ["IoT platform", "物联网平台"],
    "EDW": ["enterprise data warehouse"],
    "政务服务平台": ["政务服务网", "一网通办平台", "一网通办"],
    "电子证照库": ["电子证照系统", "electronic licence library"],
    "数据共享交换平台": ["共享交换平台", "data sharing and exchange platform"],
    "统一支付平台": ["支付平台", "payment platform", "payment gateway"],
    "门户": ["portal", "门户网站", "web portal"],
    "短信平台": ["SMS gateway", "短信网关"],
    "App": ["mobile app", "移动端", "小程序", "APP"],
}
# A role word after a name belongs to it: "PLC 网关", "ERP server", "LIS 系统".
_ROLE = (
    r"(?:\s*(?:gateway|网关|server|服务器|broker|client|客户端|platform|平台|system|系统|module|模块|端))?"
)


# A Chinese name that calls itself a system or platform ("区域健康平台", "排队叫号系统"), unless it starts with a
# pointer or a generic word ("本系统", "该平台", "现有系统", "业务系统").
_NAMED_PLATFORM = re.compile(r"(?:平台|系统)")
_LEADING = set("向给至到与和及从在由将对把经通过的了是于需还并且或")
_GENERIC_START = re.compile(
    r"本|该|此|各|新|原|旧|整个|现有|两个|多个|所有|业务|相关|其他|其它|上述|以上|下述|目标|源|对方|系统|平台"
)


def system_key(name: str) -> str:
    """The key two spellings of one system share ("PLC 网关", "PLC gateway", "PLCs" -> "PLC")."""
    folded = fold(name)
    for key, names in _KNOWN.items():
        if _acronym(key).search(folded) or any(n.lower() in folded.lower() for n in names):
            return key
    return re.sub(r"[\s_\-()（）]+", "", folded).lower()


def _acronym(key: str) -> re.Pattern[str]:
    # Acronyms as written, optionally plural ("PLCs"); not inside a longer word, host name or path.
    if re.fullmatch(r"[A-Za-z]+", key):
        return re.compile(rf"(?<![A-Za-z0-9_\-./]){re.escape(key)}s?(?![A-Za-z0-9_]|[-.][A-Za-z0-9])")
    return re.compile(re.escape(key))


@dataclass(frozen=True)
class SystemMention:
    key: str
    name: str
    span: Span


@dataclass
class Lexicon:
    """The known systems plus the names this project's interface tables use."""

    learned: dict[str, str] = field(default_factory=dict)  # name as written -> key

    def learn(self, name: str) -> str | None:
        name = clean(name)
        if not name or len(name) > 40 or re.fullmatch(r"[\d\W]+", name):
            return None
        key = system_key(name)
        self.learned.setdefault(name, key)
        return key

    def find(self, text: str) -> list[SystemMention]:
        folded = fold(text)
        found: list[SystemMention] = []
        for name, key in self.learned.items():
            for m in re.finditer(re.escape(fold(name)), folded):
                found.append(SystemMention(key, text[m.start() : m.end()], Span(m.start(), m.end())))
        for key, names in _KNOWN.items():
            for m in re.finditer(_acronym(key).pattern + _ROLE, folded):
                found.append(SystemMention(key, text[m.start() : m.end()].strip(), Span(m.start(), m.end())))
            for n in names:
                for m in re.finditer(re.escape(n), folded, re.IGNORECASE):
                    found.append(SystemMention(key, text[m.start() : m.end()], Span(m.start(), m.end())))
        for m in _NAMED_PLATFORM.finditer(folded):
            # Chinese glues a name to the word before it ("接口向区域健康平台"): the name runs back from its
            # suffix to the first function word.
            start = m.start()
            while (
                start > 0 and "\u4e00" <= folded[start - 1] <= "\u9fff" and folded[start - 1] not in _LEADING
            ):
                start -= 1
            start = max(start, m.start() - 8)
            name = text[start : m.end()]
            if m.end() - start >= 4 and not _GENERIC_START.match(name):
                found.append(SystemMention(system_key(name), name, Span(start, m.end())))
        found.sort(key=lambda s: (s.span.start, -(s.span.end - s.span.start)))
        out: list[SystemMention] = []
        for s in found:
            if out and s.span.start < out[-1].span.end:
                continue
            out.append(s)
        return out


# "MES：制造执行系统，本项目新建，产品为 Werkwelt Systems GmbH 的 WerkOS MES。" / "TMS - transport management ..."
_GLOSSARY = re.compile(
    r"^\s*(?:[-*•]\s*)?(?P<name>[A-Za-z][\w ]{0,20}?|[\u4e00-\u9fff]{2,12})\s*[：:]\s*(?P<body>.+)$"
)
_VENDOR = [
    re.compile(r"产品为\s*(?P<v>[^，,；;。]+?)\s*的"),
    re.compile(r"(?:由|供应商为|厂商为)\s*(?P<v>[^，,；;。]{2,40}?)\s*(?:提供|供应|承建|开发)"),
    re.compile(
        r"(?:supplied|provided|delivered|built|developed)\s+by\s+(?P<v>[A-Z][\w&.\- ]{1,60}?)(?=\s*(?:[,;(]|\.(?:\s|$)|$))"
    ),
    re.compile(r"vendor\s*(?:is|:)\s*(?P<v>[A-Z][\w&.\- ]{1,60}?)(?=\s*(?:[,;(]|\.(?:\s|$)|$))"),
]
# "Werkwelt Systems GmbH（MES 供应商，德国）", "CubeStore Software (WMS vendor)"
_VENDOR_OF = re.compile(
    r"(?P<v>[A-Za-z\u4e00-\u9fff][\w\u4e00-\u9fff&.\- ]{1,60}?)\s*[（(]\s*(?P<sys>[A-Za-z]{2,6})\s*(?:供应商|厂商|vendor|supplier)"
)


def glossary_entry(line: str) -> tuple[str, str] | None:
    """(name, definition) of a glossary line that defines a system, or None."""
    m = _GLOSSARY.match(fold(line))
    if m is None:
        return None
    return line[m.start("name") : m.end("name")].strip(), line[m.start("body") : m.end("body")].strip()


def role_of(definition: str) -> str:
    """The first clause of a definition: "制造执行系统，本项目新建，…" -> "制造执行系统"."""
    return clean(re.split(r"[，,；;。(（]", definition, maxsplit=1)[0])[:80]


def vendor_in(text: str) -> tuple[str, Span] | None:
    folded = fold(text)
    for pattern in _VENDOR:
        if m := pattern.search(folded):
            return clean(text[m.start("v") : m.end("v")]), Span(m.start(), m.end())
    return None


def vendors_of_systems(text: str) -> list[tuple[str, str, Span]]:
    """(system acronym, vendor, span) for "Vendor (MES vendor)" style mentions."""
    folded = fold(text)
    return [
        (m.group("sys"), clean(text[m.start("v") : m.end("v")]), Span(m.start(), m.end()))
        for m in _VENDOR_OF.finditer(folded)
    ]

"""Functional vs non-functional classification and the quality class (ISO/IEC 25010 + Volere vocabulary).

The cue lexicon is written from domain knowledge: ISO/IEC 25010 characteristic names and sub-characteristics,
the Volere template's non-functional sections (look and feel, usability, performance, operational,
maintainability, security, cultural/legal), Chinese 等保 / 信创 terminology and units of measure.
It is not fitted
to any data set. An optional embedder compares the statement with short class descriptions written here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache

import numpy as np

from assistant.vectors import unit_rows

QUALITY_CLASSES: tuple[str, ...] = (
    "performance",
    "security",
    "usability",
    "availability",
    "reliability",
    "scalability",
    "maintainability",
    "portability",
    "legal",
    "look_and_feel",
    "operational",
)

# (pattern, weight). 1.0 = one cue settles the class; 0.5 = suggestive; units and figures weigh most.
_CUES: dict[str, list[tuple[str, float]]] = {
    "performance": [
        (
            r"response times?|respond(?:s|ed)? (?:with)?in|turnaround|latency|throughput|"
            r"per second|per minute",
            1.2,
        ),
        (r"\b\d+(?:\.\d+)?\s*(?:ms|msec|milliseconds?|s|secs?|seconds?)\b", 1.2),
        (r"\b(?:tps|qps|rps)\b|transactions? per|requests? per|concurrent|simultaneous(?:ly)?", 1.2),
        (r"\bperformance\b|\bspeed\b|\bfast(?:er)?\b|\bquick(?:ly)?\b|\bdelay\b|\btime-?out\b", 0.8),
        (r"\bload (?:time|test)|\bpeak\b|\bcpu\b|\bmemory (?:usage|footprint)|\befficien", 0.6),
        (r"within \d+\s*(?:minutes?|mins?)\b|in (?:less|under) (?:than )?\d+", 0.6),
        (
            r"响应时间|响应|毫秒|秒内|\d+\s*秒|并发|吞吐|性能|时延|延迟|耗时|TPS|QPS|峰值|负载|处理速度|效率",
            1.2,
        ),
    ],
    "security": [
        (r"secur|authenticat|authori[sz]|log ?in\b|log on|sign[- ]?on|password|passphrase|credential", 1.2),
        (
            r"encrypt|decrypt|cipher|\btls\b|\bssl\b|https|certificate|digital signature|hash(?:ed|ing)?\b",
            1.2,
        ),
        (
            r"permission|privilege|access (?:control|right|level)|role-based|\brbac\b|unauthori[sz]ed|"
            r"only (?:authorized|authorised|registered|designated|permitted)",
            1.2,
        ),
        (r"virus|malware|attack|intrusion|firewall|vulnerab|tamper|spoof|injection|xss|csrf|brute", 1.2),
        (
            r"confidential|sensitive (?:data|information)|\bpii\b|personal data|privacy|mask(?:ed|ing)\b|"
            r"lock(?:ed)? out|lockout|session (?:time|expir)|two-factor|multi-factor|\b2fa\b|\bmfa\b",
            1.0,
        ),
        (
            r"加密|解密|权限|登录|登陆|认证|鉴权|授权|密码|口令|安全(?!库存|生产|阈值)|防火墙|脱敏|越权|漏洞|防篡改|篡改|注入|"
            r"数字证书|签名|堡垒机|双因素|访问控制|入侵|病毒|攻击|敏感",
            1.2,
        ),
    ],
    "usability": [
        (
            r"easy to (?:use|learn|understand|navigate|operate)|ease of use|user[- ]friendly|intuitive|usab",
            1.2,
        ),
        (
            r"\blearn(?:ability|ing|ed)?\b|\btrain(?:ing|ed)\b|novice|first[- ]time users?|without (?:any )?"
            r"(?:training|assistance|help)|help (?:text|screen|function|file)|online help|tooltip|wizard",
            1.0,
        ),
        (
            r"understand|error messages?|feedback to the user|navigat|number of (?:clicks|steps)|\bclicks?\b|"
            r"accessib|disabilit|visually impaired|color[- ]blind|keyboard shortcut|undo|satisf",
            0.8,
        ),
        (
            r"易用|易学|易操作|操作简便|简便|友好|直观|培训|上手|帮助|提示信息|提示|无障碍|点击次数|操作步骤|"
            r"满意度|学习成本|人性化",
            1.2,
        ),
    ],
    "availability": [
        (r"availab(?:le|ility)\b(?! (?:to|for|on|in) the (?:user|customer|administrator))", 1.0),
        (
            r"uptime|up[- ]time|downtime|down[- ]time|outage|24\s*[x/×*]\s*7|7\s*[x/×*]\s*24|24 hours a day|"
            r"\b99(?:\.\d+)?\s*%|hours of operation|business hours|maintenance window|service hours",
            1.4,
        ),
        (r"可用性|可用率|停机|宕机|7\s*[x×*]\s*24|24\s*[x×*]\s*7|全天候|不间断运行|服务时间|在线率", 1.4),
    ],
    "reliability": [
        (
            r"reliab|fault[- ]toleran|fail[- ]?over|failure|\bfault|recover|\bbackup|back up|"
            r"restore|redundan",
            1.2,
        ),
        (
            r"\bmtbf\b|\bmttr\b|\bmttf\b|crash|data loss|lose (?:any )?data|corrupt|resilien|retry|retries|"
            r"degrad(?:e|ed|ation)|disaster|rollback|roll back|consisten(?:t|cy)|integrity|accura",
            0.9,
        ),
        (
            r"可靠|容错|故障|恢复|备份|冗余|灾备|容灾|双机|热备|主备|异常处理|断点续传|重试|降级|数据丢失|"
            r"丢失|一致性|完整性|准确率|差错率|回滚",
            1.2,
        ),
    ],
    "scalability": [
        (
            r"scal(?:e|able|ability|ing)\b|grow(?:th)?\b|expand|expansion|"
            r"increase in (?:the )?(?:number|volume)|"
            r"additional (?:users|stores|sites|branches)|horizontal(?:ly)?|cluster|elastic",
            1.2,
        ),
        (
            r"up to \d[\d,]*\s*(?:users|stores|sites|records|transactions|accounts|customers)|"
            r"\d[\d,]*\s*(?:users|records|customers|accounts|stores)\b|capacity|volume of",
            0.8,
        ),
        (r"扩展|扩容|可伸缩|伸缩|弹性|增长|水平扩展|集群|容量|用户数|数据量|用户规模|横向", 1.2),
    ],
    "maintainability": [
        (
            r"maintainab|maintain(?:ed)? by|modifiab|modular|extensib|configurab|testab|analy[sz]ab|reusab",
            1.2,
        ),
        (
            r"update|upgrade|patch|new (?:release|version)|code (?:standard|convention|review|comment)|"
            r"documented|source code|coupling|cohesion|change (?:request|management)|without (?:re)?compil",
            0.8,
        ),
        (
            r"可维护|维护|升级|模块化|配置化|可配置|代码规范|注释|热更新|可测试|二次开发|可复用|解耦|版本管理",
            1.2,
        ),
    ],
    "portability": [
        (
            r"portab|\bport(?:ed|ing)? to\b|platform[- ]independen|cross[- ]platform|migrat(?:e|ion) to|"
            r"re-?host|installab|adaptab|replaceab",
            1.4,
        ),
        (r"any (?:operating system|platform|browser)|multiple (?:platforms|operating systems|browsers)", 1.0),
        (r"移植|跨平台|国产化|信创|适配(?:国产|麒麟|统信|鲲鹏|龙芯|飞腾|海光)|麒麟|统信|鲲鹏|龙芯|飞腾", 1.4),
    ],
    "legal": [
        (
            r"\blaw|legal|legislat|regulat|complian|comply|statut|jurisdiction|liabilit|contract(?:ual)?\b",
            1.2,
        ),
        (
            r"\bhipaa\b|\bgdpr\b|\bsox\b|sarbanes|\bpci\b|\bferpa\b|\bada\b(?! source)|section 508|"
            r"iso\s?\d{3,5}|"
            r"\biec\s?\d|ieee\s?\d|\bstandards?\b|\bpolic(?:y|ies)\b|copyright|licen[cs]|"
            r"intellectual property",
            1.0,
        ),
        (r"\baudit|retain(?:ed)? for|retention|record[- ]keeping|traceab", 0.9),
        (
            r"法律|法规|合规|等保|等级保护|个人信息保护|网络安全法|数据安全法|审计|留痕|版权|许可证|国标|"
            r"GB/?T|密评|商用密码|监管|条例|规范要求|取证",
            1.2,
        ),
    ],
    "look_and_feel": [
        (
            r"look and feel|appearance|\bcolou?rs?\b|\bfonts?\b|\blogo\b|\bstyle\b|\btheme\b|branding|"
            r"corporate (?:identity|image)|aesthetic|attractive|appealing|professional(?:-looking| look)",
            1.2,
        ),
        (
            r"\blayout\b|\bicons?\b|graphic|image|animation|visual|screen resolution|"
            r"consistent (?:look|format)"
            r"|\bbutton|\bbackground|\bdesign(?:ed)? (?:to look|standards)",
            0.8,
        ),
        (
            r"界面风格|风格|颜色|配色|字体|美观|界面主题|主题(?:风格|色)|图标|布局|Logo|logo|皮肤|视觉|外观|色调|样式",
            1.2,
        ),
    ],
    "operational": [
        (
            r"operat(?:ing|ional) (?:system|environment)|environment|run on|runs on|execute on|"
            r"deploy|install(?:ed|ation)?\b|hardware|server|network connection|bandwidth|\bos\b|"
            r"\bwindows\b|\blinux\b|\bunix\b|\bmac ?os\b|\bios\b|\bandroid\b|browser|internet explorer|"
            r"\bchrome\b|firefox|safari|mobile devices?|\bpda\b|handheld|workstation",
            1.0,
        ),
        (
            r"interface with|integrate with|interoperat|existing (?:system|database|infrastructure)|"
            r"monitor(?:ing|ed)?\b|\blog(?:s|ged|ging)? (?:all|every|each)|administ|batch|schedul|"
            r"operat(?:or|ors)\b|shifts?\b|\bweather|temperature|humidity|outdoor|power supply",
            0.7,
        ),
        (
            r"运行环境|部署|安装|运维|监控|操作系统|服务器|浏览器|硬件|网络环境|环境|集成|对接|兼容|"
            r"机房|终端设备|移动端|值守|巡检|告警",
            1.0,
        ),
    ],
}

# Cues that a statement describes behaviour (what the system does for whom), not a quality.
_FUNCTIONAL_CUES: list[tuple[str, float]] = [
    (
        r"shall (?:allow|enable|let|permit) (?:the |an? |all )?(?:\w+ )?(?:users?|administrators?|operators?|"
        r"customers?|members?|staff|managers?|agents?)",
        1.2,
    ),
    (
        r"(?:shall|must|will|should|can|may) (?:be able to )?"
        r"(?:display|show|list|print|generate|produce|create|"
        r"add|edit|modify|update|delete|remove|record|store|save|send|e-?mail|notify|calculate|compute|search|"
        r"filter|sort|select|enter|import|export|upload|download|assign|schedule|approve|reject|submit|track|"
        r"view|retrieve|query|book|order|pay|register|cancel|transfer|post|accept|collect|provide|report|"
        r"indicate|request|return|read|write|call|invoke|process|handle|manage|maintain a)\b",
        1.0,
    ),
    (
        r"\b(?:users?|administrators?|operators?|customers?|agents?|members?) "
        r"(?:shall|must|will|can|may|should) "
        r"(?:be able to )?\w+",
        0.6,
    ),
    (
        r"(?:应|须|必须|可|能够|支持|需要)[^，。；]{0,6}(?:显示|展示|查询|新增|添加|编辑|修改|删除|录入|导入|导出|"
        r"打印|生成|计算|统计|发送|推送|通知|审批|提交|上传|下载|保存|存储|记录|下发|回传|回写|同步|接收|"
        r"创建|分配|维护|管理|跟踪|追溯|预警|提醒|扫描|过账|盘点|叫料|报工)",
        1.0,
    ),
]

# Class-independent marks of a quality requirement: a predicate adjective ("shall be usable"), an -ility noun,
# or a fit criterion (a percentage or a bound). They make a statement non-functional without naming the class.
_GENERIC_QUALITY_CUES: list[tuple[str, float]] = [
    (
        r"\b(?:shall|must|should|will)\s+(?:not\s+)?(?:\w+ly\s+)?be\s+(?:\w+ly\s+)?"
        r"\w+(?:able|ible|ive|ent|ant|ful|ous|ure|ic|al|ar)\b(?!\s+(?:to|by|from|for)\b)",
        0.6,
    ),
    (r"\w+(?:ability|ibility)\b", 0.6),
    (r"\d+(?:\.\d+)?\s*(?:%|percent)", 0.6),
    (r"\bat (?:least|most)\b|no (?:more|less|longer) than|less than|fewer than|(?:maximum|minimum) of", 0.5),
    (r"应(?:具备|具有|满足|符合|达到)|不低于|不超过|不少于|不高于|不大于|[%％]", 0.6),
]

# The main predicate decides the type in RE practice: an action on business objects is behaviour, a property
# ("be usable", "have a consistent look") or a constraint verb ("comply", "run on", "respond") is a quality.
_PREDICATE = re.compile(
    r"\b(?:shall|must|should|will|can|may|is required to|are required to|needs? to|has to|have to)\s+"
    r"(?:not\s+)?(?:\w+ly\s+)?(?:be able to\s+|be capable of\s+|have the (?:ability|capability) to\s+)?"
    r"(\w+)(?:\s+(\w+))?",
    re.IGNORECASE,
)
_PROPERTY_VERBS = frozenset(
    [
        "have",
        "has",
        "comply",
        "conform",
        "adhere",
        "meet",
        "satisfy",
        "follow",
        "respond",
        "run",
        "operate",
        "work",
        "execute",
        "scale",
        "recover",
        "withstand",
        "tolerate",
        "survive",
        "remain",
        "continue",
        "last",
        "take",
        "perform",
        "load",
        "refresh",
    ]
)
_ACTION_VERBS = frozenset(
    [
        "allow",
        "enable",
        "let",
        "permit",
        "provide",
        "display",
        "show",
        "list",
        "print",
        "generate",
        "produce",
        "create",
        "add",
        "edit",
        "modify",
        "update",
        "delete",
        "remove",
        "record",
        "store",
        "save",
        "send",
        "email",
        "e-mail",
        "notify",
        "alert",
        "calculate",
        "compute",
        "search",
        "filter",
        "sort",
        "select",
        "enter",
        "import",
        "export",
        "upload",
        "download",
        "assign",
        "schedule",
        "approve",
        "reject",
        "submit",
        "track",
        "view",
        "retrieve",
        "query",
        "book",
        "order",
        "pay",
        "register",
        "cancel",
        "transfer",
        "post",
        "accept",
        "collect",
        "report",
        "indicate",
        "request",
        "return",
        "read",
        "write",
        "call",
        "invoke",
        "process",
        "manage",
        "maintain",
        "prompt",
        "ask",
        "confirm",
        "verify",
        "validate",
        "check",
        "compare",
        "match",
        "link",
        "attach",
        "open",
        "close",
        "start",
        "stop",
        "reserve",
        "issue",
        "mark",
        "flag",
        "notify",
        "archive",
    ]
)
_ZH_PROPERTY = re.compile(
    r"(?:应|须|必须|需要?)(?:当|该)?(?:具备|具有|满足|符合|达到|保持|兼容|运行|部署|适配)"
)
_ZH_ACTION = re.compile(
    r"(?:应|须|必须|需要?)(?:当|该)?(?:能够?|支持|允许|可以)?(?:显示|展示|查询|新增|添加|编辑|修改|删除|录入|导入|"
    r"导出|打印|生成|计算|统计|发送|推送|通知|审批|提交|上传|下载|保存|存储|记录|下发|回传|回写|接收|创建|分配)"
)
PREDICATE_WEIGHT = 0.6


def _predicate_kind(text: str) -> str | None:
    """'property' or 'action' for the verb after the first modal, None when it says nothing."""
    m = _PREDICATE.search(text)
    if m:
        verb, nxt = m.group(1).lower(), (m.group(2) or "").lower()
        if verb == "be":
            if nxt.endswith("ed") or nxt in (
                "sent",
                "shown",
                "given",
                "kept",
                "made",
                "done",
                "written",
                "read",
            ):
                return None  # passive of an action: could be either
            return "property" if nxt else None
        if verb in _PROPERTY_VERBS:
            return "property"
        if verb in _ACTION_VERBS:
            return "action"
        return None
    if _ZH_PROPERTY.search(text):
        return "property"
    if _ZH_ACTION.search(text):
        return "action"
    return None


_COMPILED = {c: [(re.compile(p, re.IGNORECASE), w) for p, w in cues] for c, cues in _CUES.items()}
_FUNCTIONAL = [(re.compile(p, re.IGNORECASE), w) for p, w in _FUNCTIONAL_CUES]
_GENERIC = [(re.compile(p, re.IGNORECASE), w) for p, w in _GENERIC_QUALITY_CUES]

# Decision constants chosen from the weight scale above, not from data: one full-weight cue makes a statement
# non-functional, unless functional behaviour outweighs it.
NFR_THRESHOLD = 1.0


@dataclass(frozen=True)
class Scores:
    """Cue totals, exposed so a benchmark can study thresholds without touching the lexicon."""

    quality: dict[str, float]
    generic: float
    functional: float


def cue_scores(text: str) -> Scores:
    quality = {cls: sum(w for p, w in cues if p.search(text)) for cls, cues in _COMPILED.items()}
    generic = sum(w for p, w in _GENERIC if p.search(text))
    functional = sum(w for p, w in _FUNCTIONAL if p.search(text))
    predicate = _predicate_kind(text)
    if predicate == "property":
        generic += PREDICATE_WEIGHT
    elif predicate == "action":
        functional += PREDICATE_WEIGHT
    return Scores(quality, generic, functional)


# Short descriptions for the optional embedder, written from ISO 25010 / Volere definitions and from ERP/MES
# practice, several per class so that the nearest one speaks for the class.
CLASS_DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "functional": (
        "The system shall allow the user to create, edit and delete records.",
        "The system shall generate a monthly report of orders by customer.",
        "The system shall send an e-mail notification when an approval is pending.",
        "The user shall be able to search products by name and category.",
        "The system shall calculate the invoice total including tax.",
        "系统应允许用户新增、修改和删除客户信息。",
        "系统应按月生成销售订单统计报表。",
        "审批通过后，系统应通知申请人。",
    ),
    "performance": (
        "The system shall respond to a query within two seconds.",
        "The system shall process 500 transactions per second.",
        "Pages shall load quickly even at peak load.",
        "系统查询响应时间应不超过 2 秒。",
        "系统应支持 1000 个并发用户。",
    ),
    "security": (
        "Only authorized users shall access the data after logging in with a password.",
        "All personal data shall be encrypted and protected from unauthorized access.",
        "User permissions shall be controlled by role.",
        "用户登录应进行身份认证，并按角色控制访问权限。",
        "敏感数据应加密存储和传输。",
    ),
    "usability": (
        "The system shall be easy to learn and use for a new user.",
        "A user shall be able to complete the task without training.",
        "Error messages shall tell the user how to correct the problem.",
        "系统应易于学习和操作，新用户经简单培训即可上手。",
        "界面操作应简单直观，提示信息清晰。",
    ),
    "availability": (
        "The system shall be available 24 hours a day, 7 days a week.",
        "The service shall have 99.9% uptime excluding scheduled maintenance.",
        "系统应 7×24 小时可用，可用率不低于 99.9%。",
        "计划外停机时间每月不超过 4 小时。",
    ),
    "reliability": (
        "The system shall recover from a failure without losing data.",
        "The system shall continue operating when one server fails.",
        "Data shall be backed up daily and restored after a crash.",
        "系统故障后应能自动恢复，且不丢失数据。",
        "系统应具备容错能力，单点故障不影响业务。",
    ),
    "scalability": (
        "The system shall be able to grow to support ten times more users and data.",
        "New sites shall be added without changing the architecture.",
        "系统应支持横向扩展，以应对用户数和数据量的增长。",
        "系统应可扩容以支持更多工厂接入。",
    ),
    "maintainability": (
        "The software shall be easy to modify and maintain.",
        "Changes to business rules shall be made through configuration without changing code.",
        "The code shall follow the coding standard and be documented.",
        "系统应便于维护和升级，业务规则可通过配置修改。",
        "系统应采用模块化设计，便于后续维护。",
    ),
    "portability": (
        "The software shall be portable to other operating systems.",
        "The application shall be installable on a new platform without code changes.",
        "系统应可移植到国产操作系统和数据库。",
        "系统应支持跨平台部署。",
    ),
    "legal": (
        "The system shall comply with data protection law and regulations.",
        "The system shall keep an audit trail of all changes for legal review.",
        "The product shall meet the required industry standards and licence terms.",
        "系统应符合网络安全等级保护三级要求。",
        "系统应满足个人信息保护相关法律法规，并保留审计日志。",
    ),
    "look_and_feel": (
        "The user interface shall use the corporate colours, fonts and logo.",
        "The screens shall have a consistent, professional appearance.",
        "界面风格应统一，使用公司标准配色和标志。",
        "页面布局应美观、风格一致。",
    ),
    "operational": (
        "The system shall run on the existing servers and operating system.",
        "The application shall work in the standard web browsers used by the company.",
        "The system shall interface with the existing accounting system.",
        "The system shall be operated and monitored by the IT department.",
        "系统应部署在客户现有的服务器和操作系统环境中。",
        "系统应与现有 ERP 系统对接，并支持运维监控。",
    ),
}

Embed = Callable[[Sequence[str]], np.ndarray]
# One embedder, or several whose prototype similarities are averaged (the first also serves duplicates).
Embeds = Embed | Sequence[Embed]
EMBED_WEIGHT = 4.0  # converts a cosine gap (typically 0.0-0.3) onto the cue scale


@dataclass(frozen=True)
class DecisionConstants:
    """decide()'s keyword arguments, by name."""

    threshold: float
    embed_weight: float
    functional_weight: float
    generic_weight: float


# Per number of prototype embedders. Without one, the constants follow from the cue weight scale. With
# embedders they were chosen leave-one-project-out on PROMISE NFR by bench/requirements.py: four numbers, no
# labels. With USE and e5 together all 15 folds picked the same values; with USE alone 9 of 15 did
# (docs/performance.md, Requirements).
DECISION_CONSTANTS: dict[int, DecisionConstants] = {
    0: DecisionConstants(NFR_THRESHOLD, EMBED_WEIGHT, 1.0, 1.0),
    1: DecisionConstants(0.5, 3.0, 0.5, 1.5),
    2: DecisionConstants(0.5, 6.0, 0.5, 1.5),
}


def decision_constants(n_embedders: int) -> DecisionConstants:
    return DECISION_CONSTANTS[min(n_embedders, max(DECISION_CONSTANTS))]


def embedders(embed: Embeds | None) -> list[Embed]:
    if embed is None:
        return []
    return [embed] if callable(embed) else list(embed)


@lru_cache(maxsize=4)
def _prototypes(embed: Embed) -> tuple[list[str], np.ndarray]:
    labels = [cls for cls, texts in CLASS_DESCRIPTIONS.items() for _ in texts]
    texts = [t for ts in CLASS_DESCRIPTIONS.values() for t in ts]
    return labels, unit_rows(embed(texts))


def prototype_similarities(texts: Sequence[str], embed: Embeds) -> list[dict[str, float]]:
    """Per text and class, the cosine similarity to that class's nearest description; with several embedders,
    the mean of each one's similarity (two models that err differently, USE and e5, are right more often)."""
    models = embedders(embed)
    per_model = [_similarities(texts, e) for e in models]
    if len(per_model) == 1:
        return per_model[0]
    return [
        {cls: sum(m[i][cls] for m in per_model) / len(per_model) for cls in per_model[0][i]}
        for i in range(len(texts))
    ]


def _similarities(texts: Sequence[str], embed: Embed) -> list[dict[str, float]]:
    labels, protos = _prototypes(embed)
    sims = unit_rows(embed(list(texts))) @ protos.T
    out = []
    for row in sims:
        best: dict[str, float] = {}
        for label, value in zip(labels, row, strict=True):
            best[label] = max(best.get(label, -1.0), float(value))
        out.append(best)
    return out


def decide(
    scores: Scores,
    sims: dict[str, float] | None = None,
    *,
    threshold: float = NFR_THRESHOLD,
    embed_weight: float = EMBED_WEIGHT,
    functional_weight: float = 1.0,
    generic_weight: float = 1.0,
) -> tuple[str, str | None, float]:
    """Turn cue totals (and optional prototype similarities) into (kind, quality_class, confidence).

    The keyword arguments exist so the benchmark can tune them leave-one-project-out; callers keep the
    defaults.
    """
    quality = dict(scores.quality)
    evidence = max(quality.values()) + generic_weight * scores.generic - functional_weight * scores.functional
    if sims is not None:
        nfr_sim = max(sims[c] for c in quality)
        evidence += embed_weight * (nfr_sim - sims["functional"])
        # Similarities enter relative to the best class, so they re-rank classes without inflating totals.
        for cls in quality:
            quality[cls] += embed_weight * (sims[cls] - nfr_sim)
    if evidence < threshold:
        return "functional", None, _confidence(threshold - evidence + 0.25)
    best = max(quality, key=lambda c: quality[c])
    ranked = sorted(quality.values(), reverse=True)
    return "non_functional", best, _confidence(evidence - threshold + 0.25 + 0.5 * (ranked[0] - ranked[1]))


def _confidence(x: float) -> float:
    return round(0.5 + 0.5 * math.tanh(x), 3)


def classify(
    text: str, *, embed: Embeds | None = None, sims: dict[str, float] | None = None
) -> tuple[str, str | None, float]:
    """(kind, quality_class, confidence); kind is functional or non_functional, class None if functional.
    ``embed``: one embedder or several whose prototype similarities are averaged. ``sims``: those similarities
    computed already (``prototype_similarities`` over many statements at once, as ``check_text`` does)."""
    models = embedders(embed)
    if sims is None and models:
        sims = prototype_similarities([text], models)[0]
    return decide(cue_scores(text), sims, **asdict(decision_constants(len(models))))

"""The one home of integration protocol names and the ways documents spell them.

``find_protocols`` returns each protocol family named in a text (REST, SOAP, Kafka ...) with where it is
written. A version after a name (MQTT 3.1.1, HL7 v2.5) belongs to the protocol, not to a date or an id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.plans.extract.spans import Span, fold

# family -> spellings (regular expressions, matched case-insensitively on word boundaries). Order matters only
# for overlapping spellings: the longest match at a position wins.
_SPELLINGS: dict[str, list[str]] = {
    "REST": [
        r"REST(?:ful)?(?:\s*/\s*JSON)?",
        r"HTTPS?\s*(?:/\s*JSON\s*)?(?:API|接口)",
        r"Web\s*API",
        r"OpenAPI",
    ],
    "Webhook": [r"(?i:web\s*hooks?)", r"回调"],
    "SOAP": [r"SOAP", r"(?i:web\s*services?)", r"WSDL"],
    "GraphQL": [r"GraphQL"],
    "gRPC": [r"gRPC"],
    "WebSocket": [r"(?i:web\s*sockets?)"],
    "MQTT": [r"MQTT(?:\s*v?\d(?:\.\d+){0,2})?"],
    "Kafka": [r"(?:Apache\s+)?Kafka"],
    "AMQP": [r"AMQP(?:\s*\d(?:\.\d+)?)?", r"RabbitMQ"],
    "JMS/MQ": [r"JMS", r"IBM\s*MQ", r"ActiveMQ", r"RocketMQ", r"消息队列", r"(?i:message\s+queue)"],
    "ESB": [r"ESB", r"企业服务总线", r"(?i:enterprise\s+service\s+bus)"],
    "SFTP": [r"SFTP"],
    "FTP": [r"FTPS?"],
    "File": [
        r"(?i:file\s+(?:drop|transfer|exchange|share))",
        r"(?i:flat\s+files?)",
        r"(?i:CSV\s+files?)",
        r"文件(?:方式|传输|交换|接口|共享)",
        r"共享目录",
    ],
    "HL7 v2": [r"HL7(?:\s*v?2(?:\.\d+)*)?(?!\s*FHIR)"],
    "FHIR": [r"(?:HL7\s*)?FHIR(?:\s*R\d)?"],
    "DICOM": [r"DICOM(?:\s*(?:Web|MWL|C-STORE|C-FIND|(?i:worklist)))?"],
    "DB link": [
        r"(?i:DB\s*link|database\s+link|dblink|DB\s+views?|database\s+views?|staging\s+tables?)",
        r"数据库链接",
        r"数据库视图",
        r"中间表",
    ],
    "ODBC/JDBC": [r"ODBC", r"JDBC"],
    "OPC UA": [r"OPC[\s-]*UA", r"OPC\s*DA"],
    "Modbus": [r"Modbus(?:\s*TCP)?"],
    "EDI": [r"EDI(?:FACT)?", r"X12", r"AS2"],
    "Email/SMTP": [r"SMTP"],
    "TCP socket": [r"TCP\s*(?:/IP\s*)?(?i:socket)", r"(?i:socket)\s*(?:接口|(?i:interface))"],
}
# Acronyms are matched as written (REST, not "the rest of"); words in (?i:...) in any case. A name inside a
# host or path (esb-test.example, /api/rest) is not a protocol.
_PATTERN = re.compile(
    "|".join(
        f"(?P<f{i}>(?<![A-Za-z0-9_\\-.]){'|'.join(f'(?:{s})' for s in spellings)}(?![A-Za-z0-9_]|[-.][A-Za-z0-9]))"
        for i, spellings in enumerate(_SPELLINGS.values())
    )
)
_FAMILIES = list(_SPELLINGS)


@dataclass(frozen=True)
class ProtocolMention:
    family: str
    span: Span
    text: str


def find_protocols(text: str) -> list[ProtocolMention]:
    folded = fold(text)
    out = []
    for m in _PATTERN.finditer(folded):
        family = next(_FAMILIES[int(k[1:])] for k, v in m.groupdict().items() if v is not None)
        # "ESB" inside a host name or "FTP" inside "SFTP" are excluded by the boundaries above.
        out.append(ProtocolMention(family, Span(m.start(), m.end()), text[m.start() : m.end()]))
    return out


def families(text: str) -> list[str]:
    """The protocol families ``text`` names, in the order written, each once."""
    return list(dict.fromkeys(p.family for p in find_protocols(text)))


def protocol_label(names: list[str]) -> str | None:
    """The plan's protocol field: the families in the order the document wrote them ("SOAP / ESB")."""
    return " / ".join(names) if names else None


# Families one statement may name for another: "以文件方式" for an SFTP drop, "webhook" for a REST call back.
_KIN = [{"File", "SFTP", "FTP"}, {"REST", "Webhook"}, {"HL7 v2", "FHIR"}]


def same_protocol(a: str | None, b: str | None) -> bool:
    """Whether two protocol fields agree: they share a family or a kin (REST and REST / Webhook agree)."""
    if not a or not b:
        return True
    left, right = set(a.split(" / ")), set(b.split(" / "))
    widen = lambda names: names.union(*(kin for kin in _KIN if kin & names))  # noqa: E731
    return bool(widen(left) & right or left & widen(right))

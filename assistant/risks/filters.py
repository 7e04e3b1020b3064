"""The register's filters as people type them, into a RiskQuery: the one parser behind the route's query
parameters (?status=open&status=draft, ?status=open,draft) and the CLI's options (--status open,draft)."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import TypeVar

from assistant.errors import InvalidInputError
from assistant.risks.lifecycle import RiskStatus
from assistant.risks.models import RiskCategory
from assistant.risks.repository import RiskQuery
from assistant.risks.scoring import Band

E = TypeVar("E", bound=StrEnum)


def split_values(raw: Iterable[str] | None) -> tuple[str, ...]:
    """Repeated and comma-separated values both work; blanks are dropped."""
    out: list[str] = []
    for value in raw or []:
        out.extend(v.strip() for v in value.split(",") if v.strip())
    return tuple(out)


def parse_values(raw: Iterable[str] | None, kind: type[E], name: str) -> tuple[E, ...]:
    """Each value as a member of ``kind``; an unknown one is refused with the allowed ones named."""
    out = []
    for value in split_values(raw):
        try:
            out.append(kind(value))
        except ValueError:
            allowed = ", ".join(m.value for m in kind)
            raise InvalidInputError(f"{name}: {value} is not valid; use {allowed}") from None
    return tuple(out)


def parse_statuses(raw: Iterable[str] | None) -> tuple[str, ...]:
    return tuple(s.value for s in parse_values(raw, RiskStatus, "status"))


def parse_filters(
    *,
    status: Iterable[str] | None = None,
    category: Iterable[str] | None = None,
    band: Iterable[str] | None = None,
    owner: str | None = None,
    overdue: bool | None = None,
    document_id: str | None = None,
    source: str | None = None,
    sort: str = "-score",
    limit: int = 50,
    offset: int = 0,
) -> RiskQuery:
    return RiskQuery(
        statuses=parse_statuses(status),
        categories=tuple(c.value for c in parse_values(category, RiskCategory, "category")),
        bands=parse_values(band, Band, "band"),
        owner=owner,
        overdue=overdue,
        document_id=document_id,
        source=source,
        sort=sort,
        limit=limit,
        offset=offset,
    )

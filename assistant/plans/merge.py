"""A redraft meets people's edits: fields nobody touched take the new draft; a field a person owns keeps the
person's value, gains the items the documents newly state (with evidence), and everything else the redraft
would change becomes a suggestion a person accepts or rejects.

Items of a list are matched by their key (an interface by its id, a phase by its name ...). The assistant's
previous draft tells what changed in the documents from what a person changed: an item the person edited or
removed is left alone while the documents say what they said before; when they now say something else, that is
suggested.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Json = dict[str, Any]

# How an item of each list field is told apart from the others.
ITEM_KEYS: dict[str, Callable[[Json], str]] = {
    "systems": lambda i: i.get("name") or "",
    "interfaces": lambda i: i.get("id") or "",
    "phases": lambda i: i.get("name") or "",
    "milestones": lambda i: i.get("name") or "",
    "tests": lambda i: i.get("id") or "",
    "training": lambda i: i.get("audience") or "",
    "handover": lambda i: i.get("document") or "",
    "risks": lambda i: str(i.get("risk_id", "")),
    "requirements": lambda i: i.get("requirement_id") or "",
    "needs": lambda i: i.get("analysis_id") or "",
    "open_questions": lambda i: i.get("question") or "",
    "conflicts": lambda i: i.get("field") or "",
}
# The cut-over is an object: its two lists merge as lists, its rollback fields as one value.
CUTOVER_LISTS: dict[str, Callable[[Json], str]] = {
    "stages": lambda i: i.get("name") or "",
    "rollback_triggers": lambda i: i.get("condition") or "",
}
ROLLBACK_FIELDS = ("rollback_procedure", "rollback_time_limit", "rollback_procedure_proposed")
ROLLBACK_KEY = "rollback"


@dataclass(frozen=True)
class Suggested:
    field: str
    item_key: str | None
    old: Any
    new: Any
    note: str

    @property
    def value_hash(self) -> str:
        return value_hash(self.field, self.item_key, self.new)


def value_hash(field: str, item_key: str | None, value: Any) -> str:
    text = json.dumps([field, item_key, value], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def norm(key: str) -> str:
    return " ".join(key.split()).casefold()


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


def _by_key(items: list[Json], key: Callable[[Json], str]) -> dict[str, Json]:
    out: dict[str, Json] = {}
    for item in items:
        out.setdefault(norm(key(item)), item)
    return out


def _merge_list(
    field: str,
    current: list[Json],
    previous: list[Json] | None,
    new: list[Json],
    key: Callable[[Json], str],
    prefix: str = "",
) -> tuple[list[Json], list[Suggested]]:
    merged = list(current)
    mine = _by_key(current, key)
    before = _by_key(previous or [], key)
    suggested: list[Suggested] = []
    for item in new:
        k = norm(key(item))
        label = prefix + key(item)
        if k in mine:
            if not _same(mine[k], item) and not (k in before and _same(before[k], item)):
                suggested.append(
                    Suggested(field, label, mine[k], item, "the documents now read this item so")
                )
        elif k in before:  # a person removed it: back only if a person says so
            if not _same(before[k], item):
                suggested.append(
                    Suggested(field, label, None, item, "an item you removed reads differently now")
                )
        elif item.get("evidence") and not item.get("proposed"):
            merged.append(item)  # newly stated by the documents, with its evidence
        else:
            suggested.append(Suggested(field, label, None, item, "the assistant proposes a new item"))
    found = {norm(key(i)) for i in new}
    for k, item in mine.items():
        if k in before and k not in found:
            suggested.append(
                Suggested(field, prefix + key(item), item, None, "the redraft no longer finds this item")
            )
    return merged, suggested


def _merge_cutover(current: Json, previous: Json | None, new: Json) -> tuple[Json, list[Suggested]]:
    merged = dict(current)
    suggested: list[Suggested] = []
    for sub, key in CUTOVER_LISTS.items():
        merged[sub], more = _merge_list(
            "cutover",
            current.get(sub) or [],
            (previous or {}).get(sub),
            new.get(sub) or [],
            key,
            prefix=f"{sub}:",
        )
        suggested.extend(more)
    mine = {f: current.get(f) for f in ROLLBACK_FIELDS}
    theirs = {f: new.get(f) for f in ROLLBACK_FIELDS}
    before = {f: (previous or {}).get(f) for f in ROLLBACK_FIELDS}
    if not _same(mine, theirs) and not _same(before, theirs) and theirs["rollback_procedure"]:
        suggested.append(
            Suggested("cutover", ROLLBACK_KEY, mine, theirs, "the rollback reads differently now")
        )
    known = {json.dumps(e, sort_keys=True, default=str) for e in current.get("evidence") or []}
    merged["evidence"] = list(current.get("evidence") or []) + [
        e for e in new.get("evidence") or [] if json.dumps(e, sort_keys=True, default=str) not in known
    ]
    return merged, suggested


def merge(
    current: Json, previous: Json | None, new: Json, person_fields: set[str]
) -> tuple[Json, list[Suggested]]:
    """The body after a redraft, and what it suggests. Bodies are PlanContent in JSON form."""
    merged = dict(current)
    suggested: list[Suggested] = []
    for field, value in new.items():
        if field not in person_fields:
            merged[field] = value
            continue
        before = (previous or {}).get(field)
        if field == "cutover":
            merged[field], more = _merge_cutover(current.get(field) or {}, before, value or {})
        elif field in ITEM_KEYS:
            merged[field], more = _merge_list(
                field, current.get(field) or [], before, value or [], ITEM_KEYS[field]
            )
        else:
            more = (
                []
                if _same(before, value) or _same(current.get(field), value)
                else [Suggested(field, None, current.get(field), value, "the redraft reads this differently")]
            )
        suggested.extend(more)
    return merged, suggested


def apply(content: Json, field: str, item_key: str | None, value: Any) -> Json:
    """``content`` with one suggestion taken: the item replaced, added or (value None) removed."""
    out = dict(content)
    if field == "cutover" and item_key is not None:
        cutover = dict(out.get("cutover") or {})
        if item_key == ROLLBACK_KEY:
            cutover.update(value or dict.fromkeys(ROLLBACK_FIELDS))
        else:
            sub, _, key = item_key.partition(":")
            cutover[sub] = _put(cutover.get(sub) or [], CUTOVER_LISTS[sub], key, value)
        out["cutover"] = cutover
    elif item_key is not None and field in ITEM_KEYS:
        out[field] = _put(out.get(field) or [], ITEM_KEYS[field], item_key, value)
    else:
        out[field] = value
    return out


def _put(items: list[Json], key: Callable[[Json], str], item_key: str, value: Json | None) -> list[Json]:
    wanted = norm(item_key)
    out: list[Json] = []
    placed = False
    for item in items:
        if norm(key(item)) == wanted:
            if value is not None and not placed:
                out.append(value)
            placed = True
        else:
            out.append(item)
    if not placed and value is not None:
        out.append(value)
    return out

"""Varied requirement statements with planted duplicates and contradictions, for the consistency tests.

Each statement names its own made-up component (two syllable words drawn without repetition), so two
generated statements share only template words unless a pair is planted on purpose; the template words
("shall", "export", "records" ...) are shared by hundreds, which is what makes a naive index quadratic.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

SYSTEMS = ("ERP", "MES", "WMS", "CRM", "OA", "SRM", "PLM", "TMS")
ACTIONS = ("export", "archive", "validate", "approve", "print", "import", "reconcile", "lock", "audit")
OBJECTS = ("invoices", "orders", "stock records", "work reports", "delivery notes", "contracts", "labels")
SYLLABLES = ("ka", "lo", "mi", "ru", "te", "vo", "zi", "pe", "su", "na", "gu", "ri", "do", "fe", "xa")
ZH_ACTIONS = ("导出", "归档", "校验", "审批", "打印", "导入", "对账", "锁定")
ZH_OBJECTS = ("发票", "订单", "库存记录", "报工记录", "送货单", "合同", "批次")
ZH_NAMES = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥金木水火土东南西北"


@dataclass
class Corpus:
    statements: list[str] = field(default_factory=list)
    duplicates: set[tuple[int, int]] = field(default_factory=set)  # (a < b), worded alike (Jaccard)
    paraphrases: set[tuple[int, int]] = field(default_factory=set)  # (a < b), only the vectors say so
    contradictions: dict[tuple[int, int], str] = field(default_factory=dict)  # (a < b) -> kind

    def add(self, text: str) -> int:
        self.statements.append(text)
        return len(self.statements) - 1


def corpus(n: int, *, seed: int = 7, planted_every: int = 25) -> Corpus:
    """About ``n`` distinct statements, English and Chinese; every ``planted_every``-th is followed by a
    planted partner (a reworded duplicate, a paraphrase, or a numeric, timing or polarity contradiction)."""
    rng = random.Random(seed)
    names = _names(rng)
    out = Corpus()
    kinds = ("duplicate", "paraphrase", "numeric", "timing", "polarity")
    while len(out.statements) < n:
        k = len(out.statements)
        name = next(names)
        if k % planted_every == 0:
            _plant(out, kinds[(k // planted_every) % len(kinds)], name, rng)
        else:
            out.add(_plain(name, rng))
    return out


def _names(rng: random.Random) -> Iterator[str]:
    """Unique names: every third one Chinese (three characters spelling a counter), the others two made-up
    English words."""
    seen: set[str] = set()
    count = 0
    while True:
        count += 1
        if count % 3 == 0:
            n, chars = count, []
            for _ in range(3):
                n, digit = divmod(n, len(ZH_NAMES))
                chars.append(ZH_NAMES[digit])
            yield "".join(chars) + "模块"
            continue
        name = " ".join("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))) for _ in range(2))
        if name not in seen:
            seen.add(name)
            yield name


def _is_zh(name: str) -> bool:
    return name.endswith("模块")


def _plain(name: str, rng: random.Random) -> str:
    if _is_zh(name):
        return f"{rng.choice(SYSTEMS)} 的{name}应{rng.choice(ZH_ACTIONS)}{rng.choice(ZH_OBJECTS)}。"
    return f"The {rng.choice(SYSTEMS)} {name} component shall {rng.choice(ACTIONS)} {rng.choice(OBJECTS)}."


def _plant(out: Corpus, kind: str, name: str, rng: random.Random) -> None:
    system, action, obj = rng.choice(SYSTEMS), rng.choice(ACTIONS), rng.choice(OBJECTS)
    if _is_zh(name) and kind != "numeric":
        name = name[:3]  # the English templates below, with a Chinese component name
    if kind == "duplicate":
        a = out.add(f"The {system} {name} component shall {action} {obj} of each shift.")
        b = out.add(f"For each shift the {system} {name} component shall {action} {obj}.")
        out.duplicates.add((a, b))
    elif kind == "paraphrase":
        a = out.add(f"The {system} {name} component shall {action} {obj}.")
        b = out.add(f"{name} takes care of {obj} for the {system}.")
        out.paraphrases.add((a, b))
    elif kind == "numeric" and _is_zh(name):
        a = out.add(f"{system} 的{name}日志应保留不少于 180 天。")
        b = out.add(f"{system} 的{name}日志保留 90 天后应自动删除。")
        out.contradictions[(a, b)] = "numeric"
    elif kind == "numeric":
        a = out.add(f"The {name} page of the {system} shall respond within 2 seconds.")
        b = out.add(f"The {name} page of the {system} shall respond within {rng.randint(5, 9)} seconds.")
        out.contradictions[(a, b)] = "numeric"
    elif kind == "timing":
        a = out.add(f"{obj.capitalize()} of the {name} component shall reach the {system} in real time.")
        b = out.add(f"{obj.capitalize()} of the {name} component shall reach the {system} every 15 minutes.")
        out.contradictions[(a, b)] = "timing"
    else:
        a = out.add(f"Planners shall be able to {action} {obj} of the {name} component.")
        b = out.add(f"Planners shall not be able to {action} {obj} of the {name} component.")
        out.contradictions[(a, b)] = "polarity"


class TableEmbeddings:
    """A fake embedder: a random unit vector per text (the same text, the same vector), except that the two
    statements of each planted paraphrase get nearly the same vector. Records every text it is asked for."""

    def __init__(self, paraphrases: Sequence[tuple[str, str]] = (), dimensions: int = 64) -> None:
        self.dimensions = dimensions
        self.asked: list[str] = []
        self._twin = {b: a for a, b in paraphrases}

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        self.asked.extend(texts)
        return np.vstack([self._vector(t) for t in texts])

    def _vector(self, text: str) -> np.ndarray:
        base = _random_unit(self._twin.get(text, text), self.dimensions)
        if text in self._twin:  # cosine about 0.99 with its twin
            base = base + 0.1 * _random_unit(text, self.dimensions)
        return base / np.linalg.norm(base)


def _random_unit(text: str, dimensions: int) -> np.ndarray:
    rng = np.random.default_rng(list(text.encode()))
    v = rng.standard_normal(dimensions)
    return v / np.linalg.norm(v)

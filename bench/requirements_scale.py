"""The requirement consistency check (duplicates, contradictions) at scale: seconds and peak RSS, before and
after issue 15's change, with the recall of planted pairs.

    .venv/bin/python -m bench.requirements_scale                       # 1k, 3k, 10k; before at 1k and 3k
    .venv/bin/python -m bench.requirements_scale --sizes 10000 --before-sizes 10000 --identical ""  # all pairs at 10k
    .venv/bin/python -m bench.requirements_scale --embedder hashing   # no model (the tests' fake)

Statements are generated (``corpus``): English and Chinese requirements of an ERP/MES/WMS integration from
templates, systems, objects, actions, roles, sites and figures, about one in ten of them one half of a planted
pair (an identical copy under another id, a reworded duplicate, a paraphrase, a numeric, timing or polarity
contradiction). The check runs the way the API's ``_report`` runs it: ``check_consistency`` with the first
classifier embedder, which is USE (the packaged use-multilingual, 2 threads) with the default local
embeddings. "Before" is the all-pairs code this change replaced, kept only here (``old_find_duplicates``,
``old_find_contradictions``): a Python loop over n(n-1)/2 pairs and an n x n cosine matrix, so it runs on the
small sizes only.

Each measurement runs in a child process of its own: peak RSS is the child's high-water mark, reset just
before the check (``/proc/self/clear_refs``) so that it is the check's own, model and statements already
loaded; "RSS added" is that peak minus the RSS before. Seconds include embedding the statements, which are
also given apart. Recall counts a planted pair found when the check reports that pair with the planted kind
(a duplicate of any method for the duplicate kinds; a statement repeated word for word stands for its
first copy, through which the check compares it); it and the agreement with "before" count every pair
found, not only the first ``max_listed`` a reply lists (a second, unmeasured run lifts that cap). At sizes
past ``exact_rows`` the random-projection trees' recall is measured too, against every pair's cosine.

Last (``--no-real`` skips it), before and after on real requirement lists, PROMISE NFR (625) and the
openETCS API spec's statements (177, ../shared/eval, as bench/requirements.py reads them): the pairs each
finds, set apart those naming a later copy of an identical statement.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import re
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from assistant.requirements.candidates import BUDGET, identical_groups, vector_candidates  # noqa: E402
from assistant.requirements.consistency import (  # noqa: E402
    _NEGATIVE,
    _PERIODIC,
    _POSITIVE,
    _REALTIME,
    COSINE_THRESHOLD,
    _clash,
    _number_note,
    _strip_numbers,
    _text,
    check_consistency,
    constraints,
    jaccard,
    normalise,
    overlap,
    tokens,
)
from assistant.requirements.models import Contradiction, DuplicatePair  # noqa: E402
from assistant.vectors import unit_rows  # noqa: E402

Embed = Callable[[Sequence[str]], np.ndarray]

# --------------------------------------------------------------------------------------------- statements

SYSTEMS = (
    "ERP", "MES", "WMS", "CRM", "OA", "SRM", "PLM", "TMS", "HRM", "QMS", "EAM", "APS", "LIMS",
    "BI platform", "supplier portal", "customer portal", "mobile app", "data hub", "finance module",
    "e-invoicing gateway",
)  # fmt: skip
OBJECTS = (
    ("purchase orders", "采购订单"), ("sales orders", "销售订单"), ("production orders", "生产工单"),
    ("invoices", "发票"), ("delivery notes", "送货单"), ("stock levels", "库存数量"),
    ("material master data", "物料主数据"), ("customer records", "客户档案"), ("supplier records", "供应商档案"),
    ("inspection results", "质检结果"), ("work reports", "报工记录"), ("shipment notices", "发货通知"),
    ("payment vouchers", "付款凭证"), ("approval requests", "审批单"), ("contracts", "合同"), ("BOMs", "物料清单"),
    ("routings", "工艺路线"), ("batch numbers", "批次号"), ("serial numbers", "序列号"),
    ("return orders", "退货单"), ("price lists", "价格表"), ("cost centres", "成本中心"),
    ("maintenance orders", "维修工单"), ("equipment logs", "设备日志"), ("transfer orders", "调拨单"),
    ("goods receipts", "收货单"), ("picking lists", "拣货单"), ("credit limits", "信用额度"),
    ("sales forecasts", "销售预测"), ("audit trails", "审计日志"), ("user accounts", "用户账号"),
    ("access rights", "访问权限"), ("energy readings", "能耗数据"), ("lab samples", "实验样品"),
    ("freight bills", "运费账单"), ("quotations", "报价单"), ("budgets", "预算"), ("timesheets", "工时记录"),
    ("leave requests", "请假申请"), ("asset cards", "资产卡片"),
)  # fmt: skip
ACTIONS = (
    ("export", "导出"), ("archive", "归档"), ("validate", "校验"), ("approve", "审批"), ("print", "打印"),
    ("import", "导入"), ("reconcile", "对账"), ("lock", "锁定"), ("audit", "审计"), ("encrypt", "加密"),
    ("back up", "备份"), ("publish", "发布"), ("cancel", "取消"), ("split", "拆分"), ("merge", "合并"),
    ("release", "下达"), ("close", "关闭"), ("revise", "修订"), ("price", "定价"), ("allocate", "分配"),
    ("delete", "删除"), ("edit", "编辑"), ("review", "复核"), ("sign", "签署"), ("transfer", "转移"),
)  # fmt: skip
ROLES = (
    ("planners", "计划员"), ("warehouse staff", "仓库管理员"), ("finance clerks", "财务人员"),
    ("sales managers", "销售经理"), ("auditors", "审计员"), ("shift leaders", "班组长"),
    ("administrators", "系统管理员"), ("buyers", "采购员"), ("quality engineers", "质量工程师"),
    ("maintenance technicians", "维修技术员"), ("dispatchers", "调度员"), ("customers", "客户"),
    ("suppliers", "供应商"), ("department heads", "部门负责人"), ("cashiers", "出纳"),
)  # fmt: skip
CONDITIONS = (
    ("when a purchase order is approved", "采购订单审批通过后"), ("after goods receipt is posted", "收货过账后"),
    ("at month-end closing", "月末结账时"), ("during peak hours", "高峰时段"),
    ("before a shipment leaves the dock", "发货出库前"), ("when a shift ends", "每班次结束时"),
    ("after a quality hold is lifted", "质量冻结解除后"), ("when a new supplier is registered", "新供应商注册时"),
    ("at the end of each production run", "每批生产结束时"), ("when stock falls below the reorder point", "库存低于再订货点时"),
    ("after a contract is signed", "合同签署后"), ("when a customer complaint is logged", "客户投诉登记后"),
)  # fmt: skip
SITES = (
    ("Suzhou plant", "苏州工厂"), ("Wuxi warehouse", "无锡仓库"), ("line 4", "4号产线"), ("Shanghai office", "上海办公室"),
    ("Ningbo port depot", "宁波港仓"), ("Hefei assembly hall", "合肥总装车间"), ("Kunshan DC", "昆山配送中心"),
    ("paint shop", "涂装车间"), ("stamping line", "冲压线"), ("Chengdu branch", "成都分公司"),
    ("cold store", "冷库"), ("Xi'an service centre", "西安服务中心"),
)  # fmt: skip
UNITS = (("seconds", "秒"), ("minutes", "分钟"), ("hours", "小时"))
KEEP_UNITS = (("days", "天"), ("months", "个月"), ("years", "年"))


def _site(rng: random.Random, zh: bool) -> str:
    if rng.random() < 0.5:
        return ""
    name = rng.choice(SITES)[zh]
    return f"{name}的" if zh else f" for the {name}"


def statement(rng: random.Random, zh: bool) -> str:
    """One requirement from one of ten templates per language."""
    sys_, sys2 = rng.sample(SYSTEMS, 2)
    obj, act, role, cond = rng.choice(OBJECTS), rng.choice(ACTIONS), rng.choice(ROLES), rng.choice(CONDITIONS)
    n, unit, keep = rng.choice((2, 3, 5, 10, 15, 30, 60)), rng.choice(UNITS), rng.choice(KEEP_UNITS)
    site = _site(rng, zh)
    t = rng.randrange(10)
    if zh:
        return (
            f"{sys_}应在{cond[1]}{act[1]}{site}{obj[1]}。",
            f"{sys_}应在 {n} {unit[1]}内{act[1]}{site}{obj[1]}。",
            f"{role[1]}应能够在{sys_}中{act[1]}{site}{obj[1]}。",
            f"{sys_}中{site}{obj[1]}应保留不少于 {n} {keep[1]}。",
            f"{site}{obj[1]}应每隔 {n} 分钟从{sys_}同步至{sys2}。",
            f"{sys_}应实时向{sys2}推送{site}{obj[1]}。",
            f"{sys_}不得允许{role[1]}{act[1]}{site}{obj[1]}。",
            f"{sys_}应支持不少于 {n * 20} 名{role[1]}同时在线。",
            f"{sys_}的{site}{obj[1]}页面应在 {n} 秒内完成加载。",
            f"{sys_}应记录{site}{obj[1]}的每次变更及操作人和时间。",
        )[t]
    return (
        f"The {sys_} shall {act[0]} {obj[0]}{site} {cond[0]}.",
        f"The {sys_} shall {act[0]} {obj[0]}{site} within {n} {unit[0]}.",
        f"{role[0].capitalize()} shall be able to {act[0]} {obj[0]}{site} in the {sys_}.",
        f"The {sys_} shall retain {obj[0]}{site} for at least {n} {keep[0]}.",
        f"The {sys_} shall send {obj[0]}{site} to the {sys2} every {n} minutes.",
        f"The {sys_} shall push {obj[0]}{site} to the {sys2} in real time.",
        f"The {sys_} shall not allow {role[0]} to {act[0]} {obj[0]}{site}.",
        f"The {sys_} shall support at least {n * 20} concurrent {role[0]}.",
        f"The {obj[0]} screen of the {sys_}{site} shall load within {n} seconds.",
        f"The {sys_} shall log every change to {obj[0]}{site} with the user and the time.",
    )[t]


def planted(rng: random.Random, kind: str, zh: bool) -> tuple[str, str]:
    """Two statements that are a duplicate or a contradiction of ``kind``."""
    sys_, sys2 = rng.sample(SYSTEMS, 2)
    obj, act, role, site = rng.choice(OBJECTS), rng.choice(ACTIONS), rng.choice(ROLES), rng.choice(SITES)
    n = rng.choice((2, 3, 5))
    if kind == "exact":
        text = statement(rng, zh)
        return text, text.upper().replace("。", "").replace(".", "!")
    if kind == "reworded":
        if zh:
            return (
                f"{sys_}应在{site[1]}{act[1]}{obj[1]}后 {n} 分钟内通知{sys2}。",
                f"{site[1]}{act[1]}{obj[1]}后，{sys_}须在 {n} 分钟内通知{sys2}。",
            )
        return (
            f"The {sys_} shall notify the {sys2} within {n} minutes after {role[0]} {act[0]} {obj[0]} "
            f"at the {site[0]}.",
            f"Within {n} minutes after {role[0]} {act[0]} {obj[0]} at the {site[0]}, the {sys_} shall "
            f"notify the {sys2}.",
        )
    if kind == "paraphrase":
        if zh:
            return (
                f"{role[1]}应能够在{sys_}中{act[1]}{site[1]}的{obj[1]}。",
                f"{sys_}须支持{role[1]}对{site[1]}的{obj[1]}进行{act[1]}操作。",
            )
        return (
            f"{role[0].capitalize()} shall be able to {act[0]} {obj[0]} of the {site[0]} in the {sys_}.",
            f"The {sys_} must let {role[0]} {act[0]} the {site[0]}'s {obj[0]}.",
        )
    if kind == "numeric":
        if zh:
            return (
                f"{sys_}中{site[1]}的{obj[1]}应保留不少于 180 天。",
                f"{sys_}中{site[1]}的{obj[1]}保留 90 天后应自动删除。",
            )
        return (
            f"The {obj[0]} screen of the {sys_} for the {site[0]} shall load within {n} seconds.",
            f"The {obj[0]} screen of the {sys_} for the {site[0]} shall load within {n * 4} seconds.",
        )
    if kind == "timing":
        if zh:
            return (
                f"{sys_}应实时向{sys2}推送{site[1]}的{obj[1]}。",
                f"{site[1]}的{obj[1]}应每隔 15 分钟从{sys_}同步至{sys2}。",
            )
        return (
            f"The {sys_} shall push {obj[0]} of the {site[0]} to the {sys2} in real time.",
            f"The {sys_} shall send {obj[0]} of the {site[0]} to the {sys2} every 15 minutes.",
        )
    if zh:
        return (
            f"{sys_}应允许{site[1]}的{role[1]}{act[1]}{obj[1]}。",
            f"{sys_}不得允许{site[1]}的{role[1]}{act[1]}{obj[1]}。",
        )
    return (
        f"The {sys_} shall allow {role[0]} of the {site[0]} to {act[0]} {obj[0]}.",
        f"The {sys_} shall not allow {role[0]} of the {site[0]} to {act[0]} {obj[0]}.",
    )


DUPLICATE_KINDS = ("exact", "reworded", "paraphrase")
CONTRADICTION_KINDS = ("numeric", "timing", "polarity")


@dataclass
class Corpus:
    statements: list[str] = field(default_factory=list)
    planted: dict[tuple[int, int], str] = field(default_factory=dict)  # (a < b) -> kind


def corpus(n: int, *, seed: int = 15, pair_every: int = 20) -> Corpus:
    """``n`` statements, a third Chinese; every ``pair_every``-th position starts a planted pair whose second
    half lands a random distance later (as a document repeats itself pages apart)."""
    rng = random.Random(seed)
    out = Corpus(statements=[""] * n)
    free = set(range(n))
    kinds = DUPLICATE_KINDS + CONTRADICTION_KINDS
    for k, a in enumerate(range(0, n - 1, pair_every)):
        later = [b for b in range(a + 1, min(n, a + 2000)) if b in free]
        if a not in free or not later:
            continue
        b = rng.choice(later)
        kind = kinds[k % len(kinds)]
        out.statements[a], out.statements[b] = planted(rng, kind, zh=rng.random() < 1 / 3)
        out.planted[(a, b)] = kind
        free -= {a, b}
    for i in sorted(free):
        out.statements[i] = statement(rng, zh=rng.random() < 1 / 3)
    return out


# ------------------------------------------------------------------------------- before: every pair (old)


def old_find_duplicates(
    statements: Sequence[str],
    embed: Embed | None = None,
    *,
    jaccard_threshold: float = 0.6,
    cosine_threshold: float = 0.92,
) -> list[DuplicatePair]:
    """The code before issue 15, verbatim: every pair, with an n x n cosine matrix."""
    texts = [_text(s) for s in statements]
    keys = [normalise(t) for t in texts]
    toks = [tokens(t) for t in texts]
    sims = None
    if embed is not None and len(texts) > 1:
        vecs = unit_rows(embed(texts))
        sims = vecs @ vecs.T
    pairs: list[DuplicatePair] = []
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            if keys[i] and keys[i] == keys[j]:
                pairs.append(DuplicatePair(a=i, b=j, score=1.0, method="exact", reason="identical text"))
                continue
            jac = jaccard(toks[i], toks[j])
            if jac >= jaccard_threshold:
                reason = f"{len(toks[i] & toks[j])} shared terms (Jaccard {jac:.2f})" + _number_note(
                    texts[i], texts[j]
                )
                pairs.append(DuplicatePair(a=i, b=j, score=round(jac, 3), method="jaccard", reason=reason))
                continue
            if sims is not None and sims[i, j] >= cosine_threshold:
                cos = float(sims[i, j])
                reason = f"embedding cosine {cos:.2f}" + _number_note(texts[i], texts[j])
                pairs.append(DuplicatePair(a=i, b=j, score=round(cos, 3), method="cosine", reason=reason))
    pairs.sort(key=lambda p: -p.score)
    return pairs


def old_find_contradictions(
    statements: Sequence[str], *, subject_overlap: float = 0.4, min_shared: int = 2
) -> list[Contradiction]:
    """The code before issue 15, verbatim: every pair."""
    texts = [_text(s) for s in statements]
    toks = [tokens(_strip_numbers(t)) for t in texts]
    cons = [constraints(t) for t in texts]
    out: list[Contradiction] = []
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            shared = toks[i] & toks[j]
            if len(shared) < min_shared or overlap(toks[i], toks[j]) < subject_overlap:
                continue
            found = (
                _old_numeric(i, j, cons, texts)
                or _old_timing(i, j, texts)
                or _old_polarity(i, j, texts, toks)
            )
            if found:
                out.append(found)
    return out


def _old_numeric(i: int, j: int, cons: list, texts: list[str]) -> Contradiction | None:  # type: ignore[type-arg]
    for a in cons[i]:
        for b in cons[j]:
            why = _clash(a, b)
            if why == "different bounds" and jaccard(tokens(texts[i]), tokens(texts[j])) < 0.5:
                continue
            if why:
                return Contradiction(a=i, b=j, kind="numeric", reason=f"{why}: “{a.raw}” vs “{b.raw}”")
    return None


def _old_timing(i: int, j: int, texts: list[str]) -> Contradiction | None:
    for x, y in ((i, j), (j, i)):
        rt = _REALTIME.search(texts[x])
        per = _PERIODIC.search(texts[y])
        if rt and per and not _REALTIME.search(texts[y]) and not _PERIODIC.search(texts[x]):
            return Contradiction(
                a=i,
                b=j,
                kind="timing",
                reason=f"“{rt.group()}” vs periodic “{per.group()}” on the same subject",
            )
    return None


def _old_polarity(i: int, j: int, texts: list[str], toks: list[set[str]]) -> Contradiction | None:
    neg_i, neg_j = bool(_NEGATIVE.search(texts[i])), bool(_NEGATIVE.search(texts[j]))
    if neg_i == neg_j:
        return None
    pos = j if neg_i else i
    if not _POSITIVE.search(_NEGATIVE.sub("", texts[pos])):
        return None
    strip = {"not", "never", "不得", "不应", "禁止", "严禁", "不允", "允许", "不能", "不可"}
    if jaccard(toks[i] - strip, toks[j] - strip) < 0.5:
        return None
    return Contradiction(a=i, b=j, kind="polarity", reason="one statement requires what the other forbids")


# ------------------------------------------------------------------------------------------------ one run


def _memory() -> dict[str, float]:
    status = Path("/proc/self/status").read_text()
    return {k: int(re.search(rf"{k}:\s+(\d+)", status).group(1)) / 1024 for k in ("VmRSS", "VmHWM")}  # type: ignore[union-attr]


def make_embed(name: str) -> Embed | None:
    if name == "none":
        return None
    if name == "hashing":
        from assistant.providers.embeddings import HashingEmbeddings

        return HashingEmbeddings().embed_array
    # What the container's classifier_embeds puts first with the default local embeddings: USE, 2 threads.
    from assistant.providers.embeddings import UseMultilingualEmbeddings

    return UseMultilingualEmbeddings(threads=2, batch_size=64).embed_array


def run_one(size: int, side: str, embedder: str, identical: bool) -> dict[str, Any]:
    if identical:
        statements, plants = ["The system shall respond within 2 seconds."] * size, {}
    else:
        data = corpus(size)
        statements, plants = data.statements, data.planted
    inner = make_embed(embedder)
    embed_s = [0.0]
    embedded = [0]
    vectors: list[np.ndarray] = []

    def embed(texts: Sequence[str]) -> np.ndarray:
        assert inner is not None
        t0 = time.perf_counter()
        out = inner(texts)
        embed_s[0] += time.perf_counter() - t0
        embedded[0] += len(texts)
        vectors.append(out)
        return out

    if inner is not None:
        inner(["warm-up: load the model's weights"])
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak RSS to the RSS now
    before_rss = _memory()["VmRSS"]
    t0 = time.perf_counter()
    compared: int | None = None
    complete: bool | None = None
    notes: list[str] = []
    if side == "before":
        dups = old_find_duplicates(statements, embed if inner else None)
        clashes = old_find_contradictions(statements)
        dup_pairs = {(d.a, d.b) for d in dups}
        clash_pairs = {(c.a, c.b): c.kind for c in clashes}
        n_dups, n_clashes = len(dups), len(clashes)
    else:
        found = check_consistency(statements, embed if inner else None)
        n_dups, n_clashes = found.summary.duplicates_found, found.summary.contradictions_found
        compared, complete = found.summary.pairs_compared, found.summary.complete
        notes = found.summary.notes
    seconds = time.perf_counter() - t0
    mem = _memory()
    embedding = (embed_s[0], embedded[0])
    if side == "after":
        # A reply lists at most BUDGET.max_listed pairs of each kind; recall and agreement count every pair
        # found, so the check runs again, unmeasured, with the listing cap lifted (the same pairs compared).
        everything = dataclasses.replace(BUDGET, max_listed=len(statements) ** 2)
        again = (lambda texts: vectors[0]) if inner else None  # the same distinct texts: no second embedding
        found = check_consistency(statements, again, budget=everything)
        dup_pairs = {(d.a, d.b) for d in found.duplicates}
        clash_pairs = {(c.a, c.b): c.kind for c in found.contradictions}
    trees = _tree_recall(vectors[0]) if side == "after" and vectors else None
    # A planted statement that repeats an earlier one word for word is compared through that first copy
    # (after) and is paired with everything that copy is (before), so a pair is looked up by first copies.
    first = {m: g[0] for g in identical_groups([normalise(t) for t in statements]) for m in g}
    recall: dict[str, list[int]] = {}
    for (a, b), kind in plants.items():
        x, y = sorted((first[a], first[b]))
        duplicate = x == y or (x, y) in dup_pairs
        hit = duplicate if kind in DUPLICATE_KINDS else clash_pairs.get((x, y)) == kind
        recall.setdefault(kind, [0, 0])
        recall[kind][0] += hit
        recall[kind][1] += 1
    return {
        "size": size,
        "side": side,
        "identical": identical,
        "seconds": seconds,
        "embed_seconds": embedding[0],
        "embedded": embedding[1],
        "peak_rss_mb": mem["VmHWM"],
        "added_rss_mb": mem["VmHWM"] - before_rss,
        "duplicates": n_dups,
        "contradictions": n_clashes,
        "pairs_compared": compared if compared is not None else size * (size - 1) // 2,
        "complete": complete,
        "notes": notes,
        "recall": recall,
        "trees": trees,
        # Every pair found, for the agreement between the two sides.
        "dup_pairs": sorted(dup_pairs),
        "clash_pairs": sorted(clash_pairs),
    }


def _tree_recall(raw: np.ndarray) -> list[int] | None:
    """[found, all]: pairs at or above the cosine threshold that the random-projection trees make candidates,
    against every pair's cosine (computed here in row blocks); None when the search was exact anyway."""
    vecs = unit_rows(raw)
    n = len(vecs)
    if n <= BUDGET.exact_rows:
        return None
    found, _ = vector_candidates(vecs, COSINE_THRESHOLD, partners=BUDGET.partners(n, 3))
    got = set(zip(found.a.tolist(), found.b.tolist(), strict=True))
    want: set[tuple[int, int]] = set()
    for start in range(0, n, 512):
        sims = vecs[start : start + 512] @ vecs.T
        for r, c in zip(*np.nonzero(sims >= COSINE_THRESHOLD), strict=True):
            if start + r < c:
                want.add((int(start + r), int(c)))
    return [len(want & got), len(want)]


# --------------------------------------------------------------------------------------------- the table


def _child(size: int, side: str, embedder: str, identical: bool) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.requirements_scale", "--child", f"{size}:{side}:{int(identical)}"]
    cmd += ["--embedder", embedder]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _recall(row: dict[str, Any], kinds: Sequence[str]) -> str:
    hit = sum(row["recall"].get(k, [0, 0])[0] for k in kinds)
    total = sum(row["recall"].get(k, [0, 0])[1] for k in kinds)
    return f"{hit}/{total}" if total else "-"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,3000,10000", help="statement counts (after)")
    ap.add_argument("--before-sizes", default="1000,3000", help="sizes the all-pairs code runs on too")
    ap.add_argument("--identical", default="2000,4650", help="sizes of the copies-of-one-statement input")
    ap.add_argument("--embedder", default="use", choices=["use", "hashing", "none"])
    ap.add_argument(
        "--no-real", dest="real", action="store_false", help="skip PROMISE NFR and openETCS (../shared/eval)"
    )
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        size, side, identical = args.child.split(":")
        print(json.dumps(run_one(int(size), side, args.embedder, bool(int(identical)))))
        return

    sizes = [int(s) for s in args.sizes.split(",") if s]
    before = {int(s) for s in args.before_sizes.split(",") if s}
    runs: list[tuple[int, str, bool]] = []
    for size in sizes:
        runs += [(size, "before", False)] if size in before else []
        runs.append((size, "after", False))
    runs += [(int(s), "after", True) for s in args.identical.split(",") if s]
    rows = []
    print(f"embedder: {args.embedder}; load average at start: {os.getloadavg()[0]:.1f}", flush=True)
    for size, side, identical in runs:
        row = _child(size, side, args.embedder, identical)
        rows.append(row)
        print(
            f"  done: {size} {side}{' identical' if identical else ''} in {row['seconds']:.1f} s", flush=True
        )
    print(f"load average at end: {os.getloadavg()[0]:.1f}\n")

    header = (
        "| input | code | seconds | of which embedding (texts) | peak RSS MB | RSS added MB | pairs compared "
        "| duplicates / contradictions found | planted duplicates found | planted contradictions found |"
    )
    print(header)
    print("|" + "|".join("---" for _ in header.split("|")[1:-1]) + "|")
    for r in rows:
        name = f"{r['size']:,} x the same statement" if r["identical"] else f"{r['size']:,} statements"
        print(
            f"| {name} | {r['side']} | {r['seconds']:.2f} | {r['embed_seconds']:.2f} ({r['embedded']:,}) "
            f"| {r['peak_rss_mb']:.0f} | {r['added_rss_mb']:.0f} | {r['pairs_compared']:,} "
            f"| {r['duplicates']:,} / {r['contradictions']:,} | {_recall(r, DUPLICATE_KINDS)} "
            f"| {_recall(r, CONTRADICTION_KINDS)} |"
        )
    for r in rows:
        if r["side"] == "after":
            name = f"{r['size']:,} x the same statement" if r["identical"] else f"{r['size']:,} statements"
            print(f"\nthe reply's consistency summary at {name}: complete {r['complete']}")
            for note in r["notes"]:
                print(f"  - {note}")
    for r in rows:
        if r.get("trees"):
            found, total = r["trees"]
            print(
                f"\nvector search at {r['size']:,} statements: the random-projection trees made candidates of "
                f"{found:,} of the {total:,} pairs of distinct statements with cosine >= {COSINE_THRESHOLD}"
            )
    print("\nplanted pairs found, per kind (found/planted):")
    for r in rows:
        if r["recall"]:
            kinds = ", ".join(f"{k} {h}/{t}" for k, (h, t) in sorted(r["recall"].items()))
            print(f"  {r['size']:>6,} {r['side']:<6} {kinds}")
    for size in sorted(before):
        old = next((r for r in rows if r["size"] == size and r["side"] == "before"), None)
        new = next(
            (r for r in rows if r["size"] == size and r["side"] == "after" and not r["identical"]), None
        )
        if not old or not new:
            continue
        statements = corpus(size).statements
        copies = {m for g in identical_groups([normalise(t) for t in statements]) for m in g[1:]}
        print(f"\nagreement at {size:,} statements (after against before, every pair found):")
        for label, key in (("duplicates", "dup_pairs"), ("contradictions", "clash_pairs")):
            o, n = {tuple(p) for p in old[key]}, {tuple(p) for p in new[key]}
            repeats = sum(1 for a, b in o - n if a in copies or b in copies)
            print(
                f"  {label}: before {len(o):,}, after {len(n):,}, both {len(o & n):,}, "
                f"only before {len(o - n):,} ({repeats:,} of them name a later copy of an identical "
                f"statement, which after compares through its first copy), only after {len(n - o):,}"
            )
    if args.real:
        real_data(args.embedder)


def real_data(embedder: str) -> None:
    """Before and after on real requirement lists (PROMISE NFR, the openETCS API spec's statements, read as
    bench/requirements.py reads them): every pair found, set apart those that name a later copy of an
    identical statement (after lists such a copy in duplicate_groups instead)."""
    from assistant.requirements import check_text
    from bench.requirements import load_api_pdf, load_promise

    embed = make_embed(embedder)
    text, _, _ = load_api_pdf()
    lists = {
        "PROMISE NFR": [t for _, t, _ in load_promise()],
        "openETCS API v1.2": [c.text for c in check_text(text, language="en")],
    }
    print(
        "\nreal statements, before against after (pairs that name no later copy of an identical statement):"
    )
    for name, statements in lists.items():
        first = {m: g[0] for g in identical_groups([normalise(t) for t in statements]) for m in g}
        found = check_consistency(statements, embed)
        dups = (
            _alone([(d.a, d.b, d.method) for d in old_find_duplicates(statements, embed)], first),
            _alone([(d.a, d.b, d.method) for d in found.duplicates], first),
        )
        clashes = (
            _alone([(c.a, c.b, c.kind) for c in old_find_contradictions(statements)], first),
            _alone([(c.a, c.b, c.kind) for c in found.contradictions], first),
        )
        print(
            f"  {name}, {len(statements)} statements ({len(statements) - found.summary.distinct} later copies): "
            f"duplicates before {len(dups[0])}, after {len(dups[1])}, identical {dups[0] == dups[1]}; "
            f"contradictions before {len(clashes[0])}, after {len(clashes[1])}, identical "
            f"{clashes[0] == clashes[1]}; complete {found.summary.complete}"
        )


def _alone(pairs: list[tuple[int, int, str]], first: dict[int, int]) -> set[tuple[int, int, str]]:
    """The pairs neither of whose statements is a later copy of an identical one."""
    return {p for p in pairs if first[p[0]] == p[0] and first[p[1]] == p[1]}


if __name__ == "__main__":
    main()

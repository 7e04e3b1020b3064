"""Which pairs of requirement statements the duplicate and contradiction checks compare.

Comparing every pair is quadratic: 4,650 statements are 10.8 million pairs, which took 10.9 GB (issue 15).
Candidates come instead from three sources, each linear in the number of statements, under one budget:

- Identical statements (the same once ids, case, punctuation and spaces are set aside) collapse into a group
  before anything else, so 2,000 copies of one sentence are one statement to compare (``identical_groups``).
- Token blocking with prefix filtering (``token_candidates``): a pair can only share ``need`` of the smaller
  statement's tokens if one of that statement's rarest ``size - need + 1`` tokens is among them, so each
  statement looks up only those tokens in an inverted index, reads at most ``scan`` entries and keeps its
  ``partners`` best candidates (rarer shared tokens weigh more). Below those caps nothing is lost.
- Statement vectors (``vector_candidates``): every pair's cosine, in row blocks, up to ``exact_rows``
  statements; beyond, each statement's neighbours in random-projection trees (an approximate search).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PairBudget:
    """The most work one consistency check may do, whatever its input. The two totals are shared out among
    the statements, so a short document is compared in full and a long one statement by statement with its
    closest candidates."""

    # Candidate pairs judged in one check, all sources together (about 1-2 microseconds each in Python).
    max_pairs: int = 1_000_000
    # Inverted-index entries all token lookups of one check read together: a word that is in every
    # statement costs no more than this.
    max_scan: int = 20_000_000
    # Candidates per statement and source, and index entries per lookup, however many statements there are
    # (past max_pairs / (3 x min_partners) statements the pairs of the last ones are then left out).
    min_partners: int = 8
    min_scan: int = 256
    # Up to this many distinct statements every pair's cosine is computed (2,048 rows: 0.1-0.3 s).
    exact_rows: int = 2048
    # Rows of one block of cosines: at most block_rows x statements x 4 bytes in memory at once.
    block_rows: int = 256
    # Beyond exact_rows: random-projection trees, and statements per leaf (cosines within a leaf).
    trees: int = 8
    leaf_rows: int = 64
    # Pairs of each kind (duplicates, contradictions) returned; the others are counted, not listed.
    max_listed: int = 1000

    def partners(self, statements: int, sources: int, room: int | None = None) -> int:
        """Candidates each statement keeps from one of ``sources`` sources still to run: its share of the
        ``room`` pairs left (all of ``max_pairs`` at first)."""
        left = self.max_pairs if room is None else room
        return max(self.min_partners, left // max(1, statements * sources))

    def scan(self, statements: int) -> int:
        """Index entries each statement's token lookup may read: its share of ``max_scan``."""
        return max(self.min_scan, self.max_scan // max(1, statements))


BUDGET = PairBudget()


def identical_groups(keys: Sequence[str]) -> list[list[int]]:
    """Indices grouped by key, in order of first appearance; an empty key (no letters or digits) is a group of
    its own, as it says nothing that could be compared."""
    by_key: dict[str, list[int]] = {}
    groups: list[list[int]] = []
    for i, key in enumerate(keys):
        if not key:
            groups.append([i])
        elif key in by_key:
            by_key[key].append(i)
        else:
            by_key[key] = [i]
            groups.append(by_key[key])
    return groups


@dataclass
class Candidates:
    """Pairs (a < b) to judge, and which statements had more candidates than they could keep."""

    a: np.ndarray
    b: np.ndarray
    capped: np.ndarray  # one bool per statement

    def __len__(self) -> int:
        return len(self.a)


def unique_pairs(rows: list[np.ndarray], cols: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Unique unordered pairs from parallel index arrays, as (a < b) sorted."""
    if not rows:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    r, c = np.concatenate(rows).astype(np.int64), np.concatenate(cols).astype(np.int64)
    lo, hi = np.minimum(r, c), np.maximum(r, c)
    keep = lo != hi
    lo, hi = lo[keep], hi[keep]
    width = int(hi.max()) + 1 if len(hi) else 1
    codes = np.unique(lo * width + hi)
    return codes // width, codes % width


# ------------------------------------------------------------------------------------------------- tokens


def token_candidates(
    sets: Sequence[frozenset[str]],
    need: Callable[[int], int],
    *,
    partners: int,
    scan: int,
    max_ratio: float | None = None,
    compatible: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
    batch: int = 1 << 19,
) -> Candidates:
    """Pairs that may share at least ``need(len(smaller))`` tokens.

    ``max_ratio``: a partner may be at most this many times larger (a Jaccard threshold t allows 1/t).
    ``compatible(a, b)``: which pairs of statements (index arrays) could pass the test the candidates are
    for at all; the others are dropped before each statement's best partners are chosen.
    ``batch``: index entries handled at once (memory: about 80 bytes each, some 40 MB)."""
    n = len(sets)
    df = Counter(t for s in sets for t in s)
    # Rarest first; ties by the token so that the same input always gives the same candidates.
    vocabulary = sorted(df, key=lambda t: (df[t], t))
    rank = {t: r for r, t in enumerate(vocabulary)}
    idf = np.array([math.log(1 + n / df[t]) for t in vocabulary])
    sizes = np.array([len(s) for s in sets], dtype=np.int64)
    # Each statement's tokens, rarest first, one statement after the other.
    ranks = np.fromiter((r for s in sets for r in sorted(rank[t] for t in s)), np.int64, int(sizes.sum()))
    owners = np.repeat(np.arange(n, dtype=np.int64), sizes)
    # The inverted index as one array: the statements of token r are postings[offsets[r]:offsets[r + 1]].
    postings = owners[np.argsort(ranks, kind="stable")]
    lengths = np.bincount(ranks, minlength=len(vocabulary))
    offsets = np.concatenate(([0], np.cumsum(lengths)))

    # The prefix of each statement: its first size - need + 1 tokens (none if it cannot share enough).
    needs = np.array([need(int(k)) for k in sizes], dtype=np.int64)
    prefix = np.where((sizes > 0) & (needs <= sizes), sizes - needs + 1, 0)
    first = np.cumsum(sizes) - sizes
    entry = np.repeat(first - (np.cumsum(prefix) - prefix), prefix) + np.arange(int(prefix.sum()))
    token, owner = ranks[entry], owners[entry]
    # Entries read per prefix token: rarest first, up to ``scan`` per statement.
    size = lengths[token]
    before = _running_total(size, owner, n) - size
    read = np.clip(scan - before, 0, size)
    capped = np.zeros(n, dtype=bool)
    capped[owner[read < size]] = True

    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    done = np.cumsum(read)
    lo = 0
    while lo < len(read):  # batches of whole statements, about ``batch`` entries each
        hi = max(int(np.searchsorted(done, (done[lo - 1] if lo else 0) + batch, side="right")), lo + 1)
        while hi < len(read) and owner[hi] == owner[hi - 1]:
            hi += 1
        a, b, cut = _best_partners(
            token[lo:hi],
            owner[lo:hi],
            read[lo:hi],
            postings,
            offsets,
            idf,
            sizes,
            partners,
            max_ratio,
            compatible,
        )
        rows.append(a)
        cols.append(b)
        capped[cut] = True
        lo = hi
    a, b = unique_pairs(rows, cols)
    return Candidates(a, b, capped)


def _running_total(values: np.ndarray, groups: np.ndarray, n: int) -> np.ndarray:
    """Cumulative sum of ``values`` restarting at each group (``groups`` sorted)."""
    total = np.cumsum(values)
    starts = np.searchsorted(groups, np.arange(n))
    base = np.concatenate(([0], total))[starts]
    return total - base[groups]


def _best_partners(
    token: np.ndarray,
    owner: np.ndarray,
    read: np.ndarray,
    postings: np.ndarray,
    offsets: np.ndarray,
    idf: np.ndarray,
    sizes: np.ndarray,
    partners: int,
    max_ratio: float | None,
    compatible: Callable[[np.ndarray, np.ndarray], np.ndarray] | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For the statements of one batch: their candidates, each statement keeping the ``partners`` that share
    the most weight of rare tokens with it; and the statements that had more."""
    which = np.repeat(np.arange(len(read)), read)
    within = np.arange(len(which)) - np.repeat(np.cumsum(read) - read, read)
    found = postings[offsets[token[which]] + within]
    mine = owner[which]
    # The smaller statement of a pair finds it (equal sizes: both do, and the duplicate is dropped later).
    keep = (found != mine) & (sizes[found] >= sizes[mine])
    if max_ratio is not None:
        keep &= sizes[found] <= sizes[mine] * max_ratio
    if compatible is not None:
        keep &= compatible(mine, found)
    found, mine, weight = found[keep], mine[keep], idf[token[which[keep]]]
    width = len(sizes)
    codes, inverse = np.unique(mine * width + found, return_inverse=True)
    score = np.bincount(inverse, weights=weight)
    mine, found = codes // width, codes % width
    order = np.lexsort((found, -score, mine))
    mine, found = mine[order], found[order]
    starts = np.flatnonzero(np.r_[True, mine[1:] != mine[:-1]])
    place = np.arange(len(mine)) - np.repeat(starts, np.diff(np.r_[starts, len(mine)]))
    return mine[place < partners], found[place < partners], np.unique(mine[place >= partners])


# ------------------------------------------------------------------------------------------------ vectors


def vector_candidates(
    vecs: np.ndarray, threshold: float, *, partners: int, budget: PairBudget = BUDGET
) -> tuple[Candidates, bool]:
    """Pairs whose cosine (``vecs`` are unit rows) reaches ``threshold``, each statement keeping its
    ``partners`` closest; and whether the search was approximate (more than ``exact_rows`` statements)."""
    n = len(vecs)
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    capped = np.zeros(n, dtype=bool)
    if n <= budget.exact_rows:
        everyone = np.arange(n)
        for start in range(0, n, budget.block_rows):
            block = everyone[start : start + budget.block_rows]
            _close(vecs[block] @ vecs.T, block, everyone, threshold, partners, rows, cols, capped)
        a, b = unique_pairs(rows, cols)
        return Candidates(a, b, capped), False
    # A fixed seed: the same statements always give the same candidates.
    rng = np.random.default_rng(0)
    for _ in range(budget.trees):
        for leaf in _leaves(vecs, rng, budget.leaf_rows):
            _close(vecs[leaf] @ vecs[leaf].T, leaf, leaf, threshold, partners, rows, cols, capped)
    a, b = unique_pairs(rows, cols)
    return Candidates(a, b, capped), True


def _close(
    sims: np.ndarray,
    row_ids: np.ndarray,
    col_ids: np.ndarray,
    threshold: float,
    partners: int,
    rows: list[np.ndarray],
    cols: list[np.ndarray],
    capped: np.ndarray,
) -> None:
    """Append each row's columns at or above ``threshold`` (itself excluded), its ``partners`` best at most."""
    hits = sims >= threshold
    hits &= row_ids[:, None] != col_ids[None, :]
    for r in np.flatnonzero(hits.any(axis=1)):
        idx = np.flatnonzero(hits[r])
        if len(idx) > partners:
            idx = idx[np.argpartition(-sims[r, idx], partners - 1)[:partners]]
            capped[row_ids[r]] = True
        rows.append(np.full(len(idx), row_ids[r], dtype=np.int64))
        cols.append(col_ids[idx])


def _leaves(vecs: np.ndarray, rng: np.random.Generator, leaf_rows: int) -> Iterator[np.ndarray]:
    """One random-projection tree: each node splits its rows at the median of their projection on the line
    through two of them (the halves are even, so the depth is log2(n / leaf_rows) whatever the data)."""
    stack = [np.arange(len(vecs))]
    while stack:
        idx = stack.pop()
        if len(idx) <= leaf_rows:
            yield idx
            continue
        p, q = rng.choice(len(idx), 2, replace=False)
        normal = vecs[idx[p]] - vecs[idx[q]]
        if not normal.any():  # two identical vectors: any direction splits
            normal = np.asarray(rng.standard_normal(vecs.shape[1]), dtype=vecs.dtype)
        half = len(idx) // 2
        order = np.argpartition(vecs[idx] @ normal, half)
        stack.append(idx[order[:half]])
        stack.append(idx[order[half:]])

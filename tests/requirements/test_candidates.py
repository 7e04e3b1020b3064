"""Candidate pairs: nothing the thresholds could accept is missed below the caps, and the caps hold."""

from __future__ import annotations

import itertools
import math
import random

import numpy as np

from assistant.requirements.candidates import (
    Candidates,
    PairBudget,
    identical_groups,
    token_candidates,
    vector_candidates,
)


def _random_sets(n: int, seed: int) -> list[frozenset[str]]:
    rng = random.Random(seed)
    # A skewed vocabulary: a few words in most sets, many in few.
    words = [f"w{k}" for k in range(60)]
    weights = [1 / (k + 1) for k in range(60)]
    return [frozenset(rng.choices(words, weights, k=rng.randint(1, 9))) for _ in range(n)]


def _pairs(found: Candidates) -> set[tuple[int, int]]:
    return set(zip(found.a.tolist(), found.b.tolist(), strict=True))


def test_every_pair_sharing_enough_tokens_is_a_candidate() -> None:
    sets = _random_sets(300, seed=1)
    for need in (lambda size: max(2, math.ceil(0.4 * size)), lambda size: max(1, math.ceil(0.6 * size))):
        found = token_candidates(sets, need, partners=10_000, scan=10_000)
        want = {
            (i, j)
            for i, j in itertools.combinations(range(len(sets)), 2)
            if len(sets[i] & sets[j]) >= need(min(len(sets[i]), len(sets[j])))
        }
        assert not found.capped.any()
        assert want <= _pairs(found)


def test_caps_bound_the_candidates_of_each_statement() -> None:
    sets = [frozenset({"order", "page", f"x{k}"}) for k in range(500)]  # two words in every statement
    found = token_candidates(sets, lambda size: 2, partners=5, scan=100)
    assert len(found) <= 5 * len(sets)
    assert found.capped.all()
    assert all(a < b for a, b in _pairs(found))


def test_vector_pairs_are_exact_up_to_exact_rows() -> None:
    rng = np.random.default_rng(3)
    vecs = rng.standard_normal((200, 8)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    sims = vecs @ vecs.T
    want = {(i, j) for i, j in itertools.combinations(range(200), 2) if sims[i, j] >= 0.9}
    found, approximate = vector_candidates(vecs, 0.9, partners=10_000)
    assert not approximate and want and _pairs(found) == want


def test_random_projection_trees_find_near_twins_among_many() -> None:
    rng = np.random.default_rng(4)
    base = rng.standard_normal((3000, 48)).astype(np.float32)
    twins = {(k, k + 1500) for k in range(0, 1500, 7)}
    for a, b in twins:
        base[b] = base[a] + 0.15 * rng.standard_normal(48).astype(np.float32)
    vecs = base / np.linalg.norm(base, axis=1, keepdims=True)
    budget = PairBudget(exact_rows=500)
    found, approximate = vector_candidates(vecs, 0.95, partners=8, budget=budget)
    assert approximate
    assert twins <= _pairs(found)
    # Each leaf compares only its own rows: far fewer cosines than all pairs.
    assert len(found) <= budget.trees * 8 * len(vecs)


def test_identical_keys_group_in_order_and_empty_keys_stay_alone() -> None:
    assert identical_groups(["a", "b", "a", "", "", "b", "a"]) == [[0, 2, 6], [1, 5], [3], [4]]

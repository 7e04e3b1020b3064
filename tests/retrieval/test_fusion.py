from __future__ import annotations

import pytest

from assistant.retrieval.fusion import (
    FusionMethod,
    Hit,
    RankedList,
    fuse,
    fuse_convex,
    fuse_lists,
    keyword_coverage,
)


def ids(fused: list) -> list[str]:
    return [f.chunk_id for f in fused]


def test_rrf_sums_reciprocal_ranks_over_lists() -> None:
    vec = RankedList("vector", [Hit("a", 0.9), Hit("b", 0.8), Hit("c", 0.7)])
    kw = RankedList("keyword", [Hit("c", 12.0, coverage=1.0), Hit("b", 3.0, coverage=1.0)])
    fused = fuse([vec, kw], rrf_k=10)
    # c: 1/13 + 1/11 = .168, b: 1/12 + 1/12 = .167, a: 1/11 = .091
    assert ids(fused) == ["c", "b", "a"]
    assert fused[0].score == pytest.approx(1 / 13 + 1 / 11)
    assert fused[2].score == pytest.approx(1 / 11)


def test_raw_scores_are_kept_per_index() -> None:
    fused = fuse(
        [
            RankedList("vector", [Hit("a", 0.5)]),
            RankedList("vector", [Hit("a", 0.7)]),  # the translated query's list: the best cosine wins
            RankedList("keyword", [Hit("a", 4.0, gain=0.5, coverage=0.5)]),
        ]
    )
    (a,) = fused
    assert a.vector_score == 0.7
    assert a.keyword_score == 4.0
    assert a.keyword_coverage == 0.5


def test_vector_only_hit_has_no_keyword_score() -> None:
    (a,) = fuse([RankedList("vector", [Hit("a", 0.3)])])
    assert a.keyword_score is None and a.keyword_coverage is None


def test_keyword_hits_count_in_proportion_to_their_coverage() -> None:
    # BM25 ranks x first for a rare word it shares with the query, y second for matching every query word.
    vec = RankedList("vector", [Hit("v", 0.9), Hit("x", 0.8), Hit("y", 0.7)])
    kw = RankedList("keyword", [Hit("x", 9.0, gain=0.1, coverage=0.1), Hit("y", 8.0, gain=1.0, coverage=1.0)])
    assert ids(fuse([vec, kw], rrf_k=60))[0] == "y"
    plain = RankedList("keyword", [Hit("x", 9.0), Hit("y", 8.0)])
    assert ids(fuse([vec, plain], rrf_k=60))[0] == "x"  # what plain RRF does


def test_weights_scale_contributions_and_zero_weight_lists_are_skipped() -> None:
    vec = RankedList("vector", [Hit("a", 0.9), Hit("b", 0.1)], weight=1.0)
    kw = RankedList("keyword", [Hit("b", 9.0, coverage=1.0), Hit("a", 1.0, coverage=1.0)], weight=3.0)
    assert ids(fuse([vec, kw]))[0] == "b"
    muted = RankedList("keyword", kw.hits, weight=0.0)
    fused = fuse([vec, muted])
    assert ids(fused) == ["a", "b"]
    assert fused[0].keyword_score is None  # a muted list contributes nothing, not even its raw score


def test_ties_keep_first_seen_order() -> None:
    fused = fuse(
        [RankedList("vector", [Hit("x", 0.5)]), RankedList("keyword", [Hit("y", 1.0, coverage=1.0)])]
    )
    assert ids(fused) == ["x", "y"]


def test_contributions_are_labelled() -> None:
    fused = fuse([RankedList("vector", [Hit("a", 0.5)], label="vector:original")])
    assert set(fused[0].contributions) == {"vector:original"}


def test_keyword_coverage() -> None:
    assert keyword_coverage(["erp", "接口", "联调"], "erp 接口 测试 计划") == pytest.approx(2 / 3)
    assert keyword_coverage(["erp", "erp"], ["erp"]) == 1.0
    assert keyword_coverage([], "anything") == 0.0


def test_convex_fusion_ignores_the_embedders_cosine_scale() -> None:
    kw = RankedList("keyword", [Hit("c", 5.0, coverage=1.0), Hit("b", 4.0, coverage=0.5)], weight=0.8)
    wide = RankedList("vector", [Hit("a", 0.9), Hit("b", 0.5), Hit("c", 0.1)], weight=0.2)
    narrow = RankedList("vector", [Hit("a", 0.87), Hit("b", 0.85), Hit("c", 0.83)], weight=0.2)  # e5-like
    assert ids(fuse_convex([wide, kw])) == ids(fuse_convex([narrow, kw]))


def test_convex_fusion_scores() -> None:
    vec = RankedList("vector", [Hit("a", 0.9), Hit("b", 0.5), Hit("c", 0.1)], weight=0.2)
    kw = RankedList(
        "keyword", [Hit("c", 10.0, gain=1.0, coverage=1.0), Hit("d", 5.0, gain=0.5, coverage=0.5)]
    )
    fused = {f.chunk_id: f for f in fuse_convex([vec, kw])}
    z = 0.4 / (0.32 / 3) ** 0.5  # cosines 0.9, 0.5, 0.1: mean 0.5, population std sqrt(0.32/3)
    assert fused["a"].score == pytest.approx(0.2 * z / 3)
    assert fused["c"].score == pytest.approx(0.2 * -z / 3 + 1.0)
    # d was not among the vector candidates: it counts as the lowest of them, plus half coverage * half score.
    assert fused["d"].score == pytest.approx(0.2 * -z / 3 + 0.5 * 0.5)
    assert fused["d"].vector_score is None and fused["d"].keyword_coverage == 0.5
    assert ids(fuse_convex([vec, kw])) == ["c", "d", "a", "b"]


def test_convex_fusion_edge_cases() -> None:
    assert fuse_convex([]) == []
    same = RankedList("vector", [Hit("a", 0.5), Hit("b", 0.5)])
    assert [f.score for f in fuse_convex([same])] == [0.0, 0.0]  # no spread, no preference
    zero = RankedList("keyword", [Hit("a", 0.0, coverage=1.0)])
    assert fuse_convex([zero])[0].score == 0.0


def test_fuse_lists_dispatches() -> None:
    vec = RankedList("vector", [Hit("a", 0.9), Hit("b", 0.1)])
    assert ids(fuse_lists([vec], method=FusionMethod.rrf)) == ids(
        fuse_lists([vec], method=FusionMethod.convex)
    )

"""The consistency check stays near-linear and bounded (issue 15: 2,000 copies of one statement took > 120 s
and 2.4 GB), and still finds what is planted among thousands of statements. Counts and bounds only: a test
never measures time."""

from __future__ import annotations

import itertools

from assistant.requirements import find_contradictions, find_duplicates
from assistant.requirements.candidates import BUDGET, PairBudget
from assistant.requirements.consistency import check_consistency
from tests.requirements.statements import TableEmbeddings, corpus

SLOW = "The system shall respond within 2 seconds."


def test_two_thousand_identical_statements_are_one_group_not_two_million_pairs() -> None:
    statements = [SLOW] * 1999 + ["The system shall respond within 5 seconds."]
    embed = TableEmbeddings()
    found = check_consistency(statements, embed)

    [group] = found.duplicate_groups
    assert group.members == list(range(1999))
    assert found.summary.distinct == 2 and found.summary.statements == 2000
    assert embed.asked == [SLOW, statements[-1]]  # each distinct text embedded once
    # Every copy is reported as a duplicate of the first, but the list a reply carries is bounded.
    assert found.summary.duplicates_found == 1998
    assert len(found.duplicates) == BUDGET.max_listed
    assert all((d.a, d.method) == (0, "exact") for d in found.duplicates)
    assert not found.summary.complete
    assert any("duplicate_groups" in n for n in found.summary.notes)
    assert any(f"{BUDGET.max_listed:,} are listed" in n for n in found.summary.notes)
    # The figure that clashes is compared once, through the group's first statement.
    [clash] = found.contradictions
    assert (clash.a, clash.b, clash.kind) == (0, 1999, "numeric")


def test_a_few_identical_statements_are_listed_in_full() -> None:
    statements = ["REQ-1 The ERP shall export invoices.", "Users shall log in."] * 3
    found = check_consistency(statements)
    assert [g.members for g in found.duplicate_groups] == [[0, 2, 4], [1, 3, 5]]
    assert {(d.a, d.b) for d in found.duplicates} == {(0, 2), (0, 4), (1, 3), (1, 5)}
    assert found.summary.complete and found.summary.notes[0].startswith("4 statements repeat")


def test_planted_pairs_are_found_among_three_thousand_statements() -> None:
    data = corpus(3000)
    statements = data.statements
    embed = TableEmbeddings([(statements[a], statements[b]) for a, b in data.paraphrases])
    # More than exact_rows statements: the vector side is the approximate (random-projection) search.
    assert len(statements) > BUDGET.exact_rows
    found = check_consistency(statements, embed)

    dups = {(d.a, d.b): d.method for d in found.duplicates}
    assert data.duplicates and all(dups.get(p) == "jaccard" for p in data.duplicates)
    assert data.paraphrases and all(dups.get(p) == "cosine" for p in data.paraphrases)
    clashes = {(c.a, c.b): c.kind for c in found.contradictions}
    assert data.contradictions and all(clashes.get(p) == k for p, k in data.contradictions.items())
    # Within the budget, and far from all pairs.
    n = found.summary.distinct
    assert found.summary.pairs_compared <= BUDGET.max_pairs
    assert found.summary.pairs_compared < n * (n - 1) // 2 // 4
    assert len(embed.asked) == n


def test_statements_that_all_clash_stay_within_a_small_budget() -> None:
    # Every pair contradicts: the true answer is n^2/2 pairs; a reply must stay bounded and say it is cut.
    statements = [f"The order page shall respond within {k} seconds." for k in range(1, 601)]
    budget = PairBudget(max_pairs=3000, min_partners=1, max_listed=50)
    found = check_consistency(statements, TableEmbeddings(), budget=budget)
    assert found.summary.pairs_compared <= budget.max_pairs
    assert len(found.contradictions) == budget.max_listed
    assert budget.max_listed < found.summary.contradictions_found <= budget.max_pairs
    assert not found.summary.complete
    assert any("closest candidates" in n for n in found.summary.notes)


def test_small_inputs_get_what_comparing_every_pair_gives() -> None:
    data = corpus(50, planted_every=5)
    statements = data.statements
    embed = TableEmbeddings([(statements[a], statements[b]) for a, b in data.paraphrases])
    found = check_consistency(statements, embed)

    # The reference: every pair checked on its own, which compares exactly that pair.
    pairs = list(itertools.combinations(range(len(statements)), 2))
    want_dups = {
        (i, j): d[0].method for i, j in pairs if (d := find_duplicates([statements[i], statements[j]], embed))
    }
    want_clashes = {
        (i, j): c[0].kind for i, j in pairs if (c := find_contradictions([statements[i], statements[j]]))
    }
    assert found.summary.complete
    assert {(d.a, d.b): d.method for d in found.duplicates} == want_dups
    assert {(c.a, c.b): c.kind for c in found.contradictions} == want_clashes
    assert set(data.duplicates) | set(data.paraphrases) <= set(want_dups)
    assert set(data.contradictions) <= set(want_clashes)

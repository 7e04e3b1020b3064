"""The cue pass on minutes of other industries (a hospital, a logistics company, a city office): the rules are
general risk language, not the demo project's wording."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from assistant.risks.cues import candidate_passages, document_sentences, rank
from assistant.risks.ranking import PLAIN, RISK_LIKE, add_embedding_scores


class _C:
    def __init__(self, id: str, text: str) -> None:
        self.id, self.text, self.page, self.section = id, text, None, None


HOSPITAL = (
    "出席：信息科、医务处、护理部。"
    "会议介绍了 HIS 与 LIS 接口的现状。"
    "医保局的新结算接口规范尚未发布，如果 6 月前不发布，则无法按期完成医保结算改造。"
    "护理部担心夜班护士来不及参加培训。"
    "PACS 厂商的工程师下月离职，接替人员待定。"
    "下次会议定于周三下午召开。"
)
LOGISTICS = (
    "Attendees: operations, IT, finance. "
    "The carrier API contract is still not signed, so label printing depends on a manual workaround. "
    "Is the warehouse team in charge of reconciling the scanner counts? "
    "The go-live date of 1 July is at risk if the customs broker cannot deliver test data. "
    "Coffee and lunch were provided by the facilities team. "
    "TBD: who owns the returns process after cut-over."
)
RISKS = {
    "医保局的新结算接口规范尚未发布",
    "护理部担心夜班护士来不及参加培训",
    "PACS 厂商的工程师下月离职",
    "The carrier API contract is still not signed",
    "Is the warehouse team in charge",
    "The go-live date of 1 July is at risk",
    "TBD: who owns the returns process",
}
PLAIN_TEXT = {"出席：信息科", "会议介绍了 HIS", "下次会议定于", "Attendees:", "Coffee and lunch"}


@pytest.mark.parametrize("text", [HOSPITAL, LOGISTICS])
def test_risk_sentences_become_candidates_and_plain_records_do_not(text: str) -> None:
    doc = document_sentences([_C("a", text)])
    candidates = candidate_passages(doc, max_chars=200)
    focus = " ".join(f for p in candidates for f in p.focus)
    wanted = {r for r in RISKS if r in text}
    assert wanted and all(r in focus for r in wanted)
    assert not any(p in focus for p in PLAIN_TEXT if p in text)


def test_candidates_are_ranked_strongest_first_and_nothing_is_cut() -> None:
    doc = document_sentences([_C("a", HOSPITAL), _C("b", LOGISTICS)])
    candidates = candidate_passages(doc, max_chars=200)
    ordered = rank(candidates)
    assert len(ordered) == len(candidates) and [p.score for p in ordered] == sorted(
        (p.score for p in candidates), reverse=True
    )


def _toy_embed(texts: Sequence[str]) -> np.ndarray:
    """Risk-like anchors point one way, plain anchors another; test sentences say which way they lean."""
    rows = []
    for t in texts:
        if t in RISK_LIKE or "卡" in t:
            rows.append([1.0, 0.0])
        elif t in PLAIN:
            rows.append([0.0, 1.0])
        else:
            rows.append([0.5, 0.5])
    return np.asarray(rows, dtype=np.float32)


def test_the_embedder_can_raise_a_sentence_without_cue_words_to_a_candidate() -> None:
    text = "审批流程卡在财务处三周了。会议时间为周五。"
    doc = document_sentences([_C("a", text)])
    assert candidate_passages(doc, max_chars=200) == []  # no cue word: the rules alone miss it
    add_embedding_scores(doc, _toy_embed, weight=12)
    (passage,) = candidate_passages(doc, max_chars=200)
    assert passage.focus == ("审批流程卡在财务处三周了。",)

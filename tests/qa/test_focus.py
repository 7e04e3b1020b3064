"""What the model is shown of the retrieved passages: a token budget spent on the sentences near the question."""

from __future__ import annotations

from assistant.providers.embeddings import HashingEmbeddings
from assistant.providers.fakes import ScriptedChatModel
from assistant.qa.focus import GAP, Budget, estimate_tokens, fit, focus
from assistant.qa.pipeline import answer_question
from tests.qa.test_answers import P

FILLER_EN = [
    "The steering committee met in the large room on the third floor.",
    "Coffee was served before the meeting and the agenda was circulated.",
    "Several attendees joined remotely because of the weather.",
    "The minutes of the previous meeting were approved without changes.",
    "Facilities confirmed the projector will be repaired next week.",
]
ANSWER_EN = "Huang Wei owns the migration of the customer master data to the new ERP."
FILLER_ZH = [
    "会议在三楼大会议室召开，参会人员按时到场。",
    "会前分发了议程，并确认了上次会议纪要。",
    "部分人员因天气原因通过视频参会。",
    "行政部门确认投影仪下周维修完毕。",
    "会议最后对下一次例会的时间进行了讨论。",
]
ANSWER_ZH = "客户主数据迁移由黄伟负责，计划于六月底前完成。"
embed = HashingEmbeddings().embed_array


def test_chinese_costs_more_tokens_per_character_than_english() -> None:
    zh, en = "接口联调计划于五月开始", "integration"
    assert len(zh) == len(en) and estimate_tokens(zh) > 2 * estimate_tokens(en)


def test_a_passage_that_fits_is_shown_whole() -> None:
    text = " ".join(FILLER_EN[:2])
    assert focus(text, "who owns the migration?", tokens=estimate_tokens(text)) == text


def test_a_long_passage_shows_the_sentence_that_answers_within_its_share() -> None:
    for filler, answer, question in (
        (FILLER_EN, ANSWER_EN, "Who owns the customer master data migration?"),
        (FILLER_ZH, ANSWER_ZH, "客户主数据迁移由谁负责？"),
    ):
        text = (
            " ".join([*filler[:3], answer, *filler[3:]])
            if filler is FILLER_EN
            else "".join([*filler[:3], answer, *filler[3:]])
        )
        share = estimate_tokens(answer) + 5
        shown = focus(text, question, tokens=share, embed=embed)
        assert answer in shown
        assert estimate_tokens(shown) <= share + 2 * estimate_tokens(GAP)
        assert shown.startswith(GAP.strip()) and shown.endswith(GAP.strip())  # the reader sees text was cut


def test_kept_sentences_stay_in_document_order() -> None:
    text = " ".join(FILLER_EN + [ANSWER_EN])
    shown = focus(
        text, "Which meeting minutes were approved, and who owns the migration?", tokens=45, embed=embed
    )
    kept = [s for s in FILLER_EN + [ANSWER_EN] if s in shown]
    assert len(kept) >= 2
    assert [shown.index(s) for s in kept] == sorted(shown.index(s) for s in kept)


def test_fit_keeps_the_prompt_within_budget_and_drops_the_worst_ranked_passages() -> None:
    passages = ["".join(FILLER_ZH) * 2 + ANSWER_ZH] * 8
    budget = Budget()
    shown = fit(passages, "客户主数据迁移由谁负责？", budget=budget, embed=embed)
    assert 1 < len(shown) < len(passages)
    assert sum(estimate_tokens(s) for s in shown) <= budget.total + len(shown) * 2 * estimate_tokens(GAP)
    assert estimate_tokens(shown[0]) > estimate_tokens(
        shown[1]
    )  # the best-ranked passage gets the larger share


def test_the_model_reads_only_the_passages_that_fit_but_citations_check_whole_passages() -> None:
    chinese_paragraph = "".join(FILLER_ZH)
    passages = [P("d0:v:0", "d0", "纪要.md", None, None, chinese_paragraph + ANSWER_ZH)] + [
        P(f"d{n}:v:0", f"d{n}", f"其他{n}.md", None, None, chinese_paragraph * 2) for n in range(1, 8)
    ]
    llm = ScriptedChatModel().enqueue({"answer": "客户主数据迁移由黄伟负责[1]。", "not_found": False})
    out = answer_question(
        "客户主数据迁移由谁负责？",
        llm=llm,
        retrieve=lambda q: passages,
        is_relevant=lambda ps: True,
        embed=embed,
    )
    prompt = llm.history[0]["messages"][-1].content
    assert ANSWER_ZH in prompt
    assert prompt.count("<passage ") < len(passages)
    assert estimate_tokens(prompt) < 700  # the old 2,400-character budget let this prompt reach ~1,700 tokens
    assert [c.chunk_id for c in out.citations] == ["d0:v:0"] and out.citations[0].supported

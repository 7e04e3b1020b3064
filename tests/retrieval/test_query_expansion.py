from __future__ import annotations

from assistant.providers.fakes import ScriptedChatModel
from assistant.retrieval.query_expansion import QueryTranslator, other_language, plausible_translation


def test_plausible_translation() -> None:
    assert plausible_translation(
        "接口联调什么时候开始？", "When does interface integration testing start?", "en"
    )
    assert plausible_translation("Who owns the ERP data migration?", "谁负责 ERP 数据迁移？", "zh")
    assert not plausible_translation("接口联调什么时候开始？", "接口联调什么时候开始？", "en")  # echoed
    assert not plausible_translation("Who owns the migration?", "Who owns the migration", "zh")  # not Chinese
    assert not plausible_translation("谁负责？", "The person responsible. " * 10, "en")  # an essay
    assert not plausible_translation("谁负责？", "  ", "en")


def test_translator_defaults_to_the_other_language_and_remembers() -> None:
    llm = ScriptedChatModel().enqueue({"translation": "Who  owns the ERP\ndata migration?"})
    translator = QueryTranslator(llm)
    assert translator.translate("谁负责 ERP 数据迁移？") == "Who owns the ERP data migration?"
    assert translator.translate("谁负责 ERP 数据迁移？") == "Who owns the ERP data migration?"
    assert len(llm.history) == 1  # the second call came from memory
    assert "Simplified Chinese" not in llm.history[0]["messages"][0].content
    assert other_language("zh") == "en" and other_language("en") == "zh"


def test_implausible_answer_is_dropped_and_failures_are_not_remembered() -> None:
    llm = ScriptedChatModel().enqueue(
        {"translation": "谁负责数据迁移？"}, RuntimeError("down"), RuntimeError("down")
    )
    translator = QueryTranslator(lambda: llm)  # a callable: the model is fetched only when needed
    assert translator.translate("谁负责数据迁移？", "en") is None  # the model echoed the query
    assert translator.translate("Who owns it?", "zh") is None  # the model failed
    llm.enqueue({"translation": "谁负责？"})
    assert translator.translate("Who owns it?", "zh") == "谁负责？"  # tried again, not cached as failed

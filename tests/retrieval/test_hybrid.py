from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import pytest

from api.container import Container
from assistant.errors import InvalidInputError
from assistant.providers.fakes import ScriptedChatModel
from assistant.retrieval.hybrid import search, wants_translation
from assistant.retrieval.models import SearchFilters
from assistant.retrieval.query_expansion import QueryTranslator
from assistant.retrieval.retriever import HybridRetriever
from assistant.retrieval.settings import RetrievalSettings, TranslateMode


def run(container: Container, project: str, query: str, **kwargs: object):  # type: ignore[no-untyped-def]
    return search(container.vectors, container.sessions, project, query, **kwargs)  # type: ignore[arg-type]


def test_finds_the_passage_with_citation_fields(container: Container, project: str) -> None:
    response = run(container, project, "ERP 接口联调什么时候开始？")
    top = response.results[0]
    assert top.file_name == "会议纪要-接口联调.txt"
    assert "4 月 1 日" in top.text
    assert top.doc_type == "meeting"
    assert top.doc_date == dt.date(2024, 3, 5)
    assert top.keyword_score is not None and top.keyword_score > 0
    assert top.vector_score is not None
    assert 0 < top.keyword_coverage <= 1  # type: ignore[operator]
    assert [r.score for r in response.results] == sorted((r.score for r in response.results), reverse=True)
    assert response.query_translation is None


def test_top_k(container: Container, project: str) -> None:
    assert len(run(container, project, "ERP", top_k=1).results) == 1
    assert len(run(container, project, "ERP", settings=RetrievalSettings(top_k=2)).results) <= 2


def test_filter_by_document_type(container: Container, project: str) -> None:
    response = run(container, project, "ERP 接口", filters=SearchFilters(doc_types=["spec"]))
    assert response.results
    assert {r.file_name for r in response.results} == {"mes_interface_spec.md"}


def test_filter_by_file_name_and_document_id(container: Container, project: str) -> None:
    response = run(
        container, project, "migration ERP 接口", filters=SearchFilters(file_names=["migration.txt"])
    )
    assert {r.file_name for r in response.results} == {"migration.txt"}
    doc_id = response.results[0].document_id
    by_id = run(container, project, "ERP 接口", filters=SearchFilters(document_ids=[doc_id]))
    assert {r.document_id for r in by_id.results} == {doc_id}


def test_filter_by_date_range_leaves_out_undated(container: Container, project: str) -> None:
    march = SearchFilters(date_from=dt.date(2024, 3, 1), date_to=dt.date(2024, 3, 31))
    assert {r.file_name for r in run(container, project, "ERP 接口 MES", filters=march).results} == {
        "会议纪要-接口联调.txt"
    }
    since_jan = SearchFilters(date_from=dt.date(2024, 1, 1))
    names = {
        r.file_name for r in run(container, project, "ERP MES warehouse 接口", filters=since_jan).results
    }
    assert names == {"会议纪要-接口联调.txt", "mes_interface_spec.md"}  # the undated e-mail is left out


def test_filter_matching_nothing_returns_nothing(container: Container, project: str) -> None:
    response = run(container, project, "ERP", filters=SearchFilters(file_names=["no-such-file.txt"]))
    assert response.results == [] and response.relevant is False


def test_other_projects_are_never_searched(
    container: Container, project: str, make_project: Callable[[str], str], ingest: Callable[..., str]
) -> None:
    other = make_project("other")
    ingest(other, "secret.txt", "ERP 接口联调 secret plan of the other project")
    for r in run(container, project, "ERP 接口联调 secret plan").results:
        assert r.file_name != "secret.txt"
    assert run(container, other, "ERP 接口联调 secret plan").results[0].file_name == "secret.txt"


def test_replaced_version_is_not_returned(
    container: Container, project: str, ingest: Callable[..., str]
) -> None:
    ingest(project, "migration.txt", "Subject: owner changed\nWang Qiang now owns the data migration.")
    texts = " ".join(r.text for r in run(container, project, "who owns the warehouse data migration").results)
    assert "Wang Qiang" in texts and "Li Na" not in texts


def test_vectors_of_invisible_chunks_are_ignored(container: Container, project: str) -> None:
    query = "ghost passage about the ERP"
    vector = np.asarray([container.vectors.embeddings.embed_query(query)], dtype=np.float32)
    # A stale chunk Chroma still holds (its version replaced, its SQL row gone): the best vector match.
    container.vectors.add(
        project, ["doc_ghost:v0:0"], vector, [{"project_id": project, "document_id": "doc_ghost"}]
    )
    ids = [r.chunk_id for r in run(container, project, query).results]
    assert ids and "doc_ghost:v0:0" not in ids


def test_empty_query_is_refused(container: Container, project: str) -> None:
    with pytest.raises(InvalidInputError):
        run(container, project, "   ")


def test_unknown_project_has_no_results(container: Container, make_project: Callable[[str], str]) -> None:
    assert run(container, make_project("empty"), "ERP").results == []


def test_translated_query_searches_the_other_language(container: Container, project: str) -> None:
    llm = ScriptedChatModel().enqueue({"translation": "Who owns the warehouse data migration?"})
    conf = RetrievalSettings(translate=TranslateMode.always)
    response = run(
        container, project, "仓库数据迁移由谁负责？", settings=conf, translator=QueryTranslator(llm)
    )
    assert response.query_translation == "Who owns the warehouse data migration?"
    top = response.results[0]
    assert top.file_name == "migration.txt"
    assert top.keyword_score is not None  # only the English translation shares words with the e-mail
    prompt = llm.history[0]["messages"][0].content
    assert "仓库数据迁移由谁负责？" in prompt and "English" in prompt


def test_failed_translation_degrades_to_plain_search(container: Container, project: str) -> None:
    llm = ScriptedChatModel().enqueue(TimeoutError("llm down"), TimeoutError("llm down"))
    conf = RetrievalSettings(translate=TranslateMode.always)
    response = run(
        container, project, "ERP 接口联调什么时候开始？", settings=conf, translator=QueryTranslator(llm)
    )
    assert response.query_translation is None
    assert response.results[0].file_name == "会议纪要-接口联调.txt"


def test_auto_translation_skips_a_single_language_project(
    container: Container, make_project: Callable[[str], str], ingest: Callable[..., str]
) -> None:
    zh_only = make_project("中文项目")
    ingest(zh_only, "纪要.txt", "ERP 接口联调计划于四月一日开始，由张伟负责协调。")
    llm = ScriptedChatModel()
    conf = RetrievalSettings(translate=TranslateMode.auto)
    response = run(container, zh_only, "接口联调什么时候开始", settings=conf, translator=QueryTranslator(llm))
    assert llm.history == [] and response.results


def test_auto_translation_is_spent_only_when_the_plain_search_is_unsure(
    container: Container, project: str
) -> None:
    """The project holds Chinese and English; whether a question pays for a translation (an LLM call) depends
    on how sure the search without one is, against ``translate_when_below``."""
    question = "仓库数据迁移由谁负责？"
    plain = run(container, project, question)
    best = max(r.relevance for r in plain.results)
    sure = RetrievalSettings(translate=TranslateMode.auto, translate_when_below=best)
    llm = ScriptedChatModel()
    response = run(container, project, question, settings=sure, translator=QueryTranslator(llm))
    assert llm.history == [] and response.query_translation is None
    assert [r.chunk_id for r in response.results] == [r.chunk_id for r in plain.results]

    unsure = RetrievalSettings(translate=TranslateMode.auto, translate_when_below=min(best + 0.01, 1.01))
    llm = ScriptedChatModel().enqueue({"translation": "Who owns the warehouse data migration?"})
    response = run(container, project, question, settings=unsure, translator=QueryTranslator(llm))
    assert len(llm.history) == 1
    assert response.query_translation == "Who owns the warehouse data migration?"
    assert response.results[0].file_name == "migration.txt"


def test_wants_translation() -> None:
    assert wants_translation(TranslateMode.auto, "zh", {"zh", "en"})
    assert wants_translation(TranslateMode.auto, "en", {"mixed"})
    assert not wants_translation(TranslateMode.auto, "zh", {"zh", "unknown"})
    assert not wants_translation(TranslateMode.never, "zh", {"en"})
    assert wants_translation(TranslateMode.always, "zh", {"zh"})


def test_langchain_retriever(container: Container, project: str) -> None:
    retriever = HybridRetriever(
        vectors=container.vectors, sessions=container.sessions, project_id=project, top_k=2
    )
    docs = retriever.invoke("ERP 接口联调什么时候开始？")
    assert 1 <= len(docs) <= 2
    assert docs[0].metadata["file_name"] == "会议纪要-接口联调.txt"
    assert docs[0].metadata["doc_date"] == "2024-03-05"
    assert docs[0].id == docs[0].metadata["chunk_id"]
    assert "4 月 1 日" in docs[0].page_content


def test_character_pairs_find_words_jieba_cut_differently(
    container: Container, project: str, ingest: Callable[..., str]
) -> None:
    # jieba cuts 对账单 into 对 + 账单, so the question's word 对账 matches nothing in the right passage,
    # while the other passage has the question's other word, 负责, twice.
    p = project
    ingest(p, "财务纪要.txt", "月底对账单由财务部张敏负责核对，差异在三个工作日内处理。")
    ingest(p, "归档规定.txt", "合同原件归档由行政部负责，发票复印件归档同样由行政部负责。")
    question = "对账谁负责？"
    assert run(container, p, question).results[0].file_name == "财务纪要.txt"
    words_only = RetrievalSettings(bigram_weight=0)
    assert run(container, p, question, settings=words_only).results[0].file_name == "归档规定.txt"


def test_character_pairs_leave_english_queries_alone(container: Container, project: str) -> None:
    with_pairs = run(container, project, "Who owns the warehouse data migration?")
    without = run(
        container,
        project,
        "Who owns the warehouse data migration?",
        settings=RetrievalSettings(bigram_weight=0),
    )
    assert [r.chunk_id for r in with_pairs.results] == [r.chunk_id for r in without.results]
    assert [r.score for r in with_pairs.results] == [r.score for r in without.results]

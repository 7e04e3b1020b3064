from __future__ import annotations

import pytest
from pydantic import ValidationError

from assistant.errors import ConfigurationError
from assistant.retrieval.models import SearchFilters, SearchResult
from assistant.retrieval.relevance import CALIBRATED, FALLBACK, is_relevant, relevance_model
from assistant.retrieval.settings import RetrievalSettings, TranslateMode
from assistant.settings import load_settings


def test_settings_come_from_retrieval_variables_when_present(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_RETRIEVAL_TOP_K", "3")
    monkeypatch.setenv("ASSISTANT_RETRIEVAL_TRANSLATE", "auto")
    conf = load_settings(_env_file=None).retrieval
    assert conf.top_k == 3
    assert conf.translate is TranslateMode.auto
    assert conf.candidates == RetrievalSettings().candidates  # absent: default


def test_bad_setting_is_refused_with_the_variable_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_RETRIEVAL_TRANSLATE", "sometimes")
    with pytest.raises(ConfigurationError, match="ASSISTANT_RETRIEVAL_TRANSLATE"):
        load_settings(_env_file=None)
    monkeypatch.delenv("ASSISTANT_RETRIEVAL_TRANSLATE")
    monkeypatch.setenv("ASSISTANT_RETRIEVAL_TOP_K", "0")
    with pytest.raises(ConfigurationError, match="ASSISTANT_RETRIEVAL_TOP_K"):
        load_settings(_env_file=None)


def test_filters_reject_an_inverted_date_range() -> None:
    with pytest.raises(ValidationError):
        SearchFilters(date_from="2024-05-01", date_to="2024-04-01")
    assert not SearchFilters().active
    assert SearchFilters(file_names=["a.txt"]).active


def result(relevance: float) -> SearchResult:
    return SearchResult(
        chunk_id="c", document_id="d", file_name="f", text="t", score=0.1, relevance=relevance
    )


def test_is_relevant_uses_the_best_result() -> None:
    assert not is_relevant([])
    assert not is_relevant([result(0.2), result(0.4)])
    assert is_relevant([result(0.2), result(0.7)])
    assert is_relevant([result(0.3)], threshold=0.25)


@pytest.mark.parametrize("embedder", sorted(CALIBRATED))
def test_relevance_grows_with_cosine_and_coverage(embedder: str) -> None:
    model = relevance_model(embedder)
    assert model.probability(0.8, 0.0) > model.probability(0.2, 0.0)
    assert model.probability(0.2, 1.0) > model.probability(0.2, 0.0)
    assert model.probability(None, 0.0) <= model.probability(0.1, 0.0)
    # The same cosine with no shared word is stronger evidence across languages, where no word can be shared.
    assert model.probability(0.4, 0.0, cross_lingual=True) > model.probability(0.4, 0.0)
    assert 0.0 <= model.probability(5.0, 1.0) <= 1.0


def test_unknown_embedder_falls_back_and_min_cosine_recentres() -> None:
    assert relevance_model("openai:text-embedding-3-small") == FALLBACK
    model = relevance_model("use-multilingual", min_cosine=0.3)
    assert model.probability(0.3, 0.0) == pytest.approx(0.5)


def test_fusion_weights_follow_the_embedder_unless_set() -> None:
    conf = RetrievalSettings()
    assert conf.fusion_weights("multilingual-e5-small") == (0.3, 0.7)
    assert conf.fusion_weights("use-multilingual") == (0.2, 0.8)
    assert conf.fusion_weights("some-server-model") == (0.2, 0.8)
    assert RetrievalSettings(vector_weight=0.5).fusion_weights("multilingual-e5-small") == (0.5, 0.7)

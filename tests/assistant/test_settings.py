from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import ConfigurationError
from assistant.settings import load_settings


def test_defaults_are_offline_and_local(tmp_path: Path) -> None:
    s = load_settings(data_dir=tmp_path, _env_file=None)
    assert s.llm_provider.value == "local"
    assert s.embeddings_provider.value == "local"
    assert s.resolved_database_url.endswith(str(tmp_path / "assistant.db"))
    assert s.resolved_chroma_path == tmp_path / "chroma"


def test_bad_number_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_CHUNK_SIZE", "lots")
    with pytest.raises(ConfigurationError, match="ASSISTANT_CHUNK_SIZE"):
        load_settings(_env_file=None)


def test_openai_provider_needs_a_key_or_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_LLM_PROVIDER", "openai")
    with pytest.raises(ConfigurationError, match="ASSISTANT_LLM_API_KEY"):
        load_settings(_env_file=None)
    monkeypatch.setenv("ASSISTANT_LLM_BASE_URL", "http://localhost:11434/v1")
    assert load_settings(_env_file=None).llm_base_url == "http://localhost:11434/v1"


def test_unknown_provider_and_bad_url_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_LLM_PROVIDER", "gpt")
    with pytest.raises(ConfigurationError, match="ASSISTANT_LLM_PROVIDER"):
        load_settings(_env_file=None)
    monkeypatch.delenv("ASSISTANT_LLM_PROVIDER")
    monkeypatch.setenv("ASSISTANT_CHROMA_URL", "localhost:8000")
    with pytest.raises(ConfigurationError, match="ASSISTANT_CHROMA_URL.*http://"):
        load_settings(_env_file=None)


def test_local_embedding_model_must_be_packaged(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_EMBEDDINGS_MODEL", "bge-m3")
    with pytest.raises(ConfigurationError, match="use-multilingual"):
        load_settings(_env_file=None)


def test_overlap_must_be_smaller_than_half_a_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_CHUNK_SIZE", "400")
    monkeypatch.setenv("ASSISTANT_CHUNK_OVERLAP", "300")
    with pytest.raises(ConfigurationError, match="CHUNK_OVERLAP"):
        load_settings(_env_file=None)

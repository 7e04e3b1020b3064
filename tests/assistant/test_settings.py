from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import ConfigurationError
from assistant.settings import Settings, flat_names, load_settings, replace_table


def test_defaults_are_offline_and_local(tmp_path: Path) -> None:
    s = load_settings(data_dir=tmp_path, _env_file=None)
    assert s.llm.provider.value == "local"
    assert s.embeddings.provider.value == "local"
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
    assert load_settings(_env_file=None).llm.base_url == "http://localhost:11434/v1"


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


REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("variable", "value", "group", "field", "expected"),
    [
        ("ASSISTANT_LLM_TIMEOUT_S", "30", "llm", "timeout_s", 30.0),
        ("ASSISTANT_LLM_MODEL_PATH", "/m/x.gguf", "llm", "model_path", Path("/m/x.gguf")),
        ("ASSISTANT_EMBEDDINGS_BATCH_SIZE", "8", "embeddings", "batch_size", 8),
        ("ASSISTANT_CHROMA_URL", "http://chroma:8000", "chroma", "url", "http://chroma:8000"),
        ("ASSISTANT_RETRIEVAL_RERANK_DEPTH", "4", "retrieval", "rerank_depth", 4),
        ("ASSISTANT_RISK_AUTO_SCAN", "false", "risk", "auto_scan", False),
        ("ASSISTANT_MAX_FILE_MB", "2", "ingest", "max_file_mb", 2.0),
        ("ASSISTANT_PORT", "9000", "server", "port", 9000),
    ],
)
def test_the_variables_people_set_reach_their_group(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, group: str, field: str, expected: object
) -> None:
    monkeypatch.setenv(variable, value)
    assert getattr(getattr(load_settings(_env_file=None), group), field) == expected


def test_the_nested_form_works_too_and_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_LLM_THREADS", "3")
    monkeypatch.setenv("ASSISTANT_RETRIEVAL__TOP_K", "5")
    assert load_settings(_env_file=None).retrieval.top_k == 5
    monkeypatch.setenv("ASSISTANT_LLM__THREADS", "4")
    assert load_settings(_env_file=None).llm.threads == 4


def test_a_dotenv_file_with_the_usual_names(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("ASSISTANT_CHUNK_SIZE=1200\nASSISTANT_RISK_SCAN_MAX_PASSAGES=9\n", encoding="utf-8")
    s = load_settings(_env_file=env)
    assert (s.ingest.chunk_size, s.risk.scan_max_passages) == (1200, 9)


def test_bad_values_in_groups_name_their_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_RISK_WEBHOOK_URL", "hooks.example")
    monkeypatch.setenv("ASSISTANT_RETRIEVAL_RERANK", "bge")
    with pytest.raises(ConfigurationError) as caught:
        load_settings(_env_file=None)
    assert "ASSISTANT_RISK_WEBHOOK_URL" in str(caught.value)
    assert "ASSISTANT_RETRIEVAL_RERANK" in str(caught.value)


def test_every_variable_name_belongs_to_one_knob() -> None:
    knobs = sum(len(kind.model_fields) for _, kind in Settings.groups())
    assert len(flat_names()) == knobs
    assert not set(flat_names()) & set(Settings.model_fields)


def test_keyword_overrides_take_either_form_and_refuse_unknown_names(tmp_path: Path) -> None:
    s = load_settings(data_dir=tmp_path, llm_provider="fake", risk={"auto_scan": False}, _env_file=None)
    assert (s.llm.provider.value, s.risk.auto_scan) == ("fake", False)
    with pytest.raises(TypeError, match="llm_max_retries"):
        load_settings(llm_max_retries=2, _env_file=None)


def test_a_removed_variable_is_named_at_start_up(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("ASSISTANT_LLM_MAX_RETRIES", "2")
    load_settings(_env_file=None)
    assert "ASSISTANT_LLM_MAX_RETRIES" in caplog.text


def test_the_readme_settings_table_is_generated_from_the_models() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert replace_table(readme) == readme, "README is stale: run `.venv/bin/python -m assistant.settings`"
    for _, kind in Settings.groups():
        for field in kind.model_fields:
            assert f"`{kind.env_var(field)}`" in readme

"""The register's knobs (``settings.risk``, variables ASSISTANT_RISK_*), with their measured defaults."""

from __future__ import annotations

from pydantic import Field

from assistant.config import OptionalURL, SettingsGroup

# Measured, not guessed: `python -m bench.risk_scan calibrate` on the 42 labelled pairs of
# bench/gold/risk_match_pairs.jsonl with the packaged USE-multilingual embeddings gives these F0.5-best
# cut-offs (precision 1.0, recall 0.9 there; see docs/bench_risks.md). Other embedders need their own run.
DEFAULT_MATCH_THRESHOLD = 0.50
DEFAULT_MATCH_THRESHOLD_CROSS_CATEGORY = 0.52


class RiskSettings(SettingsGroup):
    env_prefix = "RISK_"

    webhook_url: OptionalURL = Field(
        None, description="POSTed a JSON body when a risk is new or raised into high/critical."
    )
    webhook_retries: int = Field(3, ge=0, le=20, description="Delivery attempts after the first.")
    webhook_backoff_s: float = Field(
        1.0, ge=0, description="First back-off between delivery attempts (seconds, doubling)."
    )
    webhook_timeout_s: float = Field(10.0, gt=0, description="Seconds per delivery attempt.")
    match_threshold: float = Field(
        DEFAULT_MATCH_THRESHOLD,
        ge=0,
        le=1,
        description="Similarity at which a finding joins an existing risk of its category.",
    )
    match_threshold_cross_category: float = Field(
        DEFAULT_MATCH_THRESHOLD_CROSS_CATEGORY,
        ge=0,
        le=1,
        description="Similarity at which a finding joins an existing risk of another category.",
    )
    auto_scan: bool = Field(True, description="Scan every newly indexed or changed document for risks.")
    # Sized for the local 1.5B model on 2 cores (~8 tokens/s out, 40-70 in; one finding is ~150 tokens of JSON).
    # One candidate per call: the small model overlooks most risks when it reads three at once (F1 0.37
    # against 0.17 on the openETCS minutes); the static system prompt comes first so the server's prompt
    # cache serves it, and a call pays only for its ~100-token passage (docs/bench_risks.md).
    scan_max_passages: int = Field(
        6,
        ge=1,
        description="Candidates a scan a person asked for reads at once; the background scan reads them all.",
    )
    scan_screen: bool = Field(
        True,
        description="Ask the LLM first, sentence by sentence, whether a candidate raises a risk (a few output "
        "tokens each); each sentence it says yes to gets a register entry and is that entry's quote.",
    )
    scan_batch_size: int = Field(1, ge=1, description="Passages per LLM call of a scan.")
    scan_max_findings_per_call: int = Field(
        2, ge=1, description="Most risks (or, after the screen, entries) one scan call may return."
    )
    scan_max_output_tokens: int = Field(450, ge=64, description="Output tokens per scan call.")
    scan_passage_chars: int = Field(360, ge=80, description="Characters of each passage shown to the LLM.")
    # 1, not 2: with the screen a weak candidate costs ~3 s instead of a full register question, and at 1 the
    # candidates hold 48 of the 52 gold risks of the demo and openETCS minutes instead of 41 (bench.risk_screen).
    scan_min_cue_score: float = Field(
        1, ge=0, description="Score (rules plus the embedder's share) a sentence needs to be a candidate."
    )
    scan_min_cue_score_spec: float = Field(
        2,
        ge=0,
        description="The same for a specification: its weak cues (if, may, to be confirmed) mostly belong to "
        "requirements, so it takes a strong one.",
    )
    scan_embed_weight: float = Field(
        12.0,
        ge=0,
        description="Weight of the embedder's risk-likeness margin in a sentence's score (0: rules only).",
    )
    follow_threshold: float = Field(
        0.45,
        ge=0,
        le=1,
        description="Similarity at which a sentence saying something changed is put to the LLM as news of "
        "an earlier risk.",
    )
    follow_id_bonus: float = Field(
        0.2,
        ge=0,
        le=1,
        description="Added to that similarity when the sentence and the risk name the same id (OI-01, "
        "IF-05) or the same day (5月11日, 11 May).",
    )

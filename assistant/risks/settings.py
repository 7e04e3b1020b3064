"""The register's settings: read from the one ``Settings`` object, with defaults for fields it lacks."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

# Measured, not guessed: `python -m bench.risk_scan calibrate` on the 42 labelled pairs of
# bench/gold/risk_match_pairs.jsonl with the packaged USE-multilingual embeddings gives these F0.5-best
# cut-offs (precision 1.0, recall 0.9 there; see docs/bench_risks.md). Other embedders need their own run.
DEFAULT_MATCH_THRESHOLD = 0.50
DEFAULT_MATCH_THRESHOLD_CROSS_CATEGORY = 0.52


@dataclass(frozen=True)
class RiskSettings:
    webhook_url: str | None = None
    webhook_retries: int = 3
    webhook_backoff_s: float = 1.0
    webhook_timeout_s: float = 10.0
    match_threshold: float = DEFAULT_MATCH_THRESHOLD
    match_threshold_cross_category: float = DEFAULT_MATCH_THRESHOLD_CROSS_CATEGORY
    auto_scan: bool = True
    # Sized for the local 1.5B model on 2 cores (~8 tokens/s out, ~70 in; one finding is ~150-200 tokens of
    # JSON). One passage per call: the small model overlooks most risks when it reads three at once (F1 0.37
    # against 0.17 on the openETCS minutes), and six calls of a cached system prompt still scan a 20-page
    # document in about 80 s (docs/bench_risks.md).
    scan_max_passages: int = 6
    scan_batch_size: int = 1
    scan_max_findings_per_call: int = 2
    scan_max_output_tokens: int = 600
    scan_passage_chars: int = 360
    scan_min_cue_score: int = 2


def risk_settings_from(settings: Any, **overrides: Any) -> RiskSettings:
    """``settings.risk_<name>`` wins over the default; ``overrides`` win over both (tests, the bench)."""
    values: dict[str, Any] = {}
    for f in fields(RiskSettings):
        value = getattr(settings, f"risk_{f.name}", None) if settings is not None else None
        if value is not None:
            values[f.name] = value
    values.update({k: v for k, v in overrides.items() if v is not None})
    unknown = set(values) - {f.name for f in fields(RiskSettings)}
    if unknown:
        raise TypeError(f"unknown risk settings: {', '.join(sorted(unknown))}")
    if values.get("webhook_url") is not None:
        values["webhook_url"] = str(values["webhook_url"]).strip() or None
    return RiskSettings(**values)

"""The scan's bookkeeping of its LLM calls: time, calls and tokens, added to the report it is writing."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from assistant.providers.metering import metered
from assistant.risks.schemas import ScanReport


@contextmanager
def metered_call(report: ScanReport) -> Iterator[None]:
    """Time, calls and tokens of the LLM calls made inside, added to ``report`` whatever happens."""
    asked = time.monotonic()
    with metered() as meter:
        try:
            yield
        finally:
            report.llm_seconds = round(report.llm_seconds + time.monotonic() - asked, 2)
            report.llm_calls += meter.calls
            report.prompt_tokens += meter.prompt_tokens
            report.completion_tokens += meter.completion_tokens

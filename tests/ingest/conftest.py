from __future__ import annotations

import pytest

from ingest.readers import ReadLimits


@pytest.fixture
def small_limits() -> ReadLimits:
    """Limits small enough that tests can break them with files of a few KB or MB."""
    return ReadLimits(
        max_file_bytes=64 * 1024,
        max_files=5,
        zip_max_depth=3,
        max_total_bytes=256 * 1024,
        zip_max_ratio=200,
    )

"""Small helpers on embedding vectors, shared by retrieval and the requirement checks."""

from __future__ import annotations

import numpy as np


def unit_rows(vecs: np.ndarray) -> np.ndarray:
    """Each row scaled to length 1 (float32), so a matrix product gives cosines; zero rows stay zero."""
    arr = np.asarray(vecs, dtype=np.float32)
    return arr / (np.linalg.norm(arr, axis=1, keepdims=True) + 1e-9)

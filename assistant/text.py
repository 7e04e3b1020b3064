"""The tokeniser shared by the keyword index and its queries, and Chinese character pairs."""

from __future__ import annotations

import logging
import os
import re
import threading
from functools import lru_cache
from pathlib import Path
from types import ModuleType

from assistant.config import default_cache_dir
from assistant.language import HAN_RUN, JIEBA_HAN, STOPWORDS

_TOKEN_OK = re.compile(r"\w", re.UNICODE)
_jieba_lock = threading.Lock()


@lru_cache(maxsize=1)
def _jieba() -> ModuleType:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    # jieba keeps its parsed dictionary in the system's temporary folder, which other users share (and could
    # plant a cache in); ours goes to the product's own cache folder instead.
    cache = Path(os.environ.get("ASSISTANT_CACHE_DIR") or default_cache_dir()) / "jieba"
    cache.mkdir(parents=True, exist_ok=True, mode=0o700)
    jieba.dt.tmp_dir = str(cache)
    jieba.initialize()
    return jieba


# For text without the characters jieba calls Chinese (JIEBA_HAN) its search mode reduces to: its only
# lower-case ASCII dictionary words (c++, c#) whole, runs of letters and digits (a decimal part and a % kept,
# as its fallback segmenter does), runs of the characters it joins to words (+ # & . _ % -) and every other
# character alone. Two regexes give the same tokens ~20x faster (tests/assistant/test_text.py compares them
# with jieba), so English and other non-Chinese documents, whose stored tokens must stay what queries
# produce, no longer pay for jieba's dictionary walk.
_LATIN_DICT_WORDS = re.compile(r"(c\+\+|c#)")
_NON_CHINESE_PIECE = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?%?|[-+#&._%]+|\S")


def _non_chinese_pieces(text: str) -> list[str]:
    pieces: list[str] = []
    for n, part in enumerate(_LATIN_DICT_WORDS.split(text)):
        pieces.extend([part] if n % 2 else _NON_CHINESE_PIECE.findall(part))
    return pieces


def tokenize(text: str) -> list[str]:
    """Lower-cased words for English and jieba search-mode words for Chinese, stopwords removed."""
    lowered = text.lower()
    if not JIEBA_HAN.search(lowered):  # what jieba cuts with its dictionary
        pieces = _non_chinese_pieces(lowered)
    else:
        jieba = _jieba()
        with _jieba_lock:
            pieces = jieba.lcut_for_search(lowered)
    return [p for p in (s.strip() for s in pieces) if p and _TOKEN_OK.search(p) and p not in STOPWORDS]


def hanzi_bigrams(text: str) -> list[str]:
    """Overlapping pairs of Chinese characters (a lone character stands for itself), in text order.

    jieba may cut a question and a passage differently (超级碗 as 超级 + 碗 in one and whole in the other, a
    transliterated name split anywhere); character pairs match whatever the cut, so a second BM25 ranking
    over them catches what the word ranking misses. Text without Chinese gives nothing."""
    pairs: list[str] = []
    for run in HAN_RUN.findall(text):
        pairs.extend([run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)])
    return pairs

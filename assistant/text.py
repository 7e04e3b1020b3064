"""Language detection and the tokeniser shared by the keyword index and its queries."""

from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_TOKEN_OK = re.compile(r"\w", re.UNICODE)
_jieba_lock = threading.Lock()

# Words so common that matching them says nothing about relevance.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "and",
        "or",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "by",
        "with",
        "as",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "from",
        "what",
        "which",
        "who",
        "whom",
        "when",
        "where",
        "why",
        "how",
        "do",
        "does",
        "did",
        "will",
        "would",
        "shall",
        "should",
        "can",
        "could",
        "may",
        "might",
        "must",
        "not",
        "no",
        "yes",
        "i",
        "you",
        "he",
        "she",
        "we",
        "they",
        "me",
        "him",
        "her",
        "us",
        "them",
        "my",
        "your",
        "our",
        "their",
        "there",
        "here",
        "than",
        "then",
        "so",
        "if",
        "的",
        "了",
        "和",
        "是",
        "在",
        "有",
        "就",
        "都",
        "而",
        "及",
        "与",
        "或",
        "一个",
        "我们",
        "你们",
        "他们",
        "这",
        "那",
        "之",
        "把",
        "被",
        "也",
        "还",
        "吗",
        "呢",
        "吧",
        "啊",
        "什么",
        "哪些",
        "怎么",
        "如何",
        "为什么",
        "哪个",
        "谁",
    ]
)


def cjk_ratio(text: str) -> float:
    letters = _CJK.findall(text)
    latin = _LATIN_WORD.findall(text)
    total = len(letters) + sum(len(w) for w in latin) / 4  # ~4 letters carry what one hanzi carries
    return len(letters) / total if total else 0.0


def detect_language(text: str) -> str:
    """'zh', 'en' or 'mixed' (both substantial); 'unknown' when there is nothing to judge."""
    sample = text[:20000]
    if not _CJK.search(sample) and not _LATIN_WORD.search(sample):
        return "unknown"
    ratio = cjk_ratio(sample)
    if ratio >= 0.7:
        return "zh"
    if ratio <= 0.15:
        return "en"
    return "mixed"


def question_language(text: str) -> str:
    """The language to answer in: Chinese as soon as the question is mostly Chinese."""
    return "zh" if cjk_ratio(text) >= 0.3 else "en"


@lru_cache(maxsize=1)
def _jieba():  # type: ignore[no-untyped-def]
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


# For text without Chinese characters jieba's search mode reduces to: its only lower-case ASCII dictionary words (c++, c#) whole,
# runs of letters and digits (a decimal part and a % kept, as its fallback segmenter does), runs of the
# characters it joins to words (+ # & . _ % -) and every other character alone. Two regexes give the same
# tokens ~20x faster (tests/assistant/test_text.py compares them with jieba), so English and other non-Chinese
# documents, whose stored tokens must stay what queries produce, no longer pay for jieba's dictionary walk.
_JIEBA_HAN = re.compile("[\u4e00-\u9fd5]")  # what jieba segments with its dictionary; all else is as below
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
    if not _JIEBA_HAN.search(lowered):
        pieces = _non_chinese_pieces(lowered)
    else:
        jieba = _jieba()
        with _jieba_lock:
            pieces = jieba.lcut_for_search(lowered)
    return [p for p in (s.strip() for s in pieces) if p and _TOKEN_OK.search(p) and p not in STOPWORDS]


_HANZI_RUN = re.compile(_CJK.pattern + "+")  # the characters cjk_ratio counts, in runs


def hanzi_bigrams(text: str) -> list[str]:
    """Overlapping pairs of Chinese characters (a lone character stands for itself), in text order.

    jieba may cut a question and a passage differently (超级碗 as 超级 + 碗 in one and whole in the other, a
    transliterated name split anywhere); character pairs match whatever the cut, so a second BM25 ranking
    over them catches what the word ranking misses. Text without Chinese gives nothing."""
    pairs: list[str] = []
    for run in _HANZI_RUN.findall(text):
        pairs.extend([run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)])
    return pairs

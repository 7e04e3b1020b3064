"""Language facts, in one place: which characters are Chinese, which words say nothing, a text's language.

The tokeniser (assistant.text), the requirement checks (assistant.requirements), PDF line joining
(ingest.readers.pdf) and the answer pipelines all ask these questions; they ask them here so that they cannot
drift apart.
"""

from __future__ import annotations

import re

# --------------------------------------------------------------------------------------------- characters

# Chinese characters (hanzi), as regex range text, block by block.
_UNIFIED_START = "\u4e00"
UNIFIED_IDEOGRAPHS = f"{_UNIFIED_START}-\u9fff"  # CJK Unified Ideographs: nearly all hanzi in use
EXTENSION_A = "\u3400-\u4dbf"  # rare and old characters, some still in names and places
COMPATIBILITY_IDEOGRAPHS = "\uf900-\ufaff"  # duplicates kept for round-trips with older encodings
HAN_RANGES = EXTENSION_A + UNIFIED_IDEOGRAPHS + COMPATIBILITY_IDEOGRAPHS

# THE Chinese-character class: what counts as Chinese everywhere a character's script is asked about.
HAN = re.compile(f"[{HAN_RANGES}]")
HAN_RUN = re.compile(f"[{HAN_RANGES}]+")

# Characters a PDF sets in a full (two-column) cell, for estimating how wide a line of Chinese is: hanzi, CJK
# punctuation (。，、「」 and the ideographic space) and the half- and full-width forms block (ＡＢ１，：).
CJK_SYMBOLS_AND_PUNCTUATION = "\u3000-\u303f"
HALF_AND_FULL_WIDTH_FORMS = "\uff00-\uffef"
WIDE = re.compile(f"[{HAN_RANGES}{CJK_SYMBOLS_AND_PUNCTUATION}{HALF_AND_FULL_WIDTH_FORMS}]")

# What jieba itself treats as Chinese: its re_han_default is [\u4E00-\u9FD5...], the unified block as it ended
# in Unicode 8.0, without extension A or the compatibility ideographs. It is narrower than HAN on purpose: the
# tokeniser's fast path must send to jieba exactly the texts jieba would cut with its dictionary, or stored
# keyword indexes would stop matching what queries produce (tests/assistant/test_text.py checks this).
_JIEBA_UNIFIED_END = "\u9fd5"
JIEBA_HAN = re.compile(f"[{_UNIFIED_START}-{_JIEBA_UNIFIED_END}]")

# --------------------------------------------------------------------------------------------- stop words

# English words so common that matching them says nothing about relevance, in two disjoint groups. Together
# (with the Chinese list below) they are what the tokeniser drops, so they decide the stored keyword index and
# the retrieval figures: changing them means re-indexing.
# Function words any English text is full of: articles, prepositions, conjunctions, "be", demonstratives, the
# modals of obligation and possibility, negation, which/when/if/then/than.
ENGLISH_FUNCTION_WORDS = frozenset([
    "a", "an", "the", "of", "to", "in", "on", "at", "for", "and", "or", "is", "are", "be", "been", "by",
    "with", "as", "it", "its", "this", "that", "these", "those", "from", "which", "when", "will", "shall",
    "should", "can", "may", "must", "not", "no", "than", "then", "if",
])  # fmt: skip
# Words questions and conversation are made of: question words, do-support, past "be", conditional modals,
# yes, personal pronouns, there/here/so.
ENGLISH_QUESTION_WORDS = frozenset([
    "was", "were", "what", "who", "whom", "where", "why", "how", "do", "does", "did", "would", "could",
    "might", "yes", "i", "you", "he", "she", "we", "they", "me", "him", "her", "us", "them", "my", "your",
    "our", "their", "there", "here", "so",
])  # fmt: skip
ENGLISH_STOPWORDS = ENGLISH_FUNCTION_WORDS | ENGLISH_QUESTION_WORDS

# Chinese function words and question words, as jieba cuts them.
CHINESE_STOPWORDS = frozenset([
    "的", "了", "和", "是", "在", "有", "就", "都", "而", "及", "与", "或", "一个", "我们", "你们", "他们",
    "这", "那", "之", "把", "被", "也", "还", "吗", "呢", "吧", "啊", "什么", "哪些", "怎么", "如何",
    "为什么", "哪个", "谁",
])  # fmt: skip

# What the tokeniser drops.
STOPWORDS = ENGLISH_STOPWORDS | CHINESE_STOPWORDS

# What comparing two requirements (duplicates, contradictions) ignores: the function words, plus quantifiers
# and prepositions every requirement uses and "system", the subject of most of them (the keyword index keeps
# these: a question may be about "the system" or "each shift"). It does not drop ENGLISH_QUESTION_WORDS, which
# requirements rarely contain: dropping them too was tried on PROMISE NFR and made 5 more pairs duplicates,
# 4 of them wrongly ("notify the players that the ship was sunk" against "mark the ship as sunk on the grid").
REQUIREMENT_EXTRA_STOPWORDS = frozenset(["all", "each", "every", "any", "into", "within", "per", "system"])
REQUIREMENT_STOPWORDS = ENGLISH_FUNCTION_WORDS | REQUIREMENT_EXTRA_STOPWORDS

# Single hanzi that say nothing about a requirement's subject (function characters and modals); comparing
# requirements pairs up characters, and a pair of two of these is ignored.
REQUIREMENT_STOP_HANZI = frozenset("的了和与及或在应须需要求将对把被由从向于为是并且时后前内中等个该其此这")

# ------------------------------------------------------------------------------------------------ language

# A Latin word, for weighing a text's languages: two letters or more, so stray letters ("A", "x", "I" in
# "Class A", "3 x 4") do not count as English.
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Any run of Latin letters, single letters included; only the requirement-statement decision counts these.
LATIN_LETTERS = re.compile(r"[A-Za-z]+")
# About four Latin letters carry what one hanzi carries, so a text's weight is hanzi + letters / 4.
LETTERS_PER_HANZI = 4

# Every decision below compares cjk_ratio, Chinese characters' share of that weight (0..1), with a threshold.
# A document: Chinese when nearly all of it is (English names and codes in a Chinese text are common)...
DOCUMENT_ZH_MIN_SHARE = 0.7
# ...English when Chinese is at most a trace (a Chinese name or a quoted term), "mixed" in between.
DOCUMENT_EN_MAX_SHARE = 0.15
# How much of a document detect_language reads: enough to judge, bounded for very long texts.
DOCUMENT_SAMPLE_CHARS = 20000
# A question is answered in Chinese once Chinese carries ~a third of it: Chinese words around English system
# names and codes make a Chinese question, and there is no "mixed" answer language.
QUESTION_ZH_MIN_SHARE = 0.3
# A requirement statement is Chinese when its hanzi weigh at least half what its Latin letters weigh
# (hanzi >= 0.5 * letters / 4, i.e. a share of 1/3), single letters counted. It is the same decision as
# QUESTION_ZH_MIN_SHARE in spirit (Chinese around English terms is Chinese), but the requirement checks and
# the requirements benchmark were measured with exactly this cut-off and letter count, and the two disagree
# on some texts (a share between 0.3 and 1/3, or single letters tipping the balance); it stays separate so
# that those results do not move.
STATEMENT_ZH_MIN_SHARE = 1 / 3


def cjk_ratio(text: str, *, single_letters: bool = False) -> float:
    """Chinese characters' share of the text's weight (hanzi + Latin letters / LETTERS_PER_HANZI); 0.0 when
    there is neither. ``single_letters`` also counts one-letter Latin words, as statement_language does."""
    hanzi = len(HAN.findall(text))
    words = (LATIN_LETTERS if single_letters else LATIN_WORD).findall(text)
    total = hanzi + sum(len(w) for w in words) / LETTERS_PER_HANZI
    return hanzi / total if total else 0.0


def detect_language(text: str) -> str:
    """A document's language: 'zh', 'en' or 'mixed' (both substantial); 'unknown' when there is nothing to
    judge (no hanzi and no Latin word)."""
    sample = text[:DOCUMENT_SAMPLE_CHARS]
    if not HAN.search(sample) and not LATIN_WORD.search(sample):
        return "unknown"
    ratio = cjk_ratio(sample)
    if ratio >= DOCUMENT_ZH_MIN_SHARE:
        return "zh"
    if ratio <= DOCUMENT_EN_MAX_SHARE:
        return "en"
    return "mixed"


def question_language(text: str) -> str:
    """The language to answer in, 'zh' or 'en': Chinese once it carries QUESTION_ZH_MIN_SHARE of it."""
    return "zh" if cjk_ratio(text) >= QUESTION_ZH_MIN_SHARE else "en"


def statement_language(text: str) -> str:
    """The language of a requirement statement, 'zh' or 'en', which picks the rules and lexicon that check
    it: 'zh' when Chinese carries at least STATEMENT_ZH_MIN_SHARE of it (so never without a hanzi)."""
    return "zh" if cjk_ratio(text, single_letters=True) >= STATEMENT_ZH_MIN_SHARE else "en"

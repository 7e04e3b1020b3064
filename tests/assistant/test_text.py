from __future__ import annotations

import logging
import re

import jieba
import pytest

from assistant.language import (
    CHINESE_STOPWORDS,
    DOCUMENT_EN_MAX_SHARE,
    DOCUMENT_ZH_MIN_SHARE,
    ENGLISH_FUNCTION_WORDS,
    ENGLISH_QUESTION_WORDS,
    HAN,
    JIEBA_HAN,
    QUESTION_ZH_MIN_SHARE,
    REQUIREMENT_EXTRA_STOPWORDS,
    REQUIREMENT_STOPWORDS,
    STATEMENT_ZH_MIN_SHARE,
    STOPWORDS,
    WIDE,
    cjk_ratio,
    detect_language,
    question_language,
    statement_language,
)
from assistant.text import _TOKEN_OK, hanzi_bigrams, tokenize

TRICKY = [
    "The ERP interface shall respond within 2.5 s for 95% of requests (v1.2.3, build_42).",
    "Skills: C++, C#, AT&T billing, abc++ and x#y; e-mail ops@example.com; URL https://erp.example.com/a?b=1",
    "Uptime 99.95% / month; 1.5.3 vs 1..2; 30%off; 12% -> 13 %; $1,200.50 budget; 3x faster",
    "Tabs\tand\r\nnewlines, 'quotes', \"double\", [brackets] {braces} <angle> ~tilde~ |pipe| ^caret^",
    "MES-to-ERP sync at 02:00; REQ-ERP-001 & REQ_MES_002; PO#4711; a/b/c; 10,000+ users; ISO/IEC 25010",
]


def _jieba_tokens(text: str) -> list[str]:
    jieba.setLogLevel(logging.WARNING)
    pieces = jieba.lcut_for_search(text.lower())
    return [p for p in (s.strip() for s in pieces) if p and _TOKEN_OK.search(p) and p not in STOPWORDS]


@pytest.mark.parametrize("text", TRICKY)
def test_english_tokens_are_exactly_what_jieba_gives_so_stored_indexes_still_match(text: str) -> None:
    assert tokenize(text) == _jieba_tokens(text)


def test_chinese_and_mixed_text_still_go_through_jieba() -> None:
    text = "ERP 数据迁移由吴静负责，接口联调计划于5月25日开始。"
    tokens = tokenize(text)
    assert tokens == _jieba_tokens(text)
    assert "数据" in tokens and "迁移" in tokens and "erp" in tokens


def test_dictionary_words_and_numbers_survive() -> None:
    tokens = tokenize("Port the C++ service; 99.9% uptime")
    assert "c++" in tokens and "99.9%" in tokens and "the" not in tokens


def test_random_non_chinese_strings_tokenize_as_jieba_does() -> None:
    import random
    import string

    rnd = random.Random(11)
    alphabet = (
        string.ascii_letters + string.digits + "  .%+#&_-/:;,()c" + "éüßİЖカ한１２’–•\u3000\u3400\u00a0²ﬁ"
    )
    for _ in range(3000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 30)))
        assert tokenize(text) == _jieba_tokens(text), text


def test_hanzi_bigrams() -> None:
    assert hanzi_bigrams("对账单") == ["对账", "账单"]
    # Each run of Chinese stands alone: no pair spans punctuation, Latin letters or digits.
    assert hanzi_bigrams("ERP接口，5分钟") == ["接口", "分钟"]
    assert hanzi_bigrams("由 MES 拉") == ["由", "拉"]
    assert hanzi_bigrams("work orders 2024") == []


# -------------------------------------------------------------------- language facts (assistant.language)


def test_han_covers_extension_a_and_compatibility_ideographs_and_nothing_else_cjk() -> None:
    for ch in "\u3400\u4dbf\u4e00\u9fff\uf900\ufa0e\ufad9漢字":
        assert HAN.match(ch), hex(ord(ch))
    # Latin, CJK punctuation, full-width forms, kana, hangul, radicals
    for ch in "Aé。，\u3000Ａ１アｱ한\u2e80":
        assert not HAN.match(ch), hex(ord(ch))


def test_wide_is_han_plus_cjk_punctuation_and_full_width_forms() -> None:
    for ch in "\u3400\u4e00\uf900。，「」\u3000Ａ１：":
        assert WIDE.match(ch), hex(ord(ch))
    for ch in "Aa1.,é":
        assert not WIDE.match(ch), hex(ord(ch))


def test_jieba_class_is_jiebas_own_narrower_range() -> None:
    assert JIEBA_HAN.match("\u4e00") and JIEBA_HAN.match("\u9fd5")
    for ch in "\u9fd6\u3400\uf900":  # Chinese to HAN, but jieba does not cut them with its dictionary
        assert HAN.match(ch) and not JIEBA_HAN.match(ch)


def test_hanzi_bigrams_include_extension_a_and_compatibility_ideographs() -> None:
    assert hanzi_bigrams("㐀丁 豈") == ["㐀丁", "豈"]


def test_cjk_ratio_weighs_four_letters_as_one_hanzi() -> None:
    assert cjk_ratio("ERP 数据迁移") == 4 / (4 + 3 / 4)
    assert cjk_ratio("Class A 数据") == 2 / (2 + 5 / 4)  # a single letter is not an English word...
    assert cjk_ratio("Class A 数据", single_letters=True) == 2 / (2 + 6 / 4)  # ...unless asked for
    assert cjk_ratio("") == 0.0 and cjk_ratio("123 ，。") == 0.0


def test_document_language_thresholds() -> None:
    assert DOCUMENT_ZH_MIN_SHARE == 0.7 and DOCUMENT_EN_MAX_SHARE == 0.15
    assert detect_language("数据迁移计划表已定" + " abcdefghijkl") == "zh"  # 9 / (9 + 3) = 0.75
    assert detect_language("数据迁移计划表" + " abcdefghijkl") == "zh"  # 7 / 10: exactly the cut-off
    assert detect_language("数据迁移计划" + " abcdefghijklmnop") == "mixed"  # 6 / 10
    assert detect_language("数据迁" + " " + "abcd " * 17) == "en"  # 3 / 20: exactly the cut-off
    assert detect_language("数据迁" + " " + "abcd " * 16) == "mixed"  # 3 / 19
    assert detect_language("The ERP interface shall respond within 2 s.") == "en"
    assert detect_language("1234 ，。 - x") == "unknown"  # no hanzi, no Latin word of two letters


def test_question_language_threshold() -> None:
    assert QUESTION_ZH_MIN_SHARE == 0.3
    assert question_language("数据迁" + " abcdefg" * 4) == "zh"  # 3 / (3 + 7) = 0.3
    assert question_language("数据迁" + " abcdefgh" * 4) == "en"  # 3 / (3 + 8)
    assert question_language("MES 接口什么时候联调？") == "zh"
    assert question_language("") == "en"


def _statement_language_as_first_written(text: str) -> str:
    """requirements/rules.py's rule before it moved, as an independent yardstick."""
    cjk = len(re.findall(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]", text))
    latin = sum(len(w) for w in re.findall(r"[A-Za-z]+", text)) / 4
    return "zh" if cjk and cjk >= latin * 0.5 else "en"


def test_statement_language_is_the_requirement_rule_exactly() -> None:
    assert STATEMENT_ZH_MIN_SHARE == 1 / 3
    for hanzi in range(0, 41):
        for letters in range(0, 241, 3):
            for text in ("数" * hanzi + " " + "x" * letters, "数" * hanzi + " x" * letters):
                assert statement_language(text) == _statement_language_as_first_written(text), (
                    hanzi,
                    letters,
                )


def test_statement_and_question_decisions_differ_where_documented() -> None:
    between = "数据迁移计划表已定好" + " abcdefghijk" * 8  # 10 / (10 + 22) = 0.3125: between 0.3 and 1/3
    assert question_language(between) == "zh" and statement_language(between) == "en"
    letters = "数据迁移" + " x" * 24 + " abcd" * 4  # single letters count only for a statement
    assert question_language(letters) == "zh" and statement_language(letters) == "en"
    assert statement_language("系统应在 2 s 内响应 MES 请求") == "zh"
    assert statement_language("The system shall log every ERP call.") == "en"


def test_mixed_text_examples() -> None:
    text = "The 接口联调 starts on 5月25日 with MES and ERP."
    assert detect_language(text) == "mixed"
    assert question_language(text) == "zh" and statement_language(text) == "zh"


def test_stop_word_lists() -> None:
    # The keyword index stores tokens without these, so their number is pinned: a change means re-indexing.
    assert len(STOPWORDS) == 105
    assert STOPWORDS == ENGLISH_FUNCTION_WORDS | ENGLISH_QUESTION_WORDS | CHINESE_STOPWORDS
    assert not ENGLISH_FUNCTION_WORDS & ENGLISH_QUESTION_WORDS
    # Comparing requirements drops the function words and its extras, but keeps question words and pronouns.
    assert REQUIREMENT_STOPWORDS == ENGLISH_FUNCTION_WORDS | REQUIREMENT_EXTRA_STOPWORDS
    assert "system" in REQUIREMENT_STOPWORDS and "system" not in STOPWORDS
    assert "who" in STOPWORDS and "who" not in REQUIREMENT_STOPWORDS
    assert tokenize("Who owns the system?") == ["owns", "system"]

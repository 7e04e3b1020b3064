from __future__ import annotations

import logging

import jieba
import pytest

from assistant.text import _TOKEN_OK, STOPWORDS, hanzi_bigrams, tokenize

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

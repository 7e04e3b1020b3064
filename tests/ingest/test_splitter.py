from __future__ import annotations

import random

import pytest

from ingest.splitter import sentence_spans, split_text

ZH = "接口联调计划于2026年5月25日开始。ERP 数据迁移由吴静负责！MES 供应商的 API 版本尚未确认；可能延期。\n"
EN = "The vendor, e.g. Werkwelt, said v1.2 is final. The PLC gateway arrives on 8 May. Is that late?\n"


def covered(text: str, pieces: list) -> bool:
    seen = set()
    for p in pieces:
        assert text[p.start : p.end] == p.text
        seen.update(range(p.start, p.end))
    return all(i in seen for i, ch in enumerate(text) if not ch.isspace())


def test_chinese_sentences_end_at_chinese_punctuation() -> None:
    parts = [ZH[s:e] for s, e in sentence_spans(ZH)]
    assert parts[:4] == [
        "接口联调计划于2026年5月25日开始。",
        "ERP 数据迁移由吴静负责！",
        "MES 供应商的 API 版本尚未确认；",
        "可能延期。",
    ]


def test_english_abbreviations_and_versions_do_not_split() -> None:
    parts = [EN[s:e].strip() for s, e in sentence_spans(EN)]
    assert "The vendor, e.g. Werkwelt, said v1.2 is final." in parts


@pytest.mark.parametrize("size,overlap", [(100, 0), (150, 40), (400, 100)])
def test_chunks_cover_every_character_and_respect_size(size: int, overlap: int) -> None:
    text = (ZH + EN) * 12
    pieces = split_text(text, size=size, overlap=overlap)
    assert covered(text, pieces)
    assert all(len(p.text) <= size for p in pieces)


def test_chunks_end_on_sentence_boundaries_when_sentences_fit() -> None:
    pieces = split_text((ZH + EN) * 6, size=160, overlap=30)
    assert all(p.text[-1] in "。！？；.?\n" or p.text.endswith(("。", "?", ".")) for p in pieces)


def test_overlong_sentence_without_punctuation_is_cut_but_not_lost() -> None:
    rng = random.Random(7)
    text = "".join(rng.choice("数据迁移物料主数据重复记录") for _ in range(2500))
    pieces = split_text(text, size=300, overlap=50)
    assert covered(text, pieces)
    assert len(pieces) >= 9


def test_whitespace_only_text_gives_no_chunks() -> None:
    assert split_text(" \n\n \t", size=100, overlap=10) == []

"""Classification on hand-written statements (none taken from an evaluation set)."""

from __future__ import annotations

import numpy as np
import pytest

from api.container import Container
from assistant.requirements import classify
from assistant.requirements.classify import (
    CLASS_DESCRIPTIONS,
    QUALITY_CLASSES,
    cue_scores,
    decide,
    decision_constants,
    prototype_similarities,
)

CASES = [
    ("The ERP shall create a goods receipt when the delivery is scanned.", "functional", None),
    ("系统应允许采购员新增、修改和删除供应商信息。", "functional", None),
    (
        "The order search page shall respond within 2 seconds for 95% of requests.",
        "non_functional",
        "performance",
    ),
    ("系统应支持 500 个并发用户，查询响应时间不超过 3 秒。", "non_functional", "performance"),
    (
        "All passwords shall be encrypted and users shall log in with two-factor authentication.",
        "non_functional",
        "security",
    ),
    ("用户登录应采用双因素认证，并按角色控制访问权限。", "non_functional", "security"),
    ("The MES shall be available 24x7 with 99.9% uptime.", "non_functional", "availability"),
    ("平台可用性应不低于 99.9%，7×24 小时运行。", "non_functional", "availability"),
    ("The system shall recover from a server failure without data loss.", "non_functional", "reliability"),
    ("系统应具备容错能力，故障后自动恢复且不丢失数据。", "non_functional", "reliability"),
    (
        "The platform shall comply with GDPR and keep an audit trail of every change.",
        "non_functional",
        "legal",
    ),
    ("系统应符合等保三级要求。", "non_functional", "legal"),
    (
        "The user interface shall use the corporate colours, fonts and logo.",
        "non_functional",
        "look_and_feel",
    ),
    (
        "A new clerk shall be able to learn the order entry screen after one hour of training.",
        "non_functional",
        "usability",
    ),
    (
        "The software shall be portable to Linux and to domestic operating systems.",
        "non_functional",
        "portability",
    ),
    ("系统应支持国产化适配，可移植到麒麟操作系统。", "non_functional", "portability"),
    (
        "The application shall be modular so that one module can be upgraded without recompiling others.",
        "non_functional",
        "maintainability",
    ),
    (
        "The system shall scale horizontally to twice the current number of plants.",
        "non_functional",
        "scalability",
    ),
    ("The client shall run on Windows 10 and in the Chrome browser.", "non_functional", "operational"),
]


@pytest.mark.parametrize(("text", "kind", "quality_class"), CASES)
def test_classify_hand_written_statements(text: str, kind: str, quality_class: str | None) -> None:
    got_kind, got_class, confidence = classify(text)
    assert (got_kind, got_class) == (kind, quality_class)
    assert 0.5 <= confidence <= 1.0


def test_every_class_has_cues_and_descriptions() -> None:
    assert set(CLASS_DESCRIPTIONS) == {"functional", *QUALITY_CLASSES}
    assert all(len(v) >= 3 for v in CLASS_DESCRIPTIONS.values())


def fake_embed(texts: list[str]) -> np.ndarray:
    """Bag-of-characters vectors: enough to exercise the prototype path without loading a model."""
    out = np.zeros((len(texts), 64), dtype=np.float32)
    for i, t in enumerate(texts):
        for ch in t.lower():
            out[i, ord(ch) % 64] += 1
    return out


def test_embedder_path_returns_a_valid_decision() -> None:
    sims = prototype_similarities(["The page shall respond within 2 seconds."], fake_embed)[0]
    assert set(sims) == set(CLASS_DESCRIPTIONS)
    kind, quality_class, confidence = classify("The page shall respond within 2 seconds.", embed=fake_embed)
    assert kind == "non_functional" and quality_class in QUALITY_CLASSES and confidence > 0.5


def word_embed(texts: list[str]) -> np.ndarray:
    """A second, different fake model: bag of words hashed into 32 slots."""
    out = np.zeros((len(texts), 32), dtype=np.float32)
    for i, t in enumerate(texts):
        for w in t.lower().split():
            out[i, sum(map(ord, w)) % 32] += 1
    return out + 1e-3


def test_two_embedders_average_their_prototype_similarities() -> None:
    text = ["Only authorized users shall log in with a password."]
    a = prototype_similarities(text, fake_embed)[0]
    b = prototype_similarities(text, word_embed)[0]
    both = prototype_similarities(text, [fake_embed, word_embed])[0]
    assert both == pytest.approx({c: (a[c] + b[c]) / 2 for c in a})


def test_each_number_of_embedders_gets_its_own_constants() -> None:
    text = "The system shall be available 24 hours a day."
    for models in ([], [fake_embed], [fake_embed, word_embed]):
        c = decision_constants(len(models))
        sims = prototype_similarities([text], models)[0] if models else None
        expected = decide(
            cue_scores(text),
            sims,
            threshold=c.threshold,
            embed_weight=c.embed_weight,
            functional_weight=c.functional_weight,
            generic_weight=c.generic_weight,
        )  # spelled out: the test checks the names line up with decide()'s arguments
        assert classify(text, embed=models or None) == expected
    assert decision_constants(0) != decision_constants(2)
    # A single callable and a list of one are the same thing.
    assert classify(text, embed=fake_embed) == classify(text, embed=[fake_embed])


def test_the_test_container_classifies_with_its_one_embedder(container: Container) -> None:
    # The fake embedder provider never loads the packaged USE or e5 models.
    embeds = container.classifier_embeds
    assert len(embeds) == 1 and embeds[0] == container.embeddings.embed_array


def test_a_document_repeating_a_line_embeds_each_distinct_statement_once() -> None:
    """2,000 copies of one line took minutes when every statement was embedded on its own."""
    from assistant.providers.embeddings import HashingEmbeddings
    from assistant.requirements import check_text

    calls: list[list[str]] = []
    hashing = HashingEmbeddings()

    def embed(texts: list[str]) -> object:
        calls.append(list(texts))
        return hashing.embed_array(texts)

    line, other = "The system shall respond within 2 seconds.", "The operator shall confirm each batch."
    checked = check_text(f"{line} " * 500 + other, embed=embed)
    assert len(checked) == 501
    statement_calls = [c for c in calls if line in c]  # the class descriptions are embedded apart, once
    assert statement_calls == [[line, other]]
    single = check_text(line, embed=embed)[0]
    assert (single.kind, single.quality_class, single.confidence) == (
        checked[0].kind,
        checked[0].quality_class,
        checked[0].confidence,
    )

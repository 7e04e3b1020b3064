"""The second judge of the cue pass: the packaged embedder says how much a sentence reads like a risk statement.

Rules miss risks said without a cue word ("the design is close to one vendor's architecture", "the form is not
sufficient"). Each sentence is compared with two small sets of generic sentences written for this purpose (not
taken from any project's documents): statements of concern, dependency, open decisions, unconfirmed
commitments, people leaving, dates at risk, conflicts; and plain records (who attended, what was decided, what
a requirement states). A sentence closer to the first set than to the second gains ``weight`` times the margin,
so it can become a candidate without a cue word, and cue sentences that read like risks rank first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from assistant.risks.cues import Sentence

Embed = Callable[[Sequence[str]], np.ndarray]

RISK_LIKE = (
    "We are concerned that the schedule cannot be held.",
    "The decision is still open and depends on another party.",
    "The supplier has not confirmed the delivery date yet.",
    "Resources for this work have not been committed.",
    "It is unclear who is responsible for this task.",
    "A key engineer is leaving the project and there is no handover.",
    "A later change of the interface would force rework.",
    "The solution is tied to one vendor's design and may not fit other systems.",
    "The definition is not precise enough to build on.",
    "The two documents contradict each other.",
    "The test environment will not be ready in time.",
    "Data quality problems could delay the go-live.",
    "Approval from the authority is still pending.",
    "It may take a long time until the new version is available.",
    "我们担心进度无法按期完成。",
    "该事项尚未确认，需要等待对方答复。",
    "供应商的交货日期仍未确定。",
    "所需资源还没有落实。",
    "目前没有明确的负责人。",
    "关键人员即将离职，交接尚未安排。",
    "如果接口版本发生变化，则需要返工。",
    "测试环境还没有准备好。",
    "数据质量问题可能影响上线时间。",
    "两份文档的要求相互矛盾。",
    "审批结果还没有下来，可能影响开工。",
    "方案依赖于第三方的配合。",
)
PLAIN = (
    "The meeting started at nine with a round of introductions.",
    "The participants are listed below.",
    "The slides are available on the project site.",
    "The system shall record the order number and the quantity.",
    "The team agreed on the agenda.",
    "The interface uses REST over HTTPS.",
    "Minutes taken by the project office.",
    "会议由项目经理主持。",
    "参会人员名单如下。",
    "系统应记录订单编号和数量。",
    "下次会议时间为周五下午两点。",
    "接口采用 REST 方式传输。",
    "会议纪要由项目办公室整理。",
)


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


def risk_margin(embed: Embed, texts: Sequence[str]) -> np.ndarray:
    """Per text: best similarity to a risk-like sentence minus best similarity to a plain one."""
    if not texts:
        return np.zeros(0, dtype=np.float32)
    vectors = _unit(np.asarray(embed(list(texts)), dtype=np.float32))
    anchors = _unit(np.asarray(embed(list(RISK_LIKE + PLAIN)), dtype=np.float32))
    sims = vectors @ anchors.T
    return np.asarray(sims[:, : len(RISK_LIKE)].max(axis=1) - sims[:, len(RISK_LIKE) :].max(axis=1))


def add_embedding_scores(doc: list[list[Sentence]], embed: Embed, *, weight: float) -> None:
    """Set ``extra`` on every sentence that may be a candidate and is not a repeat: ``weight`` x its margin when
    positive."""
    todo = [s for row in doc for s in row if s.candidate and not s.duplicate]
    for sentence, margin in zip(todo, risk_margin(embed, [s.text for s in todo]), strict=True):
        sentence.extra = round(weight * max(0.0, float(margin)), 3)

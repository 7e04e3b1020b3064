"""The traceability matrix (需求跟踪矩阵) as the API returns it: one row per requirement, plus the interfaces no
requirement names."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field


class TraceStatus(StrEnum):
    """How far a requirement is traced: only stated, realised by an interface of the plan, or covered by a test."""

    identified = "identified"
    designed = "designed"
    test_planned = "test_planned"


class TraceGap(StrEnum):
    no_test = "no_test"
    no_acceptance = "no_acceptance"
    no_requirement = "no_requirement"  # an interface's gap: no requirement names it


class Priority(StrEnum):
    high = "high"
    medium = "medium"
    low = "low"


class TraceSource(BaseModel):
    document_id: str | None = Field(None, description="The document the requirement was read from.")
    file_name: str | None = None
    page: int | None = None
    section: str | None = None
    quote: str = Field(..., description="The requirement as the document words it.")


class TraceRisk(BaseModel):
    risk_id: str = Field(..., description="The register's id, RSK-0001 style.")
    title: str
    band: str = Field(..., description="low, medium, high or critical (current score).")
    status: str


class TraceNeed(BaseModel):
    analysis_id: str = Field(..., description="The 5-Why analysis.")
    need: str = Field(..., description="Its root need.")


class TraceRow(BaseModel):
    requirement_id: str = Field(
        ...,
        description="As the documents write it (REQ-007, FR-012); the stored statement's id when they write none.",
    )
    requirement: str = Field(..., description="The requirement's text.")
    kind: str = Field(..., description="functional | non_functional")
    quality_class: str | None = Field(
        None, description="performance, security, usability, ... (non-functional)."
    )
    priority: Priority | None = Field(
        None,
        description="As the text states it (优先级：高, Priority: P1, MoSCoW), else from its modal verb: "
        "shall/must/必须/应 high, needs to/需要 medium, should/may/可/宜 low; null when it has none.",
    )
    source: TraceSource
    needs: list[TraceNeed] = Field(default_factory=list, description="5-Why root needs it answers.")
    interfaces: list[str] = Field(default_factory=list, description="Ids of the plan's interfaces it names.")
    risks: list[TraceRisk] = Field(
        default_factory=list,
        description="Risks of the register (not rejected ones) whose linked requirements name it.",
    )
    tests: list[str] = Field(default_factory=list, description="Ids of the plan's tests that cover it.")
    acceptance_criteria: list[str] = Field(
        default_factory=list,
        description="From the plan's tests that cover it and the stored criteria with no <placeholder> left; "
        "failing those, the statement itself when it is measurable and the checker finds it testable.",
    )
    status: TraceStatus
    gaps: list[TraceGap] = Field(default_factory=list, description="no_test, no_acceptance.")


class InterfaceGap(BaseModel):
    interface_id: str
    source: str | None = None
    target: str | None = None
    protocol: str | None = None
    gap: TraceGap = TraceGap.no_requirement


class TraceabilityMatrix(BaseModel):
    project_id: str
    language: str = Field(
        ..., description="zh or en: the project's main language, which the files' headers use."
    )
    plan_id: str | None = Field(
        None,
        description="The plan whose interfaces and tests the matrix traces; null when it has none ready.",
    )
    plan_version: int | None = None
    rows: list[TraceRow] = Field(..., description="One per requirement of the requirement store.")
    total: int = Field(..., description="Rows, i.e. requirements.")
    interface_gaps: list[InterfaceGap] = Field(
        default_factory=list,
        description="Interfaces of the plan that no requirement names (a gap without a requirement row).",
    )

"""Bodies of the register: what people send, what they get back, and what the LLM must return."""

from __future__ import annotations

import datetime as dt
import unicodedata
from functools import lru_cache
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator, model_validator

from assistant.risks.lifecycle import RiskStatus
from assistant.risks.models import ActionStatus, ResponseStrategy, RiskCategory, RiskType
from assistant.risks.scoring import Band

Level = Annotated[int, Field(ge=1, le=5, description="1 (very low) to 5 (very high).")]
ShortText = Annotated[str, Field(max_length=4000)]
Title = Annotated[str, Field(min_length=1, max_length=300)]
Name = Annotated[str, Field(max_length=200)]
Ref = Annotated[str, Field(max_length=100)]

# Fields people edit on a risk; API names (``type``, ``trigger``) differ from two column names.
EDITABLE_FIELDS = (
    "title",
    "cause",
    "event",
    "effect",
    "type",
    "category",
    "probability",
    "impact",
    "residual_probability",
    "residual_impact",
    "owner",
    "response",
    "contingency",
    "trigger",
    "next_review",
    "identified_on",
    "planned_close",
    "affected",
    "linked_requirements",
    "linked_interfaces",
)
COLUMN_OF = {"type": "risk_type", "trigger": "contingency_trigger"}
REQUIRED_FIELDS = frozenset({"title", "type", "category", "probability", "impact"})


def _clean(value: Any) -> Any:
    """Blank strings mean "not set"; surrounding whitespace is noise."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


class ActionCreate(BaseModel):
    description: Annotated[str, Field(min_length=1, max_length=2000)]
    owner: Name | None = None
    due_date: dt.date | None = None
    status: ActionStatus = ActionStatus.planned


class ActionUpdate(BaseModel):
    description: Annotated[str, Field(min_length=1, max_length=2000)] | None = None
    owner: Name | None = None
    due_date: dt.date | None = None
    status: ActionStatus | None = None
    version: int | None = Field(
        None, description="The risk's version you read; 409 when it has changed since."
    )


class ActionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    description: str
    owner: str | None
    due_date: dt.date | None
    status: str
    source: str
    created_at: dt.datetime
    updated_at: dt.datetime


class EvidencePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    document_id: str | None
    file_name: str | None
    chunk_id: str | None
    page: int | None
    section: str | None
    quote: str = Field(..., description="The passage, quoted verbatim from the document.")
    document_date: dt.date | None = Field(None, description="The document's own date (meeting, mail).")
    signal: str = Field("risk", description="risk, or the change it reports (resolved, worse ...).")
    added_by: str
    created_at: dt.datetime


class HistoryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: dt.datetime
    actor: str = Field(..., description="The person or API key (X-Actor), or 'assistant'.")
    kind: str = Field(
        ..., description="created | changed | transition | suggestion | evidence | action | notification"
    )
    field: str | None
    old_value: str | None
    new_value: str | None
    note: str | None


class _RiskFields(BaseModel):
    cause: ShortText | None = None
    event: ShortText | None = None
    effect: ShortText | None = None
    residual_probability: Level | None = None
    residual_impact: Level | None = None
    owner: Name | None = None
    response: ResponseStrategy | None = None
    contingency: ShortText | None = None
    trigger: ShortText | None = Field(None, description="What tells you to start the contingency plan.")
    next_review: dt.date | None = None
    identified_on: dt.date | None = Field(None, description="识别日期: when the risk was first identified.")
    planned_close: dt.date | None = Field(None, description="计划关闭日期: when it is planned to be closed.")
    affected: ShortText | None = Field(
        None, description="受影响的 WBS/里程碑: work packages or milestones it affects (free text)."
    )
    linked_requirements: list[Ref] | None = None
    linked_interfaces: list[Ref] | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _strip(cls, value: Any) -> Any:
        return _clean(value)


class RiskCreate(_RiskFields):
    title: Title
    type: RiskType = RiskType.threat
    category: RiskCategory = RiskCategory.other
    probability: Level
    impact: Level
    actions: list[ActionCreate] = Field(default_factory=list, description="Mitigation actions to start with.")


class RiskUpdate(_RiskFields):
    """Only the fields present in the body change; ``null`` clears an optional field."""

    version: int = Field(..., description="The version you read; 409 when the risk has changed since.")
    title: Title | None = None
    type: RiskType | None = None
    category: RiskCategory | None = None
    probability: Level | None = None
    impact: Level | None = None

    @model_validator(mode="after")
    def _required_stay_set(self) -> RiskUpdate:
        cleared = sorted(f for f in REQUIRED_FIELDS & self.model_fields_set if getattr(self, f) is None)
        if cleared:
            raise ValueError(f"{', '.join(cleared)} cannot be cleared")
        return self

    def changes(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in EDITABLE_FIELDS if f in self.model_fields_set}


class TransitionRequest(BaseModel):
    version: int | None = Field(
        None, description="The version you read; 409 when the risk has changed since."
    )
    note: Annotated[str, Field(max_length=2000)] | None = Field(None, description="Why; kept in the history.")


class RiskPublic(BaseModel):
    id: str = Field(..., description="Per-project id, RSK-0001 style.")
    project_id: str
    title: str
    cause: str | None
    event: str | None
    effect: str | None
    type: str
    category: str
    probability: int
    impact: int
    score: int = Field(..., description="probability x impact, computed on read.")
    band: Band = Field(..., description="20-25 critical, 12-19 high, 6-11 medium, 1-5 low.")
    residual_probability: int | None
    residual_impact: int | None
    residual_score: int | None
    residual_band: Band | None
    owner: str | None
    response: str | None
    contingency: str | None
    trigger: str | None
    next_review: dt.date | None
    identified_on: dt.date | None
    planned_close: dt.date | None
    affected: str | None
    overdue: bool = Field(..., description="The review date has passed and the risk is still watched.")
    status: RiskStatus
    allowed_actions: list[str] = Field(..., description="Transitions possible from the current status.")
    source: str = Field(..., description="ai (found by the assistant) or person.")
    confidence: float | None
    person_fields: list[str] = Field(..., description="Fields a person has set; the assistant only suggests.")
    linked_requirements: list[str]
    linked_interfaces: list[str]
    evidence_count: int
    created_by: str
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


class TimelineEntry(BaseModel):
    """One quote of the risk's evidence, placed by the date of the document it comes from."""

    date: dt.date | None = Field(..., description="The document's date, else the day the quote was added.")
    document_id: str | None
    file_name: str | None
    page: int | None
    section: str | None
    quote: str
    signal: str = Field(
        ..., description="risk (it is stated), resolved, occurred, less_likely, more_likely or worse."
    )
    suggestion_ids: list[int] = Field(
        default_factory=list, description="Suggestions the assistant made from this quote."
    )


class SuggestionPublic(BaseModel):
    """A change the assistant proposes; nothing changes until a person accepts it."""

    id: int
    at: dt.datetime
    field: str
    current: str | None = Field(..., description="The value when it was suggested.")
    suggested: str | None
    note: str | None
    state: str = Field(..., description="pending, accepted or rejected")


class RiskDetail(RiskPublic):
    evidence: list[EvidencePublic]
    actions: list[ActionPublic]
    history: list[HistoryPublic]
    timeline: list[TimelineEntry] = Field(
        default_factory=list, description="The evidence across documents, oldest document first."
    )
    suggestions: list[SuggestionPublic] = Field(default_factory=list)


class RiskList(BaseModel):
    items: list[RiskPublic]
    total: int = Field(..., description="Matches before limit/offset.")


class HeatMapCell(BaseModel):
    probability: int
    impact: int
    score: int
    band: Band
    count: int = Field(..., description="Risks in this cell before mitigation.")
    risk_ids: list[str]
    residual_count: int = Field(..., description="Risks in this cell after mitigation.")
    residual_risk_ids: list[str]


class HeatMap(BaseModel):
    statuses: list[str] = Field(..., description="Statuses counted.")
    total: int
    residual_assessed: int = Field(..., description="Risks with both residual values set.")
    residual_from_inherent: int = Field(
        ..., description="Risks without residual values, counted after mitigation at their inherent cell."
    )
    inherent: list[list[int]] = Field(
        ..., description="Counts, [probability-1][impact-1], before mitigation."
    )
    residual: list[list[int]] = Field(..., description="Counts, [probability-1][impact-1], after mitigation.")
    cells: list[HeatMapCell]


class ScanReport(BaseModel):
    project_id: str
    document_ids: list[str] = Field(default_factory=list)
    documents: int = 0
    pages: int = Field(
        0, description="Pages (or sections, for files without pages) of the scanned documents."
    )
    passages_seen: int = Field(0, description="Chunks read.")
    passages_with_cues: int = Field(
        0, description="Candidate passages: sentences the rules and the embedder rank as risk language."
    )
    passages_already_scanned: int = Field(0, description="Passages skipped: the same text was read before.")
    passages_over_cap: int = Field(
        0, description="Candidate passages left for a later (background) scan by this scan's limit."
    )
    sentences_screened: int = Field(
        0, description="Candidate sentences put to the LLM's yes/no question: does this raise a risk?"
    )
    sentences_flagged: int = Field(0, description="Screened sentences the LLM said raise a risk.")
    passages_sent: int = Field(0, description="Passages sent to the LLM for register entries.")
    llm_calls: int = 0
    llm_seconds: float = Field(0.0, description="Time spent waiting for the LLM.")
    prompt_tokens: int = 0
    completion_tokens: int = 0
    findings: int = Field(0, description="Risks the LLM returned.")
    dropped_bad_quote: int = Field(0, description="Findings whose quote is not in the passage.")
    duplicates: int = Field(0, description="Findings whose evidence was already in the register.")
    drafts_created: int = 0
    merges: int = Field(0, description="Findings added as evidence to an existing risk.")
    suggestions: int = Field(0, description="Differing views on person-edited fields, kept in the history.")
    follow_checked: int = Field(0, description="Sentences saying an earlier risk changed, put to the LLM.")
    follow_proposals: int = Field(0, description="Changes proposed on earlier risks (suggestions to accept).")
    notifications: int = Field(0, description="Webhooks queued for new or raised high/critical risks.")
    created_ids: list[str] = Field(default_factory=list)
    merged_ids: list[str] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list, description="LLM batches that failed; retried next scan.")
    seconds: float = 0.0

    def add(self, other: ScanReport) -> None:
        for name, info in ScanReport.model_fields.items():
            if name in ("project_id", "seconds"):
                continue
            mine, theirs = getattr(self, name), getattr(other, name)
            if isinstance(mine, list):
                mine.extend(x for x in theirs if x not in mine)
            elif info.annotation in (int, "int"):
                setattr(self, name, mine + theirs)
            elif name == "llm_seconds":
                self.llm_seconds = round(mine + theirs, 2)


# ---- what the LLM returns ----------------------------------------------------------------------------------
# No maxLength in the schema: llama.cpp expands "at most n characters" into n nested optional grammar rules,
# which made every sampled token crawl. Length is held by the prompt and the max_tokens cap, and an
# over-long field is truncated here instead of failing a whole batch.


def _text(limit: int, description: str) -> Any:
    return Field("", description=f"{description.rstrip('.')} (at most {limit} characters).")


def _level(description: str) -> Any:
    return Field(3, description=description)


def _all_required(schema: dict[str, Any]) -> None:
    # Listed as required, llama.cpp's grammar makes the model write every field, in this order (evidence
    # first); the defaults still let a terse answer from another provider validate.
    schema["required"] = list(schema.get("properties", {}))


class RiskEntry(BaseModel):
    """A register entry as the LLM writes it for a sentence the screen flagged: the sentence itself is the
    quote (the code knows it), so the model writes only the fields."""

    model_config = ConfigDict(json_schema_extra=_all_required)

    title: str = _text(80, "Short name of the risk.")
    category: RiskCategory = RiskCategory.other
    cause: str = _text(160, "Why it could happen.")
    event: str = _text(160, "What could happen.")
    effect: str = _text(160, "What it would do to the project.")
    probability: int = _level("1 very unlikely .. 5 almost certain")
    impact: int = _level("1 negligible .. 5 severe")
    owner: str = _text(40, "Person or team named as responsible, or empty.")
    mitigation: str = _text(160, "What to do now to lower it.")
    contingency: str = _text(160, "What to do if it happens.")
    trigger: str = _text(120, "The sign that it is happening.")
    response: str = Field("", description="avoid, mitigate, transfer, accept or escalate")

    @field_validator("category", mode="before")
    @classmethod
    def _known_category(cls, value: Any) -> Any:
        text = str(value or "").strip().lower().replace(" ", "_").replace("-", "_")
        return text if text in RiskCategory.__members__ else RiskCategory.other.value

    @field_validator("response", mode="before")
    @classmethod
    def _known_response(cls, value: Any) -> str:
        text = str(value or "").strip().lower()
        return text if text in ResponseStrategy.__members__ else ""

    @field_validator("probability", "impact", mode="before")
    @classmethod
    def _clamp(cls, value: Any) -> int:
        try:
            number = int(float(value))
        except (TypeError, ValueError):
            return 3
        return min(5, max(1, number))

    @field_validator("title", "cause", "event", "effect", "owner", "mitigation", "contingency", "trigger")
    @classmethod
    def _tidy(cls, value: str) -> str:
        return _tidy_text(value)


def _tidy_text(value: str) -> str:
    return unicodedata.normalize("NFC", value or "").strip()[:300]


def _evidence_first(schema: dict[str, Any]) -> None:
    # The grammar makes the model write the fields in this order: where the risk is said, then what it is.
    props = schema.get("properties", {})
    schema["properties"] = {k: props[k] for k in ("passage", "quote") if k in props} | props
    _all_required(schema)


class RiskFinding(RiskEntry):
    """A register entry with its evidence: the passage and the words that show the risk. The model writes the
    quote itself when no screen came first; otherwise the quote is the flagged sentence."""

    model_config = ConfigDict(json_schema_extra=_evidence_first)

    passage: int = Field(1, description="Number of the passage the quote comes from.")
    quote: str = _text(200, "Words copied exactly from that passage that show the risk.")

    @field_validator("quote")
    @classmethod
    def _tidy_quote(cls, value: str) -> str:
        return _tidy_text(value)


class RiskFindings(BaseModel):
    model_config = ConfigDict(json_schema_extra=_all_required)

    risks: list[RiskFinding] = Field(default_factory=list)


class RiskEntries(BaseModel):
    model_config = ConfigDict(json_schema_extra=_all_required)

    risks: list[RiskEntry] = Field(default_factory=list)


@lru_cache(maxsize=8)
def entries_schema(count: int) -> type[RiskEntries]:
    """Exactly ``count`` entries, one per flagged sentence, in their order."""
    limits: dict[str, Any] = {"minItems": count, "maxItems": count}
    return create_model(
        "RiskEntries",
        __base__=RiskEntries,
        risks=(list[RiskEntry], Field(default_factory=list, json_schema_extra=limits)),
    )


@lru_cache(maxsize=8)
def findings_schema(max_items: int) -> type[RiskFindings]:
    """RiskFindings whose JSON schema caps the list, so the model cannot ramble on past the output budget."""
    return create_model(
        "RiskFindings",
        __base__=RiskFindings,
        risks=(list[RiskFinding], Field(default_factory=list, json_schema_extra={"maxItems": max_items})),
    )


class ScanRequest(BaseModel):
    document_id: str | None = Field(
        None, description="One document; absent: every indexed document of the project."
    )

"""Storage, ids, history, locking and queries of the register (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from assistant.db import transaction
from assistant.errors import ConflictError, InvalidInputError, NotFoundError
from assistant.projects.repository import create_project
from assistant.risks import edits, history, mitigation, service, transitions
from assistant.risks import repository as repo
from assistant.risks.lifecycle import RiskAction
from assistant.risks.schemas import ActionCreate, ActionUpdate, RiskCreate, RiskUpdate
from assistant.risks.scoring import Band
from assistant.risks.settings import RiskSettings
from tests.risks.conftest import add_document

RS = RiskSettings()


def create(sessions: sessionmaker[Session], project_id: str, actor: str = "王磊", **fields: object) -> str:
    values: dict[str, object] = {"title": "MES API v4 not confirmed", "probability": 3, "impact": 3}
    values.update(fields)
    with transaction(sessions) as session:
        risk = edits.create_risk(
            session, project_id=project_id, data=RiskCreate(**values), actor=actor, settings=RS
        )
        return risk.ref


def get(sessions: sessionmaker[Session], project_id: str, ref: str):  # type: ignore[no-untyped-def]
    with transaction(sessions) as session:
        return service.detail(session, project_id=project_id, ref=ref)


def update(sessions: sessionmaker[Session], project_id: str, ref: str, actor: str = "李娜", **fields: object):  # type: ignore[no-untyped-def]
    with transaction(sessions) as session:
        risk = edits.update_risk(
            session, project_id=project_id, ref=ref, data=RiskUpdate(**fields), actor=actor, settings=RS
        )
        return risk.version


def test_ids_are_per_project_and_sequential(sessions: sessionmaker[Session], project_id: str) -> None:
    with transaction(sessions) as session:
        other = create_project(session, name="OA 集成").id
    assert [create(sessions, project_id) for _ in range(3)] == ["RSK-0001", "RSK-0002", "RSK-0003"]
    assert create(sessions, other) == "RSK-0001"
    assert create(sessions, project_id) == "RSK-0004"
    for ref in ("RSK-0002", "rsk-2", "2", "RSK-002"):
        assert get(sessions, project_id, ref).id == "RSK-0002"
    with pytest.raises(NotFoundError):
        get(sessions, project_id, "RSK-0099")
    with pytest.raises(NotFoundError):
        get(sessions, project_id, "DROP TABLE risks")


def test_numbers_are_not_reused_after_a_rolled_back_create(
    sessions: sessionmaker[Session], project_id: str
) -> None:
    create(sessions, project_id)
    with pytest.raises(InvalidInputError), transaction(sessions) as session:
        edits.create_risk(
            session,
            project_id=project_id,
            data=RiskCreate(title="x", probability=1, impact=1, type="opportunity", response="avoid"),
            actor="a",
            settings=RS,
        )
    assert create(sessions, project_id) == "RSK-0002"


def test_create_by_hand_is_open_person_owned_and_in_history(
    sessions: sessionmaker[Session], project_id: str
) -> None:
    ref = create(
        sessions,
        project_id,
        owner="周涛",
        category="vendor",
        probability=4,
        impact=4,
        actions=[{"description": "书面确认 API 版本", "owner": "周涛", "due_date": "2026-03-25"}],
    )
    d = get(sessions, project_id, ref)
    assert (d.status, d.source, d.score, d.band, d.version) == ("open", "person", 16, Band.high, 1)
    assert set(d.person_fields) == {"title", "owner", "category", "probability", "impact"}
    assert d.created_by == "王磊"
    assert [(h.kind, h.actor) for h in d.history] == [("created", "王磊"), ("action", "王磊")]
    assert d.actions[0].due_date == dt.date(2026, 3, 25) and d.actions[0].source == "person"


def test_update_writes_one_history_row_per_changed_field(
    sessions: sessionmaker[Session], project_id: str
) -> None:
    ref = create(sessions, project_id, owner="周涛")
    version = update(
        sessions, project_id, ref, version=1, probability=5, owner="周涛", cause="厂商未书面确认"
    )
    d = get(sessions, project_id, ref)
    assert version == d.version == 2
    changes = [(h.field, h.old_value, h.new_value, h.actor) for h in d.history if h.kind == "changed"]
    assert sorted(changes) == [("cause", None, "厂商未书面确认", "李娜"), ("probability", "3", "5", "李娜")]
    assert (d.score, d.band) == (15, Band.high)  # computed from the new probability
    assert {"cause", "probability", "owner"} <= set(d.person_fields)
    assert d.history[-1].at >= d.history[0].at


def test_stale_version_is_refused_and_changes_nothing(
    sessions: sessionmaker[Session], project_id: str
) -> None:
    ref = create(sessions, project_id)
    update(sessions, project_id, ref, version=1, impact=4)
    before = get(sessions, project_id, ref)
    with pytest.raises(ConflictError, match="version 2 but you sent version 1"):
        update(sessions, project_id, ref, version=1, impact=5, title="changed")
    after = get(sessions, project_id, ref)
    assert after.model_dump() == before.model_dump()


def test_two_writers_racing_on_the_same_version_cannot_both_win(
    sessions: sessionmaker[Session], project_id: str
) -> None:
    ref = create(sessions, project_id)
    first, second = sessions(), sessions()
    try:
        edits.update_risk(
            first,
            project_id=project_id,
            ref=ref,
            data=RiskUpdate(version=1, impact=4),
            actor="a",
            settings=RS,
        )
        # The second writer read version 1 before the first committed.
        risk = repo.get_risk(second, project_id=project_id, ref=ref)
        assert risk.version == 1
        first.commit()
        risk.impact = 5
        with pytest.raises(ConflictError, match="changed by someone else"):
            repo.flush(second)
        second.rollback()
    finally:
        first.close()
        second.close()
    assert get(sessions, project_id, ref).impact == 4


def test_required_fields_cannot_be_cleared_and_strategies_fit_the_type(
    sessions: sessionmaker[Session], project_id: str
) -> None:
    with pytest.raises(ValidationError, match="probability"):
        RiskUpdate(version=1, probability=None)
    with pytest.raises(ValidationError):
        RiskCreate(title="x", probability=6, impact=1)
    ref = create(sessions, project_id, response="mitigate")
    with pytest.raises(InvalidInputError, match="exploit"):
        update(sessions, project_id, ref, version=1, type="opportunity")
    update(sessions, project_id, ref, version=1, type="opportunity", response="exploit")
    assert get(sessions, project_id, ref).response == "exploit"


def test_actor_assistant_is_reserved(sessions: sessionmaker[Session], project_id: str) -> None:
    with pytest.raises(InvalidInputError, match="reserved"):
        create(sessions, project_id, actor="Assistant")
    assert history.clean_actor("  ") == "api"


def test_transitions_write_history_and_respect_versions(
    sessions: sessionmaker[Session], project_id: str
) -> None:
    ref = create(sessions, project_id)

    def move(action: RiskAction, version: int | None = None, note: str | None = None) -> str:
        with transaction(sessions) as session:
            risk = transitions.transition(
                session,
                project_id=project_id,
                ref=ref,
                action=action,
                actor="马骏",
                version=version,
                note=note,
            )
            return risk.status

    with pytest.raises(ConflictError, match=r"cannot close RSK-0001 while it is open; allowed: accept"):
        move(RiskAction.close)
    assert move(RiskAction.start_mitigation, version=1, note="计划已批准") == "mitigating"
    with pytest.raises(ConflictError, match="version"):
        move(RiskAction.close, version=1)
    assert move(RiskAction.close) == "closed"
    assert move(RiskAction.reopen) == "reopened"
    assert move(RiskAction.mark_occurred) == "occurred"
    d = get(sessions, project_id, ref)
    moves = [(h.old_value, h.new_value, h.actor) for h in d.history if h.kind == "transition"]
    assert moves == [
        ("open", "mitigating", "马骏"),
        ("mitigating", "closed", "马骏"),
        ("closed", "reopened", "马骏"),
        ("reopened", "occurred", "马骏"),
    ]
    assert "计划已批准" in (d.history[1].note or "")
    assert d.version == 5


def test_mitigation_actions_are_tracked(sessions: sessionmaker[Session], project_id: str) -> None:
    ref = create(sessions, project_id)
    with transaction(sessions) as session:
        _, action = mitigation.add_action(
            session,
            project_id=project_id,
            ref=ref,
            data=ActionCreate(description="MQTT 模拟器联调", owner="周涛"),
            actor="王磊",
            version=1,
        )
        action_id = action.id
    with transaction(sessions) as session:
        mitigation.update_action(
            session,
            project_id=project_id,
            ref=ref,
            action_id=action_id,
            data=ActionUpdate(status="done", due_date=dt.date(2026, 5, 8)),
            actor="周涛",
        )
    d = get(sessions, project_id, ref)
    assert d.actions[0].status == "done" and d.actions[0].due_date == dt.date(2026, 5, 8)
    assert d.version == 3
    fields = [h.field for h in d.history if h.kind == "action"]
    assert fields == ["actions", f"action[{action_id}].due_date", f"action[{action_id}].status"]
    with pytest.raises(NotFoundError), transaction(sessions) as session:
        mitigation.update_action(
            session,
            project_id=project_id,
            ref=ref,
            action_id=999,
            data=ActionUpdate(status="done"),
            actor="x",
        )


def _refs(
    sessions: sessionmaker[Session], project_id: str, on: dt.date = dt.date(2026, 4, 15), **q: object
) -> list[str]:
    with transaction(sessions) as session:
        result = service.list_risks(session, project_id=project_id, query=repo.RiskQuery(**q), on=on)  # type: ignore[arg-type]
        assert result.total >= len(result.items)
        return [r.id for r in result.items]


def test_filters_sorting_and_paging(sessions: sessionmaker[Session], project_id: str) -> None:
    a = create(
        sessions,
        project_id,
        title="A",
        probability=5,
        impact=5,
        category="schedule",
        owner="Zhou Tao",
        next_review="2026-04-01",
    )
    b = create(
        sessions,
        project_id,
        title="B",
        probability=2,
        impact=2,
        category="vendor",
        owner="zhou tao",
        next_review="2026-05-01",
    )
    c = create(sessions, project_id, title="C", probability=3, impact=4, category="schedule")
    d = create(
        sessions,
        project_id,
        title="D",
        probability=4,
        impact=4,
        category="data_migration",
        next_review="2026-03-01",
    )
    with transaction(sessions) as session:
        transitions.transition(
            session, project_id=project_id, ref=d, action=RiskAction.accept, actor="x"
        )  # open->accepted
    doc = add_document(sessions, project_id, "minutes.md", ["风险很多"])
    with transaction(sessions) as session:
        risk = repo.get_risk(session, project_id=project_id, ref=c)
        from assistant.risks.models import RiskEvidence

        repo.add_evidence(
            session,
            evidence=RiskEvidence(
                risk_id=risk.id,
                project_id=project_id,
                document_id=doc,
                quote="风险很多",
                quote_hash="h",
                added_by="assistant",
            ),
        )

    assert _refs(sessions, project_id, sort="-score") == [a, d, c, b]
    assert _refs(sessions, project_id, sort="score") == [b, c, d, a]
    assert _refs(sessions, project_id, sort="next_review") == [d, a, b, c]  # no date last
    assert _refs(sessions, project_id, sort="-title") == [d, c, b, a]
    assert _refs(sessions, project_id, statuses=("accepted",)) == [d]
    assert _refs(sessions, project_id, categories=("schedule",)) == [a, c]
    assert _refs(sessions, project_id, bands=(Band.critical, Band.low)) == [a, b]
    assert _refs(sessions, project_id, bands=(Band.high,)) == [d, c]
    assert _refs(sessions, project_id, owner="ZHOU TAO") == [a, b]
    assert _refs(sessions, project_id, overdue=True) == [a, d]
    assert _refs(sessions, project_id, overdue=False) == [c, b]
    assert _refs(sessions, project_id, document_id=doc) == [c]
    assert _refs(sessions, project_id, source="ai") == []
    assert _refs(sessions, project_id, limit=2, offset=1) == [d, c]
    with transaction(sessions) as session:
        page = service.list_risks(session, project_id=project_id, query=repo.RiskQuery(limit=1))
        assert page.total == 4 and len(page.items) == 1
    with pytest.raises(InvalidInputError, match="-score"):
        _refs(sessions, project_id, sort="probability; drop table risks")


def test_band_filter_follows_edits(sessions: sessionmaker[Session], project_id: str) -> None:
    ref = create(sessions, project_id, probability=2, impact=3)
    assert _refs(sessions, project_id, bands=(Band.medium,)) == [ref]
    update(sessions, project_id, ref, version=1, probability=5, impact=4)
    assert _refs(sessions, project_id, bands=(Band.medium,)) == []
    assert _refs(sessions, project_id, bands=(Band.critical,)) == [ref]


def test_overdue_lists_only_watched_risks_with_passed_reviews(
    sessions: sessionmaker[Session], project_id: str
) -> None:
    late = create(sessions, project_id, next_review="2026-04-01")
    closed = create(sessions, project_id, next_review="2026-04-01")
    create(sessions, project_id, next_review="2026-04-30")
    create(sessions, project_id)
    with transaction(sessions) as session:
        for action in (RiskAction.start_mitigation, RiskAction.close):
            transitions.transition(session, project_id=project_id, ref=closed, action=action, actor="x")
    with transaction(sessions) as session:
        result = service.overdue(session, project_id=project_id, on=dt.date(2026, 4, 15))
    assert [r.id for r in result.items] == [late] and result.items[0].overdue
    with transaction(sessions) as session:
        assert service.overdue(session, project_id=project_id, on=dt.date(2026, 4, 1)).total == 0


def test_heatmap_counts_before_and_after_mitigation(sessions: sessionmaker[Session], project_id: str) -> None:
    a = create(sessions, project_id, probability=4, impact=5, residual_probability=2, residual_impact=3)
    b = create(sessions, project_id, probability=4, impact=5)
    c = create(sessions, project_id, probability=1, impact=2)
    with transaction(sessions) as session:
        transitions.transition(
            session, project_id=project_id, ref=c, action=RiskAction.start_mitigation, actor="x"
        )
        transitions.transition(session, project_id=project_id, ref=c, action=RiskAction.close, actor="x")
        heat = service.heatmap(session, project_id=project_id)
    assert heat.total == 2 and heat.residual_assessed == 1 and heat.residual_from_inherent == 1
    assert heat.inherent[3][4] == 2 and sum(map(sum, heat.inherent)) == 2
    assert heat.residual[1][2] == 1 and heat.residual[3][4] == 1
    cell = next(x for x in heat.cells if (x.probability, x.impact) == (4, 5))
    assert (cell.count, sorted(cell.risk_ids), cell.residual_risk_ids, cell.band) == (
        2,
        [a, b],
        [b],
        Band.critical,
    )
    with transaction(sessions) as session:
        closed_only = service.heatmap(session, project_id=project_id, statuses=["closed"])
    assert closed_only.total == 1 and closed_only.inherent[0][1] == 1

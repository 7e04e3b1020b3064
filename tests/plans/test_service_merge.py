"""How a redraft meets people's edits, field by field (assistant/plans/merge.py)."""

from __future__ import annotations

from typing import Any

from assistant.plans import merge

EV = [{"document_id": "d1", "file_name": "minutes.md", "quote": "IF-09: OA sends approvals to ERP"}]


def iface(id_: str, **extra: Any) -> dict[str, Any]:
    return {"id": id_, "source": "OA", "target": "ERP", "evidence": EV, "proposed": False, **extra}


def test_fields_nobody_owns_follow_the_documents() -> None:
    current = {"interfaces": [iface("IF-01")], "systems": [{"name": "OA"}]}
    new = {"interfaces": [iface("IF-01", protocol="SOAP")], "systems": []}
    merged, suggested = merge.merge(current, current, new, set())
    assert merged == new and suggested == []


def test_a_persons_field_keeps_their_items_and_gets_suggestions_only_for_what_the_documents_changed() -> None:
    previous = {"interfaces": [iface("IF-01", owner="Li"), iface("IF-02"), iface("IF-03")]}
    current = {"interfaces": [iface("IF-01", owner="Wang"), iface("IF-02")]}  # owner edited, IF-03 removed
    new = {
        "interfaces": [
            iface("IF-01", owner="Li"),  # the documents say what they said: the person's edit stands silently
            iface("IF-02", protocol="REST"),  # the documents changed: suggested
            iface("IF-03"),  # removed by the person, unchanged in the documents: stays removed
            iface("IF-04"),  # newly stated with evidence: added
            {"id": "IF-05", "proposed": True, "evidence": []},  # the assistant's proposal: suggested
        ]
    }
    merged, suggested = merge.merge(current, previous, new, {"interfaces"})
    assert [i["id"] for i in merged["interfaces"]] == ["IF-01", "IF-02", "IF-04"]
    assert merged["interfaces"][0]["owner"] == "Wang"
    assert [(s.item_key, s.old is None, s.new is None) for s in suggested] == [
        ("IF-02", False, False),
        ("IF-05", True, False),
    ]


def test_an_item_the_documents_no_longer_state_is_suggested_for_removal_and_accepting_removes_it() -> None:
    previous = {"interfaces": [iface("IF-01"), iface("IF-02")]}
    current = {"interfaces": [iface("IF-01", owner="Wang"), iface("IF-02")]}
    merged, suggested = merge.merge(current, previous, {"interfaces": [iface("IF-02")]}, {"interfaces"})
    assert [i["id"] for i in merged["interfaces"]] == ["IF-01", "IF-02"]
    (gone,) = suggested
    assert (gone.item_key, gone.new) == ("IF-01", None)
    after = merge.apply(merged, gone.field, gone.item_key, gone.new)
    assert [i["id"] for i in after["interfaces"]] == ["IF-02"]


def test_the_cutover_merges_its_lists_and_suggests_a_new_rollback() -> None:
    stage = {"name": "pilot", "evidence": EV, "proposed": False}
    previous = {"cutover": {"stages": [stage], "rollback_triggers": [], "rollback_procedure": None}}
    current = {
        "cutover": {
            "stages": [{**stage, "scope": "ward 3"}],
            "rollback_triggers": [],
            "rollback_procedure": "by hand",
        }
    }
    new = {
        "cutover": {
            "stages": [stage, {"name": "all wards", "evidence": EV, "proposed": False}],
            "rollback_triggers": [],
            "rollback_procedure": "switch back to paper",
            "rollback_procedure_proposed": True,
        }
    }
    merged, suggested = merge.merge(current, previous, new, {"cutover"})
    assert [s["name"] for s in merged["cutover"]["stages"]] == ["pilot", "all wards"]
    assert (
        merged["cutover"]["stages"][0]["scope"] == "ward 3"
        and merged["cutover"]["rollback_procedure"] == "by hand"
    )
    (rollback,) = suggested
    assert rollback.item_key == merge.ROLLBACK_KEY
    taken = merge.apply(merged, "cutover", rollback.item_key, rollback.new)
    assert taken["cutover"]["rollback_procedure"] == "switch back to paper"
    assert taken["cutover"]["rollback_procedure_proposed"] is True


def test_the_same_suggestion_hashes_the_same() -> None:
    a = merge.Suggested("interfaces", "IF-01", None, iface("IF-01"), "x")
    b = merge.Suggested("interfaces", "IF-01", {"old": 1}, iface("IF-01"), "y")
    assert (
        a.value_hash
        == b.value_hash
        != merge.Suggested("interfaces", "IF-02", None, iface("IF-01"), "x").value_hash
    )

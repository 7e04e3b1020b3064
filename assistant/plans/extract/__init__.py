"""The deterministic reader of integration-plan facts: what the documents state, parsed by code (no model).

``extract_facts(chunks)`` reads a project's indexed passages and returns ``PlanFacts``: systems, the
interface catalogue, phases with their milestones, gray-release stages and rollback triggers, training and
hand-over, the conflicts between documents (the later one wins) and the questions they leave open. Every
item carries evidence whose quote is a verbatim substring of its chunk. Modules, one concern each:
dates, protocols, systems (the vocabularies); tables, documents (what the chunks are); interfaces, phases,
cutover, training (the readers); conflicts (choosing between documents).
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.plans.extract.cutover import read_cutover
from assistant.plans.extract.documents import documents
from assistant.plans.extract.interfaces import read_interfaces
from assistant.plans.extract.phases import read_phases
from assistant.plans.extract.systems import Lexicon
from assistant.plans.extract.systems_inventory import read_systems
from assistant.plans.extract.training import read_training
from assistant.plans.facts import OpenQuestion, PlanFacts, SourceChunk

__all__ = ["extract_facts"]


def extract_facts(chunks: Sequence[SourceChunk]) -> PlanFacts:
    """What ``chunks`` (a project's passages, in file order) state about the plan. Deterministic."""
    docs = documents(chunks)
    lexicon = Lexicon()
    interfaces, interface_conflicts, interface_questions = read_interfaces(docs, lexicon)
    phases, loose_milestones, phase_conflicts, phase_questions = read_phases(docs)
    cutover, cutover_conflicts, cutover_questions = read_cutover(docs)
    training, handover = read_training(docs, phases)
    systems = read_systems(docs, lexicon, interfaces)
    questions: list[OpenQuestion] = []
    if not interfaces:
        questions.append(
            OpenQuestion(
                question="The documents name no interface between systems; the interface catalogue is empty.",
                about="interfaces",
            )
        )
    if not phases and not loose_milestones:
        questions.append(
            OpenQuestion(question="The documents give no phases or dated milestones.", about="phases")
        )
    questions += interface_questions + phase_questions + cutover_questions
    return PlanFacts(
        systems=systems,
        interfaces=interfaces,
        phases=phases,
        milestones=loose_milestones,
        cutover=cutover,
        training=training,
        handover=handover,
        conflicts=interface_conflicts + phase_conflicts + cutover_conflicts,
        open_questions=questions,
    )

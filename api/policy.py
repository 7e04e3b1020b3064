"""Who may call what: one table, read by the authorisation dependency and published in the OpenAPI.

Every operation of the API is listed here with the least role it needs. An operation missing from the table is
refused (403) and a test fails, so a new route cannot forget its check. Project scope is not in this table: any
path with ``{project}`` is checked against the key's projects before anything else (404 when not covered).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.auth.roles import Role


@dataclass(frozen=True)
class Rule:
    role: Role | None  # None: no key needed
    llm: bool = False  # counted against the key's rate limit on the language model
    audited: bool = False  # reads recorded in the audit log (exports); every write is recorded anyway


PUBLIC = Rule(None)
READ = Rule(Role.viewer)
ANALYSE = Rule(Role.analyst)
ANALYSE_LLM = Rule(Role.analyst, llm=True)
MANAGE = Rule(Role.manager)
EXPORT = Rule(Role.manager, audited=True)
READ_EXPORT = Rule(Role.viewer, audited=True)  # a read anyone on the project may make, logged as an export
ADMIN = Rule(Role.admin)

POLICY: dict[tuple[str, str], Rule] = {
    ("GET", "/"): PUBLIC,
    ("GET", "/health"): PUBLIC,
    # Signing in and out of the web app; reading one's own session.
    ("POST", "/session"): PUBLIC,
    ("GET", "/session"): READ,
    ("DELETE", "/session"): READ,
    # Keys and the audit log.
    ("POST", "/keys"): ADMIN,
    ("GET", "/keys"): ADMIN,
    ("DELETE", "/keys/{key_id}"): ADMIN,
    ("GET", "/audit"): ADMIN,
    # Projects: everyone lists the projects their key covers; creating one is an admin's.
    ("GET", "/projects"): READ,
    ("POST", "/projects"): ADMIN,
    ("GET", "/projects/{project}"): READ,
    # Documents and their jobs.
    ("POST", "/projects/{project}/documents"): ANALYSE,
    ("GET", "/projects/{project}/documents"): READ,
    ("GET", "/projects/{project}/documents/{document_id}"): READ,
    ("PATCH", "/projects/{project}/documents/{document_id}"): ANALYSE,
    ("DELETE", "/projects/{project}/documents/{document_id}"): MANAGE,  # takes evidence out of the register
    ("POST", "/projects/{project}/documents/{document_id}/reindex"): ANALYSE,
    ("POST", "/projects/{project}/reindex"): ANALYSE,
    ("GET", "/jobs/{job_id}"): READ,  # the job's project is checked in the route
    ("GET", "/projects/{project}/jobs"): READ,
    # Search, answers and analyses.
    ("POST", "/projects/{project}/search"): ANALYSE,
    ("POST", "/projects/{project}/ask"): ANALYSE_LLM,
    ("POST", "/projects/{project}/five-why"): ANALYSE_LLM,
    ("GET", "/projects/{project}/five-why"): READ,
    ("GET", "/projects/{project}/five-why/{analysis_id}"): READ,
    ("POST", "/projects/{project}/requirements/check"): ANALYSE_LLM,
    ("GET", "/projects/{project}/requirements"): READ,
    # Integration plans: drafting uses the model; edits and decisions on suggestions are a manager's; the
    # export is a read anyone on the project may make, recorded like the register's exports.
    ("POST", "/projects/{project}/plans"): ANALYSE_LLM,
    ("GET", "/projects/{project}/plans"): READ,
    ("GET", "/projects/{project}/plans/{plan_id}"): READ,
    ("PATCH", "/projects/{project}/plans/{plan_id}"): MANAGE,
    ("DELETE", "/projects/{project}/plans/{plan_id}"): MANAGE,
    ("POST", "/projects/{project}/plans/{plan_id}/redraft"): ANALYSE_LLM,
    ("POST", "/projects/{project}/plans/{plan_id}/suggestions/{suggestion_id}/accept"): MANAGE,
    ("POST", "/projects/{project}/plans/{plan_id}/suggestions/{suggestion_id}/reject"): MANAGE,
    ("GET", "/projects/{project}/plans/{plan_id}/export"): READ_EXPORT,
    # The register: reading is a viewer's, changing it a manager's; a scan only adds drafts and evidence.
    ("GET", "/projects/{project}/risks"): READ,
    ("POST", "/projects/{project}/risks"): MANAGE,
    ("GET", "/projects/{project}/risks/heatmap"): READ,
    ("GET", "/projects/{project}/risks/overdue"): READ,
    ("GET", "/projects/{project}/risks/export"): EXPORT,
    ("POST", "/projects/{project}/risks/scan"): ANALYSE_LLM,
    ("GET", "/projects/{project}/risks/{risk_id}"): READ,
    ("PATCH", "/projects/{project}/risks/{risk_id}"): MANAGE,
    ("POST", "/projects/{project}/risks/{risk_id}/suggestions/{suggestion_id}/accept"): MANAGE,
    ("POST", "/projects/{project}/risks/{risk_id}/suggestions/{suggestion_id}/reject"): MANAGE,
    ("POST", "/projects/{project}/risks/{risk_id}/actions"): MANAGE,
    ("PATCH", "/projects/{project}/risks/{risk_id}/actions/{action_id}"): MANAGE,
    ("POST", "/projects/{project}/risks/{risk_id}/{action}"): MANAGE,
    # The traceability matrix: a read, recorded like the register's exports.
    ("GET", "/projects/{project}/traceability"): READ_EXPORT,
}


# The upload applies its own, larger limit (ASSISTANT_MAX_UPLOAD_MB, api/routes/documents.py); every other body is
# held to ASSISTANT_MAX_REQUEST_KB.
OWN_BODY_LIMIT = re.compile(r"/projects/[^/]+/documents/?")


def rule_for(method: str, path: str) -> Rule | None:
    """None: the operation is not in the table (refused)."""
    return POLICY.get((method.upper(), path))


def describe(rule: Rule) -> str:
    """The sentence appended to each operation's OpenAPI description."""
    if rule.role is None:
        return "No key needed."
    text = f"Needs role `{rule.role.value}` or higher on the project."
    if rule.llm:
        text += " Uses the language model: counted against the key's rate limit (429 with Retry-After)."
    return text

"""The four roles and what each may do (../shared/DESIGN.md, "Who may do what")."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    viewer = "viewer"  # read
    analyst = "analyst"  # upload, ask, search, 5-Why, requirement checks, plan drafts
    manager = "manager"  # edit and move risks, plan edits, exports
    admin = "admin"  # projects, keys, settings, the audit log


# Each role may do everything the roles before it may.
_RANK = {role: rank for rank, role in enumerate(Role)}


def allows(held: Role, needed: Role) -> bool:
    return _RANK[held] >= _RANK[needed]

"""``assistant keys create|list|revoke`` and ``assistant audit``: the same use cases as /keys and /audit, for
whoever can read the data directory (that person is an admin already)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from rich.table import Table

from api.cli_common import console, err_console, fail, open_container
from assistant.auth import audit, service
from assistant.auth.roles import Role
from assistant.errors import AssistantError

keys_app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Argument(help="What the key is for, e.g. 'Wang Lei laptop'.")],
    role: Annotated[Role, typer.Option(help="viewer, analyst, manager or admin.")] = Role.viewer,
    owner: Annotated[
        str | None, typer.Option(help="Who the history names for this key (default: NAME).")
    ] = None,
    project: Annotated[
        list[str] | None,
        typer.Option(
            "--project", "-p", help="A project id or name the key may see; repeat it. Default: all."
        ),
    ] = None,
    expires_in_days: Annotated[
        int | None, typer.Option(min=1, max=36500, help="Days until the key stops working (default: never).")
    ] = None,
) -> None:
    """Create a key and print it; it is shown only this once."""
    container = open_container()
    expires_at = dt.datetime.now(dt.UTC) + dt.timedelta(days=expires_in_days) if expires_in_days else None
    try:
        created = service.create_key(
            container.sessions, name=name, role=role, owner=owner, projects=project, expires_at=expires_at
        )
    except AssistantError as exc:
        raise fail(exc) from None
    finally:
        container.close()
    err_console.print(
        f"created key [bold]{created.row.id}[/bold] ({created.row.role}, "
        f"{'all projects' if created.row.projects is None else ', '.join(created.row.projects)}); "
        "it is shown only this once:"
    )
    console.print(created.key, soft_wrap=True)


@keys_app.command("list")
def keys_list() -> None:
    """List keys (never their secrets)."""
    container = open_container()
    try:
        rows = service.list_keys(container.sessions)
    finally:
        container.close()
    table = Table("id", "name", "owner", "role", "projects", "expires", "state", "last used")
    now = dt.datetime.now(dt.UTC)
    for row in rows:
        state = (
            "revoked"
            if row.revoked_at
            else "expired"
            if row.expires_at and row.expires_at <= now
            else "active"
        )
        table.add_row(
            row.id,
            row.name,
            row.owner,
            row.role,
            "all" if row.projects is None else ", ".join(row.projects),
            row.expires_at.date().isoformat() if row.expires_at else "-",
            state,
            row.last_used_at.isoformat(timespec="minutes") if row.last_used_at else "-",
        )
    console.print(table)


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id (see `assistant keys list`).")],
) -> None:
    """Revoke a key: it and the browser sessions made from it stop working at once."""
    container = open_container()
    try:
        row = service.revoke_key(container.sessions, key_id)
    except AssistantError as exc:
        raise fail(exc) from None
    finally:
        container.close()
    console.print(f"revoked key [bold]{row.id}[/bold] ({row.name})")


def audit_export(
    project: Annotated[str | None, typer.Option("--project", "-p", help="Only this project id.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1_000_000, help="Newest rows to print.")] = 1000,
) -> None:
    """Print the audit log (every write and export over HTTP) as CSV, newest first."""
    container = open_container()
    try:
        with container.sessions() as session:
            rows, _total = audit.list_entries(session, project_id=project, limit=limit)
            text = audit.to_csv(rows)
    finally:
        container.close()
    console.print(text, end="", soft_wrap=True, markup=False, highlight=False)

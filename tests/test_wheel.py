"""A built wheel is self-sufficient: it carries its prompts, its web page and its migrations, and an install
of it alone (no work tree, no editable install) serves the page and answers a question with the fake model."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import time
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# Runs in the interpreter that sees only the installed wheel (and the third-party packages of .venv).
SCRIPT = r"""
import sys
import time

site, repo, venv = sys.argv[1:4]

import api, assistant, ingest

for module in (api, assistant, ingest):
    assert module.__file__.startswith(site), f"{module.__name__} imported from {module.__file__}"

from fastapi.testclient import TestClient

from api.main import create_app
from assistant.prompts import render_prompt

system = render_prompt("qa_system", "en")
assert system.startswith("You answer questions"), system[:80]
print("PROMPT-OK", len(system))

MINUTES = (
    b"# Kick-off meeting minutes\n\nAttendees: Wang Lei, Li Na, Wu Jing\n\n"
    b"Decision: interface testing starts on 25 May 2026.\n\nWu Jing owns the ERP data migration.\n"
)

with TestClient(create_app()) as client:
    page = client.get("/")
    assert page.status_code == 200 and "<html" in page.text.lower(), page.text[:200]
    print("PAGE-OK", len(page.text))
    # The first start wrote the admin key into the data directory (the working directory's data/ here).
    settings = client.app.state.container.settings
    client.headers["Authorization"] = "Bearer " + (settings.data_dir / "admin.key").read_text().strip()

    pid = client.post("/projects", json={"name": "Wheel check"}).json()["id"]
    job = client.post(f"/projects/{pid}/documents", files=[("files", ("kickoff.md", MINUTES))]).json()
    deadline = time.monotonic() + 60
    while (status := client.get(f"/jobs/{job['job_id']}").json())["status"] not in ("done", "failed"):
        assert time.monotonic() < deadline, status
        time.sleep(0.05)
    assert status["status"] == "done" and status["files"][0]["status"] == "indexed", status

    chat_model = client.app.state.container.chat_model  # ScriptedChatModel: ASSISTANT_LLM_PROVIDER=fake
    chat_model.enqueue({"answer": "Wu Jing owns the ERP data migration [1].", "not_found": False})
    body = client.post(f"/projects/{pid}/ask", json={"question": "Who owns the ERP data migration?"}).json()
    assert body["refused"] is False and body["citations_supported"] == 1, body
    asked = chat_model.history[0]["messages"][0].content
    assert asked.startswith(system.split("\n", 1)[0]), asked[:200]
    print("ASK-OK", body["answer"])

# Nothing came from the work tree (.venv lives inside it, hence the exception).
leaks = sorted(
    name
    for name, module in list(sys.modules.items())
    if (getattr(module, "__file__", None) or "").startswith(repo)
    and not (getattr(module, "__file__", None) or "").startswith(venv)
)
assert not leaks, leaks
print("ISOLATED", api.__file__)
"""


def _source_snapshot(dest: Path) -> Path:
    """The work tree's files as a fresh clone plus uncommitted work would have them (git's view: tracked and
    untracked-but-not-ignored). Building from a copy keeps setuptools' build/ and egg-info out of the shared
    work tree, and a stale build/lib from an earlier build from leaking deleted files into the wheel."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO,
        check=True,
        capture_output=True,
    ).stdout.decode()
    for rel in filter(None, listed.split("\0")):
        src = REPO / rel
        if src.is_file():  # a tracked file deleted in the work tree is not part of it
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    # The built web app is ignored by git but made by the set-up before any wheel is built, and belongs in it.
    built = REPO / "api" / "web" / "dist"
    if built.is_dir():
        shutil.copytree(built, dest / "api" / "web" / "dist", dirs_exist_ok=True)
    return dest


def _repo_files(folder: str, pattern: str) -> set[str]:
    return {p.relative_to(REPO).as_posix() for p in (REPO / folder).glob(pattern) if p.is_file()}


@pytest.mark.integration
def test_the_wheel_carries_its_data_and_runs_without_the_work_tree(tmp_path: Path) -> None:
    started = time.monotonic()
    python = sys.executable  # .venv/bin/python under .venv/bin/pytest
    try:
        import setuptools
    except ImportError:  # pragma: no cover - the set-up installs it (requirements.lock)
        pytest.fail("--no-build-isolation builds with the environment's setuptools, and it has none")
    assert int(setuptools.__version__.split(".")[0]) >= 70, (
        f"setuptools {setuptools.__version__} cannot build the wheel on its own (70.1 brought bdist_wheel)"
    )

    src = _source_snapshot(tmp_path / "src")
    wheels = tmp_path / "wheels"
    subprocess.run(
        [python, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", wheels, src],
        check=True,
        capture_output=True,
    )
    [wheel] = wheels.glob("requirements_assistant-*.whl")

    names = set(zipfile.ZipFile(wheel).namelist())
    expected = (
        _repo_files("assistant/prompts", "*.md")
        | _repo_files("api/web", "**/*")
        | _repo_files("assistant/migrations", "*.py")
        | _repo_files("assistant/migrations", "*.mako")
        | _repo_files("assistant/migrations", "versions/*.py")
    )
    assert "api/web/dist/index.html" in expected and "assistant/prompts/qa_system.en.md" in expected
    assert "assistant/migrations/script.py.mako" in expected
    assert any(n.startswith("assistant/migrations/versions/0001") for n in expected)
    assert not expected - names, f"missing from the wheel: {sorted(expected - names)}"

    site = tmp_path / "site"
    subprocess.run(
        [python, "-m", "pip", "install", "-q", "--no-deps", "--target", site, wheel],
        check=True,
        capture_output=True,
    )

    # -S: the site module does not run, so no .pth file of .venv is processed, above all the editable
    # install's __editable__*.pth finder that maps assistant/api/ingest onto the work tree. PYTHONPATH then
    # gives the wheel's copy first and .venv's site-packages for the third-party dependencies (none of which
    # needs a .pth: the only other one, distutils-precedence.pth, is setuptools' distutils shim). The script
    # runs from a folder outside the repo, so neither the current directory nor the script's folder is the
    # work tree; it asserts the project's modules come from the wheel and nothing was imported from the repo.
    paths = sysconfig.get_paths()
    venv_site = [paths["purelib"], *([paths["platlib"]] if paths["platlib"] != paths["purelib"] else [])]
    work = tmp_path / "work"
    work.mkdir()
    (work / "check.py").write_text(SCRIPT, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "PYTHON"))}
    env |= {
        "PYTHONPATH": os.pathsep.join([str(site), *venv_site]),
        "PYTHONDONTWRITEBYTECODE": "1",
        "ASSISTANT_LLM_PROVIDER": "fake",
        "ASSISTANT_EMBEDDINGS_PROVIDER": "fake",
        "ASSISTANT_DATA_DIR": str(tmp_path / "data"),
        "ASSISTANT_CACHE_DIR": str(tmp_path / "cache"),
        # The scripted model answers what the script queued; a background risk scan must not take it.
        "ASSISTANT_RISK_AUTO_SCAN": "false",
    }
    result = subprocess.run(
        [python, "-S", "check.py", str(site), str(REPO) + os.sep, sys.prefix + os.sep],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "PROMPT-OK" in out and "PAGE-OK" in out and "ASK-OK Wu Jing" in out, out
    assert f"ISOLATED {site}{os.sep}api{os.sep}__init__.py" in out, out
    print(f"wheel built, installed and checked in {time.monotonic() - started:.1f}s")

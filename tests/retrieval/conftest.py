from __future__ import annotations

from collections.abc import Callable

import pytest

from api.container import Container
from assistant.db import transaction
from assistant.documents.models import DocumentType
from assistant.projects import repository as projects
from ingest.pipeline import Ingestor, ingest_file

MEETING = """会议纪要：ERP 与 MES 接口联调启动会
会议时间：2024年3月5日
参会：张伟（项目经理）、李娜（ERP 顾问）、王强（MES 工程师）
1. ERP 接口联调计划于 4 月 1 日开始，由张伟负责协调。
2. 生产工单接口采用 REST，MES 每 5 分钟从 ERP 拉取一次。
"""

SPEC = """# MES interface specification
Date: 2024-01-10

## 3 Work orders
The MES shall receive work orders from the ERP through a REST API within 5 minutes of release.

## 4 Inventory
The WMS shall report warehouse stock levels to the ERP every night at 02:00.
"""

EMAIL = """Subject: Data migration owner
Li Na owns the warehouse data migration; the cut-over rehearsal is planned for the second week of May.
"""


@pytest.fixture
def make_project(container: Container) -> Callable[[str], str]:
    def make(name: str) -> str:
        with transaction(container.sessions) as session:
            return projects.create_project(session, name=name).id

    return make


@pytest.fixture
def ingest(container: Container) -> Callable[..., str]:
    # A bare Ingestor: the app's one also runs requirement extraction and LLM risk scans, not wanted here.
    ingestor = Ingestor(settings=container.settings, sessions=container.sessions, vectors=container.vectors)

    def run(project_id: str, file_name: str, text: str, doc_type: DocumentType | None = None) -> str:
        outcome = ingest_file(
            ingestor,
            project_id=project_id,
            file_name=file_name,
            data=text.encode(),
            doc_type=doc_type,
        )
        assert outcome.document_id is not None and outcome.status.value == "indexed", outcome
        return outcome.document_id

    return run


@pytest.fixture
def project(make_project: Callable[[str], str], ingest: Callable[..., str]) -> str:
    project_id = make_project("集成项目")
    ingest(project_id, "会议纪要-接口联调.txt", MEETING)
    ingest(project_id, "mes_interface_spec.md", SPEC)
    ingest(project_id, "migration.txt", EMAIL, DocumentType.email)
    return project_id

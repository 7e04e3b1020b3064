"""All SQL for the document registry."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.documents.models import Document, DocumentStatus
from assistant.errors import NotFoundError
from assistant.index import chunks as chunk_store


def new_document_id() -> str:
    return "doc_" + uuid.uuid4().hex[:16]


def get_document(session: Session, *, project_id: str, document_id: str) -> Document:
    doc = session.get(Document, document_id)
    if doc is None or doc.project_id != project_id:
        raise NotFoundError(f"no document {document_id!r} in project {project_id!r}")
    return doc


def find_document(session: Session, *, project_id: str, file_name: str) -> Document | None:
    return session.scalar(
        select(Document).where(Document.project_id == project_id, Document.file_name == file_name)
    )


def list_documents(
    session: Session, *, project_id: str, status: str | None = None, doc_type: str | None = None
) -> list[Document]:
    query = select(Document).where(Document.project_id == project_id)
    if status:
        query = query.where(Document.status == status)
    if doc_type:
        query = query.where(Document.doc_type == doc_type)
    return list(session.scalars(query.order_by(Document.file_name)))


def count_documents(session: Session, *, project_id: str) -> dict[str, int]:
    rows = session.execute(
        select(Document.status, func.count())
        .where(Document.project_id == project_id)
        .group_by(Document.status)
    )
    return {status: n for status, n in rows}


def create_document(session: Session, *, project_id: str, file_name: str, **fields: object) -> Document:
    doc = Document(id=new_document_id(), project_id=project_id, file_name=file_name, **fields)
    session.add(doc)
    session.flush()
    return doc


def children_of(session: Session, *, document_id: str) -> list[Document]:
    return list(session.scalars(select(Document).where(Document.parent_id == document_id)))


def delete_document(session: Session, *, document: Document) -> None:
    chunk_store.delete_chunks(session, document_id=document.id)
    session.delete(document)


def indexed_documents(session: Session, *, project_id: str) -> list[Document]:
    return list_documents(session, project_id=project_id, status=DocumentStatus.indexed.value)

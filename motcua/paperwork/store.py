"""Storing a rendered paper on its dossier, once per occurrence."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from sqlalchemy.orm import Session

from motcua.db import Document, Dossier
from motcua.paperwork.documents import RenderedPaper


def store_once(session: Session, dossier: Dossier, paper: RenderedPaper, occurrence: int = 1,
               actor: str = "workers", number: str | None = None) -> Document:
    """The `occurrence`-th paper of this kind and title for the dossier: found if already stored
    (a redelivered job), else stored now."""
    existing = session.scalars(sa.select(Document)
                               .where(Document.dossier_id == dossier.id, Document.kind == paper.kind,
                                      Document.title == paper.title)
                               .order_by(Document.id)).all()
    if len(existing) >= occurrence:
        return existing[occurrence - 1]
    document = Document(dossier_id=dossier.id, kind=paper.kind, title=paper.title, number=number,
                        filename=paper.filename, media_type=paper.media_type, content=paper.content,
                        sha256=hashlib.sha256(paper.content).hexdigest(), created_by=actor)
    session.add(document)
    session.flush()
    return document

"""What the pages work with, one per app: the application database, the catalog, the engine's
gateway, the diagrams' user tasks and the forms. `office()` returns the current app's."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session, sessionmaker

from motcua.catalog import Catalog, load_catalog
from motcua.db import load_working_calendar, session_factory, transaction
from motcua.working_calendar import WorkingCalendar
from webapp.process_models import ProcessModels, read_process_models
from webapp.zeebe import ZeebeGateway


@dataclass
class Office:
    sessions: sessionmaker[Session]
    catalog: Catalog
    gateway: ZeebeGateway
    process_models: ProcessModels
    forms_dir: Path
    dossier_code_pattern: str
    _forms: dict[str, dict[str, Any]] = field(default_factory=dict)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with transaction(self.sessions) as session:
            yield session

    def form(self, form_id: str | None) -> dict[str, Any] | None:
        """The Camunda Form (form-js JSON) with this id, from forms/."""
        if not form_id:
            return None
        if not self._forms:
            for path in sorted(self.forms_dir.glob("*.form")):
                schema = json.loads(path.read_text(encoding="utf-8"))
                self._forms[schema.get("id") or path.stem] = schema
        return self._forms.get(form_id)

    def calendar(self, session: Session) -> WorkingCalendar:
        return load_working_calendar(session)

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)


def build_office(settings: Any, config: dict[str, Any]) -> Office:
    database_url = config.get("DATABASE_URL") or settings.database_url
    catalog_dir = Path(config.get("CATALOG_DIR") or settings.catalog_dir)
    return Office(
        sessions=session_factory(database_url),
        catalog=load_catalog(catalog_dir),
        gateway=ZeebeGateway(config.get("ZEEBE_ADDRESS") or settings.zeebe_address),
        process_models=read_process_models(Path(config.get("BPMN_DIR") or settings.bpmn_dir)),
        forms_dir=Path(config.get("FORMS_DIR") or settings.forms_dir),
        dossier_code_pattern=settings.dossier_code_pattern,
    )


def office() -> Office:
    return current_app.extensions["motcua.office"]

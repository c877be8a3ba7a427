"""Configuration from environment variables, each with a working default."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


@dataclass(frozen=True)
class Settings:
    """Every setting motcua reads; documented in README.md ("Configuration")."""

    data_dir: Path = field(default_factory=lambda: Path(_env("MOTCUA_DATA_DIR", str(PROJECT_ROOT / "var"))))
    zeebe_address: str = field(default_factory=lambda: _env("ZEEBE_ADDRESS", "127.0.0.1:26500"))
    web_host: str = field(default_factory=lambda: _env("MOTCUA_WEB_HOST", "127.0.0.1"))
    web_port: int = field(default_factory=lambda: int(_env("MOTCUA_WEB_PORT", "8000")))
    public_url: str = field(default_factory=lambda: _env("MOTCUA_PUBLIC_URL", ""))
    database_url_override: str = field(default_factory=lambda: _env("MOTCUA_DATABASE_URL", ""))
    sms_provider: str = field(default_factory=lambda: _env("MOTCUA_SMS_PROVIDER", "outbox"))
    language: str = field(default_factory=lambda: _env("MOTCUA_LANGUAGE", "vi"))
    dossier_code_pattern: str = field(
        default_factory=lambda: _env("MOTCUA_DOSSIER_CODE_PATTERN", "{agency}-{yymmdd}-{seq:04d}"))
    office_hours: str = field(
        default_factory=lambda: _env("MOTCUA_OFFICE_HOURS", "07:00-11:30,13:30-17:00"))
    secret_key_override: str = field(default_factory=lambda: _env("MOTCUA_SECRET_KEY", ""))

    @property
    def database_url(self) -> str:
        """The application database (dossiers, staff, outboxes); SQLite in data_dir by default."""
        return self.database_url_override or f"sqlite:///{self.data_dir / 'motcua.db'}"

    def secret_key(self) -> str:
        """MOTCUA_SECRET_KEY, else a random key kept in data_dir so sessions survive restarts."""
        if self.secret_key_override:
            return self.secret_key_override
        path = self.data_dir / "secret_key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(secrets.token_urlsafe(48))
        return path.read_text().strip()

    @property
    def web_url(self) -> str:
        return self.public_url or f"http://{self.web_host}:{self.web_port}"

    @property
    def bpmn_dir(self) -> Path:
        return PROJECT_ROOT / "bpmn"

    @property
    def forms_dir(self) -> Path:
        return PROJECT_ROOT / "forms"

    @property
    def catalog_dir(self) -> Path:
        return Path(_env("MOTCUA_CATALOG_DIR", str(PROJECT_ROOT / "catalog")))


def load() -> Settings:
    return Settings()

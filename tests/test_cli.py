"""Smoke tests of the `motcua` command line as a person runs it."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from motcua.cli import main


def test_help_lists_every_command():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("up", "engine", "workers", "web", "deploy", "migrate"):
        assert command in result.output


def test_installed_console_script_runs():
    result = subprocess.run([sys.executable, "-m", "motcua", "--version"], capture_output=True, text=True)
    assert result.returncode == 0
    assert "0.1.0" in result.stdout


def test_deploy_refuses_a_directory_without_models(tmp_path):
    (tmp_path / "notes.txt").write_text("not a model")
    result = CliRunner().invoke(main, ["deploy", str(tmp_path)])
    assert result.exit_code != 0
    assert "no .bpmn, .dmn, .form files" in result.output


def test_deploy_reports_an_unreachable_gateway(tmp_path, monkeypatch, free_port):
    model = tmp_path / "p.bpmn"
    model.write_text("<definitions/>")
    monkeypatch.setenv("ZEEBE_ADDRESS", f"127.0.0.1:{free_port}")
    result = CliRunner().invoke(main, ["deploy", str(model)])
    assert result.exit_code != 0
    assert "rejected" in result.output or "unavailable" in result.output.lower()


def test_migrate_creates_the_application_schema(tmp_path, monkeypatch):
    import sqlalchemy as sa

    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("MOTCUA_DATABASE_URL", url)
    result = CliRunner().invoke(main, ["migrate"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output
    tables = sa.inspect(sa.create_engine(url)).get_table_names()
    assert "dossiers" in tables


def test_migrate_explains_a_bad_database_url(monkeypatch):
    monkeypatch.setenv("MOTCUA_DATABASE_URL", "nosuchdb://x")
    result = CliRunner().invoke(main, ["migrate"])
    assert result.exit_code != 0
    assert "cannot migrate the database nosuchdb://x" in result.output


def test_catalog_check_accepts_the_shipped_catalog():
    result = CliRunner().invoke(main, ["catalog", "check"])
    assert result.exit_code == 0, result.output
    assert "all valid" in result.output


def test_catalog_check_names_file_line_and_field(tmp_path, monkeypatch):
    (tmp_path / "broken.yaml").write_text("code: '1.009994'\nnames: 7\n", encoding="utf-8")
    monkeypatch.setenv("MOTCUA_CATALOG_DIR", str(tmp_path))
    result = CliRunner().invoke(main, ["catalog", "check"])
    assert result.exit_code != 0
    assert "broken.yaml:2" in result.output
    assert "names" in result.output

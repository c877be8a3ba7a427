"""`motcua deploy` of DMN files: what an analyst reads after deploying a decision table."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.gateway import BackgroundGateway
from engine.runtime import Engine
from motcua.cli import main

FEES = Path(__file__).resolve().parent / "gateway" / "processes" / "gateway-permit-fee.dmn"


@pytest.fixture
def engine_address(tmp_path):
    engine = Engine(f"sqlite:///{tmp_path / 'engine.db'}")
    engine.start()
    with BackgroundGateway(engine, "127.0.0.1:0") as gateway:
        yield gateway.address
    engine.close()


def test_deploy_reports_the_decisions_of_a_dmn_file(engine_address, monkeypatch):
    monkeypatch.setenv("ZEEBE_ADDRESS", engine_address)
    result = CliRunner().invoke(main, ["deploy", str(FEES)])
    assert result.exit_code == 0, result.output
    assert "decisions gateway-fees version 1" in result.output
    assert "from gateway-permit-fee.dmn" in result.output
    assert "decision gateway-permit-fee version 1" in result.output
    assert "decision gateway-fee-notice version 1" in result.output


def test_deploy_names_the_broken_dmn_file_and_decision(engine_address, monkeypatch, tmp_path):
    monkeypatch.setenv("ZEEBE_ADDRESS", engine_address)
    broken = tmp_path / "fees.dmn"
    broken.write_text(FEES.read_text(encoding="utf-8").replace('hitPolicy="FIRST"', 'hitPolicy="LAST"'),
                      encoding="utf-8")
    result = CliRunner().invoke(main, ["deploy", str(broken)])
    assert result.exit_code != 0
    assert "'fees.dmn' decision 'gateway-permit-fee': unknown hit policy 'LAST'" in result.output

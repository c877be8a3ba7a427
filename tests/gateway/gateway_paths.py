"""Where the gateway tests find their diagrams and the zbctl binary (a uniquely named module, so
test files never import another directory's `conftest` by accident)."""

from pathlib import Path

PROCESSES = Path(__file__).parent / "processes"
ZBCTL = Path(__file__).resolve().parents[2] / "node_modules" / "zbctl" / "bin" / "zbctl-cli.linux"

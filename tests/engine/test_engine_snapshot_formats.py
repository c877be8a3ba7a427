"""Instance snapshots: a database written with the first compact format (task ids as UUID text)
keeps running after an upgrade; the engine's own tasks restore exactly (ids, states, data)."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from uuid import UUID

DIAGRAMS = Path(__file__).parent / "bpmn"


def _as_compact_1(text: str) -> str:
    """The snapshot as the engine wrote it before integer ids and list positions."""
    snapshot = json.loads(text)
    assert snapshot["format"] == "compact-2"
    ids = [str(UUID(int=row[0])) for row in snapshot["tasks"]]
    snapshot["tasks"] = [[ids[i], None if parent is None else ids[parent], [ids[c] for c in children], *rest]
                         for i, (_, parent, children, *rest) in enumerate(snapshot["tasks"])]
    snapshot["root"] = ids[snapshot["root"]]
    snapshot["last_task"] = None if snapshot["last_task"] is None else ids[snapshot["last_task"]]
    snapshot["format"] = "compact-1"
    return json.dumps(snapshot)


def test_an_instance_snapshotted_in_the_first_compact_format_continues(kit):
    kit.deploy(DIAGRAMS / "three-steps.bpmn")
    instance = kit.start("three-steps", n=1)
    kit.complete_job("step-a", step_a=True)
    job_b = kit.jobs("step-b")[0]
    kit.engine.close()
    with sqlite3.connect(kit.database) as db:
        [(text,)] = db.execute("SELECT snapshot FROM engine_process_instance WHERE key = ?", (instance.key,))
        db.execute("UPDATE engine_process_instance SET snapshot = ? WHERE key = ?", (_as_compact_1(text), instance.key))
    kit.restart()
    assert kit.jobs("step-b") == [job_b]  # same job, same element instance, same task
    kit.complete_job("step-b", step_b=True)
    kit.restart()  # written back in the current format, read again
    kit.complete_job("step-c", step_c=True)
    assert instance.is_completed()
    assert instance.passed_elements() == ["start", "a", "b", "c", "end"]
    assert instance.variables == {"n": 1, "step_a": True, "step_b": True, "step_c": True}

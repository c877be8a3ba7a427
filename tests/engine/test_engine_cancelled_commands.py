"""A command whose future its caller cancelled before the writer reached it is skipped cleanly."""
from __future__ import annotations

import threading

from .conftest import chain, process, service


def test_a_cancelled_submitted_command_is_skipped_and_the_engine_goes_on(kit):
    kit.deploy_text("c.bpmn", process("c", '<bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>'
                                      + service("a", "c.a") + chain("s", "a", "e")))
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        holding.set()
        release.wait(10)

    blocker = threading.Thread(target=lambda: kit.engine._submit(hold, None))
    blocker.start()
    assert holding.wait(10)  # the writer is busy: the next commands wait in its queue
    cancelled = kit.engine.submit("create_process_instance", bpmn_process_id="c")
    kept = kit.engine.submit("create_process_instance", bpmn_process_id="c")
    assert cancelled.cancel()
    release.set()
    blocker.join()
    created = kept.result(timeout=10)
    assert cancelled.cancelled()
    instances = kit.engine.process_instances(bpmn_process_id="c")
    assert [i["key"] for i in instances] == [created.process_instance_key]

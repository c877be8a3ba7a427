"""How much work one `python -m workers` process takes on: a bounded number of jobs per type, a
thread pool of the configured size, a short pause when a type is full."""

from __future__ import annotations

import asyncio
import logging

import pytest
from pyzeebe import create_insecure_channel

from workers.runner import Concurrency, build_worker


def built(concurrency: Concurrency | None = None):
    async def build():
        channel = create_insecure_channel("127.0.0.1:1")
        try:
            return build_worker(channel, concurrency=concurrency)
        finally:
            await channel.close()
    return asyncio.run(build())


def test_each_job_type_holds_a_bounded_number_of_jobs():
    worker = built(Concurrency(threads=4, jobs_per_type=3))
    assert {(t.config.max_jobs_to_activate, t.config.max_running_jobs) for t in worker.tasks} == {(3, 3)}
    assert worker.poll_retry_delay < 1  # pyzeebe's 5 s left a full type idle after its jobs were done
    assert worker.zeebe_adapter._max_connection_retries == -1  # an engine restart never ends it


def test_the_defaults_bound_what_waits_for_the_threads():
    worker = built()
    default = Concurrency()
    assert {t.config.max_running_jobs for t in worker.tasks} == {default.jobs_per_type}
    assert default.jobs_per_type <= default.threads


def test_concurrency_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("MOTCUA_WORKER_THREADS", "12")
    assert Concurrency.from_environment() == Concurrency(threads=12, jobs_per_type=12)
    monkeypatch.setenv("MOTCUA_WORKER_JOBS_PER_TYPE", "4")
    assert Concurrency.from_environment() == Concurrency(threads=12, jobs_per_type=4)


@pytest.mark.parametrize(("value", "message"), [("many", "whole number"), ("0", "at least 1")])
def test_a_wrong_setting_is_a_clear_error(monkeypatch, value, message):
    monkeypatch.setenv("MOTCUA_WORKER_THREADS", value)
    with pytest.raises(ValueError, match=f"MOTCUA_WORKER_THREADS must be .*{message}"):
        Concurrency.from_environment()


def test_a_full_job_type_is_not_logged_each_time_it_waits(caplog):
    poller_log = logging.getLogger("pyzeebe.worker.job_poller")
    with caplog.at_level(logging.WARNING, logger="pyzeebe.worker.job_poller"):
        poller_log.warning("Maximum number of jobs running for %s. Polling again in %s seconds...",
                           "notify.sms", 0.1)
        poller_log.warning("Failed to activate jobs from the gateway. Exception: %s", "down")
    assert [r.getMessage() for r in caplog.records] == [
        "Failed to activate jobs from the gateway. Exception: down"]

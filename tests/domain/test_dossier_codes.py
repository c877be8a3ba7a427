"""Dossier codes: one sequence per agency per day, never repeated, even when several processes
receive dossiers at the same moment."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import UTC, date, datetime

import pytest

from motcua.db import transaction
from motcua.dossier_codes import DEFAULT_PATTERN, CodePattern, DossierCode, next_code

AGENCY = "000.00.17.H06"


def test_sequence_per_agency_per_day(sessions):
    monday = datetime(2026, 11, 23, 8, 0)
    tuesday = datetime(2026, 11, 24, 8, 0)
    with transaction(sessions) as session:
        issued = [str(next_code(session, AGENCY, monday)) for _ in range(3)]
        issued.append(str(next_code(session, "000.00.64.H10", monday)))
        issued.append(str(next_code(session, AGENCY, tuesday)))
    assert issued == [
        "000.00.17.H06-261123-0001",
        "000.00.17.H06-261123-0002",
        "000.00.17.H06-261123-0003",
        "000.00.64.H10-261123-0001",
        "000.00.17.H06-261124-0001",
    ]


def test_rolled_back_code_is_never_reissued_in_a_later_transaction(sessions):
    received = datetime(2026, 11, 24, 8, 0)
    with transaction(sessions) as session:
        assert next_code(session, AGENCY, received).sequence == 1
    with sessions() as session, session.begin():
        assert next_code(session, AGENCY, received).sequence == 2
        session.rollback()
    with transaction(sessions) as session:
        # the rolled-back 0002 was never handed to anyone: reusing it is harmless, a repeat
        # of a committed code is what must never happen
        assert next_code(session, AGENCY, received).sequence == 2
        assert next_code(session, AGENCY, received).sequence == 3


def test_day_is_taken_in_vietnam_time(sessions):
    # 18:00 UTC on 23 Nov is 01:00 on 24 Nov in Hà Nội
    with transaction(sessions) as session:
        code = next_code(session, AGENCY, datetime(2026, 11, 23, 18, 0, tzinfo=UTC))
    assert code.received_on == date(2026, 11, 24)
    assert str(code) == "000.00.17.H06-261124-0001"


def test_configurable_pattern(sessions):
    pattern = "{agency}-{yyyymmdd}-{seq:07d}"
    with transaction(sessions) as session:
        code = next_code(session, "G09.20", datetime(2026, 6, 9, 9, 0), pattern=pattern)
    assert str(code) == "G09.20-20260609-0000001"
    assert DossierCode.parse("G09.20-20260609-0092637", pattern) == DossierCode(
        "G09.20-20260609-0092637", "G09.20", date(2026, 6, 9), 92637)


def test_parse_default_pattern():
    code = DossierCode.parse("000.00.64.H10-230515-0011")
    assert (code.agency_code, code.received_on, code.sequence) == ("000.00.64.H10", date(2023, 5, 15), 11)
    assert not code.is_external
    with pytest.raises(ValueError, match="does not match"):
        DossierCode.parse("H10-0011")


def test_external_codes_from_the_national_portal_are_accepted():
    code = DossierCode.external(" G09.20-20260609-0092637 ")
    assert str(code) == "G09.20-20260609-0092637" and code.is_external
    with pytest.raises(ValueError, match="is not a dossier code"):
        DossierCode.external("mã hồ sơ?")


@pytest.mark.parametrize(("pattern", "message"), [
    ("{agency}-{yymmdd}", "needs {agency}, a date"),
    ("{agency}-{seq:04d}", "needs {agency}, a date"),
    ("{unit}-{yymmdd}-{seq}", "unknown field"),
])
def test_patterns_that_could_repeat_are_refused(pattern, message):
    with pytest.raises(ValueError, match=message):
        CodePattern(pattern)
    assert CodePattern(DEFAULT_PATTERN).format(AGENCY, date(2026, 11, 24), 1) == "000.00.17.H06-261124-0001"


WORKER = textwrap.dedent("""
    import sys
    from datetime import datetime
    from motcua.db import engine_for, session_factory, transaction
    from motcua.dossier_codes import next_code
    url, count = sys.argv[1], int(sys.argv[2])
    sessions = session_factory(engine_for(url))
    with sessions() as warm_up:
        warm_up.connection()
    print("ready", flush=True)
    sys.stdin.readline()  # all processes start together
    for _ in range(count):
        with transaction(sessions) as session:
            print(next_code(session, "000.00.17.H06", datetime(2026, 11, 24, 9, 0)), flush=True)
""")


def run_together(argv: list[str], processes: int) -> list[str]:
    """Start `processes` copies of `argv`, release them at once when all are ready, return stdouts."""
    workers = [subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for _ in range(processes)]
    for worker in workers:
        assert worker.stdout.readline().strip() == "ready", worker.stderr.read()
    for worker in workers:
        worker.stdin.write("go\n")
        worker.stdin.flush()
    outputs = []
    for worker in workers:
        out, err = worker.communicate(timeout=90)
        assert worker.returncode == 0, err
        outputs.append(out)
    return outputs


@pytest.mark.slow
def test_concurrent_processes_never_get_the_same_code(migrated_url):
    processes, per_process = 4, 25
    outputs = run_together([sys.executable, "-c", WORKER, migrated_url, str(per_process)], processes)
    codes = [code for out in outputs for code in out.split()]
    assert len(codes) == processes * per_process
    assert len(set(codes)) == len(codes), "a dossier code was issued twice"
    sequences = sorted(DossierCode.parse(c).sequence for c in codes)
    assert sequences == list(range(1, processes * per_process + 1))

"""Lookups are rate-limited per client; failures (unknown codes, wrong digits) count double duty."""

from __future__ import annotations

from motcua.rate_limits import RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_rate_limiter_window_slides():
    clock = FakeClock()
    limiter = RateLimiter(3, 60, clock=clock)
    assert all(limiter.allow("a").allowed for _ in range(3))
    refused = limiter.allow("a")
    assert not refused.allowed and refused.retry_after_s == 60
    assert limiter.allow("b").allowed  # per key
    clock.now += 30
    assert limiter.check("a").retry_after_s == 30
    clock.now += 30
    assert limiter.allow("a").allowed


def test_lookups_are_limited_per_client(app_factory, desk):
    client = app_factory(PUBLIC_LOOKUPS_PER_MINUTE=5).test_client()
    code = desk.receive()
    statuses = [client.get(f"/tra-cuu/{code}").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    refused = client.get(f"/api/v1/public/dossiers/{code}")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert refused.get_json()["error"]
    page = client.get(f"/tra-cuu/{code}")
    assert "Vui lòng chờ một lát" in page.get_data(as_text=True)
    other = client.get(f"/tra-cuu/{code}", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200  # another client is not affected


def test_guessing_codes_soon_blocks_every_lookup(app_factory, desk):
    client = app_factory(PUBLIC_FAILURES_PER_15_MIN=4).test_client()
    code = desk.receive()
    guesses = [client.get(f"/tra-cuu/000.00.17.H06-261116-{n:04d}").status_code for n in range(2, 6)]
    assert guesses == [404] * 4
    # the budget of failures is spent: even a real code now waits, and says for how long
    blocked = client.get(f"/tra-cuu/{code}")
    assert blocked.status_code == 429 and blocked.headers["Retry-After"]


def test_wrong_digits_count_as_failures(app_factory, desk):
    client = app_factory(PUBLIC_FAILURES_PER_15_MIN=3).test_client()
    code = desk.receive()
    answers = [client.post(f"/tra-cuu/{code}", data={"digits": f"{n:04d}"}).status_code for n in range(4)]
    assert answers == [403, 403, 403, 429]
    assert client.post(f"/tra-cuu/{code}", data={"digits": "5678"}).status_code == 429


def test_unknown_code_and_wrong_digits_answer_alike(client, desk):
    code = desk.receive()
    known = client.get(f"/api/v1/public/dossiers/{code}", headers={"X-Second-Factor": "0000"})
    unknown = client.get("/api/v1/public/dossiers/000.00.17.H06-261116-0077",
                         headers={"X-Second-Factor": "5678"})
    assert known.get_json()["applicant"] is None and unknown.get_json().get("applicant") is None
    assert "Nguyễn" not in known.get_data(as_text=True)


def test_one_dossier_locks_after_many_wrong_digits_from_anywhere(app_factory, desk):
    client = app_factory(PUBLIC_FACTOR_FAILURES_PER_DAY=3).test_client()
    code = desk.receive()
    for n in range(3):  # three different addresses, each far within its own budget
        client.post(f"/tra-cuu/{code}", data={"digits": f"{n:04d}"},
                    environ_base={"REMOTE_ADDR": f"10.0.1.{n}"})
    locked = client.post(f"/tra-cuu/{code}", data={"digits": "5678"},
                         environ_base={"REMOTE_ADDR": "10.0.2.1"})
    assert locked.status_code == 403
    assert "sai quá nhiều lần" in locked.get_data(as_text=True)
    assert "Nguyễn Văn An" not in locked.get_data(as_text=True)
    # the status itself stays visible to everyone
    assert client.get(f"/tra-cuu/{code}", environ_base={"REMOTE_ADDR": "10.0.2.1"}).status_code == 200

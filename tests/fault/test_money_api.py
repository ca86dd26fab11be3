"""The gateway's money routes (gateway/gateway/money_api.py) on the real platform: every POST
requires an Idempotency-Key, a repeat answers the first result and moves no money twice, a key
reused for something else is a 409; statements are the student's own (staff name the student).
"""
import pytest

STUDENT, OTHER = "2026000001", "2026000002"


@pytest.fixture(scope="module")
def plat(platform_factory):
    # SEED_DEMO: this year's tuition and accommodation charges; a card with 200 yuan for
    # 2026000001 and 50 yuan for 2026000002
    return platform_factory(["finance", "campus_it"], gateway=True,
                            extra_env={"SEED_DEMO": "1", "MAX_WORKERS": "4"})


@pytest.fixture(scope="module")
def student(plat, tools):
    return tools.login(plat.gateway_url, STUDENT)


def pay(student, url, key, **body):
    headers = {"Idempotency-Key": key} if key else {}
    return student.post(url + "/api/finance/payments", json=body, headers=headers, timeout=15)


def test_a_payment_without_a_key_is_refused_naming_the_header(plat, student):
    r = pay(student, plat.gateway_url, None, amount_cents=100)
    body = r.json()
    assert r.status_code == 422 and list(body["fields"]) == ["Idempotency-Key"]
    assert "幂等键" in body["message"] and "Idempotency-Key" in body["message_en"]
    r = pay(student, plat.gateway_url, "k" * 200, amount_cents=100)
    assert r.status_code == 422 and "Idempotency-Key" in r.json()["fields"]
    for bad in ({"amount_cents": "100"}, {"amount_cents": -5}, {"amount_cents": 1, "x": 1}, {}):
        r = pay(student, plat.gateway_url, "bad-body", **bad)
        assert r.status_code == 422, (bad, r.text)


def test_a_repeated_payment_is_paid_once(plat, student):
    url = plat.gateway_url
    before = student.get(url + "/api/finance/ledger", timeout=15).json()
    first = pay(student, url, "pay-once-1", amount_cents=12345)
    again = pay(student, url, "pay-once-1", amount_cents=12345)
    assert first.status_code == again.status_code == 201, first.text
    assert again.json() == first.json() and first.json()["kind"] == "payment"
    after = student.get(url + "/api/finance/ledger", params={"per_page": 100},
                        timeout=15).json()
    assert after["balance_cents"] == before["balance_cents"] - 12345
    assert [e["idempotency_key"] for e in after["entries"]].count("pay-once-1") == 1
    clash = pay(student, url, "pay-once-1", amount_cents=99)
    assert clash.status_code == 409 and "idempotency_key" in clash.json()["fields"]


def test_statements_are_ones_own_and_staff_name_the_student(plat, student, tools):
    url = plat.gateway_url
    assert student.get(url + "/api/finance/ledger", params={"student_id": OTHER},
                       timeout=15).status_code == 403
    clerk = tools.login(url, "finance_b")
    r = clerk.get(url + "/api/finance/ledger", timeout=15)
    assert r.status_code == 422 and "student_id" in r.json()["fields"]
    r = clerk.get(url + "/api/finance/ledger", params={"student_id": STUDENT}, timeout=15)
    assert r.status_code == 200 and r.json()["student_id"] == STUDENT
    it = tools.login(url, "campus_it_b")
    r = it.get(url + "/api/campus-it/card", params={"student_id": OTHER}, timeout=15)
    assert r.status_code == 200 and r.json()["student_id"] == OTHER
    assert clerk.post(url + "/api/finance/payments", json={"amount_cents": 1},
                      headers={"Idempotency-Key": "staff"}, timeout=15).status_code == 403


def test_top_ups_and_transfers_happen_once_per_key(plat, student, tools):
    url = plat.gateway_url
    other = tools.login(url, OTHER)

    def balance(session):
        return session.get(url + "/api/campus-it/card", timeout=15).json()["balance_cents"]
    mine, theirs = balance(student), balance(other)

    r = student.post(url + "/api/campus-it/top-ups", json={"amount_cents": 5000}, timeout=15)
    assert r.status_code == 422 and "Idempotency-Key" in r.json()["fields"]
    ups = [student.post(url + "/api/campus-it/top-ups", json={"amount_cents": 5000},
                        headers={"Idempotency-Key": "top-up-1"}, timeout=15) for _ in range(3)]
    assert {u.status_code for u in ups} == {201} and len({u.json()["entry_id"] for u in ups}) == 1
    moves = [student.post(url + "/api/campus-it/transfers",
                          json={"to_student_id": OTHER, "amount_cents": 3000},
                          headers={"Idempotency-Key": "transfer-1"}, timeout=15)
             for _ in range(3)]
    assert {m.status_code for m in moves} == {201}
    assert len({m.json()["entry_id"] for m in moves}) == 1
    assert (balance(student), balance(other)) == (mine + 5000 - 3000, theirs + 3000)
    ledger = student.get(url + "/api/campus-it/card/ledger", timeout=15).json()
    assert [e["idempotency_key"] for e in ledger["entries"]].count("transfer-1") == 1
    clash = student.post(url + "/api/campus-it/transfers",
                         json={"to_student_id": OTHER, "amount_cents": 1},
                         headers={"Idempotency-Key": "transfer-1"}, timeout=15)
    assert clash.status_code == 409

"""Consumer side of the contracts: every call a consumer makes and every event it handles is
declared once in shared/ (rpc_contracts.py, contracts.py), each consumer's examples fit the
declared contract, and each event consumer works against the declared events on the real bus
(finance still pays an aid.awarded v1 as well as a v2)."""
import re
from fnmatch import fnmatch
from functools import partial
from pathlib import Path

import pytest
from marshmallow import fields

import contract_examples as ex
from osac_shared import testing
from osac_shared.contracts import EVENT_SCHEMAS, make_event, read_event
from osac_shared.outbox import event_publisher
from osac_shared.rpc_contracts import RPC_CONTRACTS, contract_for

REPO = Path(__file__).resolve().parents[2]
CALLS = [e for e in ex.EXAMPLES if not e.setup]


def ids(examples):
    return [f"{i}:{e.name}" for i, e in enumerate(examples)]


def promised(contract):
    """The field names the contract's result promises (of an element / a value)."""
    f = contract.result
    while isinstance(f, (fields.List, fields.Dict)):
        f = f.inner if isinstance(f, fields.List) else f.value_field
    return set(f.schema.fields) if isinstance(f, fields.Nested) else set()


@pytest.mark.parametrize("example", CALLS, ids=ids(CALLS))
def test_the_call_is_declared_and_fits_its_arguments(example):
    contract = contract_for(example.service, example.method)
    assert contract is not None, f"{example.name}: no contract in rpc_contracts.py"
    bound = contract.bind(example.args, example.kwargs)
    declared = contract.args().fields
    assert set(bound) <= set(declared)
    assert {n for n, f in declared.items() if f.required} <= set(bound)


@pytest.mark.parametrize("example", CALLS, ids=ids(CALLS))
def test_the_consumer_reads_only_what_the_provider_promises(example):
    contract = contract_for(example.service, example.method)
    assert set(example.reads) <= promised(contract), \
        f"{example.name} relies on {set(example.reads) - promised(contract)}, not declared"


def test_every_contract_has_a_consumer_example_the_provider_test_replays():
    covered = {contract_for(e.service, e.method).key for e in CALLS if not e.error}
    assert {c.key for c in RPC_CONTRACTS} - covered == set()


# ---- every call site in the code is declared ---------------------------------------------------
CALL_MARKERS = re.compile(r"\b(?:call|fan_out|perform|write|write_and_back|desk_write)\(")
TUPLE_CALL = re.compile(r'"([a-z_]+)",\s*\(')                   # (service, "method", (args)
ASYNC_CALL = re.compile(r"\.([a-z_]+)\.call_async\(")           # self.proxy.method.call_async(
HELPER_CALL = re.compile(r'\b[a-z_]+\(\s*"([a-z_]+)"')             # hall("method", ...)


def rpc_methods():
    from nameko.rpc import Rpc
    from osac_shared.registry import SERVICES
    import importlib
    names = set()
    for module_class in (m for m, _config in SERVICES.values()):
        module, cls = module_class.split(":")
        service = getattr(importlib.import_module(module), cls)
        for attr in dir(service):
            method = getattr(service, attr, None)
            if any(isinstance(e, Rpc) for e in getattr(method, "nameko_entrypoints", ())):
                names.add(attr)
    return names


def called_methods():
    """RPC method names the consumers' code calls (gateway and services, tests excluded)."""
    known, found = rpc_methods(), set()
    sources = list((REPO / "gateway" / "gateway").glob("*.py")) + [
        p for p in (REPO / "services").glob("*/*/**/*.py") if "/tests/" not in str(p)
        and "/migrations/" not in str(p)]
    for path in sources:
        for line in path.read_text(encoding="utf-8").splitlines():
            names = set(TUPLE_CALL.findall(line)) | set(ASYNC_CALL.findall(line)) | \
                set(HELPER_CALL.findall(line))
            if CALL_MARKERS.search(line):
                names |= set(re.findall(r'"([a-z_]+)"', line))
            found |= names & known
    return found


def test_every_rpc_the_code_calls_is_declared():
    called = called_methods()
    assert {"submit_case", "get_deadline", "activity_approval_status", "pay", "top_up",
            "list_questions", "complain_overdue"} <= called          # the scan finds them
    declared = {c.method for c in RPC_CONTRACTS}
    assert called - declared == set()


def test_every_event_a_service_consumes_is_declared():
    from nameko.events import EventHandler
    from osac_shared.registry import SERVICES
    import importlib
    consumed = set()
    for module_class, _config in SERVICES.values():
        module, cls = module_class.split(":")
        service = getattr(importlib.import_module(module), cls)
        for attr in dir(service):
            for e in getattr(getattr(service, attr, None), "nameko_entrypoints", ()):
                if isinstance(e, EventHandler):
                    consumed.add(e.event_type)
    assert {"aid.awarded", "case.*", "fee.requested"} <= consumed
    types = {t for t, _v in EVENT_SCHEMAS}
    assert [p for p in consumed if not any(fnmatch(t, p) for t in types)] == []


@pytest.mark.parametrize("consumer,source,type_,version,data,case_id", [
    (c, *event) for c, events in ex.EVENT_EXAMPLES.items() for event in events])
def test_the_event_examples_fit_their_declared_version(consumer, source, type_, version, data,
                                                       case_id):
    envelope = make_event(type_, source, data, occurred_at=ex.T0, case_id=case_id,
                          version=version)
    assert read_event(envelope)["version"] == version


# ---- event consumers on the real bus ---------------------------------------------------------
@pytest.fixture(scope="module")
def plat(platform_factory, tmp_path_factory):
    clock = tmp_path_factory.mktemp("clock") / "now"
    clock.write_text(ex.T0.isoformat())
    return platform_factory(["sla", "finance", "aid"], clock_file=str(clock))


eventually = partial(testing.eventually, timeout=20)


def publish_examples(plat, consumer):
    for source, type_, version, data, case_id in ex.EVENT_EXAMPLES[consumer]:
        envelope = make_event(type_, source, data, occurred_at=ex.T0, case_id=case_id,
                              version=version, correlation_id=f"contract-{consumer}")
        event_publisher(plat.amqp_uri, source)(envelope)      # as the source's outbox does


def ledger(plat, student_id):
    with plat.rpc(ex.DIRECTOR) as rpc:
        return rpc.finance.ledger(student_id)["entries"]


def test_sla_keeps_the_deadline_of_a_case_submitted_v1(plat):
    publish_examples(plat, "sla")
    with plat.rpc(ex.STUDENT) as rpc:
        deadline = eventually(lambda: rpc.sla.get_deadline("logistics-contract-1"))
    assert deadline["due_at"] == "2026-12-09T10:00:00+08:00"        # 48 calendar hours
    assert deadline["department"] == "logistics"


def test_finance_pays_aid_awarded_v1_and_v2_and_charges_a_fee(plat):
    publish_examples(plat, "finance")
    v1 = eventually(lambda: [e for e in ledger(plat, "2026000088") if e["kind"] == "charge"]
                    and ledger(plat, "2026000088"))
    v2 = eventually(lambda: ledger(plat, "2026000089"))
    assert sorted((e["kind"], e["amount_cents"], e["description"]) for e in v1) == [
        ("aid_disbursement", 330000, "2026-2027学年国家助学金"),     # v1: finance's name table
        ("charge", 2000, "一卡通补办工本费")]
    assert [(e["kind"], e["amount_cents"], e["description"], e["ref"]) for e in v2] == [
        ("aid_disbursement", 800000, "2026-2027学年国家奖学金", "aid-contract-v2")]  # v2 name


def test_aid_records_a_wage_adjustment(plat):
    publish_examples(plat, "aid")

    def rate():
        with plat.rpc(ex.DIRECTOR) as rpc:
            answer = rpc.aid.work_study_rate("aid_b", "2026-12")
        return answer if answer["adjusted"] else None
    answer = eventually(rate)
    assert answer, "aid did not record hall.wage_adjusted"
    assert answer["rate_yuan"] == answer["base_rate_yuan"] - 1

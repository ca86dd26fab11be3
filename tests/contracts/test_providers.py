"""Provider side of the contracts: every consumer's example (tests/contracts/examples.py) is
replayed, in order, against the real running provider over RPC (every department, sla and
hall on RabbitMQ and PostgreSQL); each answer must satisfy the declared result schema and hold
every field its consumer reads. Every event the providers publish meanwhile must satisfy its
declared (type, version) -- and the lock (contracts.lock.json) must hold every published
contract with no breaking change."""
import time

import pytest
from kombu import Connection, Queue
from nameko.events import get_event_exchange

import contract_examples as ex
from osac_shared import contract_testing as ct
from osac_shared.contracts import read_event
from osac_shared.errors import DomainError
from osac_shared.registry import DEPARTMENTS
from osac_shared.rpc_contracts import contract_for

PROVIDERS = list(DEPARTMENTS) + ["sla", "hall"]
STEPS = list(enumerate(ex.EXAMPLES))
WAIT = 20


def call(plat, example, saved):
    """("ok", result, args, kwargs) or ("error", DomainError, args, kwargs)."""
    args, kwargs = ct.fill(example.args, saved), ct.fill(example.kwargs, saved)
    deadline = time.monotonic() + (WAIT if example.eventually else 0)
    with plat.rpc(example.actor) as rpc:
        method = getattr(getattr(rpc, example.service), example.method)
        while True:
            try:
                result = method(*args, **kwargs)
            except DomainError as err:
                return "error", err, args, kwargs
            if result is not None or time.monotonic() > deadline:
                return "ok", result, args, kwargs
            time.sleep(0.3)


@pytest.fixture(scope="module")
def replay(platform_factory, tmp_path_factory):
    clock = tmp_path_factory.mktemp("clock") / "now"
    clock.write_text(ex.T0.isoformat())
    plat = platform_factory(PROVIDERS, clock_file=str(clock), extra_env={"SEED_DEMO": "1"})
    with Connection(plat.amqp_uri) as conn:
        channel = conn.channel()
        tap = Queue("contract-tap", durable=False, auto_delete=True)(channel)
        tap.declare()
        for name in PROVIDERS:                      # every event any provider publishes
            exchange = get_event_exchange(name, {"AMQP_URI": plat.amqp_uri})(channel)
            exchange.declare()
            tap.bind_to(exchange, routing_key="#")
        saved, outcomes = {}, {}
        for i, example in STEPS:
            at = ex.CLOCK.get((example.consumer, example.service, example.method))
            if at is not None:
                plat.set_time(at)
            outcomes[i] = call(plat, example, saved)
            if example.save and outcomes[i][0] == "ok":
                saved[example.save] = outcomes[i][1]
        time.sleep(1.5)                       # the relays publish what the last calls wrote
        events = []
        while (message := tap.get(no_ack=True)) is not None:
            events.append(message.decode())
    return outcomes, events


@pytest.mark.parametrize("step", STEPS, ids=[f"{i}:{e.name}" for i, e in STEPS])
def test_the_provider_answers_as_declared(replay, step):
    i, example = step
    outcomes, _events = replay
    kind, value, args, kwargs = outcomes[i]
    if example.error:
        assert kind == "error" and value.code == example.error, (kind, value)
        return
    assert kind == "ok", f"{example.name} was refused: {value!r} {getattr(value, 'fields', '')}"
    if example.setup:
        return
    contract = contract_for(example.service, example.method)
    assert contract.args_errors(args, kwargs) == {}, "the consumer's call breaks the contract"
    assert contract.result_errors(value) == {}, f"{contract.key} answer breaks the contract"
    if example.reads:
        assert ct.rows_of(value), f"{example.name}: nothing came back to read"
    assert ct.missing_reads(example, value) == []


def test_every_event_published_meanwhile_honours_its_contract(replay):
    _outcomes, events = replay
    assert len(events) >= 2 * len(DEPARTMENTS)          # submitted, accepted, ... of each
    kinds = {(e["source"], e["type"], e["version"]) for e in events}
    assert ("logistics", "case.submitted", 1) in kinds
    assert ("hall", "hall.referral_opened", 1) in kinds
    for envelope in events:
        read_event(envelope)                          # raises on a breach


def test_the_lock_holds_every_published_contract_unbroken():
    locked, current = ct.read_lock(), ct.snapshot()
    assert ct.incompatibilities(locked, current) == [], \
        "a published contract changed incompatibly: publish a new version"
    assert ct.unrecorded(locked, current) == [], \
        "run: python -m osac_shared.contract_testing lock"

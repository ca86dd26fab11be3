"""Contract testing: the lock of published contracts, the compatibility rules, and the replay
of consumers' examples against real providers.

    python -m osac_shared.contract_testing check     # exit 1 on a breaking or unrecorded change
    python -m osac_shared.contract_testing lock      # record additive changes in the lock
    python -m osac_shared.contract_testing lock --force   # also record a breaking one (only
                                                      # once no consumer uses the old form)

``contracts.lock.json`` (next to this file) is a snapshot of every published contract -- each
event (type@version) and each RPC (service.method@version) -- as plain JSON: every field with
its type, whether it is required, whether it may be null, its choices and nested fields.
Against the lock, a published contract may gain optional fields and choices; it may not lose a
field, change a field's type or position, make an optional field required or refuse null where
it took it, drop a choice, or gain a required field. Such a change needs a new version.
"""
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from marshmallow import fields as mf

from .contracts import EVENT_SCHEMAS
from .rpc_contracts import RPC_CONTRACTS

LOCK_PATH = Path(__file__).with_name("contracts.lock.json")

_TYPES = ((mf.AwareDateTime, "datetime"), (mf.DateTime, "datetime"), (mf.Date, "date"),
          (mf.Boolean, "boolean"), (mf.Integer, "integer"), (mf.Float, "number"),
          (mf.String, "string"), (mf.Nested, "object"), (mf.List, "list"), (mf.Dict, "map"))


# ---- describing contracts as JSON ----------------------------------------------------------
def describe_field(f):
    kind = next((name for cls, name in _TYPES if isinstance(f, cls)), type(f).__name__)
    d = {"type": kind, "required": bool(f.required), "nullable": bool(f.allow_none)}
    for v in f.validators:
        if hasattr(v, "choices"):
            d["choices"] = sorted(map(str, v.choices))
    if isinstance(f, mf.Nested):
        d["fields"] = describe_schema(f.nested)
    elif isinstance(f, mf.List):
        d["items"] = describe_field(f.inner)
    elif isinstance(f, mf.Dict) and f.value_field is not None:
        d["values"] = describe_field(f.value_field)
    return d


def describe_schema(schema, positional=False):
    schema = schema() if isinstance(schema, type) else schema
    out = {}
    for i, (name, f) in enumerate(schema.fields.items()):
        out[name] = describe_field(f)
        if positional:
            out[name]["position"] = i
    return out


def snapshot():
    """Every published contract as JSON-able data (what the lock holds)."""
    return {
        "events": {f"{t}@{v}": {"data": describe_schema(s)}
                   for (t, v), s in sorted(EVENT_SCHEMAS.items())},
        "rpc": {c.key: {"args": describe_schema(c.args, positional=True),
                        "result": describe_field(c.result)}
                for c in sorted(RPC_CONTRACTS, key=lambda c: c.key)},
    }


# ---- compatibility -------------------------------------------------------------------------
def field_changes(old, new, where):
    """Breaking differences between two field descriptions."""
    problems = []
    if old["type"] != new["type"]:
        return [f"{where}: type {old['type']} -> {new['type']}"]
    if not old["required"] and new["required"]:
        problems.append(f"{where}: optional -> required")
    if old["nullable"] and not new["nullable"]:
        problems.append(f"{where}: no longer takes null")
    if old.get("position") != new.get("position"):
        problems.append(f"{where}: position {old.get('position')} -> {new.get('position')}")
    dropped = set(old.get("choices", ())) - set(new.get("choices", old.get("choices", ())))
    if dropped:
        problems.append(f"{where}: choices removed {sorted(dropped)}")
    if "fields" in old:
        problems += schema_changes(old["fields"], new.get("fields", {}), where)
    for part in ("items", "values"):
        if part in old and part in new:
            problems += field_changes(old[part], new[part], f"{where}[{part}]")
    return problems


def schema_changes(old, new, where):
    problems = []
    for name, spec in old.items():
        if name not in new:
            problems.append(f"{where}.{name}: removed")
        else:
            problems += field_changes(spec, new[name], f"{where}.{name}")
    for name, spec in new.items():
        if name not in old and spec["required"]:
            problems.append(f"{where}.{name}: new required field")
    return problems


def incompatibilities(locked, current):
    """Every breaking change from ``locked`` to ``current`` (both ``snapshot()`` shaped)."""
    problems = []
    for section in ("events", "rpc"):
        for key, old in locked.get(section, {}).items():
            new = current.get(section, {}).get(key)
            if new is None:
                problems.append(f"{key}: removed (keep it until no consumer uses it)")
                continue
            for part, spec in old.items():
                if part in ("data", "args"):
                    problems += schema_changes(spec, new.get(part, {}), f"{key} {part}")
                else:
                    problems += field_changes(spec, new[part], f"{key} {part}")
    return problems


def unrecorded(locked, current):
    """Contracts, or additive changes, not yet in the lock."""
    return [f"{section} {key}" for section in ("events", "rpc")
            for key, spec in current[section].items()
            if locked.get(section, {}).get(key) != spec]


def read_lock(path=None):
    path = Path(path or LOCK_PATH)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def write_lock(data, path=None):
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    Path(path or LOCK_PATH).write_text(text, encoding="utf-8")


def main(argv=None, current=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv[0] if argv else "check"
    locked, current = read_lock(), current or snapshot()
    broken = incompatibilities(locked, current)
    for problem in broken:
        print(f"BREAKING {problem}")
    if command == "lock":
        if broken and "--force" not in argv:
            print("not written: publish a new version instead (or --force once no consumer "
                  "uses the old form)")
            return 1
        write_lock(current)
        print(f"wrote {LOCK_PATH}")
        return 0
    stale = unrecorded(locked, current)
    for key in stale:
        print(f"not in the lock: {key}  (python -m osac_shared.contract_testing lock)")
    return 1 if broken or stale else 0


# ---- consumers' examples, replayed against the real provider ---------------------------------
@dataclass
class Example:
    """One call a consumer makes, as it makes it, and what it relies on in the answer.

    ``args``/``kwargs`` may hold ``"{name.key}"`` placeholders, filled from the result an
    earlier example kept with ``save="name"``. ``reads``: the result fields the consumer uses
    (of each element, for a list; of each value, for a map). ``error``: the DomainError code
    the consumer expects instead of a result. ``eventually``: retry while the answer is None
    (a read model fed by events). ``setup``: a step that is not a contract (only needs to
    succeed)."""
    consumer: str
    service: str
    method: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    actor: dict | None = None
    reads: tuple = ()
    error: str | None = None
    save: str | None = None
    eventually: bool = False
    setup: bool = False

    @property
    def name(self):
        return f"{self.consumer}->{self.service}.{self.method}" + \
            (f"[{self.error}]" if self.error else "")


_PLACEHOLDER = re.compile(r"^\{([a-z_0-9]+)\.([a-z_0-9.]+)\}$")


def fill(value, saved):
    """``value`` with every ``"{name.key}"`` string replaced from ``saved``."""
    if isinstance(value, str):
        match = _PLACEHOLDER.match(value)
        if not match:
            return value
        got = saved[match.group(1)]
        for part in match.group(2).split("."):
            got = got[int(part)] if isinstance(got, list) else got[part]
        return got
    if isinstance(value, (list, tuple)):
        return type(value)(fill(v, saved) for v in value)
    if isinstance(value, dict):
        return {k: fill(v, saved) for k, v in value.items()}
    return value


def rows_of(result):
    """The objects a consumer's ``reads`` apply to."""
    if isinstance(result, list):
        return result
    if isinstance(result, dict) and result and all(isinstance(v, dict) for v in result.values()) \
            and all(re.match(r"^[a-z_]+-", str(k)) for k in result):
        return list(result.values())            # a map keyed by case id
    return [result] if isinstance(result, dict) else []


def missing_reads(example, result):
    return sorted({r for row in rows_of(result) for r in example.reads if r not in row})


if __name__ == "__main__":
    sys.exit(main())

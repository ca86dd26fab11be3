"""deploy/backup: back up live databases (logistics on PostgreSQL, finance on its SQLite
default), restore them into fresh databases, and find every case (and its history and events)
there. The services keep running during the backup."""
import os
import subprocess
import uuid

import pytest
from sqlalchemy import create_engine, text

from osac_shared.testing import ACTORS, PG_BASE, REPO, drop_database

BACKUP = os.path.join(REPO, "deploy", "backup")
REPAIR = {"building": "D1", "room": "201", "facility": "water"}


@pytest.fixture(scope="module")
def plat(platform_factory, tmp_path_factory):
    sqlite = tmp_path_factory.mktemp("sqlite") / "finance.db"
    return platform_factory(["logistics", "finance"],
                            extra_env={"FINANCE_DB_URL": f"sqlite:///{sqlite}"})


def run(script, *args, env):
    return subprocess.run([os.path.join(BACKUP, script), *args], env={**os.environ, **env},
                          capture_output=True, text=True, timeout=120)


def snapshot(url):
    """Every case with its history length, and the outbox event ids."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            cases = conn.execute(text(
                "SELECT c.id, c.status, count(h.id) FROM cases c "
                "LEFT JOIN case_history h ON h.case_id = c.id GROUP BY c.id, c.status")).all()
            events = conn.execute(text("SELECT event_id FROM outbox")).scalars().all()
    finally:
        engine.dispose()
    return {tuple(r) for r in cases}, set(events)


def test_backup_and_restore_every_case_on_postgresql_and_sqlite(plat, tmp_path):
    with plat.rpc(ACTORS["student"]) as rpc:
        for i in range(5):
            rpc.logistics.submit_case("logistics.dorm-repair", [],
                                      {**REPAIR, "description": f"水管漏水 {i}"})
            rpc.finance.submit_case("finance.fee-consultation", [],
                                    {"topic": "tuition", "question": f"学费什么时候交？{i}"})
    sources = {"LOGISTICS_DB_URL": plat.db_url("logistics"),
               "FINANCE_DB_URL": plat.env()["FINANCE_DB_URL"]}
    before = {name: snapshot(url) for name, url in (("logistics", sources["LOGISTICS_DB_URL"]),
                                                    ("finance", sources["FINANCE_DB_URL"]))}
    assert all(len(cases) == 5 for cases, _ in before.values())

    made = run("backup.sh", "--out", str(tmp_path / "backups"), "logistics", "finance",
               env=sources)
    assert made.returncode == 0, made.stderr
    folder = made.stdout.strip().splitlines()[-1]
    assert sorted(os.listdir(folder)) == ["MANIFEST", "finance.sqlite", "logistics.dump"]

    restored_pg = f"osac_{plat.tag}_restored_{uuid.uuid4().hex[:6]}"     # created by restore.sh
    targets = {"LOGISTICS_DB_URL": f"{PG_BASE}/{restored_pg}",
               "FINANCE_DB_URL": f"sqlite:///{tmp_path / 'restored' / 'finance.db'}"}
    try:
        refused = run("restore.sh", folder, env=targets)
        assert refused.returncode == 2 and "--yes" in refused.stderr
        done = run("restore.sh", "--yes", folder, env=targets)
        assert done.returncode == 0, done.stderr
        assert snapshot(targets["LOGISTICS_DB_URL"]) == before["logistics"]
        assert snapshot(targets["FINANCE_DB_URL"]) == before["finance"]
        again = run("restore.sh", "--yes", folder, env=targets)      # over existing content
        assert again.returncode == 0, again.stderr
        assert snapshot(targets["LOGISTICS_DB_URL"]) == before["logistics"]
    finally:
        drop_database(restored_pg)


def test_a_damaged_backup_file_is_refused(plat, tmp_path):
    made = run("backup.sh", "--out", str(tmp_path), "logistics",
               env={"LOGISTICS_DB_URL": plat.db_url("logistics")})
    assert made.returncode == 0, made.stderr
    folder = made.stdout.strip().splitlines()[-1]
    with open(os.path.join(folder, "logistics.dump"), "ab") as f:
        f.write(b"tampered")
    target = f"sqlite:///{tmp_path / 'never.db'}"
    out = run("restore.sh", "--yes", folder, env={"LOGISTICS_DB_URL": target})
    assert out.returncode == 1 and "checksum" in out.stderr
    assert not (tmp_path / "never.db").exists()

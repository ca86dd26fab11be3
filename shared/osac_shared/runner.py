"""``osac-service``: start one department's service the same way everywhere.

    osac-service --config services/aid/config.yml aid.service [--migrate-only] [--seed-demo]

1. reads the service's config.yml (environment variables fill ``${VAR:default}``);
2. checks RabbitMQ answers, and if not says so and how to get one (exit 2), never hangs;
3. runs the service's own Alembic migrations on its own database;
4. optionally seeds demo data (``<package>.demo.seed(session, now)``), idempotently;
5. hands over to ``nameko run``.
"""
import argparse
import importlib
import logging
import os
import sys

from sqlalchemy.orm import sessionmaker

from .clock import clock_from_config
from .config import load_config
from .db import make_engine, transaction
from .migrations import upgrade
from .observability import configure_logging
from .outbox import broker_reachable

log = logging.getLogger("osac-service")

NO_BROKER = """RabbitMQ is not reachable at {uri}.
RabbitMQ 未启动或无法连接：{uri}
Start it on this machine with:   rabbitmq-server -detached
or point AMQP_URI at a running broker (amqp://user:password@host:5672/vhost)."""


def ensure_sqlite_dir(db_url):
    if db_url.startswith("sqlite:///"):
        path = db_url[len("sqlite:///"):]
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)


def prepare(config, package, seed_demo=False):
    db_url = config["DB_URL"]
    ensure_sqlite_dir(db_url)
    upgrade(package, db_url)
    if seed_demo:
        try:
            demo = importlib.import_module(f"{package}.demo")
        except ModuleNotFoundError:
            return
        engine = make_engine(db_url)
        with transaction(sessionmaker(bind=engine)) as session:
            demo.seed(session, clock_from_config(config)())
        engine.dispose()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="osac-service")
    parser.add_argument("--config", required=True)
    parser.add_argument("module", help="the service module, e.g. aid.service")
    parser.add_argument("--migrate-only", action="store_true")
    parser.add_argument("--seed-demo", action="store_true",
                        default=os.environ.get("SEED_DEMO") == "1")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")

    config = load_config(args.config)
    package = args.module.split(".", 1)[0]
    configure_logging(package, config.get("LOG_FORMAT"))    # JSON lines, as the service
    prepare(config, package, args.seed_demo)
    if args.migrate_only:
        return 0
    uri = config["AMQP_URI"]
    if not broker_reachable(uri):
        print(NO_BROKER.format(uri=uri.split("@")[-1]), file=sys.stderr)
        return 2
    os.execvp(sys.executable, [sys.executable, "-m", "nameko", "run", "--config", args.config,
                               args.module])


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env bash
# Start the whole platform on this machine (what `make run` calls):
#   every service of osac_shared.registry + the gateway, under honcho (deploy/local/Procfile),
#   each service on its own SQLite file under var/, demo data seeded (SEED_DEMO=1).
# Needs RabbitMQ: if AMQP_URI (default amqp://guest:guest@127.0.0.1:5672/) does not answer
# within a few seconds it says so and how to start one, and exits 2; it never hangs.
# Prints the URL and the demo accounts once the gateway's /healthz says every service is up.
# Ctrl-C stops everything.
# Environment: AMQP_URI, <NAME>_DB_URL, GATEWAY_HOST (127.0.0.1), GATEWAY_PORT (8000),
#   SECRET_KEY, SEED_DEMO (1), READY_TIMEOUT (seconds to wait for the gateway, 120),
#   PROCFILE (deploy/local/Procfile).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -x .venv/bin/python ]; then export PATH="$PWD/.venv/bin:$PATH"; fi

export AMQP_URI="${AMQP_URI:-amqp://guest:guest@127.0.0.1:5672/}"
export SEED_DEMO="${SEED_DEMO:-1}"
export SECRET_KEY="${SECRET_KEY:-osac-local-dev-only}"
export PYTHONUNBUFFERED=1
GATEWAY_HOST="${GATEWAY_HOST:-127.0.0.1}"
GATEWAY_PORT="${GATEWAY_PORT:-8000}"
export GATEWAY_BIND="$GATEWAY_HOST:$GATEWAY_PORT"
URL="http://$GATEWAY_HOST:$GATEWAY_PORT/"
READY_TIMEOUT="${READY_TIMEOUT:-120}"
PROCFILE="${PROCFILE:-deploy/local/Procfile}"
BROKER="${AMQP_URI##*@}"      # shown without the password

if ! python -c "import osac_shared, honcho" 2>/dev/null; then
  echo "平台尚未安装 / the platform is not installed: run  make install" >&2
  exit 2
fi

# 1. RabbitMQ answers? (kombu gives up after 3 s; `timeout`, where there is one, is a backstop)
LIMIT=""; if command -v timeout >/dev/null; then LIMIT="timeout 15"; fi
if ! $LIMIT python -c "import sys; from osac_shared.outbox import broker_reachable
sys.exit(0 if broker_reachable(sys.argv[1], timeout=3) else 1)" "$AMQP_URI" 2>/dev/null; then
  cat >&2 <<EOF
RabbitMQ 没有运行或无法连接：$BROKER
RabbitMQ is not running or not reachable at $BROKER.
  在本机启动 / start it on this machine:   rabbitmq-server -detached
  或把 AMQP_URI 指向正在运行的 RabbitMQ / or set AMQP_URI to a running broker:
      AMQP_URI=amqp://user:password@host:5672/vhost make run
EOF
  exit 2
fi

# 2. the gateway's port is free?
if ! python -c "import socket, sys; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))" "$GATEWAY_HOST" "$GATEWAY_PORT" 2>/dev/null; then
  cat >&2 <<EOF
端口 $GATEWAY_PORT 已被占用（平台是否已在运行？）/ port $GATEWAY_PORT is already in use (is the platform already running?).
  换一个端口 / use another port:   GATEWAY_PORT=8080 make run
EOF
  exit 2
fi

mkdir -p var   # the embedded default: one SQLite file per service, var/<name>.db

# 3. print the URL and the demo accounts once the gateway's /healthz says all is up; the
#    watcher is detached and ends with honcho ($$ after the exec below)
(python deploy/local/wait_ready.py "$URL" "$READY_TIMEOUT" $$ &)

# 4. every process in the foreground; honcho stops them all on Ctrl-C or when one exits
exec honcho start -f "$PROCFILE" -d .

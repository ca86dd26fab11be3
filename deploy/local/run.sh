#!/usr/bin/env bash
# Start the whole platform on this machine (what `make run` calls):
#   every service of osac_shared.registry + the gateway, under honcho (deploy/local/Procfile),
#   each service on its own SQLite file under var/, demo data seeded (SEED_DEMO=1).
# Needs RabbitMQ: if AMQP_URI (default amqp://guest:guest@127.0.0.1:5672/) does not answer
# within a few seconds it says so and how to start one, and exits 2; it never hangs.
# Each process is on the bus as its own RabbitMQ user (deploy/rabbitmq/definitions.json) when
# the broker is on this machine and rabbitmqctl works: the users get a random password each,
# made once and kept in var/secrets/rabbitmq/<user> (mode 600), and a vhost (osac-local, or
# AMQP_URI's own when AMQP_URI is given). Otherwise (a remote broker) every process uses
# AMQP_URI, with a warning that they share one user.
# Prints the URL and the demo accounts once the gateway's /healthz says every service is up.
# Ctrl-C stops everything.
# Environment: AMQP_URI, <NAME>_DB_URL, GATEWAY_HOST (127.0.0.1), GATEWAY_PORT (8000),
#   SECRET_KEY, SEED_DEMO (1), READY_TIMEOUT (seconds to wait for the gateway, 120),
#   VERIFY_BASE_URL (http://GATEWAY_HOST:GATEWAY_PORT: what certificates' QR codes open),
#   PROCFILE (deploy/local/Procfile), BUS_USERS (own; shared: one user for all anyway),
#   RABBITMQ_VHOST, RABBITMQ_SECRETS_DIR (var/secrets/rabbitmq), RABBITMQ_USER_PREFIX (none).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -x .venv/bin/python ]; then export PATH="$PWD/.venv/bin:$PATH"; fi

GIVEN_URI="${AMQP_URI:-}"
export AMQP_URI="${AMQP_URI:-amqp://guest:guest@127.0.0.1:5672/}"
export SEED_DEMO="${SEED_DEMO:-1}"
export SECRET_KEY="${SECRET_KEY:-osac-local-dev-only}"
export PYTHONUNBUFFERED=1
GATEWAY_HOST="${GATEWAY_HOST:-127.0.0.1}"
GATEWAY_PORT="${GATEWAY_PORT:-8000}"
export GATEWAY_BIND="$GATEWAY_HOST:$GATEWAY_PORT"
URL="http://$GATEWAY_HOST:$GATEWAY_PORT/"
# the certificates' QR codes (academic) open /verify/<code> on this gateway; a phone scanning
# one needs an address it can reach: set VERIFY_BASE_URL (e.g. http://192.168.1.10:8000)
export VERIFY_BASE_URL="${VERIFY_BASE_URL:-http://$GATEWAY_HOST:$GATEWAY_PORT}"
READY_TIMEOUT="${READY_TIMEOUT:-120}"
PROCFILE="${PROCFILE:-deploy/local/Procfile}"
BROKER="${AMQP_URI##*@}"      # shown without the password
BUS_USERS="${BUS_USERS:-own}"
SECRETS="${RABBITMQ_SECRETS_DIR:-var/secrets/rabbitmq}"
PREFIX="${RABBITMQ_USER_PREFIX:-}"
BUS="python deploy/local/bus_users.py"

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

# 3. one RabbitMQ user per process (AMQP_URI_<NAME>, read by the Procfile), where this machine
#    can make them: the broker is local and rabbitmqctl talks to it
own_users() {
  [ "$BUS_USERS" != shared ] && $BUS is-local "$AMQP_URI" && command -v rabbitmqctl >/dev/null \
    && $LIMIT rabbitmqctl -q list_vhosts >/dev/null 2>&1 || return 1
  if [ -n "${RABBITMQ_VHOST:-}" ]; then VHOST="$RABBITMQ_VHOST"
  elif [ -n "$GIVEN_URI" ]; then VHOST="$($BUS vhost "$AMQP_URI")"
  else VHOST=osac-local; fi
  $BUS passwords "$SECRETS" || return 1
  RABBITMQ_VHOST="$VHOST" RABBITMQ_SECRETS_DIR="$SECRETS" RABBITMQ_USER_PREFIX="$PREFIX" \
    $LIMIT bash deploy/rabbitmq/apply.sh >/dev/null || return 1
  local uris; uris="$($BUS own "$AMQP_URI" "$VHOST" "$SECRETS" "$PREFIX")" || return 1
  eval "$uris"
  # the users log in? (rabbitmqctl might have reached another node than AMQP_URI's)
  $LIMIT python -c "import sys; from osac_shared.outbox import broker_reachable
sys.exit(0 if broker_reachable(sys.argv[1], timeout=3) else 1)" "${AMQP_URI_GATEWAY:-}" 2>/dev/null
}
if own_users; then
  cat <<EOF
每个服务以自己的 RabbitMQ 用户连接总线（vhost $VHOST，密码在 $SECRETS/）
each service is on the bus as its own RabbitMQ user (vhost $VHOST, passwords in $SECRETS/)
EOF
else
  eval "$($BUS shared "$AMQP_URI")"
  cat >&2 <<EOF
注意：所有服务共用一个 RabbitMQ 用户（$BROKER），部门之间在总线上没有隔离。
Warning: every service shares one RabbitMQ user on $BROKER: the bus does not keep the
  departments apart. Own users need the broker on this machine and a working rabbitmqctl;
  for a remote broker load deploy/rabbitmq/definitions.json there (deploy/rabbitmq/README.md).
EOF
fi

# 4. print the URL and the demo accounts once the gateway's /healthz says all is up; the
#    watcher is detached and ends with honcho ($$ after the exec below)
(python deploy/local/wait_ready.py "$URL" "$READY_TIMEOUT" $$ &)

# 5. every process in the foreground; honcho stops them all on Ctrl-C or when one exits
exec honcho start -f "$PROCFILE" -d .

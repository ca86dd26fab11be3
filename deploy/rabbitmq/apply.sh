#!/usr/bin/env bash
# Load deploy/rabbitmq/definitions.json into RabbitMQ: the vhost, one user per service and the
# gateway, their permissions and topic permissions, and the exchanges.
#
#   RABBITMQ_PASSWORD_<USER>=... deploy/rabbitmq/apply.sh [definitions.json]
#
# Env: RABBITMQ_VHOST (default /), RABBITMQ_SECRETS_DIR (files named after the users, instead
# of RABBITMQ_PASSWORD_<USER>), RABBITMQ_USER_PREFIX (default none).
# With RABBITMQ_API_URL (e.g. http://rabbitmq:15672) and RABBITMQ_ADMIN_USER /
# RABBITMQ_ADMIN_PASSWORD it POSTs to the management API (python3 only, no curl: it runs in
# the rabbitmq:3-management image; retried while the API is starting); otherwise it runs
# `rabbitmqctl import_definitions` on this node. Passwords travel only as salted hashes, on
# standard input, never on a command line.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
defs=${1:-$here/definitions.json}
prepare=(python3 "$here/defs.py" "$defs" --vhost "${RABBITMQ_VHOST:-/}"
         --prefix "${RABBITMQ_USER_PREFIX:-}")

if [[ -n "${RABBITMQ_API_URL:-}" ]]; then
    : "${RABBITMQ_ADMIN_USER:?set RABBITMQ_ADMIN_USER / 请设置管理员用户}"
    : "${RABBITMQ_ADMIN_PASSWORD:?set RABBITMQ_ADMIN_PASSWORD / 请设置管理员密码}"
    "${prepare[@]}" --post "$RABBITMQ_API_URL"    # admin credentials from the environment
else
    "${prepare[@]}" | rabbitmqctl -q import_definitions     # the definitions on standard input
fi
echo "RabbitMQ definitions applied (vhost ${RABBITMQ_VHOST:-/}) / 已导入 RabbitMQ 用户与权限"

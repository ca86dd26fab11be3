# Shared by backup.sh and restore.sh (sourced, not run).
#
# Which databases: every service with a services/<name>/config.yml, plus the gateway. Each
# one's URL is found the way the service finds it: the environment variable named in its
# config.yml line  DB_URL: ${<NAME>_DB_URL:<default>}  (GATEWAY_DB_URL for the gateway), else
# that default (an SQLite file under var/). A relative SQLite path is taken from OSAC_WORKDIR
# (default: the repository root, where `make run` starts the services).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WORKDIR="${OSAC_WORKDIR:-$ROOT}"

# "name url" for every database, one a line (or only for the names given)
databases() {
  local cfg name line var default
  for cfg in "$ROOT"/services/*/config.yml; do
    name="$(basename "$(dirname "$cfg")")"
    line="$(grep -E '^DB_URL:' "$cfg" | head -1)"
    [ -n "$line" ] || continue
    var="$(sed -E 's/^DB_URL: *\$\{([A-Z0-9_]+):.*$/\1/' <<<"$line")"
    default="$(sed -E 's/^DB_URL: *\$\{[A-Z0-9_]+:(.*)\}[[:space:]]*$/\1/' <<<"$line")"
    echo "$name ${!var:-$default}"
  done
  echo "gateway ${GATEWAY_DB_URL:-sqlite:///var/gateway.db}"
}

selected() {          # selected NAME [wanted...]: true when no names were given or NAME is one
  local name="$1"; shift
  [ "$#" -eq 0 ] && return 0
  local w; for w in "$@"; do [ "$w" = "$name" ] && return 0; done
  return 1
}

# postgresql+psycopg2://u@h/db -> postgresql://u@h/db (what libpq tools read)
libpq_url() { sed -E 's#^postgres(ql)?(\+[a-z0-9_]+)?://#postgresql://#' <<<"$1"; }

sqlite_path() {       # sqlite:///var/x.db -> $WORKDIR/var/x.db ; sqlite:////abs/x.db -> /abs/x.db
  local path="${1#sqlite:///}"
  case "$path" in /*) echo "$path" ;; *) echo "$WORKDIR/$path" ;; esac
}

masked() { sed -E 's#(://[^:/@]+):[^@]*@#\1:***@#' <<<"$1"; }

# SQLite's online backup API: a consistent copy of a live (WAL) database, src -> dst; it
# replaces everything in dst (which is how a restore uses it too)
sqlite_copy() {
  python3 -c 'import sqlite3, sys
src, dst = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2])
src.backup(dst)
dst.close(); src.close()' "$1" "$2"
}

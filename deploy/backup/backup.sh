#!/usr/bin/env bash
# Back up every service's database (and the gateway's) into one timestamped folder.
#
#   deploy/backup/backup.sh [--out DIR] [name ...]      (names: logistics, finance, ..., gateway)
#
# PostgreSQL: pg_dump -Fc (custom format: compressed, restored with pg_restore, consistent
# snapshot of a live database). SQLite: Python's sqlite3 online backup API (consistent copy of a
# live WAL database). URLs come from the same variables the services read (<NAME>_DB_URL,
# GATEWAY_DB_URL), see lib.sh; an SQLite file that does not exist yet is skipped and said so.
# Writes DIR/<UTC time>/{<name>.dump | <name>.sqlite, MANIFEST} (DIR: $BACKUP_DIR or
# var/backups) and prints the folder's path last. Exit 1 if any database failed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

OUT="${BACKUP_DIR:-$WORKDIR/var/backups}"
if [ "${1:-}" = "--out" ]; then OUT="$2"; shift 2; fi
DEST="$OUT/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$DEST"
failed=0

while read -r name url; do
  selected "$name" "$@" || continue
  case "$url" in
    postgres*)
      file="$name.dump"
      if ! pg_dump -Fc --no-owner --no-privileges -d "$(libpq_url "$url")" -f "$DEST/$file"
      then echo "FAILED  $name  $(masked "$url")" >&2; failed=1; continue; fi ;;
    sqlite*)
      path="$(sqlite_path "$url")"
      if [ ! -f "$path" ]; then echo "skipped $name: no database file at $path" >&2; continue; fi
      file="$name.sqlite"
      if ! sqlite_copy "$path" "$DEST/$file"
      then echo "FAILED  $name  $path" >&2; failed=1; continue; fi ;;
    *) echo "FAILED  $name: unsupported URL $(masked "$url")" >&2; failed=1; continue ;;
  esac
  printf '%s\t%s\t%s\t%s\n' "$name" "$file" "$(sha256sum "$DEST/$file" | cut -d' ' -f1)" \
    "$(masked "$url")" >>"$DEST/MANIFEST"
  echo "ok      $name -> $DEST/$file" >&2
done < <(databases)

echo "$DEST"
exit "$failed"

#!/usr/bin/env bash
# Restore a backup made by backup.sh into the databases the services are configured with now.
#
#   deploy/backup/restore.sh --yes BACKUP_FOLDER [name ...]
#
# Stop the services first: a restore REPLACES each target database's content. Every file in
# the folder's MANIFEST (or only the names given) is checked against its sha256, then
#   <name>.dump   -> pg_restore --clean --if-exists into <NAME>_DB_URL (the database is
#                    created first when it does not exist; the server must be reachable)
#   <name>.sqlite -> copied over the SQLite file of <NAME>_DB_URL with the online backup API.
# The URLs come from the same variables the services read (see lib.sh). Exit 1 on any failure.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if [ "${1:-}" != "--yes" ] || [ -z "${2:-}" ]; then
  echo "usage: $0 --yes BACKUP_FOLDER [name ...]   (replaces the target databases' content)" >&2
  exit 2
fi
SRC="$2"; shift 2
[ -f "$SRC/MANIFEST" ] || { echo "no MANIFEST in $SRC: not a backup folder" >&2; exit 2; }
declare -A URL
while read -r name url; do URL[$name]="$url"; done < <(databases)
failed=0

ensure_pg_database() {      # create the target database when it does not exist yet
  local url dbname admin
  url="$(libpq_url "$1")"; dbname="${url##*/}"; dbname="${dbname%%\?*}"
  admin="${url%/*}/postgres"
  if [ -z "$(psql -d "$admin" -tAc "SELECT 1 FROM pg_database WHERE datname = '$dbname'")" ]
  then createdb --maintenance-db="$admin" "$dbname"; fi
}

while IFS=$'\t' read -r name file sum _; do
  selected "$name" "$@" || continue
  url="${URL[$name]:-}"
  if [ -z "$url" ]; then echo "FAILED  $name: no such service here" >&2; failed=1; continue; fi
  if [ "$(sha256sum "$SRC/$file" | cut -d' ' -f1)" != "$sum" ]; then
    echo "FAILED  $name: $file does not match its checksum" >&2; failed=1; continue
  fi
  case "$file:$url" in
    *.dump:postgres*)
      if ! { ensure_pg_database "$url" &&
             pg_restore --clean --if-exists --no-owner --no-privileges --exit-on-error \
               -d "$(libpq_url "$url")" "$SRC/$file"; }
      then echo "FAILED  $name -> $(masked "$url")" >&2; failed=1; continue; fi ;;
    *.sqlite:sqlite*)
      path="$(sqlite_path "$url")"; mkdir -p "$(dirname "$path")"
      if ! sqlite_copy "$SRC/$file" "$path"
      then echo "FAILED  $name -> $path" >&2; failed=1; continue; fi ;;
    *) echo "FAILED  $name: $file cannot go into $(masked "$url") (other database kind)" >&2
       failed=1; continue ;;
  esac
  echo "ok      $name <- $SRC/$file" >&2
done <"$SRC/MANIFEST"
exit "$failed"

#!/bin/sh
# mentorbot database restore: replace the whole database with a dump made by backup.sh.
#
#   restore.sh DUMPFILE --yes
#
# Stop serve and the scheduler first (systemctl stop mentorbot-serve mentorbot-scheduler), and
# start them again after. Everything written since the dump was made is lost. The restore is
# one transaction: it either replaces everything or changes nothing. The database comes from
# MENTORBOT_DATABASE_URL, as for backup.sh. If the dump is from an older mentorbot, run
# `mentorbot db upgrade` before starting the services (serve refuses to start until then).
set -eu

die() { echo "restore.sh: $*" >&2; exit 2; }

if [ $# -ne 2 ] || [ "$2" != "--yes" ]; then
    die "usage: restore.sh DUMPFILE --yes (it replaces the whole database)"
fi
dump=$1
[ -r "$dump" ] || die "cannot read $dump"

env_file=${MENTORBOT_ENV_FILE:-/etc/mentorbot/env}
url=${MENTORBOT_DATABASE_URL:-}
if [ -z "$url" ] && [ -r "$env_file" ]; then
    url=$(sed -n 's/^MENTORBOT_DATABASE_URL=//p' "$env_file" | tail -n 1)
fi
case "$url" in
    postgresql+asyncpg://*) url="postgresql://${url#postgresql+asyncpg://}" ;;
    "") die "MENTORBOT_DATABASE_URL is not set (nor in $env_file)" ;;
    *) die "only PostgreSQL is restored by this script" ;;
esac

pg_restore --list "$dump" >/dev/null || die "$dump is not a pg_dump custom-format file"
pg_restore --clean --if-exists --no-owner --no-privileges --exit-on-error \
    --single-transaction --dbname="$url" "$dump"
version=$(psql --no-psqlrc --tuples-only --no-align --dbname="$url" \
    --command="SELECT version_num FROM alembic_version")
echo "Restored $dump (schema version $version)."

#!/bin/sh
# mentorbot database backup: one pg_dump file (custom format) per run; the newest N are kept.
#
#   backup.sh [DIR]        DIR defaults to $MENTORBOT_BACKUP_DIR, else /var/backups/mentorbot
#
# The database comes from MENTORBOT_DATABASE_URL (the environment, else /etc/mentorbot/env, or
# the file named by MENTORBOT_ENV_FILE). Consistent while serve and the scheduler run: pg_dump
# reads one snapshot. Prints the file's path. Restore with restore.sh. A dump holds everything
# mentees wrote: keep it as safe as the database (encrypted disk, 0600, off-site copy).
set -eu

die() { echo "backup.sh: $*" >&2; exit 2; }

env_file=${MENTORBOT_ENV_FILE:-/etc/mentorbot/env}
setting() {  # the value of a setting: the environment first, then the env file
    eval "value=\${$1:-}"
    if [ -z "$value" ] && [ -r "$env_file" ]; then
        value=$(sed -n "s/^$1=//p" "$env_file" | tail -n 1)
    fi
    printf '%s' "$value"
}

url=$(setting MENTORBOT_DATABASE_URL)
case "$url" in
    postgresql+asyncpg://*) url="postgresql://${url#postgresql+asyncpg://}" ;;
    "") die "MENTORBOT_DATABASE_URL is not set (nor in $env_file)" ;;
    *) die "only PostgreSQL is backed up by this script (for SQLite: sqlite3 FILE '.backup COPY')" ;;
esac
case "$url" in
    postgresql://*:*@*) echo "backup.sh: the URL holds a password, which shows in the process list; ~/.pgpass is better" >&2 ;;
esac

dir=${1:-$(setting MENTORBOT_BACKUP_DIR)}
dir=${dir:-/var/backups/mentorbot}
keep=$(setting MENTORBOT_BACKUP_KEEP)
keep=${keep:-14}
mkdir -p "$dir"
umask 077

file="$dir/mentorbot-$(date -u +%Y%m%dT%H%M%SZ).dump"
pg_dump --format=custom --compress=6 --no-owner --no-privileges \
    --file="$file.partial" --dbname="$url"
pg_restore --list "$file.partial" >/dev/null  # a dump that cannot be read is no backup
mv "$file.partial" "$file"

# Keep the newest $keep dumps: the names sort oldest first.
set -- "$dir"/mentorbot-*.dump
excess=$(($# - keep))
for old in "$@"; do
    [ "$excess" -gt 0 ] || break
    rm -f -- "$old"
    excess=$((excess - 1))
done
echo "$file"

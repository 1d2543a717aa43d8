#!/bin/sh
# Start or stop a mentorbot systemd unit by hand, on a machine without systemd, the way systemd
# would: the unit's own User=, Group=, WorkingDirectory=, EnvironmentFile=, Environment=,
# ExecStart=, StandardOutput=append: (opened as root) and StateDirectory= lines, read from the
# unit file, with a clean environment and no new privileges. Used to rehearse docs/deploy.md.
#
#   scripts/run-unit.sh start deploy/mentorbot-serve.service      (in the background)
#   scripts/run-unit.sh run deploy/mentorbot-migrate.service      (oneshot: waits, shows output)
#   scripts/run-unit.sh stop deploy/mentorbot-serve.service       (SIGTERM, as systemctl stop)
#
# Not emulated: the sandboxing lines (ProtectSystem=, PrivateTmp=, SystemCallFilter= ...) and
# Restart=. Check those with `systemd-analyze verify` and on a systemd machine.
set -eu

die() { echo "run-unit.sh: $*" >&2; exit 2; }
[ $# -eq 2 ] || die "usage: run-unit.sh start|run|stop UNIT_FILE"
action=$1 unit=$(realpath "$2")
[ -r "$unit" ] || die "cannot read $unit"
name=$(basename "$unit" .service)
pidfile=/run/$name.pid

key() { sed -n "s/^$1=//p" "$unit"; }
alive() {  # running, and not a zombie waiting to be reaped
    state=$(ps -o stat= -p "$1" 2>/dev/null) && [ "${state#Z}" = "$state" ]
}

if [ "$action" = stop ]; then
    [ -f "$pidfile" ] || die "$name is not running (no $pidfile)"
    pid=$(cat "$pidfile")
    if ! alive "$pid"; then
        rm -f "$pidfile"
        echo "$name had already exited (pid $pid)"
        exit 0
    fi
    kill -TERM "$pid"
    i=0
    while alive "$pid" && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
    if alive "$pid"; then kill -KILL "$pid"; echo "$name: killed after 30 s"; fi
    rm -f "$pidfile"
    echo "$name stopped (pid $pid)"
    exit 0
fi

user=$(key User) group=$(key Group) workdir=$(key WorkingDirectory)
mode=$(key StateDirectoryMode)
for dir in $(key StateDirectory); do
    install -d -o "$user" -g "$group" -m "${mode:-0755}" "/var/lib/$dir"
done

# The environment systemd gives a service: a fixed PATH, the user's identity, then
# Environment= lines, then EnvironmentFile= lines (which win), in that order.
home=$(getent passwd "$user" | cut -d: -f6)
envfile=$(mktemp)
trap 'rm -f "$envfile"' EXIT
{
    echo "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    echo "LANG=C.UTF-8"
    echo "USER=$user"
    echo "LOGNAME=$user"
    echo "HOME=$home"
    echo "SHELL=$(getent passwd "$user" | cut -d: -f7)"
    key Environment
    for file in $(key EnvironmentFile); do
        grep -Ev '^[[:space:]]*(#|$)' "$file"
    done
} >"$envfile"

mask=$(key UMask)
umask "${mask:-0022}"
cd "$workdir"
exec_start=$(key ExecStart)
output=$(key StandardOutput | sed -n 's/^append://p')
# `env -i` with each line as one argument: values may hold spaces, as in systemd.
set -- env -i
while IFS= read -r line; do set -- "$@" "$line"; done <"$envfile"
run_as="setpriv --reuid=$user --regid=$group --init-groups --no-new-privs"

case "$action" in
    run)
        if [ -z "$output" ]; then  # to the journal under systemd; to the terminal here
            # shellcheck disable=SC2086
            exec $run_as "$@" $exec_start
        fi
        seen=0; [ -f "$output" ] && seen=$(wc -l <"$output")
        status=0
        # shellcheck disable=SC2086  # ExecStart is split on spaces, as systemd does
        $run_as "$@" $exec_start >>"$output" 2>&1 </dev/null || status=$?
        tail -n +"$((seen + 1))" "$output"
        echo "$name exited with status $status"
        exit "$status"
        ;;
    start)
        [ -n "$output" ] || die "$unit has no StandardOutput=append:FILE"
        # shellcheck disable=SC2086
        setsid $run_as "$@" $exec_start >>"$output" 2>&1 </dev/null &
        echo $! >"$pidfile"
        echo "$name started (pid $!), as $user in $workdir, output appended to $output"
        ;;
    *) die "unknown action $action" ;;
esac

#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests: `pgserver.sh start DIR [durable]` initialises a
# cluster in DIR (trust authentication for the user "ntt", loopback only; without fsync unless
# "durable", which benchmarks ask for so that a commit costs what it costs), starts it on a free port and
# writes its address to DIR/url; `pgserver.sh kill DIR` kills it as a crash would (SIGKILL) and
# `pgserver.sh restart DIR` starts it again on the same address; `pgserver.sh stop DIR` stops it and removes DIR. PostgreSQL
# refuses to run as root, so as root the server runs as the unprivileged user "nobody", with its
# data in a folder of its own under /tmp (DIR may sit where "nobody" cannot go). When no
# PostgreSQL is installed, DIR/unavailable says why and the tests that need the server skip.
set -uo pipefail
action="$1"; dir="$2"; fsync_off="-F"
[ "${3:-}" = durable ] && fsync_off=""
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
as_server() { if [ "$(id -u)" -eq 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi; }

case "$action" in
start)
    rm -rf "$dir"; mkdir -p "$dir"
    if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
        echo "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): run packaging/install-deps.sh" > "$dir/unavailable"
        exit 0
    fi
    data="$(mktemp -d /tmp/ntt-pgtest.XXXXXX)"
    echo "$data" > "$dir/datadir"
    [ "$(id -u)" -eq 0 ] && chown nobody "$data"
    if ! as_server "$bin/initdb" -D "$data/data" -A trust -U ntt --no-sync > "$data/initdb.log" 2>&1; then
        echo "initdb failed: $(tail -n 3 "$data/initdb.log")" > "$dir/unavailable"; exit 1
    fi
    for attempt in 0 1 2 3 4 5 6 7; do
        port=$((54000 + (RANDOM % 4000)))
        if as_server "$bin/pg_ctl" -D "$data/data" -l "$data/server.log" -w -t 60 \
            -o "-h 127.0.0.1 -p $port -k $data $fsync_off -c max_connections=200" start > /dev/null 2>&1; then
            echo "postgresql://ntt@127.0.0.1:$port" > "$dir/url"
            exit 0
        fi
    done
    echo "the server did not start: $(tail -n 3 "$data/server.log")" > "$dir/unavailable"
    exit 1
    ;;
kill)
    # A crash of the server machine: the postmaster and every backend die at once (SIGKILL).
    data="$(cat "$dir/datadir")"
    pid="$(head -n 1 "$data/data/postmaster.pid")"
    children="$(pgrep -P "$pid" || true)"
    kill -KILL "$pid" $children
    while kill -0 "$pid" 2> /dev/null; do sleep 0.1; done
    ;;
restart)
    # The server comes back on the same address after a kill (crash recovery from its WAL).
    data="$(cat "$dir/datadir")"
    port="$(sed -e 's/.*://' "$dir/url")"
    as_server "$bin/pg_ctl" -D "$data/data" -l "$data/server.log" -w -t 60 \
        -o "-h 127.0.0.1 -p $port -k $data $fsync_off -c max_connections=200" start > /dev/null
    ;;
stop)
    data="$(cat "$dir/datadir" 2>/dev/null || true)"
    if [ -n "$bin" ] && [ -n "$data" ] && [ -d "$data/data" ]; then
        as_server "$bin/pg_ctl" -D "$data/data" -m immediate stop > /dev/null 2>&1 || true
    fi
    [ -n "$data" ] && rm -rf "$data"
    rm -rf "$dir"
    ;;
*)
    echo "usage: pgserver.sh start|kill|restart|stop DIR" >&2; exit 2
    ;;
esac

#!/usr/bin/env bash
# Answers per second a study takes from several stations at once: K `ntt session simulate`
# processes (each its own station, P scripted participants answering as fast as they can, every
# answer committed durably before the next) started together on one study, on a study file and on
# a PostgreSQL server study, alternated round by round. Prints each round and each store's median.
# On the server each answer is committed to the station's journal and delivered by its sender; a
# station's time ends when its journal is empty (every answer on the server).
#
#   bench/stations_throughput.sh NTT [STATIONS] [PARTICIPANTS] [ROUNDS]
#
# The server is a throwaway one on loopback (tests/pgserver.sh) with fsync on, as a lab's would be. The pool is ../shared/data/deepart-sample with
# docs/examples/deepart-2way.json (36 trials per participant).
set -euo pipefail
ntt="$1"; stations="${2:-6}"; participants="${3:-5}"; rounds="${4:-3}"
here="$(cd "$(dirname "$0")/.." && pwd)"
pool="$here/../shared/data/deepart-sample"
definition="$here/docs/examples/deepart-2way.json"
work="$(mktemp -d)"; chmod 755 "$work"
trap 'bash "$here/tests/pgserver.sh" stop "$work/pg"; rm -rf "$work"' EXIT
bash "$here/tests/pgserver.sh" start "$work/pg" durable # fsync on, as the study file's synchronous=FULL
base="$(cat "$work/pg/url")"

prepare() { # location
    "$ntt" import --db "$1" "$pool" > /dev/null 2>&1
    "$ntt" study create --db "$1" "$definition" > /dev/null 2>&1
}
answers() { # location
    "$ntt" export --db "$1" --what responses --out "$work/count.csv" 2>/dev/null | grep -o '[0-9]* row' | cut -d' ' -f1
}
declare -A rates
for ((r = 0; r < rounds; r++)); do
    for store in file server; do
        if [ "$store" = file ]; then
            where="$work/round$r.ntt"
        else
            psql "$base/postgres" -q -c "CREATE DATABASE round$r" > /dev/null
            where="$base/round$r"
        fi
        prepare "$where"
        start=$(date +%s.%N)
        for ((s = 1; s <= stations; s++)); do
            # Each station its own journal, as on its own computer (server studies only).
            journal=(); [ "$store" = server ] && journal=(--journal "$work/journal-r$r-s$s.sqlite")
            "$ntt" session simulate --db "$where" --participants "$participants" --station "s$s" "${journal[@]}" \
                > /dev/null 2>&1 &
        done
        wait
        end=$(date +%s.%N)
        n=$(answers "$where")
        seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')
        rate=$(awk -v n="$n" -v s="$seconds" 'BEGIN { print n / s }')
        printf '  round %d %-6s %5d answers in %6.2f s: %7.1f answers/s\n' "$r" "$store" "$n" "$seconds" "$rate"
        rates[$store]+="$rate "
    done
done
echo "$stations stations x $participants participants, load $(cut -d' ' -f1-3 /proc/loadavg)"
for store in file server; do
    median=$(echo "${rates[$store]}" | tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    printf '  %-6s median %.1f answers/s\n' "$store" "$median"
done

#!/usr/bin/env bash
# Measures Chengxin at one scale, each figure next to its floor in the same
# run (issue 7; the figures go into docs/BENCHMARKS.md):
#
#   scripts/bench-scale.sh VENDORS EVENTS [OUTDIR]
#   scripts/bench-scale.sh 5000 2000000              # the city
#   scripts/bench-scale.sh 100000 10000000           # the national city
#   MIXED=5m scripts/bench-scale.sh 5000 2000000     # and the 5-minute mixed load
#
# Steps: build; `gen` a deterministic city; `rescore -compare-aggregate`
# twice (first run and steady state, each next to one SQL GROUP BY
# aggregate); a publication run; database size; `serve` (scheduler off) and
# web/loadtest: search latency, throughput of pages and JSON next to a
# plain Go file server, the open-data CSV, ingest over HTTP next to a bare
# SQLite INSERT loop; wrk on a profile page next to the file server (wrk is
# installed when missing and we are root); the server's peak RSS; with
# MIXED set, public reads + ingest + a publication run for that long.
# Every output is kept in OUTDIR (default /tmp/cx-bench-VENDORS).
set -euo pipefail
cd "$(dirname "$0")/.."
vendors=${1:?usage: bench-scale.sh VENDORS EVENTS [OUTDIR]}
events=${2:?usage: bench-scale.sh VENDORS EVENTS [OUTDIR]}
out=${3:-/tmp/cx-bench-$vendors}
conc=${CONC:-16}
mkdir -p "$out"
db=$out/city.db
rm -f "$db" "$db"-*
step() { printf '\n== %s\n' "$*" | tee -a "$out/summary.txt"; }
timed() { # timed NAME CMD...: runs CMD, keeps its output and /usr/bin/time's figures
  local name=$1; shift
  /usr/bin/time -f '%e s elapsed, %M KB max RSS' -o "$out/$name.time" "$@" >"$out/$name.txt" 2>&1
  tail -n 12 "$out/$name.txt" | tee -a "$out/summary.txt"
  tee -a "$out/summary.txt" <"$out/$name.time"
}
: >"$out/summary.txt"
{ echo "machine: $(nproc) CPU ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/{print $2}') GiB RAM, $(go version)"
  echo "scale: $vendors vendors, $events records; load: $conc connections"; } | tee -a "$out/summary.txt"

step build
go build -o "$out/chengxin" ./cmd/chengxin
go build -o "$out/loadtest" ./web/loadtest
cx=$out/chengxin

step "gen $vendors vendors, $events records"
timed gen "$cx" gen -db "$db" -vendors "$vendors" -events "$events"

step "rescore, first run (every vendor new), next to one GROUP BY aggregate"
timed rescore-first "$cx" rescore -db "$db" -compare-aggregate
step "rescore, steady state"
timed rescore-steady "$cx" rescore -db "$db" -compare-aggregate

prev=$(date -d "$(date +%Y-%m-01) -1 month" +%Y-%m-01)
step "publication run as of $prev"
timed publish "$cx" publish -db "$db" -as-of "$prev"

step "database size"
for f in "$db" "$db"-wal; do
  [ -f "$f" ] && du -b "$f" | awk '{printf "%s %.3f GB\n", $2, $1/1e9}' | tee -a "$out/summary.txt"
done

step serve
token=$("$cx" token add -db "$db" -name bench -scope ingest 2>/dev/null | tail -n 1)
port=$((20000 + RANDOM % 20000))
addr=127.0.0.1:$port
"$cx" serve -db "$db" -addr "$addr" -scheduler=false >"$out/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fsS "http://$addr/healthz" >/dev/null 2>&1 && break; sleep 0.2; done

step "loadtest: search, throughput next to a file server, CSV, ingest next to a bare INSERT loop"
"$out/loadtest" -addr "$addr" -c "$conc" -duration 10s -token "$token" -db "$db" | tee "$out/loadtest.txt" | tee -a "$out/summary.txt"

if ! command -v wrk >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1 || true
fi
if command -v wrk >/dev/null 2>&1; then
  step "wrk -t2 -c32 -d10s: a profile page next to a plain Go file server serving its bytes"
  profile=$(curl -fsS "http://$addr/api/v1/vendors?per_page=1&sort=name" | grep -o '"uscc":"[0-9A-Z]*"' | head -1 | cut -d'"' -f4)
  static=127.0.0.1:$((port + 1))
  "$out/loadtest" -addr "$addr" -serve-static "$static" >/dev/null 2>&1 &
  staticpid=$!
  sleep 1
  for url in "http://$addr/vendors/$profile" "http://$static/profile.html"; do
    echo "$url" | tee -a "$out/summary.txt"
    wrk -t2 -c32 -d10s --latency "$url" | grep -E 'Requests/sec|50%|99%' | tee -a "$out/summary.txt"
  done
  kill $staticpid
fi

if [ -n "${MIXED:-}" ]; then
  step "mixed load for $MIXED: public reads, ingest and a publication run"
  "$out/loadtest" -addr "$addr" -c "$conc" -token "$token" -db "$db" -mixed "$MIXED" -publish-after 60s \
    -publish-cmd "$cx publish -db $db" -server-log "$out/serve.log" | tee "$out/mixed.txt" | tee -a "$out/summary.txt"
fi

step "server peak RSS"
grep VmHWM "/proc/$server/status" | tee -a "$out/summary.txt"
echo "full output in $out"

#!/usr/bin/env bash
# Measures Chengxin at one scale, each figure next to its floor in the same
# run (issue 7; the figures go into docs/BENCHMARKS.md):
#
#   scripts/bench-scale.sh VENDORS EVENTS [OUTDIR]
#   scripts/bench-scale.sh 5000 2000000              # the city
#   scripts/bench-scale.sh 100000 10000000           # the national city
#   MIXED=5m scripts/bench-scale.sh 5000 2000000     # and the 5-minute mixed load
#   DB=postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable scripts/bench-scale.sh 5000 2000000
#
# With DB set to a PostgreSQL server's URL the run uses that engine: it
# creates a fresh database cxbench_VENDORS on that server (dropping one
# left from an earlier run) and drops it at the end (KEEP=1 keeps it);
# the signing key lives in OUTDIR. Needs psql.
#
# Steps: build; `gen` a deterministic city; `rescore -compare-aggregate`
# twice (first run and steady state, each next to one SQL GROUP BY
# aggregate); a publication run; database size; `serve` (scheduler off) and
# web/loadtest: search latency, throughput of pages and JSON next to a
# plain Go file server, the open-data CSV, ingest over HTTP next to a bare
# INSERT loop on the same engine (and COPY on PostgreSQL); with a second
# `serve` over the same database (SERVES=1 skips it) throughput and
# ingest again, spread over both; wrk on a profile page next to the file
# server (wrk is installed when missing and we are root); the servers'
# peak RSS; with MIXED set, public reads + ingest + a publication run for
# that long. Each step notes the load average (the machine may be shared).
# Every output is kept in OUTDIR (default /tmp/cx-bench-VENDORS, or
# /tmp/cx-bench-pg-VENDORS on PostgreSQL), with CPU profiles of gen and
# both rescores (go tool pprof OUTDIR/chengxin OUTDIR/gen.prof).
set -euo pipefail
cd "$(dirname "$0")/.."
vendors=${1:?usage: bench-scale.sh VENDORS EVENTS [OUTDIR]}
events=${2:?usage: bench-scale.sh VENDORS EVENTS [OUTDIR]}
out=${3:-/tmp/cx-bench-${DB:+pg-}$vendors}
conc=${CONC:-16}
mkdir -p "$out"
pg=
if [ -n "${DB:-}" ]; then
  case $DB in postgres://* | postgresql://*) ;; *) echo "DB must be a postgres:// URL" >&2; exit 2 ;; esac
  command -v psql >/dev/null || { echo "psql is needed to create the database" >&2; exit 2; }
  pg=1
  base=${DB%%\?*}
  query=${DB#"$base"}
  rest=${base#*://}
  pgserver=${base%%://*}://${rest%%/*}
  admin=$pgserver/postgres$query
  dbname=cxbench_$vendors
  db=$pgserver/$dbname$query
  psql -q "$admin" -c "DROP DATABASE IF EXISTS $dbname" -c "CREATE DATABASE $dbname"
  export CHENGXIN_SIGNING_KEY=$out/signing-key
  rm -f "$CHENGXIN_SIGNING_KEY"
else
  db=$out/city.db
  rm -f "$db" "$db"-*
fi
servers=()
cleanup() {
  for p in "${servers[@]}"; do kill "$p" 2>/dev/null || true; done
  if [ -n "$pg" ] && [ -z "${KEEP:-}" ]; then
    wait 2>/dev/null || true
    psql -q "$admin" -c "DROP DATABASE IF EXISTS $dbname" || true
  fi
}
trap cleanup EXIT
step() { printf '\n== %s (load average %s)\n' "$*" "$(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/summary.txt"; }
timed() { # timed NAME CMD...: runs CMD, keeps its output and /usr/bin/time's figures
  local name=$1; shift
  /usr/bin/time -f '%e s elapsed, %M KB max RSS' -o "$out/$name.time" "$@" >"$out/$name.txt" 2>&1
  tail -n 12 "$out/$name.txt" | tee -a "$out/summary.txt"
  tee -a "$out/summary.txt" <"$out/$name.time"
}
: >"$out/summary.txt"
{ echo "machine: $(nproc) CPU ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/{print $2}') GiB RAM, $(go version)"
  echo "scale: $vendors vendors, $events records; load: $conc connections"
  if [ -n "$pg" ]; then echo "engine: PostgreSQL $(psql -tA "$db" -c 'SHOW server_version'), database $dbname"; else echo "engine: SQLite, $db"; fi
} | tee -a "$out/summary.txt"

step build
go build -o "$out/chengxin" ./cmd/chengxin
go build -o "$out/loadtest" ./web/loadtest
cx=$out/chengxin

step "gen $vendors vendors, $events records"
timed gen "$cx" gen -db "$db" -vendors "$vendors" -events "$events" -cpuprofile "$out/gen.prof"

step "rescore, first run (every vendor new), next to one GROUP BY aggregate"
timed rescore-first "$cx" rescore -db "$db" -compare-aggregate -cpuprofile "$out/rescore-first.prof"
step "rescore, steady state"
timed rescore-steady "$cx" rescore -db "$db" -compare-aggregate -cpuprofile "$out/rescore-steady.prof"

prev=$(date -d "$(date +%Y-%m-01) -1 month" +%Y-%m-01)
step "publication run as of $prev"
timed publish "$cx" publish -db "$db" -as-of "$prev"

step "database size"
if [ -n "$pg" ]; then
  psql -tA "$db" -c "SELECT '$dbname ' || round(pg_database_size(current_database()) / 1e9, 3) || ' GB'" | tee -a "$out/summary.txt"
else
  for f in "$db" "$db"-wal; do
    [ -f "$f" ] && du -b "$f" | awk '{printf "%s %.3f GB\n", $2, $1/1e9}' | tee -a "$out/summary.txt"
  done
fi

step serve
token=$("$cx" token add -db "$db" -name bench -scope ingest 2>/dev/null | tail -n 1)
port=$((20000 + RANDOM % 20000))
addr=127.0.0.1:$port
"$cx" serve -db "$db" -addr "$addr" -scheduler=false -metrics-addr off >"$out/serve.log" 2>&1 &
server=$!
servers+=("$server")
for _ in $(seq 1 100); do curl -fsS "http://$addr/healthz" >/dev/null 2>&1 && break; sleep 0.2; done

lt() { "$out/loadtest" -c "$conc" -duration "${DURATION:-10s}" -token "$token" -db "$db" "$@"; }
# The first serve builds every vendor's public document (a new database
# has none); the cold paths are measured after that, on this fresh process.
step "public documents: the first serve builds them"
for _ in $(seq 1 900); do grep -q "public documents built" "$out/serve.log" && break; sleep 1; done
grep "public documents built" "$out/serve.log" | head -n 1 | tee -a "$out/summary.txt"
step "loadtest: cold paths of a fresh process (every vendor once, distinct 2-character searches)"
lt -addr "$addr" -only cold -c 16 | tee "$out/loadtest-cold.txt" | tee -a "$out/summary.txt"
step "loadtest: search, throughput next to a file server, CSV"
lt -addr "$addr" -only search,throughput,csv | tee "$out/loadtest.txt" | tee -a "$out/summary.txt"

if [ "${SERVES:-2}" -ge 2 ]; then
  addr2=127.0.0.1:$((port + 2))
  "$cx" serve -db "$db" -addr "$addr2" -scheduler=false -metrics-addr off >"$out/serve2.log" 2>&1 &
  server2=$!
  servers+=("$server2")
  for _ in $(seq 1 100); do curl -fsS "http://$addr2/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
  step "loadtest, two serve processes over the same database: throughput next to a file server"
  lt -addr "$addr,$addr2" -only throughput | tee "$out/loadtest-2serve.txt" | tee -a "$out/summary.txt"
fi

# drained waits (up to 5 minutes, PostgreSQL only: SQLite has no client
# here) until the servers have re-evaluated every vendor ingest marked.
drained() {
  [ -n "$pg" ] || return 0
  for _ in $(seq 1 300); do
    [ "$(psql -tA "$db" -c 'SELECT count(*) FROM reeval_marks')" = 0 ] && return 0
    sleep 1
  done
  echo "marks not drained after 5 minutes" | tee -a "$out/summary.txt"
}
step "loadtest: ingest over HTTP next to a bare INSERT loop (and COPY on PostgreSQL), one serve process"
lt -addr "$addr" -only ingest | tee -a "$out/loadtest.txt" | tee -a "$out/summary.txt"
if [ "${SERVES:-2}" -ge 2 ]; then
  drained
  step "loadtest: ingest, two serve processes over the same database"
  lt -addr "$addr,$addr2" -only ingest | tee -a "$out/loadtest-2serve.txt" | tee -a "$out/summary.txt"
fi
drained

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
    wrk -t2 -c32 -d10s --latency "$url" | grep -E 'Requests/sec|^ +50%|^ +99%' | tee -a "$out/summary.txt"
  done
  kill $staticpid
fi

if [ -n "${MIXED:-}" ]; then
  step "mixed load for $MIXED: public reads, ingest and a publication run"
  "$out/loadtest" -addr "$addr" -c "$conc" -token "$token" -db "$db" -mixed "$MIXED" -publish-after 60s \
    -publish-cmd "$cx publish -db '$db'" -server-log "$out/serve.log" | tee "$out/mixed.txt" | tee -a "$out/summary.txt"
fi

step "server peak RSS"
for p in "${servers[@]}"; do
  echo "serve pid $p: $(grep VmHWM "/proc/$p/status")" | tee -a "$out/summary.txt"
done
echo "full output in $out"

#!/bin/sh
# check.sh PORT... — checks an installation made from deploy/: the env file
# and the signing key (owner, mode), and that each instance answers /healthz
# and /readyz. Exit 1 on the first problem, naming it.
set -eu
env_file=${CHENGXIN_ENV:-/etc/chengxin/chengxin.env}
fail() { echo "check: $*" >&2; exit 1; }

[ -r "$env_file" ] || fail "$env_file: not readable"
perm=$(stat -c %a "$env_file")
case $perm in *[1-7]) fail "$env_file: mode $perm, others may read it (the DSN may hold a password): chmod 640" ;; esac
db=$(sed -n 's/^CHENGXIN_DB=//p' "$env_file" | tail -n 1)
key=$(sed -n 's/^CHENGXIN_SIGNING_KEY=//p' "$env_file" | tail -n 1)
[ -n "$db" ] || fail "$env_file: no CHENGXIN_DB"
case $db in
postgres://* | postgresql://*)
	[ -n "$key" ] || fail "$env_file: CHENGXIN_SIGNING_KEY is required with PostgreSQL" ;;
esac
if [ -n "$key" ]; then
	[ -f "$key" ] || fail "$key: no signing key (make it once and copy the same file to every machine)"
	perm=$(stat -c %a "$key")
	[ "$perm" = 600 ] || fail "$key: mode $perm, want 600"
	head -n 1 "$key" | grep -q 'BEGIN PRIVATE KEY' || fail "$key: not a PEM private key"
fi
[ $# -gt 0 ] || set -- 8080
for port in "$@"; do
	for path in /healthz /readyz; do
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$port$path" || true)
		[ "$code" != 000 ] || code="nothing (not listening?)"
		[ "$code" = 200 ] || fail "127.0.0.1:$port$path answered $code"
	done
	echo "127.0.0.1:$port ok"
done
echo "ok"

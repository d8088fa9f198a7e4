#!/usr/bin/env bash
# CI smoke test of hub-bench (issue 6): a release hub on a free port with its default config,
# `hub-bench --smoke` against it (1,000 subscribers, fan-out for a few seconds, loss check only,
# no timing thresholds), then SIGTERM to the hub.
#   tools/bench_smoke.sh            builds both release products first
#   SKIP_BUILD=1 tools/bench_smoke.sh   uses the binaries already in .build/release
# Prints `bench-smoke: 1 passed, 0 failed` (exit 0) or `bench-smoke: 0 passed, 1 failed` (exit 1).
set -u
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
BIN=.build/release

result() {
    if [ "$1" = ok ]; then echo "bench-smoke: 1 passed, 0 failed"; exit 0; fi
    echo "bench-smoke: 0 passed, 1 failed"; exit 1
}

if [ -z "${SKIP_BUILD:-}" ]; then
    $SWIFT build -c release --product hub >/dev/null || { echo "bench-smoke: build of hub failed"; result fail; }
    $SWIFT build -c release --product hub-bench >/dev/null || { echo "bench-smoke: build of hub-bench failed"; result fail; }
fi

work=$(mktemp -d)
hub_pid=""
cleanup() {
    if [ -n "$hub_pid" ] && kill -0 "$hub_pid" 2>/dev/null; then kill -KILL "$hub_pid" 2>/dev/null; fi
    rm -rf "$work"
}
trap cleanup EXIT

# --port 0: the hub picks a free port and logs it in its `listening` line (an info-level line).
"$BIN/hub" serve --host 127.0.0.1 --port 0 --data-dir "$work/data" --log-level info 2>"$work/hub.log" &
hub_pid=$!
port=""
for _ in $(seq 1 200); do
    port=$(grep -o '"event":"listening","port":[0-9]*' "$work/hub.log" 2>/dev/null | grep -o '[0-9]*$' || true)
    [ -n "$port" ] && break
    kill -0 "$hub_pid" 2>/dev/null || break
    sleep 0.05
done
if [ -z "$port" ]; then
    echo "bench-smoke: the hub did not start:"; sed 's/^/  /' "$work/hub.log" | tail -5
    result fail
fi

status=ok
line=$(timeout 60 "$BIN/hub-bench" --smoke --url "ws://127.0.0.1:$port" --quiet) || status=fail
echo "$line"
case "$line" in *" result=ok "*) ;; *) status=fail ;; esac

# SIGTERM: the hub drains and must exit 0.
kill -TERM "$hub_pid"
hub_rc=0
for _ in $(seq 1 300); do kill -0 "$hub_pid" 2>/dev/null || break; sleep 0.05; done
if kill -0 "$hub_pid" 2>/dev/null; then
    echo "bench-smoke: the hub did not stop within 15 s of SIGTERM"; status=fail
else
    wait "$hub_pid"; hub_rc=$?
    [ "$hub_rc" = 0 ] || { echo "bench-smoke: the hub exited $hub_rc after SIGTERM"; status=fail; }
fi
hub_pid=""
result "$status"

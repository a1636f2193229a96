#!/usr/bin/env bash
# Runs a local gregor cluster in the background: deploy/local-cluster.sh up|down|status.
# Today the cluster is one broker (the ZooKeeper ensemble and three brokers come with the
# cluster work). State lives in $GREGOR_LOCAL_DIR (default: .local-cluster in the repo).
#   GREGOR_PORT   the broker's port (default 9092)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
state=${GREGOR_LOCAL_DIR:-$repo/.local-cluster}
pidfile=$state/broker-0.pid
# The port of a running cluster is the one it was started with.
port=${GREGOR_PORT:-$(cat "$state/port" 2>/dev/null || echo 9092)}
logfile=$state/broker-0.log

running() {
  [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

build() {
  bash deploy/install-deps.sh
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build -j"$(nproc)" --target gregor-broker gregor >/dev/null
}

up() {
  if running; then
    echo "gregor is already running (pid $(cat "$pidfile")): bootstrap 127.0.0.1:$port"
    return 0
  fi
  build
  mkdir -p "$state"
  echo "$port" >"$state/port"
  : >"$logfile"
  nohup build/bin/gregor-broker deploy/config/server.properties \
    --override broker.id=0 \
    --override "listeners=PLAINTEXT://127.0.0.1:$port" \
    --override "log.dirs=$state/broker-0" >>"$logfile" 2>&1 &
  echo $! >"$pidfile"
  for _ in $(seq 1 100); do
    if grep -q '\] started' "$logfile"; then
      echo "gregor is up: 1 broker, bootstrap 127.0.0.1:$port (log: $logfile)"
      echo "  try:  kcat -b 127.0.0.1:$port -L"
      echo "        echo hello | kcat -b 127.0.0.1:$port -P -t demo"
      echo "        kcat -b 127.0.0.1:$port -C -t demo -o beginning -e"
      echo "        build/bin/gregor topics list --bootstrap-server 127.0.0.1:$port"
      return 0
    fi
    if ! running; then break; fi
    sleep 0.1
  done
  echo "gregor did not start; its log says:" >&2
  tail -20 "$logfile" >&2
  return 1
}

down() {
  if ! running; then
    echo "gregor is not running"
    rm -f "$pidfile"
    return 0
  fi
  pid=$(cat "$pidfile")
  kill -TERM "$pid"
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; echo "gregor stopped"; return 0; }
    sleep 0.1
  done
  echo "gregor (pid $pid) did not stop within 10 s" >&2
  return 1
}

status() {
  if running; then
    echo "gregor is running: broker 0 (pid $(cat "$pidfile")), bootstrap 127.0.0.1:$port"
  else
    echo "gregor is not running"
    return 3
  fi
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac

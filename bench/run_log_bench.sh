#!/usr/bin/env bash
# Runs bench/log_append next to the machine's limits (fio buffered and fdatasync'd sequential
# writes, iperf3 over loopback) RUNS times and prints the medians as a Markdown table.
#
#   bench/run_log_bench.sh            # from the repository root (or anywhere)
#   RUNS=3 BENCH_DIR=/mnt/x bench/run_log_bench.sh
#
# Environment: RUNS (5), BENCH_DIR (a new directory under /tmp, removed at the end; when set,
# a scratch directory is made inside it and removed), BUILD_DIR (build), IPERF_PORT (5201),
# LOG_TOTAL (1G), DURABLE_TOTAL (256M), LOOKUPS (1000000), FIO_SYNC_SIZE (256M),
# PAGE_STATE (warm | cold, see before_writer), KEEP_RESULTS (set: keep the JSON files).
set -euo pipefail

RUNS=${RUNS:-5}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-build}
IPERF_PORT=${IPERF_PORT:-5201}
LOG_TOTAL=${LOG_TOTAL:-1G}
DURABLE_TOTAL=${DURABLE_TOTAL:-256M}
LOOKUPS=${LOOKUPS:-1000000}
FIO_SYNC_SIZE=${FIO_SYNC_SIZE:-256M}
PAGE_STATE=${PAGE_STATE:-warm}
PYTHON=/usr/bin/python3
[[ -x $PYTHON ]] || PYTHON=python3

for tool in fio iperf3 cmake "$PYTHON"; do
    command -v "$tool" >/dev/null || { echo "run_log_bench: $tool is missing" >&2; exit 1; }
done

# Everything this script creates lives in SCRATCH (data files) and RESULTS (JSON per run).
SCRATCH=$(mktemp -d "${BENCH_DIR:-/tmp}/log_bench.XXXXXX")
RESULTS=$(mktemp -d /tmp/log_bench_results.XXXXXX)
IPERF_PID_FILE=$RESULTS/iperf3.pid

cleanup() {
    # Only the iperf3 server this script started, by the pid it wrote.
    if [[ -s $IPERF_PID_FILE ]]; then
        kill "$(cat "$IPERF_PID_FILE")" 2>/dev/null || true
    fi
    rm -rf "$SCRATCH"
    if [[ -z ${KEEP_RESULTS:-} ]]; then rm -rf "$RESULTS"; fi
}
trap cleanup EXIT

# ---- build: Release, through CMake; a direct compile only if the configure step fails ----
build() {
    cd "$ROOT"
    if cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >"$RESULTS/cmake.log" 2>&1 &&
        cmake --build "$BUILD_DIR" -j2 --target log_append >>"$RESULTS/cmake.log" 2>&1; then
        LOG_APPEND=$BUILD_DIR/bin/log_append
        [[ $LOG_APPEND == /* ]] || LOG_APPEND=$ROOT/$LOG_APPEND
        BUILT_WITH="cmake Release ($BUILD_DIR/bin/log_append)"
        return
    fi
    echo "run_log_bench: cmake failed (see below); compiling log_append directly" >&2
    tail -5 "$RESULTS/cmake.log" >&2
    local src="common/buf.c common/codec.c common/crc32c.c common/errors.c common/logger.c
        common/clock.c common/workq.c common/config.c broker/log/record_batch.c
        broker/log/batch_builder.c broker/log/index_file.c broker/log/offset_index.c
        broker/log/time_index.c broker/log/segment.c broker/log/checkpoint.c
        broker/log/partition_log.c broker/log/log_config.c"
    LOG_APPEND=$RESULTS/log_append
    # shellcheck disable=SC2086
    gcc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
        -O3 -DNDEBUG -I. bench/log_append.c $src -lpthread -o "$LOG_APPEND"
    BUILT_WITH="gcc -O3 -DNDEBUG (cmake configure failed)"
}

machine() {
    local model mem
    model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
    mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
    echo "- CPU: ${model:-unknown}, nproc $(nproc)"
    echo "- memory: $mem"
    echo "- kernel: $(uname -sr)"
    echo "- bench dir: $SCRATCH"
    echo '```'
    df -T "$SCRATCH"
    echo '```'
    echo "- fio $(fio --version), $(iperf3 --version | head -1)"
    echo "- log_append built with: $BUILT_WITH"
}

# ---- one round of measurements; every tool writes JSON to RESULTS/<name>.<run>.json ----

# Puts every buffered writer on the same footing. On a VM whose balloon reports free pages to
# the host, memory freed a few seconds ago must be faulted in again by the host, and a GiB
# written after a pause runs several times slower than one written right after another.
# "warm" writes and deletes a throwaway file of the same size just before each measured
# writer, so each one reuses pages freed moments before; "cold" waits 10 s instead.
before_writer() {
    if [[ $PAGE_STATE == cold ]]; then
        sleep 10
        return
    fi
    timeout 120 fio --name=warmup --rw=write --bs=1M --size="$LOG_TOTAL" --ioengine=psync \
        --end_fsync=0 --directory="$SCRATCH" --output-format=json >/dev/null
    rm -f "$SCRATCH"/warmup.*
}

# $1: run, $2: fio's fallocate mode. fio preallocates its file by default (fallocate=native);
# the log does not preallocate segments, so fallocate=none is the like-for-like reference.
run_fio_buffered() {
    before_writer
    timeout 120 fio --name=seqwrite --rw=write --bs=16k --size="$LOG_TOTAL" --ioengine=psync \
        --end_fsync=0 --fallocate="$2" --directory="$SCRATCH" --output-format=json \
        >"$RESULTS/fio_buf_$2.$1.json"
    rm -f "$SCRATCH"/seqwrite.*
}

run_fio_sync() {
    timeout 120 fio --name=syncwrite --rw=write --bs=64k --size="$FIO_SYNC_SIZE" \
        --ioengine=psync --fdatasync=1 --directory="$SCRATCH" --output-format=json \
        >"$RESULTS/fio_sync.$1.json"
    rm -f "$SCRATCH"/syncwrite.*
}

run_iperf() {
    rm -f "$IPERF_PID_FILE"
    iperf3 -s -1 -D -p "$IPERF_PORT" -I "$IPERF_PID_FILE"
    local i
    for i in $(seq 50); do # wait for the daemon to listen
        [[ -s $IPERF_PID_FILE ]] && break
        sleep 0.1
    done
    sleep 0.2
    timeout 60 iperf3 -c 127.0.0.1 -p "$IPERF_PORT" -t 5 -J >"$RESULTS/iperf.$1.json"
    rm -f "$IPERF_PID_FILE" # the -1 server exits after this one test
}

run_log() {
    before_writer
    timeout 300 "$LOG_APPEND" --dir "$SCRATCH" --total-bytes "$LOG_TOTAL" --lookups "$LOOKUPS" \
        --json >"$RESULTS/log.$1.json"
}

run_log_durable() {
    timeout 300 "$LOG_APPEND" --dir "$SCRATCH" --total-bytes "$DURABLE_TOTAL" --durable \
        --lookups 0 --json >"$RESULTS/durable.$1.json"
}

run_buffered_writers() {
    # Odd runs write with fio first, even runs with the log first, so neither side always
    # gets the page state the other left behind.
    if (($1 % 2)); then
        run_fio_buffered "$1" native
        run_fio_buffered "$1" none
        run_log "$1"
    else
        run_log "$1"
        run_fio_buffered "$1" none
        run_fio_buffered "$1" native
    fi
}

build
echo "## Machine"
machine
echo
echo "## Command"
echo "PAGE_STATE=$PAGE_STATE RUNS=$RUNS LOG_TOTAL=$LOG_TOTAL DURABLE_TOTAL=$DURABLE_TOTAL" \
    "LOOKUPS=$LOOKUPS FIO_SYNC_SIZE=$FIO_SYNC_SIZE bench/run_log_bench.sh"
echo
for run in $(seq "$RUNS"); do
    echo "run $run/$RUNS ..." >&2
    run_buffered_writers "$run"
    run_log_durable "$run"
    run_fio_sync "$run"
    run_iperf "$run"
done
if [[ -n ${KEEP_RESULTS:-} ]]; then echo "run_log_bench: JSON results in $RESULTS" >&2; fi

"$PYTHON" - "$RESULTS" "$RUNS" <<'PY'
import json, statistics, sys

results, runs = sys.argv[1], int(sys.argv[2])

def load(name, run):
    with open(f"{results}/{name}.{run}.json") as f:
        return json.load(f)

def fio_figures(doc):
    job = doc["jobs"][0]
    w = job["write"]
    cpu_s = (job["usr_cpu"] + job["sys_cpu"]) / 100 * job["job_runtime"] / 1000
    return w["bw_bytes"] / 1e6, cpu_s / (w["io_bytes"] / 1e9)

rows = {}
def add(key, value):
    rows.setdefault(key, []).append(value)

for r in range(1, runs + 1):
    log, dur = load("log", r), load("durable", r)
    if not log["ok"] or not dur["ok"]:
        sys.exit(f"run {r}: log_append reported a failed check")
    fio_mb, fio_cpu = fio_figures(load("fio_buf_native", r))
    nf_mb, nf_cpu = fio_figures(load("fio_buf_none", r))
    sync_mb, _ = fio_figures(load("fio_sync", r))
    ip = load("iperf", r)["end"]["sum_received"]["bits_per_second"] / 1e9
    a, rd, lk = log["append"], log["read"], log["lookup"]
    add("append MB/s (buffered)", a["mb_per_s"])
    add("fio seq write MB/s (buffered, bs=16k)", fio_mb)
    add("append / fio buffered write (per-run ratio)", a["mb_per_s"] / fio_mb)
    add("append CPU-s/GB", a["cpu_s_per_gb"])
    add("  of which user CPU-s/GB", a["user_s"] / (a["bytes"] / 1e9))
    add("  of which sys CPU-s/GB", a["sys_s"] / (a["bytes"] / 1e9))
    add("fio seq write CPU-s/GB", fio_cpu)
    add("fio seq write MB/s, --fallocate=none", nf_mb)
    add("append / fio --fallocate=none (per-run ratio)", a["mb_per_s"] / nf_mb)
    add("fio seq write CPU-s/GB, --fallocate=none", nf_cpu)
    add("read MB/s (sendfile, page cache hot)", rd["mb_per_s"])
    add("read CPU-s/GB (process, incl. socket reader)", rd["cpu_s_per_gb"])
    add("read CPU-s/GB (sending thread only)", log["read_thread_cpu_s_per_gb"])
    add("lookup plog_read p50 (us)", lk["plog_read_p50_us"])
    add("lookup plog_read p99 (us)", lk["plog_read_p99_us"])
    add("lookup plog_read p99.9 (us)", lk["plog_read_p999_us"])
    add("lookup offset index p50 (us)", lk["index_p50_us"])
    add("lookup offset index p99 (us)", lk["index_p99_us"])
    add("lookup offset index p99.9 (us)", lk["index_p999_us"])
    d, ds = dur["durable"], dur["durable_stats"]
    add(f"durable MB/s (inflight {ds['inflight']})", d["mb_per_s"])
    add("durable appends/s", ds["appends_per_s"])
    add("durable appends per fsync", ds["appends_per_fsync"])
    add("durable ack p50 (us)", ds["ack_p50_us"])
    add("durable ack p99 (us)", ds["ack_p99_us"])
    add("durable CPU-s/GB", d["cpu_s_per_gb"])
    add("fio fdatasync write MB/s (bs=64k)", sync_mb)
    add("iperf3 loopback Gbit/s", ip)

def fmt(v):
    return f"{v:.3f}" if abs(v) < 10 else f"{v:.1f}"

print(f"## Medians of {runs} runs (MB = 10^6 bytes, GB = 10^9 bytes)")
print()
print("| figure | median | min | max |")
print("|---|---:|---:|---:|")
for key, values in rows.items():
    print(f"| {key} | {fmt(statistics.median(values))} | {fmt(min(values))} | "
          f"{fmt(max(values))} |")

med = {k: statistics.median(v) for k, v in rows.items()}
ratio = med["append / fio buffered write (per-run ratio)"]
cpu = med["append CPU-s/GB"]
p99 = med["lookup plog_read p99 (us)"]
ip99 = med["lookup offset index p99 (us)"]
print()
print("## Targets")
print()
print(f"- append >= 80% of fio buffered write: {ratio * 100:.0f}% -> "
      f"{'met' if ratio >= 0.8 else 'NOT met'}")
print(f"- <= 0.2 CPU-s per GB appended: {cpu:.3f} -> {'met' if cpu <= 0.2 else 'NOT met'}")
print(f"- index lookup p99 <= 5 us: plog_read {p99:.2f} us "
      f"({'met' if p99 <= 5 else 'NOT met'}), offset index alone {ip99:.2f} us "
      f"({'met' if ip99 <= 5 else 'NOT met'})")
PY

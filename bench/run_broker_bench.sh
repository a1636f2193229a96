#!/usr/bin/env bash
# Single-node broker benchmark: start-up time, idle and loaded RSS, produce/consume throughput
# and latency with `gregor perf`, next to iperf3's loopback bandwidth. Runs RUNS rounds, each
# with a fresh log directory, and prints the machine, the command and a Markdown table of
# medians (min/max over the runs) against the targets.
#
#   bench/run_broker_bench.sh                       # from anywhere; 3 runs, about 80 s
#   RUNS=5 BENCH_DIR=/mnt/x bench/run_broker_bench.sh
#
# Per run:
#   1. start-up: STARTS starts of gregor-broker on a new empty log dir each, timed with
#      CLOCK_MONOTONIC (python's time.monotonic_ns) from just before exec to the moment the
#      "started, listening on" line is read from its stderr; each is then stopped by SIGTERM.
#   2. one broker on a fresh log dir; `gregor topics list` (a Metadata request); idle VmRSS.
#   3. produce RECORDS x 100 B, acks=1, 6 partitions (topic p100); broker peak RSS.
#   4. consume those RECORDS.
#   5. produce BIG_RECORDS x BIG_SIZE B, acks=1, 6 partitions; then iperf3 -t 5 on loopback.
#   6. produce RECORDS x 100 B at --throughput = half of step 3's records/s (new topic).
#   7. produce RECORDS x 100 B, acks=all, 6 partitions (new topic).
# Around every client the harness samples the broker's VmRSS every 20 ms and records
# VmHWM, the broker's utime/stime (whole process and per thread), its syscall counts
# (/proc/PID/io), the client's rusage and the machine's busy time (/proc/stat), so the table
# can say who used the 2 cores.
#
# Page state: this VM returns free memory to its host (virtio balloon free page reporting, and
# DAMON reclaim is on), so page cache that the broker fills with pages the guest has not used
# lately costs several times more system CPU (measured with dd: ~0.3 s/GB when the pages were
# freed moments before, ~2.6 s/GB otherwise). PAGE_STATE=warm (the default, as in
# run_log_bench.sh) writes and deletes a throwaway file of 1.5x the bytes of each produce step
# just before it, so the broker reuses pages freed moments before; PAGE_STATE=cold skips that.
#
# Environment: RUNS (3), STARTS (10), PAGE_STATE (warm | cold), RECORDS (5000000),
# BIG_RECORDS (50000), BIG_SIZE (16384), PARTITIONS (6), BUILD_DIR (/tmp/build-bench),
# SKIP_BUILD (set: use BUILD_DIR's binaries as they are), BENCH_DIR (parent of the scratch
# dir; /tmp), IPERF_PORT (a free port), TIME_LIMIT (570 s for everything, the build
# included; a step that would overrun is cut and the harness stops), KEEP_RESULTS (set: keep
# the JSON files, client output and broker logs in /tmp/broker_bench_results.XXXXXX).
# Only 127.0.0.1 is used. Every process started here is stopped on exit, by its pid.
set -euo pipefail

RUNS=${RUNS:-3}
STARTS=${STARTS:-10}
RECORDS=${RECORDS:-5000000}
BIG_RECORDS=${BIG_RECORDS:-50000}
BIG_SIZE=${BIG_SIZE:-16384}
PARTITIONS=${PARTITIONS:-6}
BUILD_DIR=${BUILD_DIR:-/tmp/build-bench}
TIME_LIMIT=${TIME_LIMIT:-570}
PAGE_STATE=${PAGE_STATE:-warm}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=/usr/bin/python3
[[ -x $PYTHON ]] || PYTHON=python3

for tool in iperf3 cmake timeout "$PYTHON"; do
    command -v "$tool" >/dev/null || { echo "run_broker_bench: $tool is missing" >&2; exit 1; }
done

SCRATCH=$(mktemp -d "${BENCH_DIR:-/tmp}/broker_bench.XXXXXX")
RESULTS=$(mktemp -d /tmp/broker_bench_results.XXXXXX)
HELPER=$RESULTS/helper.py
IPERF_PID_FILE=$RESULTS/iperf3.pid
BROKER_PID=
HELPER_PID=
HARNESS_START=$SECONDS

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    # Only what this script started, by pid: the python helper (which stops the client or
    # broker it runs when it gets SIGTERM), the broker and the iperf3 daemon.
    if [[ -n $HELPER_PID ]] && kill -0 "$HELPER_PID" 2>/dev/null; then
        kill -TERM "$HELPER_PID" 2>/dev/null || true
        wait "$HELPER_PID" 2>/dev/null || true
    fi
    if [[ -n $BROKER_PID ]] && kill -0 "$BROKER_PID" 2>/dev/null; then
        kill -TERM "$BROKER_PID" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$BROKER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$BROKER_PID" 2>/dev/null || true
    fi
    if [[ -s $IPERF_PID_FILE ]]; then
        kill "$(cat "$IPERF_PID_FILE")" 2>/dev/null || true
    fi
    rm -rf "$SCRATCH"
    if [[ -z ${KEEP_RESULTS:-} ]]; then rm -rf "$RESULTS"; else
        echo "run_broker_bench: results kept in $RESULTS" >&2; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Seconds left of TIME_LIMIT, less a reserve for the summary and cleanup.
left() { echo $((TIME_LIMIT - (SECONDS - HARNESS_START) - 15)); }

# Called before each step, in the main shell: stops the harness when the time is spent.
check_time() {
    if (($(left) <= 0)); then
        echo "run_broker_bench: TIME_LIMIT ($TIME_LIMIT s) reached; stopping" >&2
        exit 1
    fi
}

# A step's timeout: its own bound or what is left, whichever is smaller (at least 1 s).
bound() {
    local l
    l=$(left)
    ((l < $1)) || l=$1
    ((l >= 1)) || l=1
    echo "$l"
}

# ---- the python side: start-up timer, client runner with /proc sampling, summary ----
cat >"$HELPER" <<'PY'
import json, os, select, signal, statistics, subprocess, sys, time

CLK = os.sysconf("SC_CLK_TCK")
CURRENT = None  # the child being run, stopped with us if the harness is interrupted

def on_signal(signum, frame):
    if CURRENT is not None and CURRENT.poll() is None:
        CURRENT.kill()
        CURRENT.wait()
    sys.exit(128 + signum)

signal.signal(signal.SIGTERM, on_signal)
signal.signal(signal.SIGINT, on_signal)

def read(path):
    with open(path) as f:
        return f.read()

def status_kb(pid, key):
    for line in read(f"/proc/{pid}/status").splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return None

def proc_cpu(pid, task=None):
    """(utime, stime) in seconds of a process, or of one of its threads."""
    path = f"/proc/{pid}/stat" if task is None else f"/proc/{pid}/task/{task}/stat"
    fields = read(path).rsplit(")", 1)[1].split()
    return int(fields[11]) / CLK, int(fields[12]) / CLK

def threads(pid):
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            comm = read(f"/proc/{pid}/task/{tid}/comm").strip()
            u, s = proc_cpu(pid, tid)
            st = read(f"/proc/{pid}/task/{tid}/status")
            vol = int(st.split("voluntary_ctxt_switches:")[1].split()[0])
            invol = int(st.split("nonvoluntary_ctxt_switches:")[1].split()[0])
            out[tid] = {"comm": comm, "utime": u, "stime": s, "vcsw": vol, "ivcsw": invol}
        except (FileNotFoundError, ProcessLookupError, IndexError):
            pass
    return out

def proc_io(pid):
    return {k: int(v) for k, v in (l.split(": ") for l in read(f"/proc/{pid}/io").splitlines())}

def machine_jiffies():
    """(busy, total) jiffies over all CPUs; iowait counts as idle."""
    v = [int(x) for x in read("/proc/stat").splitlines()[0].split()[1:]]
    idle = v[3] + v[4]
    total = sum(v[:8])  # guest time is already in user
    return total - idle, total

def snapshot(pid):
    u, s = proc_cpu(pid)
    return {"utime": u, "stime": s, "threads": threads(pid), "io": proc_io(pid),
            "machine": machine_jiffies(), "hwm_kb": status_kb(pid, "VmHWM"),
            "rss_kb": status_kb(pid, "VmRSS")}

def diff(a, b):
    th = {}
    for tid, t in b["threads"].items():
        t0 = a["threads"].get(tid, {"utime": 0, "stime": 0, "vcsw": 0, "ivcsw": 0})
        th[f"{t['comm']}/{tid}"] = {k: round(t[k] - t0[k], 3)
                                    for k in ("utime", "stime", "vcsw", "ivcsw")}
    mb = b["machine"][0] - a["machine"][0]
    mt = b["machine"][1] - a["machine"][1]
    return {"broker_user_s": b["utime"] - a["utime"], "broker_sys_s": b["stime"] - a["stime"],
            "broker_threads": th,
            "broker_syscr": b["io"]["syscr"] - a["io"]["syscr"],
            "broker_syscw": b["io"]["syscw"] - a["io"]["syscw"],
            "broker_rchar": b["io"]["rchar"] - a["io"]["rchar"],
            "broker_wchar": b["io"]["wchar"] - a["io"]["wchar"],
            "machine_busy_s": mb / CLK, "machine_total_s": mt / CLK,
            "broker_hwm_kb": b["hwm_kb"], "broker_rss_end_kb": b["rss_kb"]}

def cmd_run(args):
    """run PID OUT STDOUT TIMEOUT -- cmd...: runs a client, samples the broker around it."""
    pid, out, stdout_path, timeout = int(args[0]), args[1], args[2], float(args[3])
    cmd = args[5:]
    before = snapshot(pid)
    peak = before["rss_kb"]
    t0 = time.monotonic()
    global CURRENT
    # The client's stderr (progress lines, errors) goes next to its stdout, as NAME.err.
    with open(stdout_path, "w") as so, open(stdout_path.rsplit(".", 1)[0] + ".err", "w") as se:
        child = CURRENT = subprocess.Popen(cmd, stdout=so, stderr=se)
    rc = None
    timed_out = False
    while rc is None:
        time.sleep(0.02)
        try:
            peak = max(peak, status_kb(pid, "VmRSS") or 0)
        except FileNotFoundError:
            pass
        wpid, status, ru = os.wait4(child.pid, os.WNOHANG)
        if wpid:
            rc = os.waitstatus_to_exitcode(status)
            break
        if time.monotonic() - t0 > timeout:
            timed_out = True
            child.kill()
            _, status, ru = os.wait4(child.pid, 0)
            rc = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - t0
    try:
        after = snapshot(pid)
        res = diff(before, after)
        res["broker_alive"] = True
    except FileNotFoundError:
        res = {"broker_alive": False}
    res.update({"cmd": cmd, "rc": rc, "timed_out": timed_out, "wall_s": wall,
                "client_user_s": ru.ru_utime, "client_sys_s": ru.ru_stime,
                "client_maxrss_kb": ru.ru_maxrss, "broker_rss_peak_sampled_kb": peak})
    try:
        with open(stdout_path) as f:
            res["client"] = json.loads(f.read().strip().splitlines()[-1])
    except (ValueError, IndexError):
        res["client"] = None
    with open(out, "w") as f:
        json.dump(res, f, indent=1)
    if rc != 0 or res["client"] is None:
        print(f"run_broker_bench: {' '.join(cmd[:3])}... exited {rc}"
              f"{' (timed out)' if timed_out else ''}", file=sys.stderr)
        with open(stdout_path.rsplit(".", 1)[0] + ".err") as f:
            sys.stderr.write("".join(f.readlines()[-5:]))
    return 0

def cmd_startup(args):
    """startup BROKER N DIR OUT TIMEOUT: N timed starts, each on a new empty log dir."""
    broker, n, base, out, timeout = args[0], int(args[1]), args[2], args[3], float(args[4])
    starts, stops, errors = [], [], []
    deadline = time.monotonic() + timeout
    for i in range(n):
        logs = os.path.join(base, f"start{i}", "logs")
        os.makedirs(logs)
        cmd = [broker, "--override", "broker.id=0",
               "--override", "listeners=PLAINTEXT://127.0.0.1:0",
               "--override", f"log.dirs={logs}"]
        global CURRENT
        t0 = time.monotonic_ns()
        p = CURRENT = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        buf, started = b"", None
        while started is None and time.monotonic() < deadline:
            r, _, _ = select.select([p.stderr], [], [], 0.5)
            if not r:
                if p.poll() is not None:
                    break
                continue
            chunk = os.read(p.stderr.fileno(), 65536)
            if not chunk:
                break
            buf += chunk
            if b"started, listening on" in buf:
                started = time.monotonic_ns()
        if started is None:
            errors.append(buf.decode(errors="replace")[-500:])
            p.kill()
            p.wait()
            continue
        starts.append((started - t0) / 1e6)
        t1 = time.monotonic_ns()
        p.send_signal(signal.SIGTERM)
        try:
            while os.read(p.stderr.fileno(), 65536):
                pass
            p.wait(timeout=10)
            stops.append((time.monotonic_ns() - t1) / 1e6)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            errors.append("did not stop within 10 s of SIGTERM")
    res = {"start_ms": starts, "stop_ms": stops, "errors": errors,
           "start_median_ms": statistics.median(starts) if starts else None}
    with open(out, "w") as f:
        json.dump(res, f, indent=1)
    for e in errors:
        print(f"run_broker_bench: start-up: {e}", file=sys.stderr)
    return 0

def cmd_rss(args):
    """rss PID OUT: VmRSS, VmHWM and thread count now."""
    pid, out = int(args[0]), args[1]
    try:
        res = {"rss_kb": status_kb(pid, "VmRSS"), "hwm_kb": status_kb(pid, "VmHWM"),
               "threads": status_kb(pid, "Threads"), "rss_anon_kb": status_kb(pid, "RssAnon"),
               "rss_file_kb": status_kb(pid, "RssFile")}
    except FileNotFoundError:
        print(f"run_broker_bench: broker {pid} is gone", file=sys.stderr)
        res = {"rss_kb": None, "error": "broker gone"}
    with open(out, "w") as f:
        json.dump(res, f)
    return 0

def cmd_field(args):
    """field FILE KEY...: prints a value from a JSON file (nested keys)."""
    with open(args[0]) as f:
        v = json.load(f)
    for k in args[1:]:
        v = v[k]
    print(v)
    return 0

def cmd_summary(args):
    results, runs = args[0], int(args[1])
    MiB = 1024 * 1024

    def load(name, r):
        try:
            with open(f"{results}/{name}.{r}.json") as f:
                return json.load(f)
        except FileNotFoundError:
            return None

    rows, notes, failed = {}, [], []

    def add(key, value, target=None, unit=""):
        e = rows.setdefault(key, {"v": [], "target": target})
        if value is not None:
            e["v"].append(value)

    def ok(d, name, r):
        good = (d is not None and d.get("rc") == 0 and d.get("client") is not None
                and d.get("broker_alive", False))
        if not good:
            failed.append(f"run {r}: {name} failed" + (f" (rc {d.get('rc')})" if d else
                                                       " (not run)"))
        return good

    cpu = {}  # phase -> list of per-run dicts of CPU shares

    def cpu_share(phase, d):
        w = d["wall_s"]
        cores = d["machine_total_s"] / w if w > 0 else 0
        b = d["broker_user_s"] + d["broker_sys_s"]
        c = d["client_user_s"] + d["client_sys_s"]
        cpu.setdefault(phase, []).append({
            "wall_s": w, "cores": cores,
            "broker_user": d["broker_user_s"] / w, "broker_sys": d["broker_sys_s"] / w,
            "client_user": d["client_user_s"] / w, "client_sys": d["client_sys_s"] / w,
            "machine_busy": d["machine_busy_s"] / w,
            "other": max(0.0, (d["machine_busy_s"] - b - c) / w),
            "broker_syscalls": d["broker_syscr"] + d["broker_syscw"],
            "broker_cpu_s": b, "client_cpu_s": c})

    for r in range(1, runs + 1):
        st = load("startup", r)
        if st and st["start_ms"]:
            add("start-up, exec to 'started' line (ms; per-run median of starts)",
                statistics.median(st["start_ms"]), ("<=", 100))
            add("start-up, slowest of the starts in a run (ms)", max(st["start_ms"]))
            add("shutdown, SIGTERM to exit (ms; per-run median)",
                statistics.median(st["stop_ms"]) if st["stop_ms"] else None)
        else:
            failed.append(f"run {r}: start-up failed")
        idle = load("idle", r)
        if idle and idle.get("rss_kb"):
            add("idle RSS after start + Metadata (MiB)", idle["rss_kb"] / 1024, ("<=", 16))
        p = load("produce", r)
        if ok(p, "produce", r):
            c = p["client"]
            add(f"produce 100 B, acks=1, {PARTS} partitions (records/s)",
                c["records_per_sec"], (">=", 800000))
            add("  produce MB/s (MiB/s)", c["mb_per_sec"])
            add("  produce latency p50 (ms)", c["latency_p50_ms"])
            add("  produce latency p99 (ms)", c["latency_p99_ms"])
            add("  produce latency p99.9 (ms)", c["latency_p999_ms"])
            cpu_share("produce 100 B acks=1", p)
        cns = load("consume", r)
        if ok(cns, "consume", r):
            add("consume 100 B (records/s)", cns["client"]["messages_per_sec"], (">=", 1500000))
            add("  consume MB/s (MiB/s)", cns["client"]["mb_per_sec"])
            cpu_share("consume 100 B", cns)
        big = load("big", r)
        ip = load("iperf", r)
        big_ok = ok(big, f"produce {BIG} B", r)
        ip_bps = None
        if ip:
            try:
                ip_bps = ip["end"]["sum_received"]["bits_per_second"]
            except KeyError:
                failed.append(f"run {r}: iperf3 gave no result: {ip.get('error')}")
        else:
            failed.append(f"run {r}: iperf3 not run")
        if big_ok:
            add(f"produce {BIG} B, acks=1 (MiB/s)", big["client"]["mb_per_sec"])
            add(f"  produce {BIG} B latency p99 (ms)", big["client"]["latency_p99_ms"])
            cpu_share(f"produce {BIG} B acks=1", big)
        if ip_bps:
            add("iperf3 loopback, 1 stream (MiB/s = bits/s / 8 / 2^20)", ip_bps / 8 / MiB)
            add("iperf3 loopback (Gbit/s)", ip_bps / 1e9)
        if big_ok and ip_bps:
            add(f"produce {BIG} B / iperf3 (%, per run)",
                100 * big["client"]["mb_per_sec"] * MiB / (ip_bps / 8), (">=", 35))
        h = load("half", r)
        if ok(h, "half-rate produce", r):
            c = h["client"]
            add("half-rate produce: --throughput asked (records/s)", h.get("asked"))
            add("  half-rate produce: achieved (records/s)", c["records_per_sec"])
            add("  half-rate latency p50 (ms)", c["latency_p50_ms"])
            add("  half-rate latency p99 (ms)", c["latency_p99_ms"], ("<=", 10))
            add("  half-rate latency p99.9 (ms)", c["latency_p999_ms"])
            add("  half-rate latency max (ms)", c["latency_max_ms"])
            cpu_share("produce 100 B at half rate", h)
        a = load("acksall", r)
        if ok(a, "acks=all produce", r):
            c = a["client"]
            add("produce 100 B, acks=all (records/s)", c["records_per_sec"])
            add("  acks=all latency p99 (ms)", c["latency_p99_ms"])
            cpu_share("produce 100 B acks=all", a)
        peaks = []
        for name, d in (("produce", p), ("consume", cns), ("big", big), ("half", h),
                        ("acksall", a)):
            if d and d.get("broker_alive"):
                peaks.append(max(d["broker_rss_peak_sampled_kb"] or 0, d["broker_hwm_kb"] or 0))
        if p and p.get("broker_alive"):
            add("broker peak RSS during the 100 B produce (MiB)",
                max(p["broker_rss_peak_sampled_kb"], p["broker_hwm_kb"]) / 1024, ("<=", 100))
        if peaks:
            add("broker peak RSS over all load steps (MiB)", max(peaks) / 1024, ("<=", 100))

    for r in range(1, runs + 1):
        try:
            with open(f"{results}/warm.{r}.txt") as f:
                for line in f:
                    mb, t0, t1 = line.split()
                    add("page warm-up dd write (MiB/s; low = cold pages)",
                        int(mb) / (float(t1) - float(t0)))
        except FileNotFoundError:
            pass

    def fmt(v):
        if v is None:
            return "-"
        if abs(v) >= 1000:
            return f"{v:,.0f}"
        if abs(v) >= 10:
            return f"{v:.1f}"
        return f"{v:.2f}"

    print(f"## Medians of {runs} runs")
    print()
    print("MiB = 2^20 bytes (the CLI's \"MB\"). min/max are over the runs.")
    print()
    print("| figure | median | min | max | target | met |")
    print("|---|---:|---:|---:|---|---|")
    verdicts = []
    for key, e in rows.items():
        v = e["v"]
        if not v:
            print(f"| {key} | - | - | - | | no data |")
            continue
        med = statistics.median(v)
        tgt, met = "", ""
        if e["target"]:
            op, t = e["target"]
            tgt = f"{op} {fmt(t)}"
            good = med >= t if op == ">=" else med <= t
            if good:
                met = "yes"
            else:
                off = (t - med) / t * 100 if op == ">=" else (med - t) / t * 100
                met = f"**no** ({'short' if op == '>=' else 'over'} by {off:.0f}%)"
            verdicts.append((key.strip(), med, tgt, met))
        print(f"| {key} | {fmt(med)} | {fmt(min(v))} | {fmt(max(v))} | {tgt} | {met} |")
    print()
    print("## Targets (medians)")
    print()
    for key, med, tgt, met in verdicts:
        print(f"- {key}: {fmt(med)} (target {tgt}) -> {met.replace('**', '')}")
    if failed:
        print()
        print("## Failures")
        print()
        for f_ in failed:
            print(f"- {f_}")
    print()
    print("## Who used the 2 cores (medians over runs)")
    print()
    print("Shares are CPU-seconds per wall-second of the step (1.00 = one core). 'other' is")
    print("the machine's busy time minus broker and client (this harness, other users).")
    print()
    print("| step | wall s | broker user | broker sys | client user | client sys |"
          " other (max) | machine busy | broker CPU-s | client CPU-s | broker syscalls |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for phase, lst in cpu.items():
        m = lambda k: statistics.median(x[k] for x in lst)
        print(f"| {phase} | {m('wall_s'):.2f} | {m('broker_user'):.2f} | {m('broker_sys'):.2f} |"
              f" {m('client_user'):.2f} | {m('client_sys'):.2f} | {m('other'):.2f}"
              f" ({max(x['other'] for x in lst):.2f}) |"
              f" {m('machine_busy'):.2f} / {m('cores'):.0f} | {m('broker_cpu_s'):.2f} |"
              f" {m('client_cpu_s'):.2f} | {m('broker_syscalls'):,.0f} |")
    print()
    print("## Half-rate produce, run by run")
    print()
    print("| run | asked rec/s | achieved rec/s | p50 ms | p99 ms | p99.9 ms | max ms |"
          " broker CPU-s | client CPU-s | other (cores) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in range(1, runs + 1):
        h = load("half", r)
        if not (h and h.get("client") and h.get("broker_alive")):
            continue
        c, w = h["client"], h["wall_s"]
        b = h["broker_user_s"] + h["broker_sys_s"]
        cl = h["client_user_s"] + h["client_sys_s"]
        print(f"| {r} | {h.get('asked', 0):,} | {c['records_per_sec']:,.0f} |"
              f" {c['latency_p50_ms']:.1f} | {c['latency_p99_ms']:.1f} |"
              f" {c['latency_p999_ms']:.1f} | {c['latency_max_ms']:.1f} | {b:.2f} | {cl:.2f} |"
              f" {max(0.0, h['machine_busy_s'] - b - cl) / w:.2f} |")
    return 0

def cmd_ports(args):
    """ports: prints one free TCP port on 127.0.0.1."""
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
    s.close()
    return 0

PARTS = os.environ.get("PARTITIONS", "6")
BIG = os.environ.get("BIG_SIZE", "16384")
sys.exit({"run": cmd_run, "startup": cmd_startup, "rss": cmd_rss, "field": cmd_field,
          "summary": cmd_summary, "port": cmd_ports}[sys.argv[1]](sys.argv[2:]))
PY
export PARTITIONS BIG_SIZE

# ---- build: Release, in BUILD_DIR ----
if [[ -z ${SKIP_BUILD:-} ]]; then
    echo "building gregor-broker and gregor (Release) in $BUILD_DIR ..." >&2
    if ! { timeout "$(bound 300)" cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release &&
        timeout "$(bound 300)" cmake --build "$BUILD_DIR" -j2 --target gregor-broker gregor; } \
        >"$RESULTS/build.log" 2>&1; then
        tail -20 "$RESULTS/build.log" >&2
        echo "run_broker_bench: build failed" >&2
        exit 1
    fi
fi
BROKER=$BUILD_DIR/bin/gregor-broker
CLI=$BUILD_DIR/bin/gregor
for b in "$BROKER" "$CLI"; do
    [[ -x $b ]] || { echo "run_broker_bench: $b not built" >&2; exit 1; }
done
IPERF_PORT=${IPERF_PORT:-$("$PYTHON" "$HELPER" port)}

# Runs the python helper in the background and waits for it, so that an interrupt is handled
# at once (bash runs traps only between foreground commands) and reaches the helper.
helper() {
    "$PYTHON" "$HELPER" "$@" &
    HELPER_PID=$!
    local rc=0
    wait "$HELPER_PID" || rc=$?
    HELPER_PID=
    return "$rc"
}

# $1: log dir, $2: stderr file. Sets BROKER_PID and PORT.
start_broker() {
    "$BROKER" --override broker.id=0 --override listeners=PLAINTEXT://127.0.0.1:0 \
        --override "log.dirs=$1" 2>"$2" >/dev/null &
    BROKER_PID=$!
    PORT=
    local i
    for i in $(seq 200); do
        PORT=$(sed -n 's/.*started, listening on PLAINTEXT:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' \
            "$2" | head -1)
        [[ -n $PORT ]] && return 0
        kill -0 "$BROKER_PID" 2>/dev/null || break
        sleep 0.05
    done
    echo "run_broker_bench: the broker did not start:" >&2
    tail -5 "$2" >&2
    exit 1
}

stop_broker() {
    [[ -n $BROKER_PID ]] || return 0
    kill -TERM "$BROKER_PID" 2>/dev/null || true
    local rc=0
    wait "$BROKER_PID" || rc=$?
    if ((rc != 0)); then echo "run_broker_bench: broker exited with status $rc" >&2; fi
    BROKER_PID=
}

# $1: name.run, $2: timeout (s), rest: the client command. Never fails the script: the summary
# reports a failed client.
client() {
    local name=$1 t=$2
    shift 2
    check_time
    helper run "$BROKER_PID" "$RESULTS/$name.json" "$RESULTS/$name.out" "$(bound "$t")" \
        -- "$@" || true
}

run_iperf() {
    check_time
    rm -f "$IPERF_PID_FILE"
    iperf3 -s -1 -D -B 127.0.0.1 -p "$IPERF_PORT" -I "$IPERF_PID_FILE"
    local i
    for i in $(seq 50); do # wait for the daemon to listen
        [[ -s $IPERF_PID_FILE ]] && break
        sleep 0.1
    done
    sleep 0.2
    timeout "$(bound 30)" iperf3 -c 127.0.0.1 -p "$IPERF_PORT" -t 5 -J \
        >"$RESULTS/iperf.$1.json" || true
    # The -1 server exits after this one test; stop it anyway if the test failed.
    if [[ -s $IPERF_PID_FILE ]]; then
        local ipid
        ipid=$(cat "$IPERF_PID_FILE")
        for i in $(seq 20); do kill -0 "$ipid" 2>/dev/null || break; sleep 0.1; done
        kill "$ipid" 2>/dev/null || true
    fi
    rm -f "$IPERF_PID_FILE"
}

# $1: bytes the next produce step appends, $2: file to record the warm-up in. See PAGE_STATE.
warm_pages() {
    [[ $PAGE_STATE == warm ]] || return 0
    check_time
    local mb=$(($1 * 3 / 2 / 1048576 + 1)) t0=$EPOCHREALTIME
    timeout "$(bound 60)" dd if=/dev/zero of="$SCRATCH/warmup" bs=1M count="$mb" status=none
    echo "$mb ${t0/,/.} ${EPOCHREALTIME/,/.}" >>"$2"
    rm -f "$SCRATCH/warmup"
}

one_run() {
    local r=$1 dir=$SCRATCH/run$1 bs=127.0.0.1
    mkdir -p "$dir"
    check_time
    echo "run $r/$RUNS: start-up x$STARTS ..." >&2
    helper startup "$BROKER" "$STARTS" "$dir/startup" "$RESULTS/startup.$r.json" "$(bound 120)"
    rm -rf "$dir/startup"

    mkdir -p "$dir/logs"
    start_broker "$dir/logs" "$RESULTS/broker.$r.log"
    bs=127.0.0.1:$PORT
    timeout "$(bound 30)" "$CLI" topics list --bootstrap-server "$bs" >/dev/null
    sleep 0.5
    "$PYTHON" "$HELPER" rss "$BROKER_PID" "$RESULTS/idle.$r.json"

    echo "run $r/$RUNS: produce $RECORDS x 100 B, acks=1 ..." >&2
    warm_pages $((RECORDS * 100)) "$RESULTS/warm.$r.txt"
    client "produce.$r" 180 "$CLI" perf produce --bootstrap-server "$bs" --topic p100 \
        --num-records "$RECORDS" --record-size 100 --acks 1 --partitions "$PARTITIONS" --json
    echo "run $r/$RUNS: consume $RECORDS ..." >&2
    client "consume.$r" 180 "$CLI" perf consume --bootstrap-server "$bs" --topic p100 \
        --messages "$RECORDS" --json
    echo "run $r/$RUNS: produce $BIG_RECORDS x $BIG_SIZE B, iperf3 ..." >&2
    warm_pages $((BIG_RECORDS * BIG_SIZE)) "$RESULTS/warm.$r.txt"
    client "big.$r" 180 "$CLI" perf produce --bootstrap-server "$bs" --topic big \
        --num-records "$BIG_RECORDS" --record-size "$BIG_SIZE" --acks 1 \
        --partitions "$PARTITIONS" --json
    run_iperf "$r"

    local peak half
    peak=$("$PYTHON" "$HELPER" field "$RESULTS/produce.$r.json" client records_per_sec \
        2>/dev/null || echo "")
    if [[ -n $peak ]]; then
        half=$("$PYTHON" -c "print(max(1, int(float('$peak') / 2)))")
        echo "run $r/$RUNS: produce at half rate, --throughput $half ..." >&2
        warm_pages $((RECORDS * 100)) "$RESULTS/warm.$r.txt"
        client "half.$r" 180 "$CLI" perf produce --bootstrap-server "$bs" --topic half \
            --num-records "$RECORDS" --record-size 100 --acks 1 --partitions "$PARTITIONS" \
            --throughput "$half" --json
        "$PYTHON" - "$RESULTS/half.$r.json" "$half" <<'EOF' || true
import json, sys
d = json.load(open(sys.argv[1]))
d["asked"] = int(sys.argv[2])
json.dump(d, open(sys.argv[1], "w"))
EOF
    fi
    echo "run $r/$RUNS: produce $RECORDS x 100 B, acks=all ..." >&2
    warm_pages $((RECORDS * 100)) "$RESULTS/warm.$r.txt"
    client "acksall.$r" 180 "$CLI" perf produce --bootstrap-server "$bs" --topic pall \
        --num-records "$RECORDS" --record-size 100 --acks all --partitions "$PARTITIONS" --json
    "$PYTHON" "$HELPER" rss "$BROKER_PID" "$RESULTS/end.$r.json"
    stop_broker
    rm -rf "$dir"
}

machine() {
    local model mem
    model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
    mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
    echo "- CPU: ${model:-unknown}, nproc $(nproc) (client and broker share these cores)"
    echo "- memory: $mem"
    echo "- kernel: $(uname -sr)"
    echo "- scratch dir: $SCRATCH on $(df -T "$SCRATCH" | awk 'NR == 2 {print $1, $2}')"
    echo "- $(iperf3 --version | head -1)"
    echo "- librdkafka (gregor CLI): $(dpkg-query -W -f '${Version}' librdkafka1 2>/dev/null ||
        echo unknown)"
    echo "- source: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
        "$(if [[ -n $(git -C "$ROOT" status --porcelain 2>/dev/null) ]]; then
            echo "(work tree has uncommitted changes)"; fi)"
    echo "- binaries: $BUILD_DIR/bin (CMAKE_BUILD_TYPE=$(sed -n \
        's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$BUILD_DIR/CMakeCache.txt" 2>/dev/null))"
}

echo "## Machine"
echo
machine
echo
echo "## Command"
echo
echo '```'
echo "PAGE_STATE=$PAGE_STATE RUNS=$RUNS STARTS=$STARTS RECORDS=$RECORDS" \
    "BIG_RECORDS=$BIG_RECORDS BIG_SIZE=$BIG_SIZE PARTITIONS=$PARTITIONS BUILD_DIR=$BUILD_DIR" \
    "bench/run_broker_bench.sh"
echo '```'
echo
for run in $(seq "$RUNS"); do
    one_run "$run"
done
"$PYTHON" "$HELPER" summary "$RESULTS" "$RUNS"
echo
echo "harness wall time: $((SECONDS - HARNESS_START)) s"

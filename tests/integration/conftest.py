"""Fixtures for the integration suite: a real gregor-broker process per test (or per module),
real clients, no mocks.

The broker binary comes from $GREGOR_BIN_DIR (default <repo>/build/bin). Each broker runs in a
fresh temporary directory on 127.0.0.1 with port 0 and is torn down with SIGTERM; teardown
fails the test if the process died of a signal we did not send, exited non-zero, or printed a
sanitizer report.
"""

import ctypes
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

REPO = Path(__file__).resolve().parents[2]
BIN_DIR = Path(os.environ.get("GREGOR_BIN_DIR", REPO / "build" / "bin"))
BROKER_BIN = BIN_DIR / "gregor-broker"
KCAT_BIN = shutil.which("kcat") or "/usr/bin/kcat"

START_TIMEOUT = 20.0
STOP_TIMEOUT = 5.0

STARTED_RE = re.compile(r"\[gregor-broker id=(-?\d+)\] started, listening on (\S+) "
                        r"\(advertised as (.+):(\d+)\)")
# What AddressSanitizer, UndefinedBehaviorSanitizer and LeakSanitizer print.
SANITIZER_RE = re.compile(r"ERROR: (AddressSanitizer|LeakSanitizer|ThreadSanitizer)|"
                          r"runtime error: |SUMMARY: \w+Sanitizer")


def _die_with_parent():
    """Runs in the broker's child process before exec: if pytest itself is killed (a CTest
    timeout, an interpreter abort), the broker gets SIGKILL instead of living on."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def unique_topic(prefix="t"):
    """A topic name no other test uses."""
    return "%s-%s" % (prefix, uuid.uuid4().hex[:12])


def wait_until(fn, timeout=10.0, interval=0.02, what=None):
    """Polls fn() until it returns something truthy and returns that; fails after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError("timed out after %.1f s waiting for %s" %
                                 (timeout, what or getattr(fn, "__name__", "condition")))
        time.sleep(interval)


def kcat(*args, input=None, timeout=60, check=True):
    """Runs kcat with a timeout; returns the CompletedProcess (stdout/stderr as bytes)."""
    cmd = [KCAT_BIN, *[str(a) for a in args]]
    proc = subprocess.run(cmd, input=input, capture_output=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError("%s exited %d\nstderr:\n%s" % (
            " ".join(cmd), proc.returncode, proc.stderr.decode(errors="replace")[-4000:]))
    return proc


class Broker:
    """One gregor-broker process (and its restarts) in its own directory."""

    def __init__(self, workdir, overrides=None):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.log_dir = self.workdir / "logs"
        self.overrides = {
            "broker.id": "0",
            "listeners": "PLAINTEXT://127.0.0.1:0",
            "log.dirs": str(self.log_dir),
            "num.partitions": "1",
        }
        self.overrides.update(overrides or {})
        self.proc = None
        self.port = None
        self.bootstrap = None
        self.generation = 0
        self.stderr_paths = []

    # -- process control ---------------------------------------------------------------

    def start(self, port=0):
        assert self.proc is None, "broker already running"
        if not BROKER_BIN.exists():
            raise AssertionError("no broker binary at %s (set GREGOR_BIN_DIR)" % BROKER_BIN)
        overrides = dict(self.overrides)
        overrides["listeners"] = "PLAINTEXT://127.0.0.1:%d" % port
        cmd = [str(BROKER_BIN)]
        for k, v in overrides.items():
            cmd += ["--override", "%s=%s" % (k, v)]
        path = self.workdir / ("broker-%d.stderr" % self.generation)
        self.generation += 1
        self.stderr_paths.append(path)
        with open(path, "ab") as err:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=err, stderr=err,
                                         cwd=self.workdir, preexec_fn=_die_with_parent)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            match = STARTED_RE.search(path.read_text(errors="replace"))
            if match:
                self.port = int(match.group(4))
                self.bootstrap = "%s:%d" % (match.group(3).strip("[]"), self.port)
                return self
            rc = self.proc.poll()
            if rc is not None:
                self.proc = None
                raise AssertionError("broker exited %d before it started:\n%s" %
                                     (rc, path.read_text(errors="replace")[-4000:]))
            if time.monotonic() >= deadline:
                self.proc.kill()
                self.proc.wait()
                self.proc = None
                raise AssertionError("broker did not log 'started' within %.0f s:\n%s" %
                                     (START_TIMEOUT, path.read_text(errors="replace")[-4000:]))
            time.sleep(0.01)

    def stop(self):
        """SIGTERM; the broker must exit 0 within 5 s."""
        assert self.proc is not None, "broker not running"
        proc, self.proc = self.proc, None
        self._assert_alive(proc)
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise AssertionError("broker did not exit within %.0f s of SIGTERM:\n%s" %
                                 (STOP_TIMEOUT, self.log_text()[-4000:]))
        assert rc == 0, "broker exited %d after SIGTERM:\n%s" % (rc, self.log_text()[-4000:])
        self.check_sanitizers()

    def kill9(self):
        """SIGKILL, as a crash: nothing is flushed or marked clean."""
        assert self.proc is not None, "broker not running"
        proc, self.proc = self.proc, None
        self._assert_alive(proc)
        proc.kill()
        rc = proc.wait(timeout=STOP_TIMEOUT)
        assert rc == -signal.SIGKILL, "broker exited %d instead of dying of SIGKILL" % rc

    def _assert_alive(self, proc):
        rc = proc.poll()
        if rc is not None:
            raise AssertionError("broker died during the test (exit status %d%s):\n%s" % (
                rc, ", signal %s" % signal.Signals(-rc).name if rc < 0 else "",
                self.log_text()[-6000:]))

    def restart(self, same_port=True, clean=True):
        """Stops (SIGTERM, or nothing if it is already down) and starts again on the same log
        dirs. The same port is reused when possible, so `.bootstrap` stays valid."""
        if self.proc is not None:
            if clean:
                self.stop()
            else:
                self.kill9()
        if same_port and self.port:
            try:
                return self.start(self.port)
            except AssertionError as e:
                if "in use" not in self.stderr_paths[-1].read_text(errors="replace"):
                    raise
                print("port %d was taken meanwhile, restarting on a new port (%s)" %
                      (self.port, str(e).splitlines()[0]))
        return self.start(0)

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    # -- logs --------------------------------------------------------------------------

    def log_text(self):
        """Everything every generation of this broker wrote to stderr."""
        return "".join(p.read_text(errors="replace") for p in self.stderr_paths if p.exists())

    def current_log_text(self):
        """What the current (latest) generation wrote to stderr."""
        return self.stderr_paths[-1].read_text(errors="replace") if self.stderr_paths else ""

    def check_sanitizers(self):
        text = self.log_text()
        match = SANITIZER_RE.search(text)
        assert match is None, "sanitizer report in the broker's stderr:\n%s" % (
            text[max(0, match.start() - 200):match.start() + 4000])

    def teardown(self):
        """Stops the broker and asserts it did not crash."""
        if self.proc is not None:
            self.stop()
        self.check_sanitizers()

    def partition_dir(self, topic, partition=0):
        return self.log_dir / ("%s-%d" % (topic, partition))


def _make_broker(workdir, request):
    overrides = getattr(request, "param", None) or {}
    marker = request.node.get_closest_marker("broker_config")
    if marker:
        overrides = {**marker.args[0], **overrides} if marker.args else overrides
    return Broker(workdir, overrides).start()


@pytest.fixture
def broker(tmp_path, request):
    """A running broker for one test. Extra settings: @pytest.mark.broker_config({...})."""
    b = _make_broker(tmp_path / "broker", request)
    yield b
    b.teardown()


@pytest.fixture(scope="module")
def module_broker(tmp_path_factory, request):
    """A running broker shared by the tests of one module (each uses its own topics)."""
    b = _make_broker(tmp_path_factory.mktemp("broker"), request)
    yield b
    b.teardown()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing test's report carries the tail of its broker's stderr."""
    outcome = yield
    rep = outcome.get_result()
    if rep.when == "call" and rep.failed:
        for name in ("broker", "module_broker"):
            b = getattr(item, "funcargs", {}).get(name)
            if isinstance(b, Broker):
                rep.sections.append(("broker stderr (last 80 lines)",
                                     "\n".join(b.log_text().splitlines()[-80:])))


def pytest_configure(config):
    config.addinivalue_line("markers", "broker_config(dict): extra broker --override settings")

"""Malformed input from a raw socket. Each case must end with the connection closed (or, for
ApiVersions of a too-new version, the v0-format UNSUPPORTED_VERSION answer), the broker still
answering on a fresh connection, and a kcat producer on another connection, running through
the whole sequence, unaffected: every record it sent is acknowledged and read back."""

import random
import socket
import subprocess
import threading

import pytest

import kafka_wire as kw
from conftest import KCAT_BIN, kcat, unique_topic, wait_until

MAX_REQUEST = 1 << 20  # socket.request.max.bytes for this module's broker
MAX_MESSAGE = 100_000  # message.max.bytes

pytestmark = pytest.mark.broker_config({"socket.request.max.bytes": str(MAX_REQUEST),
                                        "message.max.bytes": str(MAX_MESSAGE)})

CORRUPT_MESSAGE = 2
OFFSET_OUT_OF_RANGE = 1
MESSAGE_TOO_LARGE = 10
INVALID_REQUIRED_ACKS = 21
UNSUPPORTED_FOR_MESSAGE_FORMAT = 43
INVALID_RECORD = 87


class SideProducer:
    """A kcat producer on its own connection, fed continuously from a thread for the whole
    module. (kcat reads its input in blocks and librdkafka 2.0.2 sends what it holds as more
    input arrives, so a steady feed is what keeps records flowing.)"""

    def __init__(self, bootstrap, topic):
        self.bootstrap = bootstrap
        self.topic = topic
        self.sent = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.proc = subprocess.Popen(
            [KCAT_BIN, "-P", "-b", bootstrap, "-t", topic, "-p", "0", "-K", ":",
             "-X", "acks=all"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.thread = threading.Thread(target=self._feed, daemon=True)
        self.thread.start()

    def _feed(self):
        while not self.stopping.is_set():
            with self.lock:
                lines = [b"side-%d:value-%d" % (i, i)
                         for i in range(len(self.sent), len(self.sent) + 10)]
                self.sent += lines
            self.proc.stdin.write(b"".join(line + b"\n" for line in lines))
            self.proc.stdin.flush()
            self.stopping.wait(0.02)

    def acked(self):
        return kw.end_offset(self.bootstrap, self.topic)

    def wait_progress(self, count=50):
        """Waits until the log holds `count` more records than now."""
        target = self.acked() + count
        wait_until(lambda: self.acked() >= target, 15,
                   what="the side producer's records to be acknowledged")

    def finish(self):
        self.stopping.set()
        self.thread.join(10)
        self.proc.stdin.close()
        rc = self.proc.wait(timeout=30)
        err = self.proc.stderr.read().decode(errors="replace")
        self.proc.stderr.close()
        return rc, err


@pytest.fixture(scope="module")
def side(module_broker):
    topic = unique_topic("side")
    with kw.Connection(module_broker.bootstrap) as c:
        created = kw.parse_create_topics_v0(
            c.request(kw.CREATE_TOPICS, 0, kw.create_topics_body([(topic, 1, 1)])))
    assert created == {topic: 0}
    producer = SideProducer(module_broker.bootstrap, topic)
    producer.wait_progress()
    yield producer
    if producer.proc.poll() is None:
        producer.stopping.set()
        producer.proc.kill()
        producer.proc.wait()


@pytest.fixture
def after_check(module_broker, side):
    """After the case: the broker answers ApiVersions on a fresh connection, and the side
    producer's records keep being acknowledged on its old connection."""
    yield
    error, keys = kw.api_versions(module_broker.bootstrap, 0)
    assert error == 0 and kw.PRODUCE in keys and kw.FETCH in keys
    assert module_broker.running, "broker died"
    side.wait_progress()


def assert_closed(conn, timeout=5.0):
    closed, data = conn.wait_closed(timeout)
    assert closed, "the broker kept the connection open (got %r)" % data[:64]
    assert data == b"", "the broker answered %r before closing" % data[:64]


def connect(broker):
    return kw.Connection(broker.bootstrap, timeout=10)


# --- cases ------------------------------------------------------------------------------

def test_http_request(module_broker, after_check):
    """'GET ' read as a size prefix is 1.2 GB: over socket.request.max.bytes."""
    with connect(module_broker) as c:
        c.send_raw(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        assert_closed(c)


@pytest.mark.parametrize("seed", range(8))
def test_random_garbage_frame(module_broker, after_check, seed):
    """A well-sized frame of random bytes: its header names no API the broker has."""
    rng = random.Random(seed)
    payload = bytes(rng.randrange(256) for _ in range(rng.randint(8, 300)))
    key = int.from_bytes(payload[:2], "big", signed=True)
    assert key not in (0, 1, 2, 3, 10, 18, 19, 20), "seed gives a real api key; pick another"
    with connect(module_broker) as c:
        c.send_raw(kw.int32(len(payload)) + payload)
        assert_closed(c)


def test_random_garbage_stream(module_broker, after_check):
    """64 KiB of random bytes in one go: the first four read as a huge or negative size."""
    rng = random.Random(1234)
    data = bytes(rng.randrange(256) for _ in range(65536))
    assert abs(int.from_bytes(data[:4], "big", signed=True)) > MAX_REQUEST
    with connect(module_broker) as c:
        try:
            c.send_raw(data)
        except (BrokenPipeError, ConnectionResetError):
            return  # closed while we were still sending: also a close
        assert_closed(c)


@pytest.mark.parametrize("promised,sent", [(100, 0), (100, 10), (1000, 999), (MAX_REQUEST, 3)])
def test_truncated_frame_then_close(module_broker, after_check, promised, sent):
    """The size prefix promises more than arrives before the client goes away."""
    with connect(module_broker) as c:
        body = kw.frame(kw.API_VERSIONS, 0, 1)[4:]
        body = (body + b"\x00" * promised)[:sent]
        c.send_raw(kw.int32(promised) + body)
        # Nothing may come back for an incomplete frame.
        closed, data = c.wait_closed(0.2)
        assert not closed and data == b"", "broker reacted to a partial frame: %r" % data


def test_frame_split_into_single_bytes(module_broker, after_check):
    """A valid request arriving one byte at a time is reassembled and answered."""
    with connect(module_broker) as c:
        for b in kw.frame(kw.API_VERSIONS, 0, 77):
            c.send_raw(bytes([b]))
        cid, body = c.recv_frame()
        assert cid == 77
        error, keys = kw.parse_api_versions(body, 0)
        assert error == 0 and kw.API_VERSIONS in keys


@pytest.mark.parametrize("size", [0x7FFFFFFF, MAX_REQUEST + 1])
def test_oversized_size_prefix(module_broker, after_check, size):
    with connect(module_broker) as c:
        c.send_raw(kw.int32(size) + kw.frame(kw.API_VERSIONS, 0, 1)[4:])
        assert_closed(c)


@pytest.mark.parametrize("size", [-1, -8, -0x80000000])
def test_negative_size_prefix(module_broker, after_check, size):
    with connect(module_broker) as c:
        c.send_raw(kw.int32(size) + b"\x00" * 16)
        assert_closed(c)


@pytest.mark.parametrize("size", [0, 1, 7])
def test_frame_too_small_for_a_header(module_broker, after_check, size):
    with connect(module_broker) as c:
        c.send_raw(kw.int32(size) + b"\x00" * size)
        assert_closed(c)


@pytest.mark.parametrize("api_key", [999, -1, 32767, 4, 10 ** 4])
def test_unknown_api_key(module_broker, after_check, api_key):
    with connect(module_broker) as c:
        c.send_raw(kw.frame(api_key, 0, 1))
        assert_closed(c)


@pytest.mark.parametrize("api_key,version", [(kw.PRODUCE, 99), (kw.PRODUCE, -1),
                                             (kw.FETCH, 0), (kw.FETCH, 99),
                                             (kw.METADATA, 9), (kw.CREATE_TOPICS, 99)])
def test_unsupported_version(module_broker, after_check, api_key, version):
    with connect(module_broker) as c:
        c.send_raw(kw.frame(api_key, version, 1, b"\x00" * 32))
        assert_closed(c)


@pytest.mark.parametrize("version", [4, 99, 32767])
def test_api_versions_too_new_gets_v0_unsupported_version(module_broker, after_check, version):
    with connect(module_broker) as c:
        # A flexible header and body, as a newer client would send them.
        c.send_raw(kw.frame(kw.API_VERSIONS, version, 4242,
                            b"\x00" + kw.api_versions_body(3)))
        cid, body = c.recv_frame()
        assert cid == 4242
        error, keys = kw.parse_api_versions(body, 0)
        assert error == kw.UNSUPPORTED_VERSION
        assert kw.API_VERSIONS in keys
        lo, hi = keys[kw.API_VERSIONS]
        assert lo == 0 and hi >= 3
        # The connection stays usable: the client retries with a version it was offered.
        cid = c.send(kw.API_VERSIONS, 0)
        got, body = c.recv_frame()
        assert got == cid
        error, keys = kw.parse_api_versions(body, 0)
        assert error == 0 and kw.PRODUCE in keys


@pytest.mark.parametrize("count", [-5, -2, 2 ** 31 - 1, 1000000])
def test_metadata_with_impossible_topic_count(module_broker, after_check, count):
    """Metadata v1 whose topics array claims far more entries than the frame holds (or a
    negative count other than -1, which means all topics)."""
    with connect(module_broker) as c:
        c.send_raw(kw.frame(kw.METADATA, 1, 1, kw.int32(count) + kw.string("x")))
        assert_closed(c)


@pytest.mark.parametrize("case", ["client_id", "topic_name", "create_topic_name",
                                  "produce_records", "fetch_topic"])
def test_huge_string_lengths(module_broker, after_check, case):
    """A string or bytes field whose length runs past the end of the frame."""
    if case == "client_id":
        payload = kw.int16(kw.API_VERSIONS) + kw.int16(0) + kw.int32(1) + kw.int16(0x7FFF) + b"abc"
    elif case == "topic_name":
        payload = (kw.request_header(kw.METADATA, 1, 1) + kw.int32(1) + kw.int16(30000) +
                   b"topic")
    elif case == "create_topic_name":
        payload = (kw.request_header(kw.CREATE_TOPICS, 0, 1) + kw.int32(1) +
                   kw.int16(0x7FFF) + b"t" * 10)
    elif case == "produce_records":
        payload = (kw.request_header(kw.PRODUCE, 8, 1) + kw.string(None) + kw.int16(1) +
                   kw.int32(1000) + kw.int32(1) + kw.string("t") + kw.int32(1) +
                   kw.int32(0) + kw.int32(0x7FFFFFF0) + b"\x00" * 20)
    else:
        payload = (kw.request_header(kw.FETCH, 11, 1) + kw.int32(-1) + kw.int32(0) +
                   kw.int32(1) + kw.int32(1000) + kw.int8(0) + kw.int32(0) + kw.int32(-1) +
                   kw.int32(1) + kw.int16(0x7FFF) + b"topic")
    with connect(module_broker) as c:
        c.send_raw(kw.int32(len(payload)) + payload)
        assert_closed(c)


def test_valid_request_after_garbage_on_same_connection_is_not_answered(module_broker,
                                                                        after_check):
    """Once a frame is rejected the connection is gone: a pipelined good request behind it
    gets no answer."""
    with connect(module_broker) as c:
        c.send_raw(kw.frame(999, 0, 1) + kw.frame(kw.API_VERSIONS, 0, 2))
        assert_closed(c)


def test_many_bad_connections_at_once(module_broker, after_check):
    """Dozens of bad connections open together, closed in every state."""
    conns = [connect(module_broker) for _ in range(40)]
    try:
        for i, c in enumerate(conns):
            kind = i % 4
            if kind == 0:
                c.send_raw(kw.int32(-1))
            elif kind == 1:
                c.send_raw(kw.frame(999, 0, i))
            elif kind == 2:
                c.send_raw(kw.int32(50) + b"\x00" * 10)  # partial: we close it ourselves
            else:
                c.send_raw(kw.frame(kw.API_VERSIONS, 0, i))
        for i, c in enumerate(conns):
            kind = i % 4
            if kind in (0, 1):
                assert_closed(c)
            elif kind == 3:
                cid, body = c.recv_frame()
                assert cid == i and kw.parse_api_versions(body)[0] == 0
    finally:
        for c in conns:
            c.close()


def test_flood_of_pipelined_requests_answered_in_order(module_broker, after_check):
    """1000 requests written at once, more than the broker queues per connection: it stops
    reading, answers, reads on, and every answer comes back in order."""
    with connect(module_broker) as c:
        c.send_raw(b"".join(kw.frame(kw.API_VERSIONS, 0, cid) for cid in range(1000)))
        for cid in range(1000):
            got, body = c.recv_frame()
            assert got == cid
        assert kw.parse_api_versions(body)[0] == 0


def test_client_that_never_reads(module_broker, after_check, side):
    """A client pipelines Fetches for megabytes and never reads the answers: the broker
    bounds what it buffers for it and keeps serving everyone else."""
    with connect(module_broker) as c:
        c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        body = kw.fetch_body(side.topic, 0, 0, max_wait_ms=0, partition_max_bytes=1 << 20)
        try:
            for cid in range(300):
                c.send_raw(kw.frame(kw.FETCH, 11, cid, body))
        except socket.timeout:
            pass  # the broker stopped reading us: that is the point
        # Meanwhile others are served.
        error, keys = kw.api_versions(module_broker.bootstrap, 0)
        assert error == 0
        side.wait_progress()


# --- well-framed requests with bad contents: an error answer, the connection stays ----------

@pytest.fixture(scope="module")
def target(module_broker):
    """A one-partition topic for the bad produces, which must never land in it."""
    topic = unique_topic("target")
    with kw.Connection(module_broker.bootstrap) as c:
        created = kw.parse_create_topics_v0(
            c.request(kw.CREATE_TOPICS, 0, kw.create_topics_body([(topic, 1, 1)])))
    assert created == {topic: 0}
    return topic


def good_batch(n=3, value=b"v"):
    return kw.record_batch([(b"k%d" % i, value, []) for i in range(n)])


def with_crc(batch):
    """Recomputes the CRC after the bytes it covers were edited."""
    return batch[:17] + kw.uint32(kw.crc32c(batch[21:])) + batch[21:]


def bad_batch(kind):
    b = bytearray(good_batch())
    if kind == "bad_crc":
        b[-1] ^= 0xFF
        return bytes(b)
    if kind == "record_count_too_high":
        b[57:61] = kw.int32(5)
        return with_crc(bytes(b))
    if kind == "record_count_negative":
        b[57:61] = kw.int32(-1)
        return with_crc(bytes(b))
    if kind == "batch_length_short":  # batchLength says 10 bytes fewer than follow
        b[8:12] = kw.int32(len(b) - 12 - 10)
        return bytes(b)
    if kind == "batch_length_long":
        b[8:12] = kw.int32(len(b) - 12 + 10)
        return bytes(b)
    if kind == "magic_3":
        b[16] = 3
        return bytes(b)
    if kind == "truncated_record":  # the last record loses its last byte; length, CRC match
        t = b[:-1]
        t[8:12] = kw.int32(len(t) - 12)
        return with_crc(bytes(t))
    if kind == "last_offset_delta_wrong":
        b[23:27] = kw.int32(7)
        return with_crc(bytes(b))
    if kind == "empty_batch":
        return b""
    if kind == "legacy_magic_1":
        return kw.legacy_message_set([b"old"], magic=1)
    raise AssertionError(kind)


@pytest.mark.parametrize("kind,errors", [
    ("bad_crc", {CORRUPT_MESSAGE}),
    ("record_count_too_high", {CORRUPT_MESSAGE, INVALID_RECORD}),
    ("record_count_negative", {CORRUPT_MESSAGE, INVALID_RECORD}),
    ("batch_length_short", {CORRUPT_MESSAGE, INVALID_RECORD}),
    ("batch_length_long", {CORRUPT_MESSAGE, INVALID_RECORD}),
    ("magic_3", {CORRUPT_MESSAGE, INVALID_RECORD, UNSUPPORTED_FOR_MESSAGE_FORMAT}),
    ("truncated_record", {CORRUPT_MESSAGE, INVALID_RECORD}),
    ("last_offset_delta_wrong", {CORRUPT_MESSAGE, INVALID_RECORD}),
    ("empty_batch", {CORRUPT_MESSAGE, INVALID_RECORD}),
    ("legacy_magic_1", {CORRUPT_MESSAGE, INVALID_RECORD, UNSUPPORTED_FOR_MESSAGE_FORMAT}),
])
def test_bad_batch_is_refused_and_not_stored(module_broker, after_check, target, kind, errors):
    with connect(module_broker) as c:
        before = kw.end_offset(module_broker.bootstrap, target)
        body = c.request(kw.PRODUCE, 8, kw.produce_body(target, 0, bad_batch(kind), acks=1))
        [(topic, partition, error, base)] = kw.parse_produce_v8(body)
        assert (topic, partition, base) == (target, 0, -1)
        assert error in errors, "error %d" % error
        # Same connection still served; nothing was stored.
        assert kw.parse_api_versions(c.request(kw.API_VERSIONS, 0))[0] == 0
        assert kw.end_offset(module_broker.bootstrap, target) == before
        # And a good batch on the same connection lands.
        body = c.request(kw.PRODUCE, 8, kw.produce_body(target, 0, good_batch(), acks=1))
        assert kw.parse_produce_v8(body) == [(target, 0, kw.NONE, before)]


def test_legacy_message_set_on_produce_v2(module_broker, after_check, target):
    with connect(module_broker) as c:
        before = kw.end_offset(module_broker.bootstrap, target)
        body = c.request(kw.PRODUCE, 2, kw.produce_body(
            target, 0, kw.legacy_message_set([b"a", b"b"], magic=1), version=2))
        assert kw.parse_produce_v8(body, version=2) == [
            (target, 0, UNSUPPORTED_FOR_MESSAGE_FORMAT, -1)]
        assert kw.end_offset(module_broker.bootstrap, target) == before


def test_bad_batch_with_acks_0_closes_the_connection(module_broker, after_check, target):
    """acks=0 has no answer to carry an error, so (as in Kafka) the connection is closed."""
    with connect(module_broker) as c:
        before = kw.end_offset(module_broker.bootstrap, target)
        c.send(kw.PRODUCE, 8, kw.produce_body(target, 0, bad_batch("bad_crc"), acks=0))
        assert_closed(c)
        assert kw.end_offset(module_broker.bootstrap, target) == before


def test_good_batch_with_acks_0_gets_no_answer_but_lands(module_broker, after_check, target):
    with connect(module_broker) as c:
        before = kw.end_offset(module_broker.bootstrap, target)
        c.send(kw.PRODUCE, 8, kw.produce_body(target, 0, good_batch(), acks=0))
        # The next request's answer is the next thing on the wire.
        cid = c.send(kw.API_VERSIONS, 0)
        got, _ = c.recv_frame()
        assert got == cid
        wait_until(lambda: kw.end_offset(module_broker.bootstrap, target) == before + 3, 5)


@pytest.mark.parametrize("acks", [2, -2, 100])
def test_invalid_acks(module_broker, after_check, target, acks):
    with connect(module_broker) as c:
        before = kw.end_offset(module_broker.bootstrap, target)
        body = c.request(kw.PRODUCE, 8, kw.produce_body(target, 0, good_batch(), acks=acks))
        assert kw.parse_produce_v8(body) == [(target, 0, INVALID_REQUIRED_ACKS, -1)]
        assert kw.end_offset(module_broker.bootstrap, target) == before


def test_batch_over_message_max_bytes(module_broker, after_check, target):
    with connect(module_broker) as c:
        before = kw.end_offset(module_broker.bootstrap, target)
        batch = good_batch(1, value=b"x" * (MAX_MESSAGE + 1))
        body = c.request(kw.PRODUCE, 8, kw.produce_body(target, 0, batch, acks=1))
        assert kw.parse_produce_v8(body) == [(target, 0, MESSAGE_TOO_LARGE, -1)]
        assert kw.end_offset(module_broker.bootstrap, target) == before


@pytest.mark.parametrize("where", ["unknown_topic", "unknown_partition", "negative_partition"])
def test_produce_to_missing_partition(module_broker, after_check, target, where):
    topic = unique_topic("nope") if where == "unknown_topic" else target
    partition = {"unknown_topic": 0, "unknown_partition": 5, "negative_partition": -1}[where]
    with connect(module_broker) as c:
        body = c.request(kw.PRODUCE, 8, kw.produce_body(topic, partition, good_batch()))
        assert kw.parse_produce_v8(body) == [
            (topic, partition, kw.UNKNOWN_TOPIC_OR_PARTITION, -1)]
    with connect(module_broker) as c:  # and Produce does not auto-create topics
        md = kw.parse_metadata(c.request(kw.METADATA, 4, kw.metadata_body([topic], 4, False)), 4)
        error, parts = md["topics"][topic]
        assert error == (kw.UNKNOWN_TOPIC_OR_PARTITION if where == "unknown_topic" else 0)
        assert sorted(parts) == ([] if where == "unknown_topic" else [0])


def test_one_bad_partition_does_not_fail_the_others(module_broker, after_check):
    """Errors are per partition: in one Produce, a good batch lands next to refused ones."""
    topic, other = unique_topic("mixed"), unique_topic("nope")
    with connect(module_broker) as c:
        created = kw.parse_create_topics_v0(
            c.request(kw.CREATE_TOPICS, 0, kw.create_topics_body([(topic, 2, 1)])))
    assert created == {topic: 0}
    parts = [(topic, 0, good_batch(2)), (topic, 1, bad_batch("bad_crc")),
             (topic, 9, good_batch()), (other, 0, good_batch())]
    body = kw.string(None) + kw.int16(1) + kw.int32(5000) + kw.array(
        [topic, other], lambda t: kw.string(t) + kw.array(
            [(p, b) for name, p, b in parts if name == t],
            lambda pb: kw.int32(pb[0]) + kw.nbytes(pb[1])))
    with connect(module_broker) as c:
        result = kw.parse_produce_v8(c.request(kw.PRODUCE, 8, body))
    assert result == [(topic, 0, kw.NONE, 0), (topic, 1, CORRUPT_MESSAGE, -1),
                      (topic, 9, kw.UNKNOWN_TOPIC_OR_PARTITION, -1),
                      (other, 0, kw.UNKNOWN_TOPIC_OR_PARTITION, -1)]
    assert kw.end_offset(module_broker.bootstrap, topic, 0) == 2
    assert kw.end_offset(module_broker.bootstrap, topic, 1) == 0


@pytest.mark.parametrize("offset", [-5, -1, 10 ** 9])
def test_fetch_out_of_range(module_broker, after_check, target, offset):
    with connect(module_broker) as c:
        error, [part] = kw.parse_fetch_v11(
            c.request(kw.FETCH, 11, kw.fetch_body(target, 0, offset, max_wait_ms=0)))
        assert error == 0
        assert part["error"] == OFFSET_OUT_OF_RANGE
        assert not part["records"]


def test_fetch_unknown_topic_and_partition(module_broker, after_check, target):
    with connect(module_broker) as c:
        for topic, partition in [(unique_topic("nope"), 0), (target, 3)]:
            error, [part] = kw.parse_fetch_v11(c.request(
                kw.FETCH, 11, kw.fetch_body(topic, partition, 0, max_wait_ms=100)))
            assert (error, part["partition"], part["error"]) == (
                0, partition, kw.UNKNOWN_TOPIC_OR_PARTITION)


def test_fetch_with_a_session_id_gets_fetch_session_id_not_found(module_broker, after_check,
                                                                 target):
    FETCH_SESSION_ID_NOT_FOUND = 70
    with connect(module_broker) as c:
        body = bytearray(kw.fetch_body(target, 0, 0, max_wait_ms=0))
        body[17:21] = kw.int32(12345)  # session id
        body[21:25] = kw.int32(1)      # session epoch
        error, parts = kw.parse_fetch_v11(c.request(kw.FETCH, 11, bytes(body)))
        assert error == FETCH_SESSION_ID_NOT_FOUND


def test_side_producer_unaffected(module_broker, side):
    """Runs last: every record the side producer sent during the sequence was acknowledged
    on its one connection and reads back in order."""
    side.wait_progress()
    rc, err = side.finish()
    assert rc == 0, "kcat producer exited %d: %s" % (rc, err)
    # librdkafka reports a dropped connection ("Disconnected", "transport failure") here.
    assert "ERROR" not in err and "isconnect" not in err, err
    assert side.acked() == len(side.sent)
    out = kcat("-C", "-b", module_broker.bootstrap, "-t", side.topic, "-p", "0",
               "-o", "beginning", "-e", "-f", r"%k:%s\n", timeout=30).stdout
    assert out.splitlines() == side.sent
    assert len(side.sent) > 1000

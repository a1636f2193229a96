"""A tiny Kafka wire-protocol client for the integration tests: request frames with header v1
(api_key int16, api_version int16, correlation_id int32, client_id string), a few request
bodies, record batches v2, and readers for the responses the tests look at.

It is deliberately small and strict: it talks to the broker over a plain socket so that the
tests can send exactly the bytes they mean, including malformed ones, and measure timings
without a client library's own timers in the way.
"""

import socket
import struct
import time
import zlib

# API keys.
PRODUCE = 0
FETCH = 1
LIST_OFFSETS = 2
METADATA = 3
FIND_COORDINATOR = 10
API_VERSIONS = 18
CREATE_TOPICS = 19
DELETE_TOPICS = 20

# Error codes the tests name.
NONE = 0
UNKNOWN_TOPIC_OR_PARTITION = 3
UNSUPPORTED_VERSION = 35
TOPIC_ALREADY_EXISTS = 36


# --- primitives -------------------------------------------------------------------------

def int8(v):
    return struct.pack(">b", v)


def int16(v):
    return struct.pack(">h", v)


def int32(v):
    return struct.pack(">i", v)


def uint32(v):
    return struct.pack(">I", v)


def int64(v):
    return struct.pack(">q", v)


def boolean(v):
    return b"\x01" if v else b"\x00"


def string(s):
    """A non-nullable string (int16 length). None encodes as length -1 (nullable string)."""
    if s is None:
        return int16(-1)
    if isinstance(s, str):
        s = s.encode()
    return int16(len(s)) + s


def nbytes(b):
    """Bytes with an int32 length; None encodes as -1."""
    if b is None:
        return int32(-1)
    return int32(len(b)) + b


def array(items, encode=lambda x: x):
    """An int32-counted array; None encodes as the null array (-1)."""
    if items is None:
        return int32(-1)
    return int32(len(items)) + b"".join(encode(x) for x in items)


def uvarint(v):
    out = bytearray()
    while True:
        byte = v & 0x7F
        v >>= 7
        if v:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def varint(v):
    """Zigzag-encoded signed varint (also used for varlong)."""
    return uvarint((v << 1) ^ (v >> 63))


def compact_string(s):
    if s is None:
        return uvarint(0)
    if isinstance(s, str):
        s = s.encode()
    return uvarint(len(s) + 1) + s


# --- CRC32C (Castagnoli), for record batches --------------------------------------------

def _crc32c_table():
    table = []
    for i in range(256):
        crc = i
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_CRC_TABLE = _crc32c_table()


def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _CRC_TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


# --- record batches v2 ------------------------------------------------------------------

def record_batch(records, base_timestamp=None, attributes=0):
    """An uncompressed record batch v2. `records` holds (key, value, headers) tuples, where
    key/value are bytes or None and headers a list of (str, bytes|None)."""
    if base_timestamp is None:
        base_timestamp = int(time.time() * 1000)
    body = bytearray()
    for i, (key, value, headers) in enumerate(records):
        rec = bytearray()
        rec += int8(0)                     # attributes
        rec += varint(0)                   # timestamp delta
        rec += varint(i)                   # offset delta
        rec += varint(-1) if key is None else varint(len(key)) + key
        rec += varint(-1) if value is None else varint(len(value)) + value
        rec += varint(len(headers or []))
        for hk, hv in headers or []:
            hk = hk.encode()
            rec += varint(len(hk)) + hk
            rec += varint(-1) if hv is None else varint(len(hv)) + hv
        body += varint(len(rec)) + rec
    after_crc = (int16(attributes) + int32(len(records) - 1) + int64(base_timestamp) +
                 int64(base_timestamp) + int64(-1) + int16(-1) + int32(-1) +
                 int32(len(records)) + bytes(body))
    after_length = int32(0) + int8(2) + uint32(crc32c(after_crc)) + after_crc
    return int64(0) + int32(len(after_length)) + after_length


def parse_record_batches(data):
    """Decodes uncompressed record batches v2 into dicts with offset, timestamp, key, value
    and headers. A trailing partial batch (allowed in Fetch responses) is ignored."""
    out = []
    pos = 0
    while pos + 12 <= len(data):
        base_offset, length = struct.unpack_from(">qi", data, pos)
        if pos + 12 + length > len(data):
            break
        r = Reader(data[pos + 12:pos + 12 + length])
        r.int32()                               # partition leader epoch
        magic = r.int8()
        assert magic == 2, "magic %d" % magic
        crc = r.uint32()
        assert crc == crc32c(r.rest_bytes()), "batch CRC mismatch at offset %d" % base_offset
        attributes = r.int16()
        assert attributes & 7 == 0, "compressed batch: codec %d" % (attributes & 7)
        r.int32()                               # last offset delta
        first_ts = r.int64()
        r.int64()                               # max timestamp
        r.int64()                               # producer id
        r.int16()                               # producer epoch
        r.int32()                               # base sequence
        count = r.int32()
        for _ in range(count):
            r.varint()                          # record length
            r.int8()                            # attributes
            ts_delta = r.varint()
            off_delta = r.varint()
            klen = r.varint()
            key = None if klen < 0 else r.raw(klen)
            vlen = r.varint()
            value = None if vlen < 0 else r.raw(vlen)
            headers = []
            for _ in range(r.varint()):
                hk = r.raw(r.varint()).decode()
                hlen = r.varint()
                headers.append((hk, None if hlen < 0 else r.raw(hlen)))
            out.append({"offset": base_offset + off_delta, "timestamp": first_ts + ts_delta,
                        "key": key, "value": value, "headers": headers})
        pos += 12 + length
    return out


# --- request bodies ---------------------------------------------------------------------

def request_header(api_key, api_version, correlation_id, client_id="kafka-wire"):
    """Request header v1."""
    return int16(api_key) + int16(api_version) + int32(correlation_id) + string(client_id)


def frame(api_key, api_version, correlation_id, body=b"", client_id="kafka-wire"):
    """A whole request: int32 size prefix, header v1, body."""
    payload = request_header(api_key, api_version, correlation_id, client_id) + body
    return int32(len(payload)) + payload


def api_versions_body(version=0):
    if version >= 3:  # flexible: client software name and version, then tagged fields
        return compact_string("kafka-wire") + compact_string("1.0") + uvarint(0)
    return b""


def metadata_body(topics, version=1, allow_auto_create=True):
    """topics=None asks for all topics (v1+)."""
    body = array(topics, string)
    if version >= 4:
        body += boolean(allow_auto_create)
    if version >= 8:
        body += boolean(False) + boolean(False)
    return body


def create_topics_body(topics, timeout_ms=5000):
    """CreateTopics v0; topics holds (name, num_partitions, replication_factor)."""
    def one(t):
        name, partitions, rf = t
        return string(name) + int32(partitions) + int16(rf) + array([]) + array([])
    return array(topics, one) + int32(timeout_ms)


def legacy_message_set(values, magic=1):
    """A message set v0/v1 (pre-KIP-98) of uncompressed messages."""
    out = b""
    for i, value in enumerate(values):
        body = int8(magic) + int8(0) + (int64(int(time.time() * 1000)) if magic else b"")
        body += nbytes(None) + nbytes(value)
        message = uint32(zlib.crc32(body)) + body
        out += int64(i) + int32(len(message)) + message
    return out


def delete_topics_body(topics, timeout_ms=5000):
    """DeleteTopics v0."""
    return array(topics, string) + int32(timeout_ms)


def produce_body(topic, partition, batch, acks=1, timeout_ms=5000, version=8):
    """Produce v0-8: v3 added transactional_id, the rest is the same."""
    txn = string(None) if version >= 3 else b""
    return (txn + int16(acks) + int32(timeout_ms) +
            array([topic], lambda t: string(t) + array([partition],
                                                       lambda p: int32(p) + nbytes(batch))))


def fetch_body(topic, partition, offset, max_wait_ms, min_bytes=1, max_bytes=50 << 20,
               partition_max_bytes=1 << 20):
    """Fetch v11 (no session, no forgotten topics, empty rack)."""
    part = int32(partition) + int32(-1) + int64(offset) + int64(-1) + int32(partition_max_bytes)
    return (int32(-1) + int32(max_wait_ms) + int32(min_bytes) + int32(max_bytes) + int8(0) +
            int32(0) + int32(-1) +
            array([topic], lambda t: string(t) + array([part])) +
            array([]) + string(""))


def list_offsets_body(topic, partition, timestamp=-1):
    """ListOffsets v1: timestamp -1 asks for the end offset, -2 the start offset."""
    return int32(-1) + array([topic], lambda t: string(t) + array(
        [partition], lambda p: int32(p) + int64(timestamp)))


# --- responses --------------------------------------------------------------------------

class Reader:
    def __init__(self, data):
        self.data = bytes(data)
        self.pos = 0

    def _take(self, fmt):
        v = struct.unpack_from(fmt, self.data, self.pos)[0]
        self.pos += struct.calcsize(fmt)
        return v

    def int8(self):
        return self._take(">b")

    def int16(self):
        return self._take(">h")

    def int32(self):
        return self._take(">i")

    def uint32(self):
        return self._take(">I")

    def int64(self):
        return self._take(">q")

    def raw(self, n):
        if n < 0 or self.pos + n > len(self.data):
            raise ValueError("short read: want %d at %d of %d" % (n, self.pos, len(self.data)))
        v = self.data[self.pos:self.pos + n]
        self.pos += n
        return v

    def string(self):
        n = self.int16()
        return None if n < 0 else self.raw(n).decode()

    def nbytes(self):
        n = self.int32()
        return None if n < 0 else self.raw(n)

    def uvarint(self):
        shift = result = 0
        while True:
            b = self.raw(1)[0]
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                return result
            shift += 7

    def varint(self):
        v = self.uvarint()
        return (v >> 1) ^ -(v & 1)

    def array(self, decode):
        n = self.int32()
        return None if n < 0 else [decode(self) for _ in range(n)]

    def rest_bytes(self):
        return self.data[self.pos:]

    def at_end(self):
        return self.pos == len(self.data)


def parse_api_versions(body, version=0):
    """ApiVersions response: (error_code, {api_key: (min, max)}). v0 layout is also what a
    broker answers to a version it does not support."""
    r = Reader(body)
    error = r.int16()
    if version >= 3:
        keys = {}
        for _ in range(r.uvarint() - 1):
            key, lo, hi = r.int16(), r.int16(), r.int16()
            r.uvarint()  # tagged fields
            keys[key] = (lo, hi)
        return error, keys
    keys = {}
    for _ in range(r.int32()):
        key, lo, hi = r.int16(), r.int16(), r.int16()
        keys[key] = (lo, hi)
    return error, keys


def parse_produce_v8(body, version=8):
    """Produce response (v2-8): [(topic, partition, error_code, base_offset)]."""
    r = Reader(body)
    out = []
    for _ in range(r.int32()):
        topic = r.string()
        for _ in range(r.int32()):
            partition, error, base = r.int32(), r.int16(), r.int64()
            r.int64()  # log append time
            if version >= 5:
                r.int64()  # log start offset
            if version >= 8:
                r.array(lambda rr: (rr.int32(), rr.string()))  # record errors
                r.string()  # error message
            out.append((topic, partition, error, base))
    r.int32()  # throttle time
    assert r.at_end(), "trailing bytes in a Produce response"
    return out


def parse_metadata(body, version):
    """Metadata response v1-8: {"brokers": [(id, host, port)], "controller": id,
    "topics": {name: (error_code, {partition: (error, leader, replicas, isr)})}}."""
    r = Reader(body)
    if version >= 3:
        r.int32()  # throttle
    brokers = r.array(lambda rr: (rr.int32(), rr.string(), rr.int32(), rr.string())[:3])
    if version >= 2:
        r.string()  # cluster id
    controller = r.int32()
    topics = {}
    for _ in range(r.int32()):
        error, name = r.int16(), r.string()
        r.int8()  # is internal
        parts = {}
        for _ in range(r.int32()):
            perr, index, leader = r.int16(), r.int32(), r.int32()
            if version >= 7:
                r.int32()  # leader epoch
            replicas = r.array(Reader.int32)
            isr = r.array(Reader.int32)
            if version >= 5:
                r.array(Reader.int32)  # offline replicas
            parts[index] = (perr, leader, replicas, isr)
        if version >= 8:
            r.int32()  # topic authorized operations
        topics[name] = (error, parts)
    if version >= 8:
        r.int32()  # cluster authorized operations
    assert r.at_end(), "trailing bytes in a Metadata response"
    return {"brokers": brokers, "controller": controller, "topics": topics}


def parse_fetch_v11(body):
    """Fetch v11 response: (top-level error, [dict per partition])."""
    r = Reader(body)
    r.int32()  # throttle
    error = r.int16()
    r.int32()  # session id
    parts = []
    for _ in range(r.int32()):
        topic = r.string()
        for _ in range(r.int32()):
            p = {"topic": topic, "partition": r.int32(), "error": r.int16(),
                 "high_watermark": r.int64(), "last_stable_offset": r.int64(),
                 "log_start_offset": r.int64()}
            r.array(lambda rr: (rr.int64(), rr.int64()))  # aborted transactions
            p["preferred_read_replica"] = r.int32()
            p["records"] = r.nbytes()
            parts.append(p)
    assert r.at_end(), "trailing bytes in a Fetch response"
    return error, parts


def parse_list_offsets_v1(body):
    """ListOffsets v1 response: [(topic, partition, error, timestamp, offset)]."""
    r = Reader(body)
    out = []
    for _ in range(r.int32()):
        topic = r.string()
        for _ in range(r.int32()):
            out.append((topic, r.int32(), r.int16(), r.int64(), r.int64()))
    return out


def parse_create_topics_v0(body):
    """CreateTopics v0 response: {name: error_code}."""
    r = Reader(body)
    return dict(r.array(lambda rr: (rr.string(), rr.int16())))


def parse_delete_topics_v0(body):
    """DeleteTopics v0 response: {name: error_code}."""
    r = Reader(body)
    return dict(r.array(lambda rr: (rr.string(), rr.int16())))


# --- connections ------------------------------------------------------------------------

class Closed(Exception):
    """The broker closed the connection."""


class Connection:
    """One TCP connection to the broker. Requests are answered in order."""

    def __init__(self, bootstrap, timeout=10.0):
        host, port = bootstrap.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.timeout = timeout
        self.next_correlation_id = 1

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send_raw(self, data):
        self.sock.sendall(data)

    def send(self, api_key, api_version, body=b"", client_id="kafka-wire"):
        """Sends one request; returns its correlation id."""
        cid = self.next_correlation_id
        self.next_correlation_id += 1
        self.send_raw(frame(api_key, api_version, cid, body, client_id))
        return cid

    def _recv_exact(self, n, deadline):
        buf = bytearray()
        while len(buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no complete response within the deadline")
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(n - len(buf))
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                raise Closed("connection closed after %d of %d bytes" % (len(buf), n))
            buf += chunk
        return bytes(buf)

    def recv_frame(self, timeout=None):
        """Reads one response: (correlation_id, rest of the frame after it)."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        size = struct.unpack(">i", self._recv_exact(4, deadline))[0]
        assert 4 <= size <= 256 << 20, "implausible response size %d" % size
        payload = self._recv_exact(size, deadline)
        return struct.unpack_from(">i", payload)[0], payload[4:]

    def request(self, api_key, api_version, body=b"", timeout=None):
        """Sends a request and returns the response body (after the header v0)."""
        cid = self.send(api_key, api_version, body)
        got, payload = self.recv_frame(timeout)
        assert got == cid, "correlation id %d, expected %d" % (got, cid)
        return payload

    def wait_closed(self, timeout=5.0):
        """True when the broker closes the connection (EOF or reset) within timeout, False if
        it is still open then. Any bytes the broker sends first are returned as the second
        element: (closed, data)."""
        deadline = time.monotonic() + timeout
        data = bytearray()
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False, bytes(data)
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return False, bytes(data)
            except ConnectionResetError:
                return True, bytes(data)
            if not chunk:
                return True, bytes(data)
            data += chunk


def api_versions(bootstrap, version=0, timeout=5.0):
    """Asks a fresh connection for ApiVersions; returns (error_code, {key: (min, max)})."""
    with Connection(bootstrap, timeout) as c:
        return parse_api_versions(c.request(API_VERSIONS, version, api_versions_body(version)),
                                  version)


def end_offset(bootstrap, topic, partition=0):
    """The partition's log end offset, by ListOffsets v1 on a fresh connection."""
    with Connection(bootstrap) as c:
        [(_, _, error, _, offset)] = parse_list_offsets_v1(
            c.request(LIST_OFFSETS, 1, list_offsets_body(topic, partition, -1)))
        assert error == NONE, "ListOffsets error %d" % error
        return offset

"""kcat (librdkafka 2.0.2) against a real broker: 100k records with keys and headers, 20k per
compression codec, produced with `kcat -P` and read back with `kcat -C`, compared byte for
byte; `kcat -L` metadata; and the codec of the batches as stored on disk."""

import json
import random
import struct
import time

import pytest

import kafka_wire as kw
from conftest import kcat, unique_topic

pytestmark = pytest.mark.broker_config({"num.partitions": "3"})

CODECS = ["none", "gzip", "snappy", "lz4", "zstd"]
CODEC_IDS = {"none": 0, "gzip": 1, "snappy": 2, "lz4": 3, "zstd": 4}
PER_CODEC = 20000
PARTITIONS = 3

KEY_DELIM = b"\x1f"
MSG_DELIM = b"\x1e"
# Every byte but the two delimiters may appear in keys and values.
BINARY = bytes(b for b in range(256) if b not in (KEY_DELIM[0], MSG_DELIM[0]))
WORDS = [b"lorem", b"ipsum", b"dolor", b"sit", b"amet", b"gregor", b"kafka", b"batch"]


def make_records(codec):
    """Deterministic (key, value) pairs: compressible text with binary bytes mixed in, some
    empty values, one key in 97 empty."""
    rng = random.Random("kcat-" + codec)
    records = []
    for i in range(PER_CODEC):
        key = b"" if i % 97 == 13 else b"%s-key-%06d-%s" % (
            codec.encode(), i, bytes(rng.choice(BINARY) for _ in range(rng.randint(0, 4))))
        if i % 1000 == 500:
            value = b""
        else:
            value = (b"%s|%06d|" % (codec.encode(), i) +
                     b" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 30))) +
                     bytes(rng.choice(BINARY) for _ in range(rng.randint(0, 8))))
        records.append((key, value))
    return records


def headers_for(codec):
    return [("codec", codec), ("trace-id", "0123456789abcdef"), ("empty", ""),
            ("dup", "1"), ("dup", "2")]


def parse_formatted(out):
    """Parses `kcat -f '%o %T %K:%k %S:%s %h\\n'` output, where %K/%S give the lengths, so
    keys and values may hold any byte."""
    rows = []
    pos = 0
    n = len(out)

    def until(sep):
        nonlocal pos
        end = out.index(sep, pos)
        field = out[pos:end]
        pos = end + 1
        return field

    def sized():
        nonlocal pos
        length = int(until(b":"))
        if length < 0:
            field = None
        else:
            field = out[pos:pos + length]
            pos += length
        assert out[pos:pos + 1] == b" ", "format out of step at byte %d" % pos
        pos += 1
        return field

    while pos < n:
        offset = int(until(b" "))
        ts = int(until(b" "))
        key = sized()
        value = sized()
        headers = until(b"\n").decode()
        rows.append((offset, ts, key, value, headers))
    return rows


def stored_codecs(log_path):
    """The codec (attributes & 7) of every record batch in a .log file, in order."""
    data = log_path.read_bytes()
    codecs = []
    pos = 0
    while pos + 23 <= len(data):
        base_offset, length = struct.unpack_from(">qi", data, pos)
        magic = data[pos + 16]
        assert magic == 2, "batch at byte %d has magic %d" % (pos, magic)
        attributes = struct.unpack_from(">h", data, pos + 21)[0]
        codecs.append(attributes & 7)
        pos += 12 + length
    assert pos == len(data), "%s: %d trailing bytes" % (log_path, len(data) - pos)
    return codecs


@pytest.fixture(scope="module")
def produced(module_broker):
    """Produces PER_CODEC records per codec, each codec to its own topic's partition 0."""
    out = {}
    for codec in CODECS:
        topic = unique_topic("kcat-" + codec)
        records = make_records(codec)
        data = b"".join(k + KEY_DELIM + v + MSG_DELIM for k, v in records)
        args = ["-P", "-b", module_broker.bootstrap, "-t", topic, "-p", "0",
                "-K", r"\x1f", "-D", r"\x1e", "-z", codec, "-X", "acks=all"]
        for name, value in headers_for(codec):
            args += ["-H", "%s=%s" % (name, value)]
        start_ms = int(time.time() * 1000)
        kcat(*args, input=data, timeout=60)
        end_ms = int(time.time() * 1000)
        out[codec] = {"topic": topic, "records": records, "start_ms": start_ms,
                      "end_ms": end_ms}
    return out


@pytest.mark.parametrize("codec", CODECS)
def test_roundtrip_is_byte_identical(module_broker, produced, codec):
    p = produced[codec]
    result = kcat("-C", "-b", module_broker.bootstrap, "-t", p["topic"], "-p", "0",
                  "-o", "beginning", "-e", "-f", r"%o %T %K:%k %S:%s %h\n", timeout=60)
    rows = parse_formatted(result.stdout)
    expected_headers = ",".join("%s=%s" % h for h in headers_for(codec))
    assert len(rows) == PER_CODEC
    assert [r[0] for r in rows] == list(range(PER_CODEC)), "offsets not 0..n-1 in order"
    for (offset, ts, key, value, headers), (want_key, want_value) in zip(rows, p["records"]):
        assert key == want_key, "key at offset %d" % offset
        assert value == want_value, "value at offset %d" % offset
        assert headers == expected_headers, "headers at offset %d" % offset
        # CreateTime set by librdkafka while kcat ran, returned unchanged.
        assert p["start_ms"] - 1 <= ts <= p["end_ms"] + 1, "timestamp at offset %d" % offset
    timestamps = [r[1] for r in rows]
    assert timestamps == sorted(timestamps), "timestamps go backwards"


@pytest.mark.parametrize("codec", CODECS)
def test_json_envelope(module_broker, produced, codec):
    """The JSON view of the first records: CreateTime, headers as a list with the duplicate
    kept, offsets, partition and the broker that served them."""
    p = produced[codec]
    result = kcat("-C", "-b", module_broker.bootstrap, "-t", p["topic"], "-p", "0",
                  "-o", "beginning", "-c", "200", "-e", "-J", timeout=60)
    # kcat copies non-UTF-8 key and value bytes into the JSON as they are.
    lines = result.stdout.decode(errors="replace").splitlines()
    assert len(lines) == 200
    want_headers = [x for h in headers_for(codec) for x in h]
    for i, line in enumerate(lines):
        msg = json.loads(line)
        assert msg["topic"] == p["topic"]
        assert msg["partition"] == 0
        assert msg["offset"] == i
        assert msg["tstype"] == "create"
        assert p["start_ms"] - 1 <= msg["ts"] <= p["end_ms"] + 1
        assert msg["broker"] == 0
        assert msg["headers"] == want_headers
        key, value = p["records"][i]
        if b"\x00" not in value and all(b < 0x80 for b in value):
            assert msg["payload"] == value.decode()


def test_metadata_lists_topics_partitions_and_leader(module_broker, produced):
    result = kcat("-L", "-J", "-b", module_broker.bootstrap, timeout=30)
    md = json.loads(result.stdout)
    assert md["brokers"] == [{"id": 0, "name": module_broker.bootstrap}]
    assert md["controllerid"] == 0
    topics = {t["topic"]: t for t in md["topics"]}
    for codec in CODECS:
        t = topics[produced[codec]["topic"]]
        assert "error" not in t, t
        assert [p["partition"] for p in t["partitions"]] == list(range(PARTITIONS))
        for p in t["partitions"]:
            assert p["leader"] == 0
            assert [r["id"] for r in p["replicas"]] == [0]
            assert [r["id"] for r in p["isrs"]] == [0]
            assert "error" not in p, p

    # The plain-text listing, for one topic, as an operator reads it.
    topic = produced["gzip"]["topic"]
    text = kcat("-L", "-b", module_broker.bootstrap, "-t", topic, timeout=30).stdout.decode()
    assert "broker 0 at %s (controller)" % module_broker.bootstrap in text
    assert 'topic "%s" with %d partitions:' % (topic, PARTITIONS) in text
    for p in range(PARTITIONS):
        assert "partition %d, leader 0, replicas: 0, isrs: 0" % p in text


@pytest.mark.parametrize("codec", CODECS)
def test_batches_stored_with_the_producers_codec(module_broker, produced, codec):
    """The broker stores batches as the producer sent them, never recompressing. (librdkafka
    compresses with lz4 only when ApiVersions lists FindCoordinator v0.)"""
    error, keys = kw.api_versions(module_broker.bootstrap, 0)
    assert error == 0 and keys.get(kw.FIND_COORDINATOR, (1, -1))[0] == 0
    log = module_broker.partition_dir(produced[codec]["topic"], 0) / "00000000000000000000.log"
    codecs = stored_codecs(log)
    assert codecs, "no batches in %s" % log
    # librdkafka sends a batch uncompressed when compressing would not shrink it (small
    # batches, which timing decides), so each batch carries the codec or none, and the codec
    # must be there.
    assert set(codecs) <= {CODEC_IDS[codec], 0}, "codecs on disk: %s" % sorted(set(codecs))
    assert CODEC_IDS[codec] in codecs, "no batch stored with %s: %s" % (codec, codecs)

"""kill -9 during a heavy acks=1 produce, restart, read back: every acknowledged record is
there, at the offset it was acknowledged with, in order, once; the log holds nothing but a
prefix of what was sent; and a CRC-checking consumer never sees a corrupt batch."""

import random
import struct
import time

import confluent_kafka
import pytest
from confluent_kafka import KafkaError, TopicPartition

import kafka_wire as kw
from conftest import unique_topic

TOTAL = 1_000_000
KILL_AFTER_ACKS = 300_000
SEGMENT_BYTES = 1 << 20  # small segments, so the crash cuts across several


@pytest.mark.broker_config({"log.segment.bytes": str(SEGMENT_BYTES)})
def test_kill9_during_produce_keeps_every_acknowledged_record(broker):
    topic = unique_topic("crash")
    with kw.Connection(broker.bootstrap) as c:
        created = kw.parse_create_topics_v0(
            c.request(kw.CREATE_TOPICS, 0, kw.create_topics_body([(topic, 1, 1)])))
    assert created == {topic: kw.NONE}

    acked = {}  # offset -> value
    failed = [0]

    def on_delivery(err, msg):
        if err is None:
            acked[msg.offset()] = msg.value()
        else:
            failed[0] += 1

    producer = confluent_kafka.Producer({
        "bootstrap.servers": broker.bootstrap, "acks": 1, "linger.ms": 2,
        "batch.num.messages": 2000, "queue.buffering.max.messages": 200_000,
        "message.timeout.ms": 60_000, "enable.idempotence": False,
        "max.in.flight.requests.per.connection": 5,
    })
    started = time.monotonic()
    produced = 0
    killed = False
    burst_left = None
    while produced < TOTAL:
        try:
            producer.produce(topic, value=b"%d" % produced, partition=0,
                             on_delivery=on_delivery)
            produced += 1
        except BufferError:
            producer.poll(0.005)
            continue
        if burst_left is not None:
            # After KILL_AFTER_ACKS: a burst with no polling, so that librdkafka's threads
            # have requests on the wire and in the broker's hands when the kill lands.
            burst_left -= 1
            if burst_left == 0:
                broker.kill9()
                killed = True
                break
        elif produced % 1000 == 0:
            producer.poll(0)
            if len(acked) >= KILL_AFTER_ACKS:
                burst_left = 50_000
        assert time.monotonic() - started < 60, "produce too slow: %d acked" % len(acked)
    assert killed, "all %d records produced before the kill" % TOTAL
    acked_before_kill_reported = len(acked)

    # Reports for what the broker answered before it died arrive now; whatever was not
    # acknowledged fails. Nothing is retried against the restarted broker, so the log can
    # only hold what this producer sent before the kill.
    producer.purge(in_queue=True, in_flight=True, blocking=False)
    producer.flush(10)
    assert len(acked) + failed[0] == produced, (len(acked), failed[0], produced)
    assert failed[0] > 0, "nothing was in flight at the kill"
    del producer

    broker.restart()
    assert "was not shut down cleanly" in broker.current_log_text(), "no recovery after kill -9"
    segments = sorted(broker.partition_dir(topic).glob("*.log"))
    assert len(segments) >= 3, "expected the crash to cut across several segments"

    # The acknowledged offsets form a prefix 0..n-1 of the log.
    n_acked = len(acked)
    assert sorted(acked) == list(range(n_acked)), "acknowledged offsets are not 0..n-1"
    end = kw.end_offset(broker.bootstrap, topic)
    assert end >= n_acked, "log end %d is below the %d acknowledged records" % (end, n_acked)
    assert end <= produced

    consumer = confluent_kafka.Consumer({
        "bootstrap.servers": broker.bootstrap, "group.id": "crash-" + topic,
        "enable.auto.commit": False, "check.crcs": True, "enable.partition.eof": True,
        "fetch.max.bytes": 8 << 20, "max.partition.fetch.bytes": 4 << 20,
    })
    values = []
    try:
        consumer.assign([TopicPartition(topic, 0, confluent_kafka.OFFSET_BEGINNING)])
        deadline = time.monotonic() + 40
        eof = False
        while not eof:
            assert time.monotonic() < deadline, "read %d of %d records" % (len(values), end)
            for msg in consumer.consume(num_messages=10000, timeout=0.5):
                err = msg.error()
                if err is not None and err.code() == KafkaError._PARTITION_EOF:
                    eof = msg.offset() >= end
                    continue
                assert err is None, "consumer error at offset %s: %s" % (msg.offset(), err)
                assert msg.offset() == len(values), "offset %d after %d records" % (
                    msg.offset(), len(values))
                values.append(msg.value())
    finally:
        consumer.close()

    assert len(values) == end
    # Every acknowledged record, at the offset it was acknowledged with.
    for offset in range(n_acked):
        assert values[offset] == acked[offset], "offset %d holds %r, acknowledged %r" % (
            offset, values[offset], acked[offset])
    # In order and once each; the unacknowledged tail that survived is a prefix of what was
    # sent after, nothing invented or reordered.
    assert values == [b"%d" % i for i in range(end)]
    print("produced %d; acknowledged %d (%d reported before the kill), %d failed; "
          "log end after recovery %d; %.1f s" % (produced, n_acked, acked_before_kill_reported,
                                                 failed[0], end, time.monotonic() - started))

    # The recovered log takes new appends after its end.
    with kw.Connection(broker.bootstrap) as c:
        batch = kw.record_batch([(None, b"after-restart", [])])
        [(_, _, error, base)] = kw.parse_produce_v8(
            c.request(kw.PRODUCE, 8, kw.produce_body(topic, 0, batch, acks=1)))
    assert (error, base) == (kw.NONE, end)


def test_kill9_after_clean_appends_then_sigterm_restart(broker):
    """Records acknowledged before a kill -9 survive; a later clean stop and start finds the
    same log (recovery leaves a consistent state that the next clean start trusts)."""
    topic = unique_topic("crash2")
    producer = confluent_kafka.Producer({"bootstrap.servers": broker.bootstrap, "acks": 1,
                                         "compression.codec": "zstd"})
    for i in range(5000):
        producer.produce(topic, value=b"%d" % i, partition=0)
    assert producer.flush(30) == 0
    del producer
    broker.kill9()
    broker.restart()
    assert kw.end_offset(broker.bootstrap, topic) == 5000
    broker.restart()  # SIGTERM (asserts exit 0), start again
    assert kw.end_offset(broker.bootstrap, topic) == 5000
    consumer = confluent_kafka.Consumer({"bootstrap.servers": broker.bootstrap,
                                         "group.id": "c2-" + topic, "check.crcs": True,
                                         "enable.auto.commit": False})
    try:
        consumer.assign([TopicPartition(topic, 0, confluent_kafka.OFFSET_BEGINNING)])
        values = []
        deadline = time.monotonic() + 20
        while len(values) < 5000 and time.monotonic() < deadline:
            for m in consumer.consume(1000, 0.2):
                assert m.error() is None, m.error()
                values.append(m.value())
        assert values == [b"%d" % i for i in range(5000)]
    finally:
        consumer.close()


def batches_on_disk(path):
    """(position, base offset, record count, size) of every batch in a .log file."""
    data = path.read_bytes()
    out = []
    pos = 0
    while pos + 61 <= len(data):
        base, length = struct.unpack_from(">qi", data, pos)
        last_delta = struct.unpack_from(">i", data, pos + 23)[0]
        out.append((pos, base, last_delta + 1, 12 + length))
        pos += 12 + length
    assert pos == len(data)
    return out


@pytest.mark.parametrize("damage", ["torn_last_batch", "garbage_tail", "flipped_crc_byte"])
def test_recovery_cuts_a_damaged_tail(broker, damage):
    """After kill -9 the tail of the active segment is damaged as a torn write or a bad
    sector would leave it. Recovery cuts back to the last whole, valid batch; the consumer
    (checking CRCs) reads exactly the batches before it; new appends continue from there."""
    topic = unique_topic("torn")
    producer = confluent_kafka.Producer({"bootstrap.servers": broker.bootstrap, "acks": 1,
                                         "linger.ms": 0, "batch.num.messages": 100})
    for i in range(1000):
        producer.produce(topic, value=b"%d" % i, partition=0)
        if i % 100 == 99:
            assert producer.flush(10) == 0  # one batch per hundred records
    del producer
    broker.kill9()

    log_path = broker.partition_dir(topic) / "00000000000000000000.log"
    batches = batches_on_disk(log_path)
    assert len(batches) >= 5
    last_pos, last_base, _, last_size = batches[-1]
    with open(log_path, "r+b") as f:
        if damage == "torn_last_batch":
            f.truncate(last_pos + last_size - 7)
            want_end = last_base
        elif damage == "garbage_tail":
            f.seek(0, 2)
            f.write(bytes(random.Random(7).randrange(256) for _ in range(300)))
            want_end = 1000
        else:  # a byte inside the last batch's records: its CRC no longer matches
            f.seek(last_pos + last_size - 3)
            byte = f.read(1)
            f.seek(last_pos + last_size - 3)
            f.write(bytes([byte[0] ^ 0x55]))
            want_end = last_base

    broker.restart()
    assert "Recovery of %s-0" % topic in broker.current_log_text()
    assert kw.end_offset(broker.bootstrap, topic) == want_end
    consumer = confluent_kafka.Consumer({"bootstrap.servers": broker.bootstrap,
                                         "group.id": "torn-" + topic, "check.crcs": True,
                                         "enable.auto.commit": False,
                                         "enable.partition.eof": True})
    values = []
    try:
        consumer.assign([TopicPartition(topic, 0, confluent_kafka.OFFSET_BEGINNING)])
        deadline = time.monotonic() + 20
        eof = False
        while not eof:
            assert time.monotonic() < deadline, "read %d records" % len(values)
            for m in consumer.consume(1000, 0.2):
                if m.error() is not None and m.error().code() == KafkaError._PARTITION_EOF:
                    eof = True
                    continue
                assert m.error() is None, m.error()
                values.append(m.value())
    finally:
        consumer.close()
    assert values == [b"%d" % i for i in range(want_end)]

    with kw.Connection(broker.bootstrap) as c:
        batch = kw.record_batch([(None, b"after", [])])
        [(_, _, error, base)] = kw.parse_produce_v8(
            c.request(kw.PRODUCE, 8, kw.produce_body(topic, 0, batch, acks=1)))
    assert (error, base) == (kw.NONE, want_end)


@pytest.mark.parametrize("how", ["sigterm", "kill9"])
def test_topics_survive_restart_and_deleted_topics_stay_deleted(broker, how):
    """A restart finds every topic with all its partitions (empty ones too) and their data,
    and a deleted topic does not come back."""
    kept, gone = unique_topic("kept"), unique_topic("gone")
    with kw.Connection(broker.bootstrap) as c:
        created = kw.parse_create_topics_v0(c.request(
            kw.CREATE_TOPICS, 0, kw.create_topics_body([(kept, 3, 1), (gone, 2, 1)])))
    assert created == {kept: 0, gone: 0}
    producer = confluent_kafka.Producer({"bootstrap.servers": broker.bootstrap, "acks": 1})
    for i in range(300):
        producer.produce(kept, value=b"%d" % i, partition=1)
        producer.produce(gone, value=b"%d" % i, partition=0)
    assert producer.flush(10) == 0
    del producer
    with kw.Connection(broker.bootstrap) as c:
        assert kw.parse_delete_topics_v0(
            c.request(kw.DELETE_TOPICS, 0, kw.delete_topics_body([gone]))) == {gone: 0}

    if how == "kill9":
        broker.kill9()
    broker.restart(clean=True)

    with kw.Connection(broker.bootstrap) as c:
        md = kw.parse_metadata(c.request(kw.METADATA, 1, kw.metadata_body(None, 1)), 1)
    assert gone not in md["topics"], "deleted topic is back after restart"
    error, parts = md["topics"][kept]
    assert error == 0
    assert {p: (e, leader, r, isr) for p, (e, leader, r, isr) in parts.items()} == {
        p: (0, 0, [0], [0]) for p in range(3)}
    assert [kw.end_offset(broker.bootstrap, kept, p) for p in range(3)] == [0, 300, 0]
    assert not any(d.name.startswith(gone + "-") and d.name[len(gone) + 1:].isdigit()
                   for d in broker.log_dir.iterdir())
    # The name can be used again and starts empty.
    with kw.Connection(broker.bootstrap) as c:
        created = kw.parse_create_topics_v0(c.request(
            kw.CREATE_TOPICS, 0, kw.create_topics_body([(gone, 1, 1)])))
    assert created == {gone: 0}
    assert kw.end_offset(broker.bootstrap, gone, 0) == 0

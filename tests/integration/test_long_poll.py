"""Fetch long polling: a Fetch parked on max_wait_ms is answered as soon as a produce lands,
and one that nothing satisfies is answered after max_wait_ms with no records."""

import threading
import time

import confluent_kafka
import pytest

import kafka_wire as kw
from conftest import unique_topic, wait_until


def create_topic(bootstrap, topic, partitions=1):
    with kw.Connection(bootstrap) as c:
        created = kw.parse_create_topics_v0(
            c.request(kw.CREATE_TOPICS, 0, kw.create_topics_body([(topic, partitions, 1)])))
    assert created == {topic: kw.NONE}


class ParkedFetch:
    """A Fetch v11 sent on its own connection; a thread waits for the answer and notes when
    the whole response has arrived."""

    def __init__(self, bootstrap, topic, offset, max_wait_ms, min_bytes=1):
        self.conn = kw.Connection(bootstrap, timeout=max_wait_ms / 1000 + 10)
        self.sent_at = time.perf_counter()
        self.cid = self.conn.send(kw.FETCH, 11,
                                  kw.fetch_body(topic, 0, offset, max_wait_ms, min_bytes))
        self.answered_at = None
        self.response = None
        self.error = None
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._wait, daemon=True)
        self.thread.start()

    def _wait(self):
        try:
            cid, body = self.conn.recv_frame()
            self.answered_at = time.perf_counter()
            assert cid == self.cid
            self.response = kw.parse_fetch_v11(body)
        except BaseException as e:  # reported by result()
            self.error = e
        finally:
            self.done.set()

    def result(self, timeout=15):
        assert self.done.wait(timeout), "no Fetch response"
        self.conn.close()
        if self.error:
            raise self.error
        return self.response


def produce_raw(conn, topic, value):
    """Produce v8 acks=1 of one record; returns (base offset, time the ack arrived)."""
    batch = kw.record_batch([(b"k", value, [("h", b"v")])])
    cid = conn.send(kw.PRODUCE, 8, kw.produce_body(topic, 0, batch, acks=1))
    got, body = conn.recv_frame()
    acked_at = time.perf_counter()
    assert got == cid
    [(_, partition, error, base)] = kw.parse_produce_v8(body)
    assert (partition, error) == (0, kw.NONE)
    return base, acked_at


def test_parked_fetch_wakes_within_100ms_of_the_produce_ack(broker):
    """Raw sockets on both sides, so only the broker's latency is measured."""
    topic = unique_topic("longpoll")
    create_topic(broker.bootstrap, topic)
    delays = []
    with kw.Connection(broker.bootstrap) as producer:
        for round_ in range(5):
            fetch = ParkedFetch(broker.bootstrap, topic, offset=round_, max_wait_ms=5000)
            # Give the fetch time to reach the broker and park; it must not be answered yet.
            assert not fetch.done.wait(0.3), "Fetch answered before anything was produced"
            value = b"round-%d" % round_
            base, acked_at = produce_raw(producer, topic, value)
            assert base == round_
            error, [part] = fetch.result()
            assert error == kw.NONE and part["error"] == kw.NONE
            assert part["high_watermark"] == round_ + 1
            records = kw.parse_record_batches(part["records"])
            assert [(r["offset"], r["key"], r["value"], r["headers"]) for r in records] == \
                [(round_, b"k", value, [("h", b"v")])]
            delay = fetch.answered_at - acked_at
            delays.append(delay)
            # It waited for the produce, not for max_wait_ms.
            assert 0.3 <= fetch.answered_at - fetch.sent_at < 4.0
    print("produce ack -> fetch answer: %s ms" % ["%.2f" % (d * 1000) for d in delays])
    assert max(delays) < 0.1, "fetch answered %s s after the produce ack" % (
        ["%.4f" % d for d in delays])


def test_parked_fetch_with_min_bytes_waits_for_enough(broker):
    """min_bytes larger than one record: the first small produce does not answer it, a
    later one that brings enough bytes does."""
    topic = unique_topic("minbytes")
    create_topic(broker.bootstrap, topic)
    with kw.Connection(broker.bootstrap) as producer:
        fetch = ParkedFetch(broker.bootstrap, topic, offset=0, max_wait_ms=5000,
                            min_bytes=2000)
        assert not fetch.done.wait(0.3)
        produce_raw(producer, topic, b"small")
        assert not fetch.done.wait(0.3), "answered with fewer than min_bytes"
        _, acked_at = produce_raw(producer, topic, b"x" * 3000)
        error, [part] = fetch.result()
        assert fetch.answered_at - acked_at < 0.1
        assert part["high_watermark"] == 2
        values = [r["value"] for r in kw.parse_record_batches(part["records"])]
        assert values == [b"small", b"x" * 3000]


@pytest.mark.parametrize("max_wait_ms", [500])
def test_fetch_with_nothing_to_return_waits_max_wait_ms(broker, max_wait_ms):
    topic = unique_topic("idle")
    create_topic(broker.bootstrap, topic)
    fetch = ParkedFetch(broker.bootstrap, topic, offset=0, max_wait_ms=max_wait_ms)
    error, [part] = fetch.result()
    elapsed = fetch.answered_at - fetch.sent_at
    assert 0.45 <= elapsed <= 1.5, "answered after %.3f s" % elapsed
    assert error == kw.NONE and part["error"] == kw.NONE
    assert part["high_watermark"] == 0
    assert not part["records"], "records in an idle fetch: %r" % part["records"]


def test_fetch_with_max_wait_zero_answers_at_once(broker):
    topic = unique_topic("nowait")
    create_topic(broker.bootstrap, topic)
    fetch = ParkedFetch(broker.bootstrap, topic, offset=0, max_wait_ms=0)
    error, [part] = fetch.result()
    assert fetch.answered_at - fetch.sent_at < 0.1
    assert error == kw.NONE and part["error"] == kw.NONE and not part["records"]


def test_parked_fetches_on_other_partitions_are_not_woken(broker):
    """A produce to partition 0 wakes the fetch on partition 0 only; the one on partition 1
    still waits out its max_wait_ms."""
    topic = unique_topic("twoparts")
    create_topic(broker.bootstrap, topic, partitions=2)
    other = kw.Connection(broker.bootstrap, timeout=10)
    other_sent = time.perf_counter()
    body = kw.fetch_body(topic, 1, 0, 1500)
    other_cid = other.send(kw.FETCH, 11, body)
    fetch = ParkedFetch(broker.bootstrap, topic, offset=0, max_wait_ms=5000)
    assert not fetch.done.wait(0.3)
    with kw.Connection(broker.bootstrap) as producer:
        _, acked_at = produce_raw(producer, topic, b"p0")
    fetch.result()
    assert fetch.answered_at - acked_at < 0.1
    cid, resp = other.recv_frame()
    other_elapsed = time.perf_counter() - other_sent
    other.close()
    assert cid == other_cid
    error, [part] = kw.parse_fetch_v11(resp)
    assert part["partition"] == 1 and not part["records"]
    assert 1.4 <= other_elapsed <= 3.0, "partition 1 fetch answered after %.3f s" % other_elapsed


@pytest.mark.parametrize("wake", ["timeout", "produce"])
def test_client_gone_while_its_fetch_is_parked(broker, wake):
    """Clients that disconnect with a Fetch parked: the broker must forget those requests
    cleanly when their timer fires or a produce wakes them (no crash, no use after free;
    an ASan build of the broker reports one in its stderr, which teardown checks)."""
    topic = unique_topic("gone")
    create_topic(broker.bootstrap, topic)
    wait_ms = 400 if wake == "timeout" else 5000
    sent_at = time.perf_counter()
    for _ in range(20):
        c = kw.Connection(broker.bootstrap)
        c.send(kw.FETCH, 11, kw.fetch_body(topic, 0, 0, max_wait_ms=wait_ms))
        c.close()
    if wake == "produce":
        time.sleep(0.2)  # let the broker read and park them all before the produce
        with kw.Connection(broker.bootstrap) as producer:
            produce_raw(producer, topic, b"to nobody")
    else:
        # Until every timer has fired.
        while time.perf_counter() - sent_at < wait_ms / 1000 + 0.3:
            time.sleep(0.05)
    # Still serving, including a fresh long poll on the same partition.
    fetch = ParkedFetch(broker.bootstrap, topic, offset=1 if wake == "produce" else 0,
                        max_wait_ms=300)
    error, [part] = fetch.result()
    assert error == kw.NONE and part["error"] == kw.NONE
    assert broker.running


def test_topic_deleted_while_a_fetch_is_parked(broker):
    """The parked Fetch is answered (at its timeout at the latest) with
    UNKNOWN_TOPIC_OR_PARTITION once its topic is gone, and the broker stays up."""
    topic = unique_topic("doomed")
    create_topic(broker.bootstrap, topic)
    fetch = ParkedFetch(broker.bootstrap, topic, offset=0, max_wait_ms=1500)
    assert not fetch.done.wait(0.2)
    with kw.Connection(broker.bootstrap) as c:
        assert kw.parse_delete_topics_v0(
            c.request(kw.DELETE_TOPICS, 0, kw.delete_topics_body([topic]))) == {topic: 0}
    error, [part] = fetch.result()
    assert fetch.answered_at - fetch.sent_at < 2.5
    assert part["error"] == kw.UNKNOWN_TOPIC_OR_PARTITION
    assert not part["records"]
    # A new topic of the same name starts empty and serves long polls again.
    create_topic(broker.bootstrap, topic)
    fetch = ParkedFetch(broker.bootstrap, topic, offset=0, max_wait_ms=5000)
    assert not fetch.done.wait(0.2)
    with kw.Connection(broker.bootstrap) as producer:
        base, acked_at = produce_raw(producer, topic, b"reborn")
    assert base == 0
    error, [part] = fetch.result()
    assert fetch.answered_at - acked_at < 0.1
    assert [r["value"] for r in kw.parse_record_batches(part["records"])] == [b"reborn"]


def test_many_parked_fetches_all_wake(broker):
    """Fifty consumers parked on one partition are all answered by one produce."""
    topic = unique_topic("many")
    create_topic(broker.bootstrap, topic)
    fetches = [ParkedFetch(broker.bootstrap, topic, offset=0, max_wait_ms=5000)
               for _ in range(50)]
    assert not any(f.done.wait(0.005) for f in fetches)
    time.sleep(0.2)
    with kw.Connection(broker.bootstrap) as producer:
        _, acked_at = produce_raw(producer, topic, b"all")
    for f in fetches:
        error, [part] = f.result()
        assert [r["value"] for r in kw.parse_record_batches(part["records"])] == [b"all"]
    slowest = max(f.answered_at for f in fetches) - acked_at
    assert slowest < 0.5, "slowest of 50 parked fetches answered after %.3f s" % slowest


def test_responses_keep_request_order_behind_a_parked_fetch(broker):
    """A request pipelined behind a parked Fetch is answered after it, as Kafka answers a
    connection's requests in order."""
    topic = unique_topic("order")
    create_topic(broker.bootstrap, topic)
    with kw.Connection(broker.bootstrap) as c:
        sent_at = time.perf_counter()
        fetch_cid = c.send(kw.FETCH, 11, kw.fetch_body(topic, 0, 0, max_wait_ms=500))
        api_cid = c.send(kw.API_VERSIONS, 0)
        first, _ = c.recv_frame()
        first_at = time.perf_counter()
        second, _ = c.recv_frame()
    assert (first, second) == (fetch_cid, api_cid)
    assert first_at - sent_at >= 0.45


@pytest.mark.broker_config({"connections.max.idle.ms": "1000"})
def test_idle_connections_are_closed_but_long_polls_are_not_idle(broker):
    topic = unique_topic("idle")
    create_topic(broker.bootstrap, topic)
    with kw.Connection(broker.bootstrap) as idle:
        assert kw.parse_api_versions(idle.request(kw.API_VERSIONS, 0))[0] == 0
        started = time.perf_counter()
        closed, data = idle.wait_closed(5)
        assert closed and data == b""
        assert 0.9 <= time.perf_counter() - started <= 3.0
    # A Fetch waiting 2.5 s on a connection idle-limited to 1 s is answered, not cut off.
    fetch = ParkedFetch(broker.bootstrap, topic, offset=0, max_wait_ms=2500)
    error, [part] = fetch.result()
    assert 2.4 <= fetch.answered_at - fetch.sent_at <= 4.0
    assert error == kw.NONE and part["error"] == kw.NONE


def test_first_batch_is_returned_whole_over_max_bytes(broker):
    """KIP-74: a batch larger than max_bytes and partition_max_bytes still comes back whole
    when it is the first one, so a consumer can always make progress; a second partition in
    the same Fetch gets nothing once the budget is spent."""
    topic = unique_topic("kip74")
    create_topic(broker.bootstrap, topic, partitions=2)
    big = b"B" * 50_000
    with kw.Connection(broker.bootstrap) as producer:
        for p in (0, 1):
            batch = kw.record_batch([(None, big, [])])
            [(_, _, error, _)] = kw.parse_produce_v8(
                producer.request(kw.PRODUCE, 8, kw.produce_body(topic, p, batch)))
            assert error == kw.NONE
    part = lambda p: kw.int32(p) + kw.int32(-1) + kw.int64(0) + kw.int64(-1) + kw.int32(1000)
    body = (kw.int32(-1) + kw.int32(0) + kw.int32(1) + kw.int32(1000) + kw.int8(0) +
            kw.int32(0) + kw.int32(-1) +
            kw.array([topic], lambda t: kw.string(t) + kw.array([0, 1], part)) +
            kw.array([]) + kw.string(""))
    with kw.Connection(broker.bootstrap) as c:
        error, parts = kw.parse_fetch_v11(c.request(kw.FETCH, 11, body))
    assert error == kw.NONE
    first, second = parts
    assert [r["value"] for r in kw.parse_record_batches(first["records"])] == [big]
    assert not second["records"] and second["error"] == kw.NONE
    assert second["high_watermark"] == 1


def test_librdkafka_consumer_gets_record_soon_after_ack(broker):
    """confluent-kafka consumer with fetch.wait.max.ms=5000: the record arrives well before
    the long poll would have expired. librdkafka adds its own queueing, so the bound is
    looser than for the raw client."""
    topic = unique_topic("rdlongpoll")
    create_topic(broker.bootstrap, topic)
    consumer = confluent_kafka.Consumer({
        "bootstrap.servers": broker.bootstrap, "group.id": "longpoll-" + topic,
        "enable.auto.commit": False, "fetch.wait.max.ms": 5000, "fetch.min.bytes": 1,
    })
    producer = confluent_kafka.Producer({"bootstrap.servers": broker.bootstrap,
                                         "linger.ms": 0, "acks": 1})
    try:
        consumer.assign([confluent_kafka.TopicPartition(topic, 0, 0)])
        # Let the consumer connect and park its first Fetch.
        assert consumer.poll(1.0) is None
        for i in range(3):
            acked = {}

            def on_delivery(err, msg):
                acked["err"] = err
                acked["at"] = time.perf_counter()

            producer.produce(topic, value=b"rd-%d" % i, partition=0, on_delivery=on_delivery)
            wait_until(lambda: producer.poll(0.001) or "at" in acked, 10, interval=0,
                       what="the delivery report")
            assert acked["err"] is None
            msg = None
            deadline = time.monotonic() + 10
            while msg is None and time.monotonic() < deadline:
                msg = consumer.poll(0.01)
            received_at = time.perf_counter()
            assert msg is not None and msg.error() is None
            assert msg.value() == b"rd-%d" % i and msg.offset() == i
            delay = received_at - acked["at"]
            print("librdkafka: produce ack -> message: %.2f ms" % (delay * 1000))
            assert delay < 1.0, "record arrived %.3f s after its ack" % delay
            # Quiet period so the next round starts from a parked Fetch again.
            assert consumer.poll(0.5) is None
    finally:
        consumer.close()
        producer.flush(5)

"""Tests of ringbus.py: against a real daemon, and against fake bridges that misbehave.

Run by PythonClientTest (bus-examples) with a daemon started on a private directory:

    RINGBUS_UNIX=unix:/DIR/bus.sock RINGBUS_TCP=tcp://127.0.0.1:PORT RINGBUS_RUN=ID \\
        PYTHONPATH=bus-transport/src/main/python python3 -m unittest -v test_ringbus

The daemon tests use topics named after RINGBUS_RUN. ``JavaInteropTest`` checks what the JUnit test
published from Java (topic from-java) and publishes what it then reads from Java (topic from-python).
Without RINGBUS_UNIX only the fake-bridge tests run.
"""

import os
import socket
import struct
import threading
import time
import unittest

import ringbus

UNIX = os.environ.get("RINGBUS_UNIX")
TCP = os.environ.get("RINGBUS_TCP")
RUN = os.environ.get("RINGBUS_RUN", str(os.getpid()))
JAVA_COUNT = 1000
PYTHON_COUNT = 1000
needs_daemon = unittest.skipUnless(UNIX and TCP, "RINGBUS_UNIX and RINGBUS_TCP name no daemon")
# A second daemon, whose TCP listener requires the token in RINGBUS_TOKEN_FILE (bus daemon --auth-token-file).
TCP_AUTH = os.environ.get("RINGBUS_TCP_AUTH")
TOKEN_FILE = os.environ.get("RINGBUS_TOKEN_FILE")
needs_auth_daemon = unittest.skipUnless(TCP_AUTH and TOKEN_FILE, "RINGBUS_TCP_AUTH names no daemon with a token")


def topic(name):
    return "%s-%s" % (name, RUN)


def messages(subscriber, count, timeout=10.0):
    """The next ``count`` events, failing if one takes longer than ``timeout``."""
    got = []
    for _ in range(count):
        event = subscriber.poll(timeout)
        if event is None:
            raise AssertionError("only %d of %d events came: %r" % (len(got), count, got[-3:]))
        got.append(event)
    return got


@needs_daemon
class DaemonTest(unittest.TestCase):
    def test_publish_and_subscribe_keep_order_and_type_ids_on_unix_and_tcp(self):
        for address in (UNIX, TCP):
            with self.subTest(address=address):
                name = topic("order-" + address.split(":")[0])
                with ringbus.Subscriber(address, name) as subscriber:
                    with ringbus.Publisher(address, name) as publisher:
                        for i in range(5000):
                            publisher.offer(b"message %d" % i, type_id=i % 13)
                    got = messages(subscriber, 5000)
                    self.assertEqual([ringbus.Message(i % 13, b"message %d" % i) for i in range(5000)], got)
                    self.assertIsNone(subscriber.poll(0.1))

    def test_close_returns_once_the_bridge_says_every_message_is_in_the_ring(self):
        for address in (UNIX, TCP):
            with self.subTest(address=address):
                name = topic("published-" + address.split(":")[0])
                publisher = ringbus.Publisher(address, name)
                for i in range(3000):
                    publisher.offer(b"m%d" % i)
                publisher.close()
                self.assertEqual(3000, publisher.published)
                with ringbus.Subscriber(address, name, start="earliest") as subscriber:
                    got = messages(subscriber, 3000)
                self.assertEqual([ringbus.Message(0, b"m%d" % i) for i in range(3000)], got)

    def test_a_message_over_the_maximum_is_a_value_error_and_the_maximum_one_travels(self):
        name = topic("max")
        with ringbus.Publisher(UNIX, name, max_message_length=4096, capacity=65536) as publisher:
            self.assertEqual(4096, publisher.max_message_length)
            with self.assertRaises(ValueError):
                publisher.offer(bytes(4097))
            with self.assertRaises(ValueError):
                publisher.offer(b"x", type_id=-1)
            with ringbus.Subscriber(TCP, name) as subscriber:
                publisher.offer(bytes(range(256)) * 16, type_id=2 ** 31 - 1)
                publisher.offer(b"")
                publisher.flush()
                self.assertEqual([(2 ** 31 - 1, bytes(range(256)) * 16), (0, b"")], messages(subscriber, 2))

    def test_long_messages_arrive_whole_across_many_reads(self):
        name = topic("long")
        size = 1024 * 1024
        with ringbus.Subscriber(UNIX, name, capacity=8 * size, max_message_length=size) as subscriber:
            with ringbus.Publisher(TCP, name, capacity=8 * size, max_message_length=size) as publisher:
                for i in range(5):
                    publisher.offer(bytes([i]) * size, type_id=i)
                    publisher.offer(b"small %d" % i)
            got = messages(subscriber, 10)
            for i in range(5):
                self.assertEqual((i, bytes([i]) * size), got[2 * i])
                self.assertEqual((0, b"small %d" % i), got[2 * i + 1])

    def test_the_bridge_rejects_a_topic_it_cannot_create_and_says_why(self):
        with self.assertRaises(ringbus.RejectedError) as caught:
            ringbus.Publisher(UNIX, topic("too-long"), max_message_length=1000000)
        self.assertIn("maxMessageLength 1000000", caught.exception.reason)
        self.assertIn("capacity", caught.exception.reason)
        with self.assertRaises(ringbus.RejectedError):
            ringbus.Subscriber(TCP, topic("too-long"), max_message_length=1000000)

    def test_a_durable_subscriber_resumes_after_the_last_message_it_was_sent(self):
        name = topic("durable")
        durable = "audit-" + RUN
        with ringbus.Publisher(UNIX, name) as publisher:
            with ringbus.Subscriber(TCP, name, durable=durable) as first:
                for i in range(3):
                    publisher.offer(b"before %d" % i)
                publisher.flush()
                self.assertEqual([b"before 0", b"before 1", b"before 2"],
                                 [m.payload for m in messages(first, 3)])
            for i in range(3):  # nobody attached: the durable name holds them
                publisher.offer(b"while away %d" % i)
        with ringbus.Subscriber(UNIX, name, durable=durable) as second:
            self.assertEqual([b"while away 0", b"while away 1", b"while away 2"],
                             [m.payload for m in messages(second, 3)])
            self.assertIsNone(second.poll(0.1))

    def test_explicit_commits_choose_where_a_durable_successor_resumes(self):
        name = topic("commit")
        durable = "worker-" + RUN
        with ringbus.Publisher(TCP, name) as publisher:
            with ringbus.Subscriber(UNIX, name, durable=durable, commit="explicit") as first:
                for i in range(10):
                    publisher.offer(b"job %d" % i)
                publisher.flush()
                messages(first, 4)
                first.commit()  # jobs 0-3 done; 4-9 were sent but not committed
                messages(first, 2)
        with ringbus.Subscriber(TCP, name, durable=durable, commit="explicit") as second:
            self.assertEqual([b"job %d" % i for i in range(4, 10)], [m.payload for m in messages(second, 6)])
        with self.assertRaises(ValueError):
            with ringbus.Subscriber(UNIX, name) as auto:
                auto.commit()

    def test_an_evicted_subscriber_gets_a_loss_event_then_the_messages_after_it(self):
        name = topic("loss")
        subscriber = ringbus.Subscriber(UNIX, name, capacity=65536, policy="evict", evict_after_ms=20)
        with subscriber:
            with ringbus.Publisher(TCP, name, capacity=65536) as publisher:
                for i in range(20000):  # 20 MB into a 64 KiB ring that nobody reads
                    publisher.offer(i.to_bytes(4, "little") + bytes(996))
            events = []
            while True:
                event = subscriber.poll(1.0)
                if event is None:
                    break
                events.append(event)
        losses = [i for i, event in enumerate(events) if isinstance(event, ringbus.Loss)]
        self.assertTrue(losses, "no Loss among %d events" % len(events))
        loss = events[losses[0]]
        self.assertGreater(loss.bytes_missed, 0)
        self.assertEqual(loss.resumed_at - loss.first_missed, loss.bytes_missed)
        numbers = [int.from_bytes(e.payload[:4], "little") for e in events if isinstance(e, ringbus.Message)]
        self.assertEqual(sorted(numbers), numbers, "in order, with a gap")
        self.assertEqual(19999, numbers[-1], "the last message arrives")
        self.assertLess(len(numbers), 20000)

    def test_iteration_ends_at_close_and_raises_when_the_connection_is_gone(self):
        name = topic("iterate")
        with ringbus.Subscriber(TCP, name) as subscriber, ringbus.Publisher(UNIX, name) as publisher:
            for i in range(3):
                publisher.offer(b"%d" % i, type_id=i)
            publisher.flush()
            seen = []
            for type_id, payload in subscriber:
                seen.append((type_id, payload))
                if len(seen) == 3:
                    subscriber.close()
            self.assertEqual([(0, b"0"), (1, b"1"), (2, b"2")], seen)
        self.assertTrue(subscriber.closed)
        with self.assertRaises(ringbus.ConnectionLost):
            publisher.offer(b"after close")


@needs_daemon
class JavaInteropTest(unittest.TestCase):
    """The JUnit test published JAVA_COUNT messages to from-java before this run, and reads from-python after."""

    def test_reads_what_java_published_on_unix_and_tcp(self):
        for address in (UNIX, TCP):
            with self.subTest(address=address):
                with ringbus.Subscriber(address, topic("from-java"), start="earliest") as subscriber:
                    expected = [(i % 7, ("java %d" % i).encode()) for i in range(JAVA_COUNT)]
                    self.assertEqual(expected, messages(subscriber, JAVA_COUNT))

    def test_publishes_for_java(self):
        with ringbus.Publisher(TCP, topic("from-python")) as publisher:
            for i in range(PYTHON_COUNT):
                publisher.offer(("python %d" % i).encode(), type_id=i % 11)
        print("published %d messages for Java" % PYTHON_COUNT)


@needs_auth_daemon
class AuthTest(unittest.TestCase):
    """A daemon given --auth-token-file: the client answers its CHALLENGE with the token, or is refused."""

    def token_file(self, content, mode=0o600):
        import tempfile
        descriptor, path = tempfile.mkstemp(prefix="ringbus-token-")
        os.write(descriptor, content)
        os.close(descriptor)
        os.chmod(path, mode)
        self.addCleanup(os.unlink, path)
        return path

    def test_the_right_token_publishes_and_subscribes(self):
        name = topic("authed")
        with ringbus.Subscriber(TCP_AUTH, name, start="earliest", auth_token_file=TOKEN_FILE) as subscriber:
            with ringbus.Publisher(TCP_AUTH, name, auth_token_file=TOKEN_FILE) as publisher:
                for i in range(3):
                    publisher.offer(b"signed %d" % i, type_id=i)
            self.assertEqual([(i, b"signed %d" % i) for i in range(3)], messages(subscriber, 3))

    def test_no_token_is_refused_saying_what_to_give(self):
        with self.assertRaises(ringbus.RejectedError) as caught:
            ringbus.Publisher(TCP_AUTH, topic("authed"))
        self.assertIn("--auth-token-file", caught.exception.reason)

    def test_a_wrong_token_is_refused(self):
        wrong = self.token_file(b"not-the-daemons-token-at-all\n")
        with self.assertRaises(ringbus.RejectedError) as caught:
            ringbus.Subscriber(TCP_AUTH, topic("authed"), auth_token_file=wrong)
        self.assertIn("authentication failed", caught.exception.reason)

    def test_a_token_file_others_may_read_is_refused_before_connecting(self):
        with open(TOKEN_FILE, "rb") as f:
            readable = self.token_file(f.read(), mode=0o644)
        with self.assertRaises(ValueError) as caught:
            ringbus.Publisher(TCP_AUTH, topic("authed"), auth_token_file=readable)
        self.assertIn("chmod 600", str(caught.exception))


class FakeBridge:
    """A listening Unix socket that answers each connection with fixed bytes, as a hostile bridge might."""

    def __init__(self, directory, answer, keep_open=True):
        self.path = os.path.join(directory, "fake-%d.sock" % id(self))
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(self.path)
        self.server.listen(1)
        self.answer = answer
        self.keep_open = keep_open
        self.received = b""
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def address(self):
        return "unix:" + self.path

    def _serve(self):
        connection, _ = self.server.accept()
        with connection:
            header = connection.recv(8)
            length = struct.unpack("<i", header[:4])[0]
            self.received = connection.recv(length)
            connection.sendall(self.answer)
            if self.keep_open:
                time.sleep(5)

    def close(self):
        self.server.close()
        os.unlink(self.path)


def frame(kind, payload):
    return struct.pack("<ii", len(payload), kind) + payload


WELCOME = frame(-11, b"ok maxMessageLength=1024")


class HostileBridgeTest(unittest.TestCase):
    def setUp(self):
        import tempfile
        self.directory = tempfile.mkdtemp(prefix="ringbus-py-test-")
        self.bridges = []

    def tearDown(self):
        for bridge in self.bridges:
            bridge.close()
        os.rmdir(self.directory)

    def bridge(self, answer, keep_open=True):
        bridge = FakeBridge(self.directory, answer, keep_open)
        self.bridges.append(bridge)
        return bridge

    def test_the_hello_is_the_documented_text(self):
        bridge = self.bridge(WELCOME)
        ringbus.Subscriber(bridge.address, "t", start="earliest", durable="a b", max_message_length=64).close()
        self.assertEqual(b"ringbus/1 sub t durable=a+b maxMessageLength=64 start=earliest", bridge.received)

    def test_a_reject_carries_the_reason(self):
        bridge = self.bridge(frame(-12, b"no such luck; do this instead"), keep_open=False)
        with self.assertRaises(ringbus.RejectedError) as caught:
            ringbus.Publisher(bridge.address, "t")
        self.assertEqual("no such luck; do this instead", caught.exception.reason)

    def test_a_huge_length_is_refused_before_anything_is_read_or_allocated(self):
        for answer in (struct.pack("<ii", 2 ** 31 - 1, -11),  # a welcome of 2 GiB
                       frame(-11, b"ok maxMessageLength=99999999999"),  # a limit no ring has
                       frame(-11, b"ok"),  # no limit at all
                       frame(0, b"a message before the welcome")):
            with self.subTest(answer=answer):
                with self.assertRaises(ringbus.ProtocolError):
                    ringbus.Subscriber(self.bridge(answer).address, "t")

    def test_a_subscriber_refuses_frames_over_the_limit_or_of_unknown_types(self):
        for bad in (struct.pack("<ii", 1025, 0),  # over the welcome's maxMessageLength
                    struct.pack("<ii", -1, 0),
                    struct.pack("<ii", 2 ** 31 - 1, -12),  # a REJECT of 2 GiB
                    frame(-13, bytes(16)),  # a LOSS of the wrong size
                    frame(-16, b""),
                    frame(-11, b"ok maxMessageLength=1024")):
            with self.subTest(frame=bad):
                subscriber = ringbus.Subscriber(self.bridge(WELCOME + frame(3, b"fine") + bad).address, "t")
                self.assertEqual((3, b"fine"), subscriber.poll(5))
                with self.assertRaises(ringbus.ProtocolError):
                    subscriber.poll(5)
                self.assertTrue(subscriber.closed)

    def test_a_frame_cut_short_is_a_lost_connection(self):
        subscriber = ringbus.Subscriber(self.bridge(WELCOME + frame(1, b"whole") + frame(1, b"cut")[:-1],
                                                    keep_open=False).address, "t")
        self.assertEqual((1, b"whole"), subscriber.poll(5))
        with self.assertRaises(ringbus.ConnectionLost):
            subscriber.poll(5)

    def test_a_loss_and_a_reject_after_the_welcome(self):
        loss = frame(-13, struct.pack("<qqq", 64, 192, 128))
        subscriber = ringbus.Subscriber(self.bridge(WELCOME + loss + frame(-12, b"evicted for good")).address, "t")
        self.assertEqual(ringbus.Loss(64, 192, 128), subscriber.poll(5))
        with self.assertRaises(ringbus.RejectedError) as caught:
            subscriber.poll(5)
        self.assertEqual("evicted for good", caught.exception.reason)

    def test_a_publisher_learns_of_a_reject_after_the_welcome_on_its_next_flush(self):
        publisher = ringbus.Publisher(self.bridge(WELCOME + frame(-12, b"the topic refused the message")).address,
                                      "t")
        time.sleep(0.2)
        publisher.offer(b"x")
        with self.assertRaises(ringbus.RejectedError) as caught:
            publisher.flush()
        self.assertEqual("the topic refused the message", caught.exception.reason)
        self.assertTrue(publisher.closed)

    def test_a_bridge_that_offers_end_and_closes_without_published_is_a_lost_connection(self):
        # A bridge killed after it read the messages, before it published them, closes as cleanly as one that
        # finished: without PUBLISHED, close() cannot say the messages are in the ring.
        bridge = self.bridge(frame(-11, b"ok maxMessageLength=1024 end=1"), keep_open=False)
        publisher = ringbus.Publisher(bridge.address, "t")
        publisher.offer(b"x")
        with self.assertRaises(ringbus.ConnectionLost):
            publisher.close()
        self.assertTrue(publisher.closed)
        self.assertIsNone(publisher.published)

    def test_a_bridge_without_end_gets_the_older_close(self):
        publisher = ringbus.Publisher(self.bridge(WELCOME).address, "t", timeout=0.5)
        publisher.offer(b"x")
        publisher.close()  # the end of stream, then a wait for the bridge's (here, cut short): no END is sent
        self.assertIsNone(publisher.published)

    def test_poll_with_no_timeout_left_looks_without_waiting(self):
        subscriber = ringbus.Subscriber(self.bridge(WELCOME + frame(5, b"there")).address, "t")
        deadline = time.monotonic() + 5
        event = None
        while event is None and time.monotonic() < deadline:
            event = subscriber.poll(0)
            time.sleep(0.01)
        self.assertEqual((5, b"there"), event)
        self.assertIsNone(subscriber.poll(0))
        subscriber.close()

    def test_no_bridge_is_a_lost_connection_that_says_what_to_run(self):
        with self.assertRaises(ringbus.ConnectionLost) as caught:
            ringbus.Publisher("unix:" + os.path.join(self.directory, "nobody.sock"), "t")
        self.assertIn("./bus daemon --listen", str(caught.exception))
        with self.assertRaises(ValueError):
            ringbus.Publisher("fifo:/tmp/x", "t")


if __name__ == "__main__":
    unittest.main()

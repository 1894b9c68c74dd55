"""Publish to and subscribe from a ringbus daemon over a Unix socket or TCP; Python 3.8+, standard library only.

The daemon (``./bus daemon --listen unix:/PATH/bus.sock --listen tcp://127.0.0.1:7400``) bridges these
connections to the bus's shared-memory topics, so a Java program on shared memory and this module see
the same messages. The wire format is the one of bus-transport/README.md, "Frames"::

    int32 payload length (LE) | int32 type (LE) | payload

    with ringbus.Publisher("unix:/tmp/rb/bus.sock", "prices") as prices:
        prices.offer(b"101.5", type_id=3)
    with ringbus.Subscriber("tcp://127.0.0.1:7400", "prices", start="earliest") as prices:
        for type_id, payload in prices:
            ...

Errors are typed: ``RejectedError`` (the bridge refused, with its reason), ``ProtocolError`` (the peer
sent something that is not a ringbus frame), ``ConnectionLost`` (the connection ended), all
subclasses of ``RingbusError``; a message over the topic's maximum is a ``ValueError``. Neither class
is thread-safe: use one per thread.
"""

import collections
import hashlib
import hmac
import os
import re
import select
import socket
import struct
import time
import urllib.parse

__all__ = ["Publisher", "Subscriber", "Message", "Loss", "RingbusError", "RejectedError", "ProtocolError",
           "ConnectionLost", "PROTOCOL", "read_token_file"]

PROTOCOL = "ringbus/1"

# Frame types (FrameDescriptor): 0 or more is a message's type id, negative ones are control frames.
HELLO = -10
WELCOME = -11
REJECT = -12
LOSS = -13
BYE = -17
COMMIT = -18
CHALLENGE = -19  # on a listener that requires a token: 32 random bytes, answered by AUTH
AUTH = -20
END = -21  # publisher to a bridge whose WELCOME says end=1: the last frame; answered by PUBLISHED
PUBLISHED = -22  # bridge to publisher: int64, how many messages of the connection are in the ring; then it closes
NONCE_LENGTH = 32
MIN_TOKEN_LENGTH = 16

MAX_CONTROL_LENGTH = 1024  # longest hello, welcome or reject payload
MAX_TYPE_ID = 2 ** 31 - 1
# Ceiling on the maxMessageLength a welcome may announce: a ring takes records of at most a quarter of
# its capacity, and an int32 length field cannot say more than this anyway.
MAX_MESSAGE_LENGTH = 2 ** 31 - 1 - 8

_HEADER = struct.Struct("<ii")
_LOSS = struct.Struct("<qqq")
_COMMIT = struct.Struct("<iiq")
_RECV_SIZE = 256 * 1024
_BYE_PATIENCE = 2.0


class RingbusError(Exception):
    """Base class of the errors this module raises about the bus (not of ValueError for bad arguments)."""


class RejectedError(RingbusError):
    """The bridge refused the hello or ended the connection; ``reason`` is its text, which says what to do."""

    def __init__(self, message, reason):
        super().__init__(message)
        self.reason = reason


class ProtocolError(RingbusError):
    """The peer sent bytes that are not ringbus frames (a bad length, an unknown type): is it a ringbus bridge?"""


class ConnectionLost(RingbusError):
    """The connection ended (the daemon stopped or closed it; its log says why), or could not be made."""


Message = collections.namedtuple("Message", "type_id payload")
Message.__doc__ = "A message: its type id (int, 0 or more) and its payload (bytes); unpacks as (type_id, payload)."

Loss = collections.namedtuple("Loss", "first_missed resumed_at bytes_missed")
Loss.__doc__ = ("Messages this subscriber missed (it was evicted for being slow): ring positions of the first "
                "missed byte and where it resumed, and how many bytes it missed.")


def _connect(address, timeout):
    """A connected socket for ``unix:/PATH`` or ``tcp://HOST:PORT``."""
    if not isinstance(address, str):
        raise TypeError("address must be a str such as 'unix:/tmp/rb/bus.sock' or 'tcp://127.0.0.1:7400'")
    if address.startswith("unix:"):
        family, target = socket.AF_UNIX, address[len("unix:"):]
        if not target:
            raise ValueError("address %r names no socket file: write unix:/PATH/bus.sock" % address)
    elif address.startswith("tcp://"):
        parsed = urllib.parse.urlsplit(address)
        try:
            port = parsed.port
        except ValueError:
            port = None
        if not parsed.hostname or port is None or parsed.path not in ("", "/"):
            raise ValueError("address %r is not tcp://HOST:PORT" % address)
        family, target = socket.AF_INET6 if ":" in parsed.hostname else socket.AF_INET, (parsed.hostname, port)
    else:
        raise ValueError("address %r: ringbus.py speaks unix:/PATH and tcp://HOST:PORT (the other paths of "
                         "bus-transport need the Java client)" % address)
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect(target)
        if family != socket.AF_UNIX:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except OSError as e:
        sock.close()
        raise ConnectionLost("cannot connect to %s (%s); is `./bus daemon --listen %s` running?"
                             % (address, e.strerror or e, address)) from e
    return sock


def _hello_text(role, topic, options):
    if not isinstance(topic, str) or not topic or " " in topic:
        raise ValueError("topic must be a non-empty name without spaces, not %r" % (topic,))
    words = [PROTOCOL, role, topic]
    for key in sorted(options):
        value = options[key]
        if value is None:
            continue
        # Pythonic spellings become the hello's: max_message_length=... -> maxMessageLength=...
        name = re.sub(r"_([a-z])", lambda m: m.group(1).upper(), key)
        if isinstance(value, bool):
            value = "true" if value else "false"
        words.append("%s=%s" % (name, urllib.parse.quote_plus(str(value))))
    text = " ".join(words).encode("utf-8")
    if len(text) > MAX_CONTROL_LENGTH:
        raise ValueError("the hello is %d bytes, over the protocol's %d: shorten the topic or the options"
                         % (len(text), MAX_CONTROL_LENGTH))
    return text


def _recv_exactly(sock, count, where):
    """``count`` bytes (already checked against a limit), or ConnectionLost if the stream ends first."""
    chunks = []
    while count > 0:
        try:
            chunk = sock.recv(min(count, _RECV_SIZE))
        except socket.timeout:
            raise ConnectionLost("%s did not answer in time" % where) from None
        except OSError as e:
            raise ConnectionLost("%s: %s" % (where, e.strerror or e)) from e
        if not chunk:
            raise ConnectionLost("%s closed the connection (the daemon's log says why)" % where)
        chunks.append(chunk)
        count -= len(chunk)
    return b"".join(chunks)


def _read_control(sock, where, challenge_allowed=False):
    """One frame that must be WELCOME or REJECT (or, first, a CHALLENGE), read without a byte past it."""
    length, kind = _HEADER.unpack(_recv_exactly(sock, _HEADER.size, where))
    if kind == CHALLENGE and challenge_allowed and length == NONCE_LENGTH:
        return kind, _recv_exactly(sock, length, where)
    if kind not in (WELCOME, REJECT) or not 0 <= length <= MAX_CONTROL_LENGTH:
        raise ProtocolError("%s answered with a frame of type %d and %d bytes, not WELCOME or REJECT; "
                            "is it a ringbus bridge?" % (where, kind, length))
    return kind, _recv_exactly(sock, length, where).decode("utf-8", "replace")


def read_token_file(path):
    """The token in ``path`` (as ``bus daemon --auth-token-file`` reads it): its bytes less one line end.

    Refuses, with a ValueError saying what to do, a file that others than its owner may read or write, or one
    that holds fewer than 16 bytes.
    """
    mode = os.stat(path).st_mode
    if mode & 0o077:
        raise ValueError("token file %s has mode %o: others could read it; chmod 600 %s" % (path, mode & 0o777, path))
    with open(path, "rb") as f:
        token = f.read()
    if token.endswith(b"\n"):
        token = token[:-2] if token.endswith(b"\r\n") else token[:-1]
    if len(token) < MIN_TOKEN_LENGTH:
        raise ValueError("token file %s holds %d bytes; a token needs at least %d: "
                         "(umask 077; head -c 32 /dev/urandom | base64 > %s)" % (path, len(token), MIN_TOKEN_LENGTH,
                                                                                path))
    return token


def _open(address, role, topic, options, timeout, auth_token_file=None):
    """Connects and says hello (answering a CHALLENGE); returns (socket, maxMessageLength, the welcome's settings)
    or raises RejectedError."""
    hello = _hello_text(role, topic, options)
    token = read_token_file(auth_token_file) if auth_token_file is not None else None
    where = "the bridge at %s" % address
    sock = _connect(address, timeout)
    try:
        try:
            sock.sendall(_HEADER.pack(len(hello), HELLO) + hello)
        except OSError:
            pass  # a bridge that refuses a peer may close before reading: its REJECT may be waiting all the same
        kind, text = _read_control(sock, where, challenge_allowed=True)
        if kind == CHALLENGE:
            # HMAC-SHA256(token, nonce || hello); without a token an empty AUTH, which the bridge refuses saying why.
            answer = hmac.new(token, text + hello, hashlib.sha256).digest() if token is not None else b""
            sock.sendall(_HEADER.pack(len(answer), AUTH) + answer)
            kind, text = _read_control(sock, where)
        if kind == REJECT:
            raise RejectedError("%s refused %s on topic %r: %s" % (where, role, topic, text), text)
        words = text.split()
        settings = dict(word.split("=", 1) for word in words[1:] if "=" in word)
        try:
            max_length = int(settings["maxMessageLength"])
        except (KeyError, ValueError):
            max_length = -1
        if not words or words[0] != "ok" or not 0 <= max_length <= MAX_MESSAGE_LENGTH:
            raise ProtocolError("%s sent a welcome without a valid maxMessageLength: %r" % (where, text))
        sock.settimeout(None)
        return sock, max_length, settings
    except BaseException:
        sock.close()
        raise


class _Endpoint:
    def __init__(self, address, topic):
        self.address = address
        self.topic = topic
        self._sock = None
        self._where = "the bridge at %s" % address

    @property
    def closed(self):
        """Whether close() was called or the connection was lost."""
        return self._sock is None

    def _require_open(self):
        if self._sock is None:
            raise ConnectionLost("this %s of topic %r on %s is closed"
                                 % (type(self).__name__, self.topic, self.address))
        return self._sock

    def _drop(self):
        sock, self._sock = self._sock, None
        if sock is not None:
            sock.close()

    def _lost(self, what):
        self._drop()
        return ConnectionLost("%s %s; topic %r (the daemon's log says why)" % (self._where, what, self.topic))

    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback):
        if kind is None:
            self.close()
        else:
            self._drop()  # do not hide the exception behind a flush to a broken connection

    def __del__(self):
        if getattr(self, "_sock", None) is not None:
            self._sock.close()


class Publisher(_Endpoint):
    """Publishes messages to a topic through a bridge.

    ``Publisher("unix:/tmp/rb/bus.sock", "prices")`` connects and says hello; keyword options are the
    hello's topic requirements, in Python or Java spelling (``capacity``, ``max_message_length``,
    ``producer_mode``, ``max_publishers``, ``max_subscribers``, ``wakeup``): the first client of a topic
    creates it with them, later ones get a RejectedError if the topic differs.

    ``offer`` only appends a frame to a buffer: frames go to the bridge, many per system call, when the
    buffer holds ``buffer_size`` bytes, on ``flush()`` and on ``close()``. A write blocks while the bus
    back-pressures (a full ring stops the bridge reading this socket). A ``with`` block that ends with an
    exception closes the socket without sending what is still queued.
    """

    def __init__(self, address, topic, *, timeout=10.0, buffer_size=64 * 1024, auth_token_file=None,
                 **hello_options):
        super().__init__(address, topic)
        if buffer_size < 1:
            raise ValueError("buffer_size must be at least 1, not %r" % (buffer_size,))
        self._buffer = bytearray()
        self._buffer_size = buffer_size
        self._timeout = timeout
        self._sock, self.max_message_length, settings = _open(address, "pub", topic, hello_options, timeout,
                                                              auth_token_file)
        self._answers_end = settings.get("end") == "1"
        self._sent = 0
        self.published = None

    def offer(self, payload, type_id=0):
        """Queues one message (bytes-like, at most ``max_message_length`` bytes) with its type id (0 or more)."""
        if self._sock is None:
            self._require_open()
        length = len(payload)
        if length > self.max_message_length:
            raise ValueError("a message of %d bytes is over topic %r's maxMessageLength %d: split it, or create "
                             "the topic with a larger max_message_length" % (length, self.topic,
                                                                               self.max_message_length))
        if not 0 <= type_id <= MAX_TYPE_ID:
            raise ValueError("type_id must be from 0 to %d, not %r" % (MAX_TYPE_ID, type_id))
        buffer = self._buffer
        buffer += _HEADER.pack(length, type_id)
        buffer += payload
        self._sent += 1
        if len(buffer) >= self._buffer_size:
            self.flush()

    def flush(self):
        """Sends every queued frame; raises RejectedError if the bridge refused one, ConnectionLost if it is gone."""
        sock = self._require_open()
        self._check_incoming(sock)
        if self._buffer:
            try:
                sock.sendall(self._buffer)
            except OSError as e:
                self._buffer.clear()
                self._check_incoming(sock, wait=1.0)  # a REJECT explains a closed connection better than EPIPE
                raise self._lost("closed the connection (%s)" % (e.strerror or e)) from e
            self._buffer.clear()

    def _check_incoming(self, sock, wait=0.0):
        """A bridge says nothing to a publisher but a REJECT before it closes: look for one without blocking."""
        readable, _, _ = select.select([sock], [], [], wait)
        if not readable:
            return
        try:
            sock.settimeout(max(wait, 1.0))
            kind, text = _read_control(sock, self._where)
        except ConnectionLost:
            raise self._lost("closed the connection") from None
        except ProtocolError:
            self._drop()
            raise
        if kind == REJECT:
            self._drop()
            raise RejectedError("%s refused a message on topic %r: %s" % (self._where, self.topic, text), text)
        self._drop()
        raise ProtocolError("%s sent a WELCOME in the middle of a publisher's connection" % self._where)

    def close(self):
        """Sends what is queued, ends the stream and waits (up to ``timeout``) for the bridge to say that every
        message is in the ring (its PUBLISHED answer to END; ``published`` is then how many). Raises
        ConnectionLost if the bridge closed or died before it said so (some or all messages may be missing),
        RejectedError if it refused one; idempotent. A bridge that predates END (its WELCOME lacks end=1) gets
        the older close: the end of stream, then a wait until the bridge closed its side, which a bridge killed
        after reading the messages, before publishing them, does as well (``published`` stays None)."""
        if self._sock is None:
            return
        sock = self._sock
        if self._answers_end:
            self._buffer += _HEADER.pack(0, END)
        self.flush()
        if self._answers_end:
            self._await_published(sock)
            return
        try:
            sock.shutdown(socket.SHUT_WR)
            sock.settimeout(self._timeout)
            kind, text = _read_control(sock, self._where)
        except (ConnectionLost, OSError):
            self._drop()  # the end of stream: the bridge has published everything and closed
            return
        except ProtocolError:
            self._drop()
            raise
        self._drop()
        if kind == REJECT:
            raise RejectedError("%s refused a message on topic %r: %s" % (self._where, self.topic, text), text)
        raise ProtocolError("%s sent a WELCOME in the middle of a publisher's connection" % self._where)


    def _await_published(self, sock):
        try:
            sock.settimeout(self._timeout)
            length, kind = _HEADER.unpack(_recv_exactly(sock, _HEADER.size, self._where))
            if kind == PUBLISHED and length == 8:
                (count,) = struct.unpack("<q", _recv_exactly(sock, 8, self._where))
            elif kind == REJECT and 0 <= length <= MAX_CONTROL_LENGTH:
                text = _recv_exactly(sock, length, self._where).decode("utf-8", "replace")
                self._drop()
                raise RejectedError("%s refused a message on topic %r: %s" % (self._where, self.topic, text), text)
            else:
                self._drop()
                raise ProtocolError("%s answered END with a frame of type %d and %d bytes, not PUBLISHED"
                                    % (self._where, kind, length))
        except (ConnectionLost, OSError) as e:
            raise self._lost("did not confirm the %d messages of this connection (%s): some or all may not be in "
                             "the ring; publish them again" % (self._sent, e)) from None
        self._drop()
        self.published = count


class Subscriber(_Endpoint):
    """Receives a topic's messages through a bridge, in order, as ``Message(type_id, payload)``.

    ``start`` is ``"latest"`` (messages published from now on) or ``"earliest"`` (the oldest still in the
    ring). ``durable="NAME"`` keeps the position under that name: the next subscriber with the name
    resumes after the last message this one was sent before close(). ``commit="explicit"`` makes the
    position follow ``commit()`` instead. Other keyword options go into the hello as the Publisher's do,
    and ``policy`` (``"backpressure"``, ``"evict"``) with ``evict_after_ms``: an evicted subscriber gets a
    ``Loss`` event, then the messages from where it resumed.

    ``poll(timeout)`` returns the next event or None; iterating yields events until close() (and raises
    ConnectionLost if the daemon goes away).
    """

    def __init__(self, address, topic, start="latest", durable=None, *, commit="auto", timeout=10.0,
                 auth_token_file=None, **hello_options):
        super().__init__(address, topic)
        if start not in ("latest", "earliest"):
            raise ValueError("start must be 'latest' or 'earliest', not %r" % (start,))
        if commit not in ("auto", "explicit"):
            raise ValueError("commit must be 'auto' or 'explicit', not %r" % (commit,))
        options = dict(hello_options, start=start, durable=durable, commit=None if commit == "auto" else commit)
        self._explicit = commit == "explicit"
        # The start of a frame whose bytes are still coming, in chunks (joined once, when it is whole: no
        # quadratic copying of a long message), its size so far, and its whole size once its header is in.
        self._pending, self._have, self._need = [], 0, 0
        self._events = collections.deque()  # whole frames of the last read, parsed, not yet returned
        self._error = None  # what the bad frame after those events was: raised once they are returned
        self._delivered = 0  # messages returned to the application on this connection (what COMMIT counts)
        self._committed = 0
        self._sock, self.max_message_length, _ = _open(address, "sub", topic, options, timeout, auth_token_file)

    def poll(self, timeout=None):
        """The next ``Message`` or ``Loss``; None if nothing came within ``timeout`` seconds (None: wait)."""
        events = self._events
        if not events:
            if not self._receive(timeout):
                return None
        event = events.popleft()
        if event.__class__ is Message:
            self._delivered += 1
        return event

    def __iter__(self):
        while True:
            try:
                event = self.poll()
            except ConnectionLost:
                if self._closed_by_user:
                    return
                raise
            if event is not None:
                yield event

    _closed_by_user = False

    def _receive(self, timeout):
        """Reads until at least one event is parsed; False if ``timeout`` passed first."""
        if self._error is not None:
            error, self._error = self._error, None
            self._drop()
            raise error
        sock = self._require_open()
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            if deadline is not None:
                left = max(0.0, deadline - time.monotonic())  # 0: look without waiting
                if not select.select([sock], [], [], left)[0]:
                    return False
            try:
                data = sock.recv(_RECV_SIZE)
            except OSError as e:
                raise self._lost("broke the connection (%s)" % (e.strerror or e)) from e
            if not data:
                raise self._lost("closed the connection")
            pending = self._pending
            if pending:
                pending.append(data)
                self._have += len(data)
                if self._have < self._need:
                    continue
                data = b"".join(pending)
            self._parse(data)
            if self._events:
                return True
            if self._error is not None:
                return self._receive(0)

    def _parse(self, buffer):
        """Turns the whole frames in ``buffer`` into events, checking each header before its payload; keeps
        the incomplete tail, so memory stays one frame and one read whatever a header claims."""
        unpack, append, max_length = _HEADER.unpack_from, self._events.append, self.max_message_length
        offset, size = 0, len(buffer)
        while size - offset >= 8:
            length, kind = unpack(buffer, offset)
            start = offset + 8
            end = start + length
            if kind >= 0:
                if not 0 <= length <= max_length:
                    self._error = self._malformed("a message of %d bytes, over the topic's maxMessageLength %d"
                                                  % (length, max_length))
                    break
                if end > size:
                    break  # its bytes are still coming
                append(Message(kind, buffer[start:end]))
            elif kind == LOSS:
                if length != _LOSS.size:
                    self._error = self._malformed("a LOSS frame of %d bytes, not %d" % (length, _LOSS.size))
                    break
                if end > size:
                    break
                append(Loss(*_LOSS.unpack_from(buffer, start)))
            elif kind == REJECT:
                if not 0 <= length <= MAX_CONTROL_LENGTH:
                    self._error = self._malformed("a REJECT frame of %d bytes" % length)
                    break
                if end > size:
                    break
                text = buffer[start:end].decode("utf-8", "replace")
                self._error = RejectedError("%s ended the subscription to topic %r: %s"
                                            % (self._where, self.topic, text), text)
                break
            else:
                self._error = self._malformed("a frame of unknown type %d" % kind)
                break
            offset = end
        else:
            end = 0  # no whole header: the next read completes it
        rest = buffer[offset:] if self._error is None else b""
        self._pending = [rest] if rest else []
        self._have = len(rest)
        self._need = end - offset if end > size else 0

    def _malformed(self, what):
        return ProtocolError("%s sent %s; the connection is closed (is it a ringbus bridge?)" % (self._where, what))

    def commit(self):
        """With commit="explicit": tells the bridge that every message returned so far is consumed, so a
        durable successor resumes after it and publishers may overwrite it."""
        if not self._explicit:
            raise ValueError("commit() needs Subscriber(..., commit='explicit')")
        sock = self._require_open()
        if self._delivered == self._committed:
            return
        try:
            sock.sendall(_COMMIT.pack(8, COMMIT, self._delivered))
        except OSError as e:
            raise self._lost("broke the connection (%s)" % (e.strerror or e)) from e
        self._committed = self._delivered

    def close(self):
        """Says BYE and reads on (up to 2 s) until the bridge closes, so that a durable name is free and keeps
        its position when this returns; messages received but not yet polled are dropped. Idempotent."""
        sock, self._closed_by_user = self._sock, True
        if sock is None:
            return
        try:
            sock.sendall(_HEADER.pack(0, BYE))
            deadline = time.monotonic() + _BYE_PATIENCE
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([sock], [], [], left)[0] or not sock.recv(_RECV_SIZE):
                    break
        except OSError:
            pass  # the bridge is gone already: nothing to wait for
        self._drop()
        self._pending, self._events, self._error = [], collections.deque(), None

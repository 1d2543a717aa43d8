"""A TCP proxy between the bot and PostgreSQL that the test can cut and restore.

The PostgreSQL server is shared with other work on the machine, so the outage test never stops
it. Cutting the proxy does what stopping the server does to the bot: every open connection drops
at once and new ones are refused. (A real shutdown first sends "terminating connection due to
administrator command"; here the sockets are simply reset, which is the harsher of the two.)

It can also make a commit's outcome unknown on purpose (`drop_after_commit`): it reads the
client's side of the PostgreSQL protocol, passes the COMMIT of a chosen transaction on to the
server, waits until the server has answered it (so the transaction is committed), and then
resets the connection instead of relaying that answer. The bot sees its connection lost during
COMMIT while its data is safely stored: the case of issue 20 (docs/reliability.md).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.engine import make_url

# Startup packets that ask for encryption; the server answers each with one byte.
_ENCRYPTION_REQUESTS = {80877103, 80877104}  # SSLRequest, GSSENCRequest


@dataclass
class CommitTrap:
    """Which commits to drop: every `every`-th of a transaction that ran `marker`."""

    marker: bytes
    every: int = 1
    then: Callable[[], object] | None = None  # called after each drop (say, to cut the proxy)
    seen: int = 0
    dropped: int = 0


@dataclass
class _Session:
    """What the proxy knows of one client connection."""

    statements: dict[bytes, bytes] = field(default_factory=dict)  # prepared name -> SQL
    marked: bool = False  # the open transaction ran the trap's marker
    startup: bool = True  # untyped startup packets come first
    negotiating: bool = False  # an encryption request awaits the server's one-byte answer
    opaque: bool = False  # encrypted: nothing can be read, everything is passed on
    dropping: bool = False  # a trapped COMMIT went to the server; its answer is swallowed


class CuttableProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self.trap: CommitTrap | None = None
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._accept, "127.0.0.1", self.port, reuse_address=True
        )
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def cut(self) -> None:
        """Refuse new connections and reset every open one."""
        self.refuse()

    def refuse(self) -> None:
        """`cut`, at once: from a trap's `then`, before the bot hears of the reset."""
        assert self._server is not None
        self._server.close()
        for writer in list(self._open):
            writer.transport.abort()
        self._open.clear()
        self._server = None

    async def restore(self) -> None:
        await self.start()  # the same port, so the bot's URL still works

    async def close(self) -> None:
        if self._server is not None:
            await self.cut()

    def drop_after_commit(
        self, marker: bytes, *, every: int = 1, then: Callable[[], object] | None = None
    ) -> CommitTrap:
        """From now on, make the commit of every `every`-th transaction running `marker`
        (a piece of SQL, such as b"INSERT INTO answers") end with its connection reset."""
        self.trap = CommitTrap(marker, every, then)
        return self.trap

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # Tracked from the start and closed in `finally`: a connection accepted while a cut
        # happens, or still open when the test ends, must not outlive the proxy unclosed (the
        # fault suite runs with warnings as errors, and an unclosed socket failed a run).
        self._open.add(writer)
        up_writer: asyncio.StreamWriter | None = None
        try:
            try:
                up_reader, up_writer = await asyncio.open_connection(*self.target)
            except OSError:
                return
            if writer not in self._open:  # cut while this connection was being made
                return
            self._open.add(up_writer)
            session = _Session()
            await asyncio.gather(
                self._from_client(reader, up_writer, session),
                self._from_server(up_reader, writer, up_writer, session),
                return_exceptions=True,
            )
        finally:
            for end in (writer, up_writer):
                if end is not None:
                    self._open.discard(end)
                    end.transport.abort()

    async def _from_client(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, session: _Session
    ) -> None:
        buffer = bytearray()
        with contextlib.suppress(ConnectionError, OSError):
            while data := await reader.read(65536):
                buffer += data
                passed, stop = self._read_client(buffer, session)
                writer.write(passed)
                await writer.drain()
                if stop:  # a trapped COMMIT is on its way; the server's side ends this
                    return
        writer.transport.abort()

    def _read_client(self, buffer: bytearray, session: _Session) -> tuple[bytes, bool]:
        """The whole messages in `buffer` to pass on, and whether a trapped COMMIT is one."""
        passed = bytearray()
        while not session.opaque:
            if session.startup:  # int32 length, then the packet (no type byte)
                size = int.from_bytes(buffer[:4]) if len(buffer) >= 8 else 0
                if not size or len(buffer) < size:
                    break
                code = int.from_bytes(buffer[4:8])
                session.negotiating = code in _ENCRYPTION_REQUESTS
                session.startup = session.negotiating  # the real startup packet follows
            else:  # a type byte, int32 length, body
                size = 1 + int.from_bytes(buffer[1:5]) if len(buffer) >= 5 else 0
                if not size or len(buffer) < size:
                    break
                if self._trapped(bytes(buffer[:size]), session):
                    passed += buffer[:size]
                    del buffer[:size]
                    return bytes(passed), True
            passed += buffer[:size]
            del buffer[:size]
        if session.opaque:
            passed += buffer
            buffer.clear()
        return bytes(passed), False

    def _trapped(self, message: bytes, session: _Session) -> bool:
        """Note what this message runs; True for the COMMIT of a transaction to drop."""
        kind, body = message[:1], message[5:]
        if kind == b"P":  # Parse: name, query
            name, _, rest = body.partition(b"\0")
            sql = rest.partition(b"\0")[0]
            session.statements[name] = sql
        elif kind == b"B":  # Bind: portal, statement
            sql = session.statements.get(body.split(b"\0", 2)[1], b"")
        elif kind == b"Q":  # a simple query: BEGIN, COMMIT, ROLLBACK come this way
            sql = body.rstrip(b"\0")
        else:
            return False
        trap = self.trap
        word = sql.lstrip()[:8].upper()
        if word.startswith((b"BEGIN", b"ROLLBACK")):
            session.marked = False
        elif trap is not None and trap.marker in sql:
            session.marked = True
        elif word.startswith(b"COMMIT") and session.marked and trap is not None:
            session.marked = False
            trap.seen += 1
            if trap.seen % trap.every == 0:
                trap.dropped += 1
                session.dropping = True
                return True
        return False

    async def _from_server(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        upstream: asyncio.StreamWriter,
        session: _Session,
    ) -> None:
        swallowed = bytearray()
        with contextlib.suppress(ConnectionError, OSError):
            while data := await reader.read(65536):
                if session.negotiating:  # b"N": go on in plain text; b"S"/b"G": encrypted
                    session.negotiating = False
                    session.opaque = data[:1] != b"N"
                if session.dropping:
                    swallowed += data
                    if _ready_for_query(swallowed):  # the server has committed: reset
                        upstream.transport.abort()
                        writer.transport.abort()
                        if self.trap is not None and self.trap.then is not None:
                            self.trap.then()
                        return
                    continue
                writer.write(data)
                await writer.drain()
        writer.transport.abort()


def _ready_for_query(data: bytes | bytearray) -> bool:
    """Whether the server's messages in `data` include ReadyForQuery (its turn is over)."""
    at = 0
    while at + 5 <= len(data):
        if data[at : at + 1] == b"Z":
            return True
        at += 1 + int.from_bytes(data[at + 1 : at + 5])
    return False


def through(proxy: CuttableProxy, url: str) -> str:
    """The database URL with the proxy's address in place of the server's."""
    return make_url(url).set(host="127.0.0.1", port=proxy.port).render_as_string(False)

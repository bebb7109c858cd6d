"""The HTTP connection as uvicorn runs it, with the small writes of a page sent at once.

uvicorn's worker processes (``serve --workers N``, N > 1) accept connections
without ``TCP_NODELAY``: a response goes out as two writes (its head, then its
body), Nagle's algorithm holds the second until the first is acknowledged, and
the browser acknowledges late (delayed ACK), so every request on a kept-alive
connection waited 40 ms for nothing (48 ms a page instead of 3). The one-process
server had it set already; this protocol sets it on every connection.
"""

from __future__ import annotations

import asyncio
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol

PROTOCOL = "saidwhat.server.tcp:NoDelayH11Protocol"
"""The protocol's import path: uvicorn's ``http`` option, for every worker process."""


class NoDelayH11Protocol(H11Protocol):
    """uvicorn's h11 protocol on a connection that sends each write at once."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)

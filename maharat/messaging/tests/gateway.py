"""A scripted HTTP gateway on 127.0.0.1 that plays Kannel, RapidPro or an SMS aggregator in tests."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Seen:
    """One request the gateway received."""

    method: str
    path: str
    query: dict[str, str]
    body: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.body)


@dataclass
class Gateway:
    """A scripted HTTP gateway: answers come from ``script`` in order, then ``default``; requests are kept."""

    port: int = 0
    requests: list[Seen] = field(default_factory=list)
    script: deque[tuple[int, str, float]] = field(default_factory=deque)
    default: tuple[int, str, float] = (202, "0: Accepted for delivery", 0.0)

    def url(self, path: str = "/") -> str:
        """An address on the gateway."""
        return f"http://127.0.0.1:{self.port}{path}"

    def answer(self, *answers: tuple[int, str] | tuple[int, str, float]) -> None:
        """Queue answers (status, body[, seconds to wait first]) for the next requests."""
        for item in answers:
            self.script.append((item[0], item[1], item[2] if len(item) > 2 else 0.0))  # type: ignore[misc]


def _handler(gateway: Gateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
            gateway.requests.append(Seen(self.command, parts.path, query, body, dict(self.headers)))
            status, text, delay = gateway.script.popleft() if gateway.script else gateway.default
            if delay:
                time.sleep(delay)
            payload = text.encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json" if text.startswith("{") else "text/plain")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a time-out test)

        do_GET = do_POST = _serve

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


def start_gateway() -> tuple[Gateway, ThreadingHTTPServer]:
    """A gateway listening on a free port of 127.0.0.1, serving from a daemon thread."""
    state = Gateway()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return state, server

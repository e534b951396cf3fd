"""Messaging benchmark: outbound throughput through the outbox and a real worker, inbound rate and reply latency.

    python benchmarks/messaging.py                 # 100,000 outbound messages, 20,000 inbound requests
    python benchmarks/messaging.py --quick         # 5,000 and 2,000, for a quick look

Needs PostgreSQL and Redis (``--database-url``: a server's maintenance database; ``--redis-url``: a Redis
database the run may flush). It creates ``maharat_bench_msg_<pid>`` (dropped at the end, even on failure),
starts a loopback gateway (a threaded HTTP server in this process that counts every message id it is
asked to send), a real Celery worker (prefork) and, for the inbound part, a real HTTP server (gunicorn).

1. **Outbound**: N messages are written to the outbox as queued rows in bulk (the shape a broadcast's fan-out
   leaves), then one kick starts the worker; timed from the kick until the last message is recorded as sent.
   Afterwards every message id must have reached the gateway exactly once (no loss, no duplicate request)
   and every row must be "sent". The rate of writing messages one by one through the service
   (``message_send_to_phone``) is measured separately on a sample.
2. **Inbound**: C concurrent clients (separate processes, keep-alive connections) post M "HELP" messages
   from distinct numbers to the channel's inbound endpoint; each request stores the message (pending) and
   kicks routing, and the worker routes pending messages in batches and queues the replies. Reported:
   requests/s and the request latency p50/p95 (client side), how fast the worker routed them, the p50/p95
   from the stored inbound row to its reply row (server clock; the reply is queued when its batch
   commits, a few milliseconds later) and to the reply's acceptance by the gateway, and once the worker
   has sent them, that each reply reached the gateway once.

The anchor, measured in the same run: a ``SELECT 1`` round trip and a keep-alive HTTP request to the
loopback gateway. Importing this module does nothing; only running it does.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
OUTBOUND_TARGET = 500.0  # messages/s
INBOUND_TARGET = 500.0  # requests/s
LATENCY_TARGET_MS = 200.0  # p95 from inbound message (stored) to its reply (queued), server clock


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=100_000, help="outbound messages (default 100000)")
    parser.add_argument("--inbound", type=int, default=20_000, help="inbound requests (default 20000)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent inbound clients (processes)")
    parser.add_argument("--worker-concurrency", type=int, default=2, help="Celery worker processes")
    parser.add_argument("--server-workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--server-threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--sample", type=int, default=1000, help="messages written one by one (service rate)")
    parser.add_argument("--quick", action="store_true", help="5,000 outbound and 2,000 inbound")
    parser.add_argument(
        "--per-message",
        action="store_true",
        help="outbound only, one outbox_send task per message (the path before batches), for comparison",
    )
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14", help="flushed at start and end")
    args = parser.parse_args(argv)
    if args.quick:
        args.messages, args.inbound, args.sample = 5_000, 2_000, 300
    return args


# The loopback gateway -------------------------------------------------------------------------------------


class Counting:
    """What the gateway saw: message ids it was asked to send, in order of arrival."""

    def __init__(self) -> None:
        self.ids: list[str] = []


def start_gateway(counting: Counting) -> tuple[ThreadingHTTPServer, int]:
    """A keep-alive HTTP server on 127.0.0.1 that answers 202 and records the ``id`` of each request."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go in two writes: no 40 ms delayed-ACK stall

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            query = parse_qs(urlsplit(self.path).query)
            counting.ids.append(query.get("id", [""])[0])
            self.send_response(202)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server, int(server.server_address[1])


# Processes ------------------------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port of 127.0.0.1 nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def child_env() -> dict[str, str]:
    """The environment of the worker and the server: this run's database and Redis, no debug bookkeeping."""
    return {**os.environ, "DEBUG": "0", "MESSAGING_QUIET_HOURS": "", "PYTHONDONTWRITEBYTECODE": "1"}


@contextlib.contextmanager
def process(args: list[str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A child process, stopped (and its children with it) when the block ends."""
    with log.open("wb") as out:
        child = subprocess.Popen(  # noqa: S603 - fixed arguments
            args, cwd=ROOT, env=child_env(), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield child
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGTERM)
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.pid, signal.SIGKILL)
                child.wait(timeout=10)


def worker_command(concurrency: int) -> list[str]:
    """A Celery worker like production's."""
    return [
        sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork",
        f"--concurrency={concurrency}", "--loglevel=WARNING", "--without-gossip", "--without-mingle",
        "--without-heartbeat", "--prefetch-multiplier=1",
    ]  # fmt: skip


def wait_worker_ready(child: subprocess.Popen[bytes], log: Path) -> None:
    """Until the worker has run a heartbeat task."""
    from maharat.core.tasks import heartbeat

    result = heartbeat.delay()
    deadline = time.monotonic() + 120
    while not result.ready():
        if child.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the worker did not start:\n" + log.read_text()[-3000:])
        time.sleep(0.1)


# Measurements ---------------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def anchors(gateway_port: int) -> dict[str, float]:
    """A SELECT 1 round trip and a keep-alive request to the loopback gateway, median milliseconds."""
    from django.db import connection

    def median_ms(fn: Any, repeat: int) -> float:
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            fn()
            times.append((time.perf_counter() - start) * 1000)
        return statistics.median(times)

    def select_one() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")

    conn = http.client.HTTPConnection("127.0.0.1", gateway_port)

    def request() -> None:
        conn.request("GET", "/anchor?id=anchor")
        conn.getresponse().read()

    out = {"select": median_ms(select_one, 1000), "http": median_ms(request, 1000)}
    conn.close()
    return out


def outbound(
    args: argparse.Namespace, counting: Counting, channel: Any, worker: Any, log: Path
) -> dict[str, Any]:
    """Write N queued messages, kick the worker once, and time until every one is recorded as sent."""
    from django.db import transaction

    from maharat.messaging.choices import Direction, Status
    from maharat.messaging.models import Message
    from maharat.messaging.parts import sms_parts
    from maharat.messaging.services import message_send_to_phone
    from maharat.messaging.tasks import outbox_send, outbox_send_batch

    bulk = args.messages
    text = "Reminder: your workshop is tomorrow at 10 in the community centre."
    start = time.perf_counter()
    for first in range(0, bulk, 5000):
        with transaction.atomic():
            Message.objects.bulk_create(
                Message(
                    direction=Direction.OUT,
                    phone=f"+96278{i:07d}",
                    channel=channel,
                    text=text,
                    idempotency_key=f"bulk:{i}",
                    status=Status.QUEUED,
                    tried_channels=[channel.pk],
                    parts=sms_parts(text),
                )
                for i in range(first, min(first + 5000, bulk))
            )
    bulk_seconds = time.perf_counter() - start

    print(f"outbound: {args.messages:,} messages queued; kicking the worker…", flush=True)
    start = time.perf_counter()
    if args.per_message:
        for pk in Message.objects.filter(direction=Direction.OUT).values_list("pk", flat=True):
            outbox_send.delay(pk)
    else:
        outbox_send_batch.delay()
    outbox = Message.objects.filter(direction=Direction.OUT)
    last_report = start
    while True:
        sent = outbox.filter(status=Status.SENT).count()
        now = time.perf_counter()
        if sent >= args.messages:
            break
        if worker.poll() is not None:
            raise RuntimeError("the worker died:\n" + log.read_text()[-3000:])
        if now - last_report > 5:
            print(f"  {sent:,} sent after {now - start:.0f} s ({sent / (now - start):,.0f}/s)", flush=True)
            last_report = now
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    # The service, one message at a time, each kicking the worker (which sends them as they come).
    start = time.perf_counter()
    for i in range(args.sample):
        message_send_to_phone(
            phone=f"+96277{i:07d}", text=f"Reminder {i}: workshop tomorrow at 10.", idempotency_key=f"svc:{i}"
        )
    service_rate = args.sample / (time.perf_counter() - start)
    total = args.messages + args.sample
    deadline = time.monotonic() + 120
    while outbox.filter(status=Status.SENT).count() < total and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)
    expected = {str(pk) for pk in outbox.values_list("pk", flat=True)}
    seen = Counter(i for i in counting.ids if i != "anchor")
    return {
        "seconds": seconds,
        "rate": args.messages / seconds,
        "service_rate": service_rate,
        "bulk_rate": bulk / bulk_seconds if bulk else 0.0,
        "lost": len(expected - set(seen)),
        "duplicates": sum(n - 1 for n in seen.values() if n > 1),
        "unexpected": len(set(seen) - expected),
        "not_sent": outbox.exclude(status=Status.SENT).count(),
    }


def _client(job: tuple[str, int, list[tuple[str, str]]]) -> list[tuple[float, int]]:
    """One client process: post each message on one keep-alive connection; (milliseconds, status) each."""
    host, port, items = job
    path = urlsplit(host).path
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    out = []
    for phone, gid in items:
        body = urlencode({"from": phone, "text": "HELP", "id": gid})
        start = time.perf_counter()
        conn.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})
        response = conn.getresponse()
        response.read()
        out.append(((time.perf_counter() - start) * 1000, response.status))
        if response.getheader("Connection", "").lower() == "close":
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.close()
    return out


def inbound(args: argparse.Namespace, counting: Counting, channel: Any, tmp: Path) -> dict[str, Any]:
    """M inbound messages from C concurrent clients against gunicorn; latency to the reply row."""
    from django.db.models import DurationField, ExpressionWrapper, F

    from maharat.messaging.choices import Direction, Status
    from maharat.messaging.models import Message

    port = free_port()
    log = tmp / "gunicorn.log"
    command = [
        sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
        "--workers", str(args.server_workers), "--worker-class", "gthread", "--threads",
        str(args.server_threads), "--keep-alive", "30", "--log-level", "warning",
    ]  # fmt: skip
    path = f"/messaging/hooks/{channel.pk}/{channel.inbound_token}/receive/"
    with process(command, log) as server:
        deadline = time.monotonic() + 60
        while True:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start:\n" + log.read_text()[-3000:])
            time.sleep(0.1)
        # Warm up every worker (imports, connections) before timing.
        _client((path, port, [(f"+96279{9_000_000 + i:07d}", f"warm-{i}") for i in range(50)]))
        items = [(f"+96279{i:07d}", f"bench-{i}") for i in range(args.inbound)]
        jobs = [(path, port, items[k :: args.clients]) for k in range(args.clients)]
        counting.ids.clear()
        print(f"inbound: {args.inbound:,} requests from {args.clients} clients…", flush=True)
        start = time.perf_counter()
        with ProcessPoolExecutor(max_workers=args.clients) as pool:
            results = [r for chunk in pool.map(_client, jobs) for r in chunk]
        seconds = time.perf_counter() - start
    latencies = [ms for ms, _status in results]
    statuses = Counter(status for _ms, status in results)
    incoming = Message.objects.filter(direction=Direction.IN, gateway_id__startswith="bench-")
    replies = Message.objects.filter(direction=Direction.OUT, reply_to__in=incoming)
    # Routing runs in the worker: wait until no message is pending, then until every reply is sent.
    deadline = time.monotonic() + 300
    while incoming.filter(status=Status.PENDING).exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    routed_seconds = time.perf_counter() - start
    while replies.exclude(status=Status.SENT).exists() and time.monotonic() < deadline:
        time.sleep(0.1)

    def gaps(field: str) -> list[float]:
        gap = ExpressionWrapper(F(field) - F("reply_to__created_at"), output_field=DurationField())
        values = replies.filter(**{f"{field}__isnull": False}).annotate(gap=gap).values_list("gap", flat=True)
        return [delta.total_seconds() * 1000 for delta in values]

    queued, sent = gaps("created_at"), gaps("sent_at")
    reply_ids = {str(pk) for pk in replies.values_list("pk", flat=True)}
    while not reply_ids <= set(counting.ids) and time.monotonic() < deadline:
        time.sleep(0.2)
    seen = Counter(i for i in counting.ids if i in reply_ids)
    nan = float("nan")
    return {
        "seconds": seconds,
        "rate": len(results) / seconds,
        "routed_seconds": routed_seconds,
        "p50": percentile(latencies, 0.5),
        "p95": percentile(latencies, 0.95),
        "errors": sum(n for status, n in statuses.items() if status != 200),
        "stored": incoming.count(),
        "pending": incoming.filter(status=Status.PENDING).count(),
        "replies": replies.count(),
        "gap_p50": percentile(queued, 0.5) if queued else nan,
        "gap_p95": percentile(queued, 0.95) if queued else nan,
        "sent_p50": percentile(sent, 0.5) if sent else nan,
        "sent_p95": percentile(sent, 0.95) if sent else nan,
        "replies_sent": replies.filter(status=Status.SENT).count(),
        "replies_lost": len(reply_ids - set(seen)),
        "replies_twice": sum(n - 1 for n in seen.values() if n > 1),
    }


# The run --------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def fresh_database(url: str) -> Iterator[str]:
    """A new PostgreSQL database for the run, dropped afterwards."""
    import psycopg

    parts = urlsplit(url)
    name = f"maharat_bench_msg_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    try:
        yield name
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(args: argparse.Namespace, tmp: Path) -> None:
    """Set up, measure and print."""
    import django
    import redis

    sys.path.insert(0, str(ROOT))
    os.environ["REDIS_URL"] = args.redis_url
    os.environ.update({"DEBUG": "0", "MESSAGING_QUIET_HOURS": ""})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    redis.Redis.from_url(args.redis_url).flushdb()
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from maharat.messaging.choices import ChannelKind
    from maharat.messaging.models import Channel

    call_command("migrate", verbosity=0)
    counting = Counting()
    gateway, gateway_port = start_gateway(counting)
    channel = Channel.objects.create(
        name="Loopback gateway",
        kind=ChannelKind.HTTP,
        rate_per_second=0,
        config={"url": f"http://127.0.0.1:{gateway_port}/send?to={{to}}&text={{text}}&id={{id}}"},
    )
    load_before = os.getloadavg()
    anchor = anchors(gateway_port)
    worker_log = tmp / "worker.log"
    with process(worker_command(args.worker_concurrency), worker_log) as worker:
        wait_worker_ready(worker, worker_log)
        out = outbound(args, counting, channel, worker, worker_log)
        if args.per_message:
            print(f"per-message tasks: {out['rate']:,.0f} messages/s ({out['seconds']:.1f} s), lost {out['lost']}, "
                  f"duplicates {out['duplicates']}, not sent {out['not_sent']}; anchor SELECT 1 "
                  f"{anchor['select']:.3f} ms, gateway {anchor['http']:.3f} ms")  # fmt: skip
            return
        inn = inbound(args, counting, channel, tmp)
    gateway.shutdown()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    report(args, version, load_before, anchor, out, inn)
    redis.Redis.from_url(args.redis_url).flushdb()


def verdict(ok: bool) -> str:
    """Whether a target is met."""
    return "target met" if ok else "TARGET MISSED"


def report(
    args: argparse.Namespace,
    version: str,
    load: tuple[float, float, float],
    anchor: dict[str, float],
    out: dict[str, Any],
    inn: dict[str, Any],
) -> None:
    """Print the figures beside the anchors."""
    from maharat.messaging.delivery import batch_size, send_concurrency

    print()
    print(f"Messaging benchmark: PostgreSQL {version}, Redis, Celery prefork ×{args.worker_concurrency}")
    print(
        f"machine: {os.cpu_count()} CPUs, CPython {platform.python_version()}, load average "
        f"{load[0]:.2f} before the run (other work on the machine slows every figure)"
    )
    print(f"anchor:   SELECT 1 round trip median {anchor['select']:.3f} ms; "
          f"loopback gateway keep-alive request median {anchor['http']:.3f} ms")  # fmt: skip
    print()
    print(
        f"outbound: {args.messages:,} messages (batch {batch_size()}, {send_concurrency()} requests in flight)"
    )
    print(
        f"  through the outbox and the worker: {out['rate']:,.0f} messages/s ({out['seconds']:.1f} s)  "
        f"[{verdict(out['rate'] >= OUTBOUND_TARGET)}: ≥ {OUTBOUND_TARGET:.0f}/s]"
    )
    print(
        f"  check: lost {out['lost']}, duplicate requests {out['duplicates']}, unexpected {out['unexpected']}, "
        f"rows not sent {out['not_sent']}"
    )
    print(
        f"  writing: bulk rows {out['bulk_rate']:,.0f}/s; message_send_to_phone one by one "
        f"{out['service_rate']:,.0f}/s ({args.sample} more messages, sent by the same worker and checked too)"
    )
    print()
    print(
        f"inbound: {args.inbound:,} requests, {args.clients} client processes, gunicorn "
        f"{args.server_workers} workers × {args.server_threads} threads"
    )
    print(
        f"  rate {inn['rate']:,.0f} requests/s ({inn['seconds']:.1f} s)  "
        f"[{verdict(inn['rate'] >= INBOUND_TARGET)}: ≥ {INBOUND_TARGET:.0f}/s]"
    )
    print(f"  request latency (stored, routing kicked): p50 {inn['p50']:.1f} ms, p95 {inn['p95']:.1f} ms")
    print(
        f"  routed by the worker: all {inn['stored']:,} {inn['routed_seconds']:.1f} s after the first request "
        f"({inn['stored'] / inn['routed_seconds']:,.0f} messages/s)"
    )
    print(
        f"  inbound message stored → reply queued (server clock): p50 {inn['gap_p50']:.1f} ms, "
        f"p95 {inn['gap_p95']:.1f} ms  [{verdict(inn['gap_p95'] < LATENCY_TARGET_MS)}: p95 < "
        f"{LATENCY_TARGET_MS:.0f} ms]"
    )
    print(
        f"  inbound message stored → reply accepted by the gateway: p50 {inn['sent_p50']:.1f} ms, "
        f"p95 {inn['sent_p95']:.1f} ms"
    )
    print(
        f"  check: errors {inn['errors']}, stored {inn['stored']:,}, still pending {inn['pending']}, "
        f"replies {inn['replies']:,}, replies sent "
        f"{inn['replies_sent']:,}, lost at the gateway {inn['replies_lost']}, twice {inn['replies_twice']}"
    )


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    import tempfile

    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="maharat-bench-msg-") as tmp, fresh_database(args.database_url):
        run(args, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())

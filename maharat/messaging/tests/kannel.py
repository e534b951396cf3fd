"""A real Kannel on loopback for end-to-end tests: bearerbox, smsbox, and fakesmsc playing the phone network.

``KannelRig`` writes a ``kannel.conf`` into a temporary folder (core with an admin port, an smsbox with the
sendsms interface, one sendsms user, an SMSC of type ``fake`` that ``fakesmsc`` connects to, and an
``sms-service`` whose ``get-url`` is Maharat's inbound Kannel endpoint), starts the boxes on free ports of
127.0.0.1, waits until they answer, and stops every process it started, whatever happened in the test.
"""

from __future__ import annotations

import contextlib
import re
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote_to_bytes

BEARERBOX = Path("/usr/sbin/bearerbox")
SMSBOX = Path("/usr/sbin/smsbox")
FAKESMSC = Path("/usr/lib/kannel/test/fakesmsc")
BINARIES = (BEARERBOX, SMSBOX, FAKESMSC)
_GOT = re.compile(r"Got message \d+: <(\S+) (\S+) (?:udh (\S+) )?(text|data|ucs-2) (.*)>$")


def kannel_installed() -> bool:
    """True when Debian's kannel and kannel-extras binaries are present."""
    return all(path.exists() for path in BINARIES)


def free_port() -> int:
    """A TCP port of 127.0.0.1 nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@dataclass(frozen=True)
class PhoneMessage:
    """A message the phone network (fakesmsc) received from Kannel."""

    sender: str
    receiver: str
    text: str


def decode_line(kind: str, data: str) -> bytes | str:
    """fakesmsc prints plain text as is, and binary or UCS-2 data URL-encoded, a space as "+" (bytes)."""
    if kind == "text":
        return data
    return unquote_to_bytes(data.replace("+", " "))


def decode_bytes(raw: bytes) -> str:
    """The text of a message's bytes: UCS-2 (UTF-16BE) when every high byte is in the Latin or Arabic
    blocks, as Kannel sends non-GSM text, else Latin-1."""
    if len(raw) % 2 == 0 and raw and all(high <= 0x06 for high in raw[0::2]):
        return raw.decode("utf-16-be")
    return raw.decode("latin-1")


@dataclass
class KannelRig:
    """One Kannel: its folder, ports and processes."""

    folder: Path
    get_url: str
    password: str = "kannel-test-password"
    admin_password: str = "kannel-admin"
    username: str = "maharat"
    admin_port: int = field(default_factory=free_port)
    smsbox_port: int = field(default_factory=free_port)
    sendsms_port: int = field(default_factory=free_port)
    smsc_port: int = field(default_factory=free_port)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    phone_log: Path | None = None

    @property
    def sendsms_url(self) -> str:
        """Kannel's sendsms address."""
        return f"http://127.0.0.1:{self.sendsms_port}/cgi-bin/sendsms"

    def config(self) -> str:
        """kannel.conf for this rig."""
        get_url = self.get_url.replace('"', "%22")
        return f"""
group = core
admin-port = {self.admin_port}
admin-interface = 127.0.0.1
admin-password = {self.admin_password}
smsbox-port = {self.smsbox_port}
box-allow-ip = 127.0.0.1
log-level = 1
dlr-storage = internal

group = smsc
smsc = fake
smsc-id = fake
port = {self.smsc_port}
connect-allow-ip = 127.0.0.1

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {self.smsbox_port}
sendsms-port = {self.sendsms_port}
sendsms-interface = 127.0.0.1
log-level = 1
http-request-retry = 5
http-queue-delay = 1

group = sendsms-user
username = {self.username}
password = {self.password}
max-messages = 10
concatenation = true

group = sms-service
keyword = default
catch-all = true
get-url = "{get_url}"
omit-empty = true
max-messages = 0
"""

    def _start(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        log = (self.folder / f"{name}.log").open("wb")
        process = subprocess.Popen(args, cwd=self.folder, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        self.processes.append(process)
        return process

    def _wait(self, what: str, ready: object, seconds: float = 20) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if callable(ready) and ready():
                return
            dead = [p for p in self.processes if p.poll() is not None]
            if dead:
                raise RuntimeError(f"Kannel stopped while waiting for {what}:\n{self.logs()}")
            time.sleep(0.05)
        raise RuntimeError(f"Kannel did not get ready ({what}):\n{self.logs()}")

    def status(self) -> str:
        """bearerbox's status page as text."""
        url = f"http://127.0.0.1:{self.admin_port}/status.txt?password={self.admin_password}"
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                return str(response.read().decode("utf-8", "replace"))
        except OSError:
            return ""

    def start(self) -> None:
        """Write the configuration and start bearerbox and smsbox; returns when sendsms answers."""
        conf = self.folder / "kannel.conf"
        conf.write_text(self.config())
        self._start("bearerbox", [str(BEARERBOX), "-v", "1", str(conf)])
        self._wait("bearerbox admin port", lambda: _listening(self.admin_port))
        self._start("smsbox", [str(SMSBOX), "-v", "1", str(conf)])
        self._wait("smsbox sendsms port", lambda: _listening(self.sendsms_port))
        self._wait("smsbox connected to bearerbox", lambda: "smsbox:(none)" in self.status())

    def phone(self, *messages: str) -> None:
        """Connect the phone network (fakesmsc); it sends the messages given ("from to text words…") once."""
        self.phone_log = self.folder / "fakesmsc.log"
        count = str(len(messages))
        self._start(
            "fakesmsc",
            [str(FAKESMSC), "-H", "127.0.0.1", "-r", str(self.smsc_port), "-i", "0.05", "-m", count]
            + (list(messages) or ["0 0 text unused"]),
        )
        self._wait("fakesmsc connected", lambda: re.search(r"FAKE:\d+ \(online", self.status()) is not None)

    def received(self) -> list[PhoneMessage]:
        """Messages the phone network got from Kannel so far; concatenated parts are joined once complete."""
        if self.phone_log is None or not self.phone_log.exists():
            return []
        found: list[PhoneMessage] = []
        parts: dict[tuple[str, int], dict[int, bytes]] = {}
        for line in self.phone_log.read_text(errors="replace").splitlines():
            match = _GOT.search(line)
            if not match:
                continue
            sender, receiver, udh, kind, data = match.groups()
            body = decode_line(kind, data)
            header = unquote_to_bytes(udh.replace("+", " ")) if udh else b""
            # A concatenation header (IEI 0): reference, total, sequence in its last three bytes.
            if len(header) >= 6 and header[1] == 0:
                reference, total, sequence = header[-3], header[-2], header[-1]
                key = (receiver, reference)
                chunk = body if isinstance(body, bytes) else body.encode("latin-1")
                parts.setdefault(key, {})[sequence] = chunk
                if len(parts[key]) == total:
                    complete = parts.pop(key)
                    joined = b"".join(complete[i] for i in range(1, total + 1))
                    found.append(PhoneMessage(sender, receiver, decode_bytes(joined)))
                continue
            text = body if isinstance(body, str) else decode_bytes(body)
            found.append(PhoneMessage(sender, receiver, text))
        return found

    def logs(self) -> str:
        """The tail of every box's log, for failure messages."""
        parts = []
        for log in sorted(self.folder.glob("*.log")):
            parts.append(f"--- {log.name}\n" + "\n".join(log.read_text(errors="replace").splitlines()[-15:]))
        return "\n".join(parts)

    def stop(self) -> None:
        """Stop every process started, the phone first, then smsbox and bearerbox; kill what lingers."""
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for process in reversed(self.processes):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=5)

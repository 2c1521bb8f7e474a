"""Which connections a supervised process may open: its parent decides each one.

Three kinds of process run supervised: the workers of the SERVICE lane (only the allow-listed
endpoints), the workers of remote mode's check before forwarding (nothing; each attempt noted, so
the query is refused), and the engine `ict-diplomacy confine` starts (only its --reach endpoints).

Each installs the supervised seccomp filter (sandbox.supervise_network): every
connect, sendmsg, sendmmsg and addressed sendto stops in the kernel until the holder of the
filter's listener answers. The server process takes the listener out of the worker
(pidfd_getfd) and runs a Supervisor thread on it, which reads the destination from the
worker's memory and lets the call go on only to the addresses of the allow-listed endpoints
(resolved here, at start and again when a lookup is older than RESOLVE_EVERY_S) or to a DNS
resolver of /etc/resolv.conf on port 53 (when there are endpoints to look up). Anything else fails
with EACCES: a SERVICE spelled so that the text guard misreads it, a redirect from an allowed
endpoint to another host, a metadata address.

The kernel re-reads the destination after the decision, so a worker running code of an
attacker's choosing could swap it in between; the lane defends against queries, which choose
no code, and the worker has no network of its own while it waits."""

from __future__ import annotations

import ctypes
import ipaddress
import logging
import os
import platform
import select
import signal
import socket
import struct
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from .sandbox import AF_INET, AF_INET6, AF_UNIX, ARCHES, EACCES, SandboxError, _libc, supervise_network

log = logging.getLogger("ict_diplomacy.egress")

RESOLVE_EVERY_S = 60.0
DNS_PORT = 53
AF_UNSPEC = 0
MAX_MESSAGES = 1024  # UIO_MAXIOV: more than sendmmsg takes
MMSGHDR_BYTES = 64
# struct seccomp_notif: id, pid, flags, then seccomp_data (nr, arch, instruction pointer, 6 args)
NOTIF = struct.Struct("=QIIiIQ6Q")
RESPONSE = struct.Struct("=QqiI")     # struct seccomp_notif_resp: id, val, error, flags
USER_NOTIF_FLAG_CONTINUE = 1
IOCTL_RECV, IOCTL_SEND, IOCTL_ID_VALID = 0xC0502100, 0xC0182101, 0x40082102

Address = tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, int]


def endpoint_hosts(endpoints: tuple[str, ...]) -> set[tuple[str, int]]:
    hosts = set()
    for url in endpoints:
        parts = urlsplit(url)
        if parts.hostname:
            hosts.add((parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)))
    return hosts


def resolvers(path: Path = Path("/etc/resolv.conf")) -> set[Address]:
    found = set()
    for line in path.read_text().splitlines() if path.exists() else []:
        words = line.split()
        if len(words) >= 2 and words[0] == "nameserver":
            try:
                found.add((ipaddress.ip_address(words[1].split("%")[0]), DNS_PORT))
            except ValueError:
                continue
    return found


def resolve(hosts: set[tuple[str, int]]) -> set[Address]:
    """The addresses the allow-listed hosts have now (a host that does not resolve adds none)."""
    found = set()
    for host, port in hosts:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError:
            continue
        found |= {(ipaddress.ip_address(info[4][0].split("%")[0]), port) for info in infos}
    return found


def destination(raw: bytes) -> Address | str | None:
    """A sockaddr read from the worker: (address, port) for the Internet families, "local" for
    a Unix socket or AF_UNSPEC (which undoes a UDP association), None for anything else."""
    if len(raw) < 2:
        return None
    family = int.from_bytes(raw[:2], sys.byteorder)
    if family in (AF_UNIX, AF_UNSPEC):
        return "local"
    if family == AF_INET and len(raw) >= 8:
        return ipaddress.IPv4Address(raw[4:8]), int.from_bytes(raw[2:4], "big")
    if family == AF_INET6 and len(raw) >= 24:
        address = ipaddress.IPv6Address(raw[8:24])
        return address.ipv4_mapped or address, int.from_bytes(raw[2:4], "big")
    return None


class Supervisor:
    """Answers the filter's questions for one worker process, on its own thread, until the
    worker is gone (the listener reports a hang-up) or `stop` is called."""

    def __init__(self, pid: int, listener: int, endpoints: tuple[str, ...]):
        self.pid, self.listener = pid, listener
        self.hosts = endpoint_hosts(endpoints)
        self.dns = resolvers() if self.hosts else set()  # no endpoint, no name to look up
        self.allowed, self.resolved_at = resolve(self.hosts), time.monotonic()
        self.refused: list[str] = []
        self._libc, self._stopped = _libc(), False
        self._libc.ioctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p]
        self._thread = threading.Thread(target=self._run, name=f"ictd-egress-{pid}", daemon=True)
        self._thread.start()

    @classmethod
    def take_over(cls, pid: int, remote_fd: int, endpoints: tuple[str, ...]) -> "Supervisor":
        """Copy the listener out of the worker `pid` (where it is `remote_fd`) and supervise it."""
        libc, arch = _libc(), ARCHES[platform.machine()]
        pidfd = os.pidfd_open(pid)
        try:
            listener = libc.syscall(arch.pidfd_getfd, pidfd, remote_fd, 0)
        finally:
            os.close(pidfd)
        if listener < 0:
            raise SandboxError(f"could not take the network listener of worker {pid}: errno {ctypes.get_errno()}")
        return cls(pid, listener, endpoints)

    def stop(self) -> None:
        self._stopped = True

    def _run(self) -> None:
        poller = select.poll()
        poller.register(self.listener, select.POLLIN)
        try:
            while not self._stopped:
                events = poller.poll(500)
                if any(mask & (select.POLLHUP | select.POLLERR) for _, mask in events):
                    return
                if events:
                    self._answer_one()
        finally:
            os.close(self.listener)

    def _answer_one(self) -> None:
        buffer = ctypes.create_string_buffer(NOTIF.size)
        if self._libc.ioctl(self.listener, IOCTL_RECV, buffer) != 0:
            return  # the call was interrupted (the worker was killed) before we read it
        ident, tid, _, nr, _, _, *args = NOTIF.unpack(buffer.raw)
        allowed = self._decide(tid, nr, args)
        valid = ctypes.c_uint64(ident)
        if self._libc.ioctl(self.listener, IOCTL_ID_VALID, ctypes.addressof(valid)) != 0:
            return  # the calling thread is gone: nothing to answer
        reply = RESPONSE.pack(ident, 0, 0, USER_NOTIF_FLAG_CONTINUE) if allowed else RESPONSE.pack(ident, 0, -EACCES, 0)
        self._libc.ioctl(self.listener, IOCTL_SEND, ctypes.create_string_buffer(reply, len(reply)))

    def _decide(self, tid: int, nr: int, args: list[int]) -> bool:
        arch = ARCHES[platform.machine()]
        try:
            with open(f"/proc/{tid}/mem", "rb", buffering=0) as memory:
                read = lambda address, size: os.pread(memory.fileno(), size, address)  # noqa: E731
                if nr == arch.connect:
                    return self._may_reach(read(args[1], min(args[2], 128)))
                if nr == arch.sendto:
                    return self._may_reach(read(args[4], min(args[5], 128)))
                if nr == arch.sendmsg:
                    return self._message_may_go(read, args[1])
                if nr == arch.sendmmsg:
                    count = args[2]
                    return count <= MAX_MESSAGES and all(
                        self._message_may_go(read, args[1] + i * MMSGHDR_BYTES) for i in range(count))
        except OSError:
            return False
        return False

    def _message_may_go(self, read, header: int) -> bool:
        name, length = struct.unpack("=QI", read(header, 12))
        return name == 0 or self._may_reach(read(name, min(length, 128)))

    def _may_reach(self, raw: bytes) -> bool:
        where = destination(raw)
        if where == "local":
            return True
        if where is not None and (where in self.dns or where in self._allowed()):
            return True
        shown = f"{where[0]}:{where[1]}" if isinstance(where, tuple) else "an address of another family"
        self.refused.append(shown)
        log.warning("process %d tried to connect to %s, which is not an allow-listed endpoint: refused", self.pid, shown)
        return False

    def _allowed(self) -> set[Address]:
        if time.monotonic() - self.resolved_at > RESOLVE_EVERY_S:
            self.allowed, self.resolved_at = resolve(self.hosts), time.monotonic()
        return self.allowed


def run_confined(command: list[str], reach: tuple[str, ...] = ()) -> int:
    """Run `command` (an upstream SPARQL engine, say) under the supervised filter: it may listen
    and accept, but connect only to the endpoints of `reach`; wait for it and return its exit code.
    Remote mode forwards queries whose SERVICE the text guard may misread, so the engine behind
    must not have a network of its own (README, Security)."""
    ours, theirs = socket.socketpair()
    pid = os.fork()
    if pid == 0:  # the child: confine itself, let the parent take the listener, become the command
        try:
            ours.close()
            listener = supervise_network()
            theirs.sendall(str(listener).encode())
            theirs.recv(1)
            os.close(listener)
            os.execvp(command[0], command)
        finally:
            os._exit(127)
    theirs.close()
    supervisor = Supervisor.take_over(pid, int(ours.recv(32)), reach)
    ours.sendall(b".")
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, lambda number, _: os.kill(pid, number))
    _, status = os.waitpid(pid, 0)
    supervisor.stop()
    return os.waitstatus_to_exitcode(status)

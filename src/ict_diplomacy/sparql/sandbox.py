"""What a query worker process cannot do, enforced by the kernel rather than by reading the query.

- **No network.** A seccomp filter makes every `socket()` outside the Unix family fail (EACCES),
  and `io_uring_setup` too (io_uring can open sockets without the `socket` system call). pyoxigraph
  runs SERVICE with its own HTTP client, so only the kernel can stop a query from reaching a
  loopback or metadata address. The filter is installed before the worker touches any data and
  covers every thread; if it cannot be installed the worker does not start (fail closed).
- **Only the allow-listed endpoints, for the SERVICE lane.** Its workers may make TCP and UDP
  sockets, but every connect (and every send that names an address) waits until the server
  process, which holds the filter's listener, has read the destination and allowed it: the
  addresses of the `service_allow` hosts and the DNS resolvers, nothing else (egress.py).
- **Bounded memory.** RLIMIT_DATA caps what the process may allocate.
- **A stack deep enough for any query that fits the request limit.** Oxigraph parses and
  evaluates recursively; on the 8 MB main stack a 64 kB query of nested groups, `!` or `+`
  chains kills the process (SIGSEGV). Measured here: 64 kB of nested groups needs at most 128 MB,
  about 2 kB of stack per byte of query; queries run on a thread with twice that.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import platform
import resource
import struct
import threading
from dataclasses import dataclass
from typing import Callable

from ..settings import Settings

STACK_BYTES_PER_QUERY_BYTE = 4096
MIN_STACK = 64 << 20

# seccomp and BPF constants (linux/seccomp.h, linux/filter.h, linux/audit.h)
PR_SET_NO_NEW_PRIVS = 38
SECCOMP_SET_MODE_FILTER, SECCOMP_GET_NOTIF_SIZES = 1, 3
SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_NEW_LISTENER, SECCOMP_FILTER_FLAG_TSYNC_ESRCH = 1, 8, 16
SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO, SECCOMP_RET_USER_NOTIF = 0x7FFF0000, 0x00050000, 0x7FC00000
EACCES = 13
AF_UNIX, AF_INET, AF_INET6 = 1, 2, 10
SOCK_STREAM, SOCK_DGRAM, SOCK_TYPE_MASK = 1, 2, 0xF
BPF_LD_W_ABS, BPF_ALU_AND_K, BPF_JEQ_K, BPF_JGE_K, BPF_RET_K = 0x20, 0x54, 0x15, 0x35, 0x06
OFFSET_NR, OFFSET_ARCH = 0, 4
X32_SYSCALL_BIT = 0x40000000
DENY = SECCOMP_RET_ERRNO | EACCES


@dataclass(frozen=True)
class Arch:
    """System call numbers of one machine (each architecture numbers them its own way)."""

    audit: int
    seccomp: int
    socket: int
    connect: int
    sendto: int
    sendmsg: int
    sendmmsg: int
    io_uring_setup: int = 425
    pidfd_getfd: int = 438


ARCHES = {"x86_64": Arch(0xC000003E, 317, 41, 42, 44, 46, 307),
          "aarch64": Arch(0xC00000B7, 277, 198, 203, 206, 211, 269)}


class SandboxError(RuntimeError):
    """The kernel refused a protection; the worker must not run queries without it."""


def arg(n: int, high: bool = False) -> int:
    """Offset of system call argument n (its low or high 32 bits) in struct seccomp_data."""
    return 16 + 8 * n + (4 if high else 0)


def assemble(program: list[tuple]) -> bytes:
    """BPF from ("ld", offset), ("and", k), ("ret", k), ("label", name) and ("jeq"|"jge", k,
    label if true, label if false), a label None meaning the next instruction."""
    codes = [step for step in program if step[0] != "label"]
    where, index = {}, 0
    for step in program:
        if step[0] == "label":
            where[step[1]] = index
        else:
            index += 1
    out = []
    for i, step in enumerate(codes):
        if step[0] in ("jeq", "jge"):
            _, k, if_true, if_false = step
            jump = [0 if label is None else where[label] - i - 1 for label in (if_true, if_false)]
            out.append(struct.pack("HBBI", BPF_JEQ_K if step[0] == "jeq" else BPF_JGE_K, *jump, k))
        else:
            code = {"ld": BPF_LD_W_ABS, "and": BPF_ALU_AND_K, "ret": BPF_RET_K}[step[0]]
            out.append(struct.pack("HBBI", code, 0, 0, step[1]))
    return b"".join(out)


def network_filter(machine: str, supervised: bool = False) -> bytes:
    """The BPF program. Always: system calls of another architecture (or the x32 ABI) fail, and
    so does io_uring_setup (io_uring can open sockets without the `socket` call).
    Not supervised: socket() of any family but AF_UNIX fails.
    Supervised: socket() may also make TCP and UDP sockets of AF_INET and AF_INET6 (never raw
    ones), and every call that names a destination (connect, sendmsg, sendmmsg, sendto with an
    address) waits for the supervisor's decision (see egress.py)."""
    a = ARCHES[machine]
    program = [("ld", OFFSET_ARCH), ("jeq", a.audit, None, "deny"),
               ("ld", OFFSET_NR), ("jge", X32_SYSCALL_BIT, "deny", None),
               ("jeq", a.io_uring_setup, "deny", None),
               ("jeq", a.socket, None, "after_socket"),
               ("ld", arg(0)), ("jeq", AF_UNIX, "allow", None)]
    if not supervised:
        return assemble(program + [("ret", DENY), ("label", "after_socket"), ("label", "allow"), ("ret", SECCOMP_RET_ALLOW),
                                   ("label", "deny"), ("ret", DENY)])
    program += [("jeq", AF_INET, "socket_type", None), ("jeq", AF_INET6, "socket_type", "deny"),
                ("label", "socket_type"), ("ld", arg(1)), ("and", SOCK_TYPE_MASK),
                ("jeq", SOCK_STREAM, "allow", None), ("jeq", SOCK_DGRAM, "allow", "deny"),
                ("label", "after_socket"),
                ("jeq", a.connect, "ask", None), ("jeq", a.sendmsg, "ask", None), ("jeq", a.sendmmsg, "ask", None),
                ("jeq", a.sendto, None, "allow"),
                ("ld", arg(4)), ("jeq", 0, None, "ask"), ("ld", arg(4, high=True)), ("jeq", 0, "allow", "ask"),
                ("label", "ask"), ("ret", SECCOMP_RET_USER_NOTIF),
                ("label", "allow"), ("ret", SECCOMP_RET_ALLOW),
                ("label", "deny"), ("ret", DENY)]
    return assemble(program)


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)


def _install(supervised: bool) -> int:
    machine = platform.machine()
    if machine not in ARCHES:
        raise SandboxError(f"no network filter for this machine ({machine}); refusing to run queries without one")
    libc = _libc()
    program = network_filter(machine, supervised)
    instructions = ctypes.create_string_buffer(program, len(program))
    fprog = struct.pack("HxxxxxxP", len(program) // 8, ctypes.addressof(instructions))
    fprog_buffer = ctypes.create_string_buffer(fprog, len(fprog))
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise SandboxError(f"prctl(NO_NEW_PRIVS) failed: errno {ctypes.get_errno()}")
    flags = SECCOMP_FILTER_FLAG_TSYNC
    if supervised:
        flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_TSYNC_ESRCH
    result = libc.syscall(ARCHES[machine].seccomp, SECCOMP_SET_MODE_FILTER, flags, fprog_buffer)
    if result < 0:
        raise SandboxError(f"seccomp filter refused by the kernel: errno {ctypes.get_errno()}")
    return result


def deny_network() -> None:
    """Install the network filter on this process and all its threads, or raise SandboxError."""
    _install(supervised=False)


def supervise_network() -> int:
    """Install the supervised filter on this process and all its threads and return the file
    descriptor its decisions are asked on (egress.Supervisor takes it over), or raise SandboxError."""
    return _install(supervised=True)


def limit_memory(megabytes: int, stack_bytes: int = 0) -> None:
    """Cap the memory this process may allocate (heap, anonymous maps and the query thread's
    stack, which counts too): past it an allocation aborts the worker, instead of a query such
    as a chain of CONCATs doubling a string taking the whole machine's memory."""
    if megabytes > 0:
        _, hard = resource.getrlimit(resource.RLIMIT_DATA)
        wanted = (megabytes << 20) + stack_bytes
        soft = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_DATA, (soft, hard))


def stack_bytes(max_request_bytes: int) -> int:
    return max(MIN_STACK, max_request_bytes * STACK_BYTES_PER_QUERY_BYTE)


def run_on_deep_stack(work: Callable[[], None], size: int) -> None:
    """Run `work` on a thread with a stack of `size` bytes and wait for it."""
    previous = threading.stack_size()
    threading.stack_size(size)
    try:
        thread = threading.Thread(target=work, name="ictd-query", daemon=True)
        thread.start()
    finally:
        threading.stack_size(previous)
    thread.join()


@dataclass(frozen=True)
class Confinement:
    """The kernel's limits on one worker process (see sandbox.py)."""

    memory_mb: int = 0         # RLIMIT_DATA beyond the query stack; 0: none
    stack: int = MIN_STACK
    # None: no network at all. A tuple: supervised (egress.py), connecting only to these endpoints
    # (the allow-listed SERVICE ones), or, when empty, to nothing, each attempt noted
    reach: tuple[str, ...] | None = None

    @classmethod
    def of(cls, settings: Settings, reach: tuple[str, ...] | None = None) -> "Confinement":
        return cls(settings.worker_memory, stack_bytes(settings.max_request_bytes), reach)

    def describe(self) -> str:
        if self.reach is None:
            return "no network"
        return "network only to " + ", ".join(self.reach) if self.reach else "no network, attempts noted"

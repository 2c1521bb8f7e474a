"""What a query worker process cannot do, enforced by the kernel rather than by reading the query.

- **No network.** A seccomp filter makes every `socket()` outside the Unix family fail (EACCES),
  and `io_uring_setup` too (io_uring can open sockets without the `socket` system call). pyoxigraph
  runs SERVICE with its own HTTP client, so only the kernel can stop a query from reaching a
  loopback or metadata address. The filter is installed before the worker touches any data and
  covers every thread; if it cannot be installed the worker does not start (fail closed).
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
PR_SET_NO_NEW_PRIVS, SYS_SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC = 38, 1, 1
SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO = 0x7FFF0000, 0x00050000
EACCES, AF_UNIX = 13, 1
BPF_LD_W_ABS, BPF_JEQ_K, BPF_RET_K = 0x20, 0x15, 0x06
OFFSET_NR, OFFSET_ARCH, OFFSET_ARG0 = 0, 4, 16
# (audit arch, seccomp syscall, socket, io_uring_setup) by machine
ARCHES = {"x86_64": (0xC000003E, 317, 41, 425), "aarch64": (0xC00000B7, 277, 198, 425)}


class SandboxError(RuntimeError):
    """The kernel refused a protection; the worker must not run queries without it."""


def _op(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("HBBI", code, jt, jf, k)


def network_filter(machine: str) -> bytes:
    """The BPF program: system calls of another architecture fail; socket() of any family but
    AF_UNIX fails; io_uring_setup fails; everything else is allowed."""
    arch, _, socket_nr, io_uring_nr = ARCHES[machine]
    deny = SECCOMP_RET_ERRNO | EACCES
    return b"".join([
        _op(BPF_LD_W_ABS, OFFSET_ARCH),
        _op(BPF_JEQ_K, arch, jt=1),                 # our architecture: go on
        _op(BPF_RET_K, deny),
        _op(BPF_LD_W_ABS, OFFSET_NR),
        _op(BPF_JEQ_K, io_uring_nr, jt=5),
        _op(BPF_JEQ_K, socket_nr, jf=3),
        _op(BPF_LD_W_ABS, OFFSET_ARG0),             # the address family
        _op(BPF_JEQ_K, AF_UNIX, jt=1),
        _op(BPF_RET_K, deny),
        _op(BPF_RET_K, SECCOMP_RET_ALLOW),
        _op(BPF_RET_K, deny),                       # io_uring_setup
    ])


def deny_network() -> None:
    """Install the network filter on this process and all its threads, or raise SandboxError."""
    machine = platform.machine()
    if machine not in ARCHES:
        raise SandboxError(f"no network filter for this machine ({machine}); refusing to run queries without one")
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    program = network_filter(machine)
    instructions = ctypes.create_string_buffer(program, len(program))
    fprog = struct.pack("HxxxxxxP", len(program) // 8, ctypes.addressof(instructions))
    fprog_buffer = ctypes.create_string_buffer(fprog, len(fprog))
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise SandboxError(f"prctl(NO_NEW_PRIVS) failed: errno {ctypes.get_errno()}")
    syscall = ARCHES[machine][1]
    if libc.syscall(syscall, SYS_SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, fprog_buffer) != 0:
        raise SandboxError(f"seccomp filter refused by the kernel: errno {ctypes.get_errno()}")


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
    network: bool = False      # only the lane of allow-listed SERVICE queries may open sockets

    @classmethod
    def of(cls, settings: Settings, network: bool = False) -> "Confinement":
        return cls(settings.worker_memory, stack_bytes(settings.max_request_bytes), network)

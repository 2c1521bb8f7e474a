"""What a query worker holding connections of its own (connections.py) and the server process
share in memory: the worker's slot, which says what it is doing and since when, and the ids of the
connections the server took back while the worker was busy."""

from __future__ import annotations

import time

IDLE, PIPE = 0.0, -1.0  # a slot's connection id when no query runs, and while one from the server's pipe does
RUNNING, UPSTREAM, CHECKING = 0.0, 1.0, 2.0   # what a slot's query is doing: run here, with an upstream, checked before it goes
TAKEN_ROOM = 64        # connections the server may have taken back from one worker, not yet seen dropped


class Shared:
    """The slot (the connection the worker reads or runs, since when by time.monotonic, and what its
    query is doing), the ids the server took back, and the lock over both."""

    def __init__(self, context):
        self.slot, self.taken, self.lock = context.RawArray("d", 3), context.RawArray("d", TAKEN_ROOM), context.Lock()

    def claim(self, ident: int) -> bool:
        """In the worker, before reading a connection: False if the server took it back."""
        with self.lock:
            taken = self.taken[:]   # one copy in C: indexing the shared array from Python costs ~0.3 µs an item
            if ident in taken:
                self.taken[taken.index(ident)] = IDLE
                return False
            self.busy(float(ident))
            return True

    def busy(self, ident: float) -> None:
        self.slot[1], self.slot[0] = time.monotonic(), ident

    def done(self) -> None:
        self.slot[0], self.slot[2] = IDLE, RUNNING

    def doing(self, what: float) -> None:
        self.slot[2] = what

    def take_back(self, ident: int) -> bool:
        """In the server: the connection is the server's from now on (False: the worker has claimed it)."""
        if not self.lock.acquire(timeout=0.01):
            return False
        try:
            if int(self.slot[0]) == ident or IDLE not in self.taken[:]:
                return False
            self.taken[self.taken[:].index(IDLE)] = float(ident)
            return True
        finally:
            self.lock.release()

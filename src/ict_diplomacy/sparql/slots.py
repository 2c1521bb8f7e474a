"""What a query worker holding connections of its own (connections.py) and the server process
share in memory: the worker's slot, which says what it is doing and since when, the queries it
has upstream in remote mode (forwarding.py), and the ids of the connections the server took back
while the worker was busy."""

from __future__ import annotations

import time

IDLE, PIPE = 0.0, -1.0  # a slot's connection id when no query runs, and while one from the server's pipe does
RUNNING, CHECKING = 0.0, 2.0   # what a slot's query is doing: run here, checked before it goes upstream
TAKEN_ROOM = 64        # connections the server may have taken back from one worker, not yet seen dropped
UPSTREAM_ROOM = 4      # queries one worker may have upstream at once (and so at most abandoned there)


class Shared:
    """The slot (the connection the worker reads or runs, since when by time.monotonic, and what its
    query is doing), the queries upstream (connection id, since when; IDLE where free), the ids the
    server took back, and the lock over them."""

    def __init__(self, context):
        self.slot, self.taken, self.lock = context.RawArray("d", 3), context.RawArray("d", TAKEN_ROOM), context.Lock()
        self.upstream = context.RawArray("d", 2 * UPSTREAM_ROOM)

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

    def went_upstream(self, ident: int) -> None:
        """In the worker, its slot still claimed for `ident`: the query is upstream, since the slot's start."""
        with self.lock:
            free = self.upstream[0::2].index(IDLE)
            self.upstream[2 * free + 1], self.upstream[2 * free] = self.slot[1], float(ident)

    def came_back(self, ident: int) -> None:
        with self.lock:
            self.upstream[2 * self.upstream[0::2].index(float(ident))] = IDLE

    def has_room(self, timeout: float) -> bool:
        """In the worker: whether it may send another query upstream (a free entry, and none past
        the deadline: an abandoned query holds back the next until the upstream lets go of it)."""
        pairs, now = self.upstream[:], time.monotonic()
        return IDLE in pairs[0::2] and all(i == IDLE or now - since <= timeout for i, since in zip(pairs[0::2], pairs[1::2]))

    def queries_upstream(self) -> list[tuple[int, float]]:
        """(connection id, since when) of each query upstream."""
        pairs = self.upstream[:]
        return [(int(i), since) for i, since in zip(pairs[0::2], pairs[1::2]) if i != IDLE]

    def take_back(self, ident: int) -> bool:
        """In the server: the connection is the server's from now on (False: the worker has claimed it)."""
        if not self.lock.acquire(timeout=0.01):
            return False
        try:
            if int(self.slot[0]) == ident or float(ident) in self.upstream[0::2] or IDLE not in self.taken[:]:
                return False
            self.taken[self.taken[:].index(IDLE)] = float(ident)
            return True
        finally:
            self.lock.release()

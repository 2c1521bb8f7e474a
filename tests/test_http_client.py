"""The HTTP/1.1 client of remote mode against a scripted server on loopback: answers read whole or
cut after a number of separators (one straddling two chunks included), bounded in bytes, a
pooled connection reused, one the server closed replaced, a broken answer never passed on; and
its parser alone, fed the same answer in pieces of every size."""

from __future__ import annotations

import asyncio

import pytest

from ict_diplomacy.errors import BadGateway, ResultTooLarge
from ict_diplomacy.sparql.http_client import Client, Reading, Request
from ict_diplomacy.sparql.remote import JSON_SEPARATOR


def chunked(*parts: bytes) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


async def with_server(answers: list[bytes], exchange):
    """Run `exchange(client, connections)` against a server sending `answers` in turn (each a full
    HTTP response, or None to close the connection after reading a request)."""
    connections, queue = [], list(answers)

    async def serve(reader, writer):
        connections.append(writer)
        while queue:
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")))
            await reader.readexactly(length)
            answer = queue.pop(0)
            if answer is None:
                writer.close()
                return
            for i in range(0, len(answer), 7):  # in small pieces: separators straddle reads
                writer.write(answer[i:i + 7])
                await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = Client(f"http://127.0.0.1:{port}/query")
    try:
        return await exchange(client, connections)
    finally:
        await client.close()
        server.close()


def response(body: bytes, *, head: bytes = b"") -> bytes:
    return (b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\nTransfer-Encoding: chunked\r\n"
            + head + b"\r\n" + chunked(body[:10], body[10:]))


SOLUTIONS = b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"a"}},' \
            b'{"x":{"type":"literal","value":"},{\\"b"}},{"x":{"type":"literal","value":"c"}}]}}'


def run(coroutine):
    return asyncio.run(coroutine)


def test_an_answer_is_read_whole_and_the_connection_kept():
    async def exchange(client, connections):
        first = await client.call(Request(b"query=1", "application/sparql-results+json", 1 << 20)).reply()
        second = await client.call(Request(b"query=2", "application/sparql-results+json", 1 << 20)).reply()
        return first, second, len(connections)
    first, second, opened = run(with_server([response(SOLUTIONS)] * 2, exchange))
    assert first.body == second.body == SOLUTIONS and not first.cut and opened == 1


def test_reading_stops_after_so_many_separators():
    async def exchange(client, connections):
        return await client.call(Request(b"query=1", "application/sparql-results+json", 1 << 20, 1, JSON_SEPARATOR)).reply()
    reply = run(with_server([response(SOLUTIONS)], exchange))
    # the escaped quote in the second value is no separator; the first real one ends the first solution
    assert reply.cut and reply.body.endswith(b'"value":"a"}}') and reply.body.count(JSON_SEPARATOR) == 0


def test_an_answer_over_the_byte_limit_is_refused():
    async def exchange(client, connections):
        return await client.call(Request(b"query=1", "application/sparql-results+json", 50)).reply()
    with pytest.raises(ResultTooLarge):
        run(with_server([response(SOLUTIONS)], exchange))


def test_a_pooled_connection_the_server_closed_is_replaced():
    async def exchange(client, connections):
        await client.call(Request(b"query=1", "application/sparql-results+json", 1 << 20)).reply()
        again = await client.call(Request(b"query=2", "application/sparql-results+json", 1 << 20)).reply()
        return again, len(connections)
    # the server reads the second request, then closes without answering: sent again on a new connection
    again, opened = run(with_server([response(SOLUTIONS), None, response(SOLUTIONS)], exchange))
    assert again.body == SOLUTIONS and opened == 2


def test_an_answer_cut_off_by_the_server_is_no_answer():
    broken = b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\nContent-Length: 500\r\n\r\n" + SOLUTIONS[:40]

    async def exchange(client, connections):
        return await client.call(Request(b"query=1", "application/sparql-results+json", 1 << 20)).reply()
    with pytest.raises(BadGateway, match="before its answer was complete"):
        run(with_server([broken], exchange))


ROWS = [b'{"x":{"type":"literal","value":"%d"}}' % i for i in range(100)]   # 99 separators between them
ONE_CHUNK_A_ROW = (b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\nTransfer-Encoding: chunked\r\n\r\n"
                   + chunked(b'{"head":{"vars":["x"]},"results":{"bindings":[', *[b"," * (i > 0) + r for i, r in enumerate(ROWS)],
                             b"]}}"))


def read_in_pieces(data: bytes, size: int, request: Request):
    reading = Reading(request, "http://127.0.0.1/query")
    for start in range(0, len(data), size):
        reading.feed(data[start:start + size])
        if reading.outcome is not None:
            break
    return reading.outcome


@pytest.mark.parametrize("cut_after", [1, 2, 50, 99, 100])
def test_a_cut_keeps_the_same_rows_however_the_answer_arrives(cut_after):
    """Separators are counted once a read, not per chunk: byte by byte, in pieces, or whole, the cut
    keeps the first `cut_after` rows, and an answer with fewer separators is kept whole."""
    request = Request(b"query=1", "application/sparql-results+json", 1 << 20, cut_after, JSON_SEPARATOR)
    outcomes = [read_in_pieces(ONE_CHUNK_A_ROW, size, request) for size in (1, 7, 100, len(ONE_CHUNK_A_ROW))]
    kept = min(cut_after, len(ROWS))
    for reply in outcomes:
        assert reply.cut == (cut_after < len(ROWS))
        assert reply.body.count(b'"type":"literal"') == kept and reply.body.count(JSON_SEPARATOR) == kept - 1
        assert reply.body.endswith(ROWS[kept - 1] if reply.cut else b"]}}")
    assert len({(r.body, r.cut) for r in outcomes}) == 1


@pytest.mark.parametrize("size", [1, 7, 100, 1 << 16])
def test_the_byte_limit_counts_what_the_cut_keeps(size):
    """Past the byte limit only after the cut's separator: the cut answer; before it: refused."""
    body_before_cut = len(b'{"head":{"vars":["x"]},"results":{"bindings":[') + sum(len(r) + 1 for r in ROWS[:10])
    roomy = Request(b"query=1", "application/sparql-results+json", body_before_cut + 200, 10, JSON_SEPARATOR)
    assert read_in_pieces(ONE_CHUNK_A_ROW, size, roomy).cut
    tight = Request(b"query=1", "application/sparql-results+json", body_before_cut // 2, 10, JSON_SEPARATOR)
    assert isinstance(read_in_pieces(ONE_CHUNK_A_ROW, size, tight), ResultTooLarge)

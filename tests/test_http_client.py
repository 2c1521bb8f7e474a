"""The HTTP/1.1 client of remote mode against a scripted server on loopback: answers read whole or
cut after a number of separators (one straddling two chunks included), bounded in bytes, a
pooled connection reused, one the server closed replaced, a broken answer never passed on."""

from __future__ import annotations

import asyncio

import pytest

from ict_diplomacy.errors import BadGateway, ResultTooLarge
from ict_diplomacy.sparql.http_client import Client, Request
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

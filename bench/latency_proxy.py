"""A TCP proxy on 127.0.0.1 that puts a target some milliseconds away: the distance of ``bench_remote.py``.

Every byte is forwarded as it arrives, ``--rtt`` / 2 later in each direction, so one request
and its answer take one round trip more than on loopback, whatever their size, and requests
in flight on other connections are delayed side by side rather than one after another (a
link's latency, not its bandwidth).  A new connection costs one more round trip before its
first byte reaches the target, as TCP's handshake does.  End of stream is forwarded the same
way, after the bytes before it.

    .venv/bin/python bench/latency_proxy.py --rtt 50 --upstream 127.0.0.1:8080
    # prints "listening on http://127.0.0.1:PORT"; SIGTERM or SIGINT stops it

Only loopback addresses are accepted, for both sides: this is a bench tool, not a relay.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import signal
import socket

LOOPBACK = "127.0.0.1"
CHUNK = 65536


class Link:
    """The delays of one proxied path: ``one_way`` seconds per direction, plus a round trip to connect."""

    def __init__(self, *, rtt_seconds: float) -> None:
        self.one_way = rtt_seconds / 2
        self.rtt = rtt_seconds

    async def forward(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, not_before: float = 0.0
    ) -> None:
        """Copy ``reader`` to ``writer``, each chunk ``one_way`` after it was read (and not before
        ``not_before``, on the loop's clock), in order; then forward the end of the stream."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def deliver() -> None:
            while True:
                due, data = await queue.get()
                wait = due - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                if not data:
                    if writer.can_write_eof():
                        writer.write_eof()
                    return
                writer.write(data)
                await writer.drain()

        delivering = asyncio.create_task(deliver())
        try:
            while True:
                try:
                    data = await reader.read(CHUNK)
                except ConnectionError:
                    data = b""
                queue.put_nowait((max(loop.time(), not_before) + self.one_way, data))
                if not data:
                    break
            await delivering
        except (ConnectionError, asyncio.CancelledError):
            delivering.cancel()
            raise


async def serve(*, port: int, upstream: tuple[str, int], rtt_seconds: float, ready: asyncio.Future[str]) -> None:
    """Serve until cancelled; ``ready`` gets the URL once listening."""
    link = Link(rtt_seconds=rtt_seconds)
    loop = asyncio.get_running_loop()

    async def connection(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        accepted = loop.time()
        try:
            target_reader, target_writer = await asyncio.open_connection(*upstream)
        except OSError:
            client_writer.close()
            return
        for writer in (client_writer, target_writer):
            sock = writer.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            async with asyncio.TaskGroup() as group:  # one side failing ends the other
                group.create_task(link.forward(client_reader, target_writer, not_before=accepted + link.rtt))
                group.create_task(link.forward(target_reader, client_writer))
        except* ConnectionError:
            pass
        except* asyncio.CancelledError:
            pass  # the proxy is stopping: asyncio.run cancels the connections still open
        finally:
            for writer in (client_writer, target_writer):
                writer.close()
                with contextlib.suppress(ConnectionError):
                    await writer.wait_closed()

    server = await asyncio.start_server(connection, LOOPBACK, port)
    bound = server.sockets[0].getsockname()
    ready.set_result(f"http://{bound[0]}:{bound[1]}")
    async with server:
        await server.serve_forever()


def _loopback_address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    try:
        if not ipaddress.ip_address(host).is_loopback:
            raise ValueError(host)
        return host, int(port)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not HOST:PORT with a loopback HOST (127.0.0.1)") from None


async def _main(args: argparse.Namespace) -> None:
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[str] = loop.create_future()
    serving = asyncio.create_task(
        serve(port=args.port, upstream=args.upstream, rtt_seconds=args.rtt / 1000, ready=ready)
    )
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, serving.cancel)
    ready.add_done_callback(lambda done: print(f"listening on {done.result()}", flush=True))
    with contextlib.suppress(asyncio.CancelledError):
        await serving


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rtt", type=float, required=True, help="round trip added, in milliseconds")
    parser.add_argument("--upstream", type=_loopback_address, required=True, help="the target, HOST:PORT")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free one (default)")
    args = parser.parse_args()
    if args.rtt < 0:
        parser.error("--rtt must be 0 or more milliseconds")
    asyncio.run(_main(args))


if __name__ == "__main__":
    main()

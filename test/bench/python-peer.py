"""The service's own Python example loop (its docs' listen_to_livecalls), as a peer row of the bench:
connect, then print each message as it arrives. It stops after <count> messages so the bench can
time it like the other clients.

    python3 python-peer.py <ws-url> <count>
"""
import asyncio
import sys

import websockets


async def listen_to_livecalls(ws_url, count):
    async with websockets.connect(ws_url, max_size=2**20) as websocket:
        for _ in range(count):
            data = await websocket.recv()
            print(f"Received live call: {data}")
    sys.stdout.flush()


asyncio.run(listen_to_livecalls(sys.argv[1], int(sys.argv[2])))

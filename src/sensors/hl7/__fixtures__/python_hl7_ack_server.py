# A real third-party MLLP receiver for tests: python3-hl7's asyncio server, answering each message
# with python-hl7's own create_ack(). Usage: python3 python_hl7_ack_server.py PORT [ACK_CODE]
import asyncio
import sys

import hl7
from hl7.mllp import start_hl7_server


async def handle(reader, writer):
    code = sys.argv[2] if len(sys.argv) > 2 else "AA"
    try:
        while not writer.is_closing():
            message = await reader.readmessage()
            writer.writemessage(message.create_ack(ack_code=code))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main():
    port = int(sys.argv[1])
    async with await start_hl7_server(handle, host="127.0.0.1", port=port) as server:
        print("ready", flush=True)
        await server.serve_forever()


asyncio.run(main())

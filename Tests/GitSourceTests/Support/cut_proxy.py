#!/usr/bin/env python3
"""A TCP proxy for the tests that plays a git server dying mid-transfer: it forwards 127.0.0.1:<port> to
127.0.0.1:TARGET, passes the first LIMIT bytes the server sends, then closes both sides. Prints the port,
then serves until killed. Usage: cut_proxy.py TARGET_PORT LIMIT"""
import socket, sys, threading

TARGET, LIMIT = int(sys.argv[1]), int(sys.argv[2])


def pump(src, dst, limit=None):
    sent = 0
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            if limit is not None and sent + len(data) >= limit:
                dst.sendall(data[:limit - sent])
                break
            dst.sendall(data)
            sent += len(data)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        s.close()


def main():
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    print(listener.getsockname()[1], flush=True)
    while True:
        client, _ = listener.accept()
        server = socket.create_connection(("127.0.0.1", TARGET))
        threading.Thread(target=pump, args=(client, server), daemon=True).start()
        threading.Thread(target=pump, args=(server, client, LIMIT), daemon=True).start()


main()

#!/usr/bin/python3
"""Tiny TCP endpoints for the fence-portblock tests.

  tcp.py serve ADDR PORT            accept and keep every connection, echo
  tcp.py hold ADDR PORT STATUS      connect, write "connected LPORT" to the
                                    STATUS file, then wait: on a reset write
                                    "reset", on EOF "closed"
  tcp.py probe ADDR PORT MS         connect once: exit 0 connected,
                                    1 timed out, 2 refused or reset
"""
import os
import selectors
import socket
import sys


sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from endpoint import family, write_status  # noqa: E402


def serve(addr, port):
    lsock = socket.socket(family(addr), socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Listen even before the address is configured (the VIP moves later).
    lsock.setsockopt(socket.SOL_IP, 15, 1)  # IP_FREEBIND
    lsock.bind((addr, port))
    lsock.listen(128)
    sel = selectors.DefaultSelector()
    sel.register(lsock, selectors.EVENT_READ)
    while True:
        for key, _ in sel.select():
            if key.fileobj is lsock:
                conn, _ = lsock.accept()
                sel.register(conn, selectors.EVENT_READ)
                continue
            try:
                data = key.fileobj.recv(65536)
            except OSError:
                data = b""
            if data:
                try:
                    key.fileobj.send(data)
                except OSError:
                    pass
            else:
                sel.unregister(key.fileobj)
                key.fileobj.close()


def hold(addr, port, status):
    sock = socket.socket(family(addr), socket.SOCK_STREAM)
    sock.settimeout(3)
    sock.connect((addr, port))
    sock.settimeout(None)
    write_status(status, "connected %d" % sock.getsockname()[1])
    try:
        data = sock.recv(1)
        write_status(status, "closed" if not data else "data")
    except ConnectionResetError:
        write_status(status, "reset")
    except OSError as e:
        write_status(status, "error %s" % e.errno)


def probe(addr, port, ms):
    sock = socket.socket(family(addr), socket.SOCK_STREAM)
    sock.settimeout(ms / 1000.0)
    try:
        sock.connect((addr, port))
    except socket.timeout:
        return 1
    except OSError:
        return 2
    return 0


def main():
    cmd, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if cmd == "serve":
        serve(addr, port)
    elif cmd == "hold":
        hold(addr, port, sys.argv[4])
    elif cmd == "probe":
        sys.exit(probe(addr, port, int(sys.argv[4])))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()

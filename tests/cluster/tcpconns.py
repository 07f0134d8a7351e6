#!/usr/bin/env python3
"""TCP connections for tests/cluster/peers.t.

  tcpconns.py server ADDR PORT [ADDR PORT ...]   accept, read to EOF, close
  tcpconns.py client ADDR PORT N                 N connections to ADDR PORT,
      each one's local end on a line as the peer store writes it
      (a.b.c.d:port, [v6]:port), then "ready"; held until killed
  tcpconns.py churn ADDR PORT RATE SECONDS       RATE new connections a
      second for SECONDS, each closed a second after it opened
"""
import selectors
import socket
import sys
import time


def endpoint(addr, port):
    return f"[{addr}]:{port}" if ":" in addr else f"{addr}:{port}"


def server(pairs):
    sel = selectors.DefaultSelector()
    for addr, port in pairs:
        fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, int(port)))
        s.listen(4096)
        sel.register(s, selectors.EVENT_READ, "listen")
    print("listening", flush=True)
    while True:
        for key, _ in sel.select():
            s = key.fileobj
            if key.data == "listen":
                c, _ = s.accept()
                sel.register(c, selectors.EVENT_READ, "conn")
            elif not s.recv(4096):
                sel.unregister(s)
                s.close()


def client(addr, port, n):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    held = []
    for _ in range(n):
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.connect((addr, port))
        held.append(s)
        local = s.getsockname()
        print(endpoint(local[0], local[1]))
    print("ready", flush=True)
    while True:
        time.sleep(3600)


def churn(addr, port, rate, seconds):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    live = []
    t0 = time.monotonic()
    n = 0
    while time.monotonic() - t0 < seconds:
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.connect((addr, port))
        live.append((time.monotonic(), s))
        n += 1
        while live and time.monotonic() - live[0][0] >= 1:
            live.pop(0)[1].close()
        time.sleep(max(0, t0 + n / rate - time.monotonic()))
    for _, s in live:
        s.close()
    print("opened", n, flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "server":
        a = sys.argv[2:]
        server(list(zip(a[0::2], a[1::2])))
    elif sys.argv[1] == "churn":
        churn(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]))
    else:
        client(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))

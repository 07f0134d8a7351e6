#!/usr/bin/python3
"""A request/response pair shaped like tgtd under load, for bench/case-answers.

  rpc.py server ADDR PORT WORKERS MIN_MS MAX_MS STATUS
      accept connections; each connection's requests (16 bytes: a 64-bit id
      and padding) are read as soon as they arrive and queued to WORKERS
      threads shared by every connection, as tgtd hands commands to its
      backing-store threads; a worker takes MIN_MS..MAX_MS (uniform) to
      execute one, counts it executed, then writes its 16-byte answer whole,
      so answers leave out of order. STATUS: "executed N" (rewritten every
      50 ms and at SIGTERM).
  rpc.py client ADDR PORT INFLIGHT STATUS
      keep INFLIGHT requests in flight on one connection; when it is reset,
      connect again (every 20 ms) and carry on with new ids. SIGUSR1: send
      nothing more, wait (2 s at most) for the answers still due, then
      write "sent S answered A reconnects R" and exit.

Every answer the client receives is for a request the server executed, so
executed - answered is the number of executed requests whose answer never
reached the client.
"""
import os
import queue
import random
import signal
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "lib"))
from endpoint import family, write_status  # noqa: E402

REQ = struct.Struct("<Q8x")


def recv_exact(sock, n):
    """n bytes, or None at EOF."""
    buf = b""
    while len(buf) < n:
        data = sock.recv(n - len(buf))
        if not data:
            return None
        buf += data
    return buf


def server(addr, port, workers, min_ms, max_ms, status):
    work = queue.Queue()
    lock = threading.Lock()
    executed = [0]

    status_lock = threading.Lock()

    def report():
        with lock:
            n = executed[0]
        with status_lock:
            write_status(status, "executed %d" % n)

    def worker():
        while True:
            conn, send_lock, req = work.get()
            time.sleep(random.uniform(min_ms, max_ms) / 1000)
            with lock:
                executed[0] += 1
            try:
                with send_lock:
                    conn.sendall(req)
            except OSError:
                pass

    def reader(conn):
        send_lock = threading.Lock()
        try:
            while True:
                req = recv_exact(conn, REQ.size)
                if req is None:
                    break
                work.put((conn, send_lock, req))
        except OSError:
            pass

    def reporter():
        while True:
            report()
            time.sleep(0.05)

    signal.signal(signal.SIGTERM, lambda *_: (report(), os._exit(0)))
    for _ in range(workers):
        threading.Thread(target=worker, daemon=True).start()
    lsock = socket.socket(family(addr), socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind((addr, port))
    lsock.listen(64)
    threading.Thread(target=reporter, daemon=True).start()
    while True:
        conn, _ = lsock.accept()
        threading.Thread(target=reader, args=(conn,), daemon=True).start()


def client(addr, port, inflight, status):
    stopping = threading.Event()
    signal.signal(signal.SIGUSR1, lambda *_: stopping.set())
    sent = answered = reconnects = 0
    next_id = 1
    give_up = None
    while True:
        try:
            sock = socket.create_connection((addr, port), timeout=0.5)
        except OSError:
            if stopping.is_set():
                break
            time.sleep(0.02)
            continue
        sock.settimeout(0.1)
        due = 0
        buf = b""
        try:
            while True:
                if stopping.is_set():
                    give_up = give_up or time.monotonic() + 2
                    if due == 0 or time.monotonic() > give_up:
                        break
                while not stopping.is_set() and due < inflight:
                    sock.sendall(REQ.pack(next_id))
                    next_id += 1
                    sent += 1
                    due += 1
                try:
                    data = sock.recv(4096)
                except socket.timeout:
                    continue
                if not data:
                    break
                buf += data
                n = len(buf) // REQ.size
                buf = buf[n * REQ.size:]
                answered += n
                due -= n
        except OSError:
            pass
        sock.close()
        if stopping.is_set():
            break
        reconnects += 1
    write_status(status, "sent %d answered %d reconnects %d" % (sent, answered, reconnects))


def main(argv):
    if len(argv) == 8 and argv[1] == "server":
        server(argv[2], int(argv[3]), int(argv[4]), float(argv[5]), float(argv[6]), argv[7])
    elif len(argv) == 6 and argv[1] == "client":
        client(argv[2], int(argv[3]), int(argv[4]), argv[5])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/python3
"""Endpoints tcphold has no mode for, for the tests/net suite.

  peer.py reader ADDR PORT STATUS     connect and read slowly (64 KiB every
                                      50 ms) so the server's queue stays full
                                      and it sends GSO-sized segments; the
                                      STATUS file says "connected LPORT BYTES",
                                      then "reset" or "closed". SIGUSR1 sends
                                      1000 bytes to the server.
  peer.py quiet-server ADDR PORT STATUS
                                      accept and send nothing until SIGUSR1,
                                      then queue 1 MiB on every connection;
                                      STATUS is "accepted N received BYTES
                                      reset R aborted A closed C" (reset:
                                      ECONNRESET, aborted: any other error,
                                      closed: EOF)
  peer.py connect ADDR PORT STATUS    one blocking connect(): STATUS says
                                      "connecting T", then "connected T",
                                      "refused T" or "error E T" (T: the
                                      system's CLOCK_MONOTONIC, seconds);
                                      the connection is kept open
  peer.py stale ADDR PORT STATUS      connect ("connected T"); on SIGUSR1
                                      send 100 bytes ("sent T"), then wait
                                      for the connection's end: "reset T",
                                      "closed T" or "error E T"
  peer.py reply-server ADDR PORT SIZE STATUS
                                      accept one connection, wait for its
                                      request (any bytes), answer SIZE bytes
                                      and keep reading; STATUS is "written W
                                      received R how H" (W: bytes the kernel
                                      took, R: bytes read, H: serving, done,
                                      reset, aborted or closed)
  peer.py steady ADDR PORT STATUS     connect, send a 16-byte request, read
                                      64 KiB every 20 ms; SIGUSR1 sends 1000
                                      bytes; STATUS is "connected|reset|closed
                                      LPORT RECEIVED SENT"
  peer.py late-server ADDR PORT READ_MS ANSWER_MS STATUS [SIZE2]
                                      accept one connection, leave its
                                      request unread for READ_MS, read it
                                      ("read T"), answer it ANSWER_MS later
                                      ("answered T"); with SIZE2, read a
                                      second request ("read2 T") and answer
                                      it with SIZE2 bytes ANSWER_MS later
                                      ("answered2 T"); then wait for the end
  peer.py ask ADDR PORT STATUS [SECOND_MS]
                                      connect, send one request ("sent T"),
                                      wait for its answer: "answer T BYTES",
                                      then "reset T" or "closed T"; or
                                      "reset T" without it; with SECOND_MS,
                                      a second request that long after the
                                      first answer
  peer.py udp-recv ADDR PORT STATUS   count datagrams: STATUS is "datagrams N
                                      last SHA" (SHA: of the last one's data)
  peer.py udp-send SADDR SPORT DADDR DPORT N
                                      send N datagrams from SADDR:SPORT
  peer.py raw-send DEV DMAC SADDR DADDR DPORT SIZE udp|syn
                                      send one IPv4 frame of SIZE bytes (UDP
                                      datagram, or TCP SYN carrying data) out
                                      of DEV through a packet socket that
                                      leaves only its Ethernet header in the
                                      skb's linear data, the rest in page
                                      fragments (SIZE >= 4096); prints the
                                      SHA of its data
"""
import hashlib
import os
import selectors
import signal
import socket
import struct
import sys
import time


sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from endpoint import family, write_status  # noqa: E402


def reader(addr, port, status):
    sock = socket.create_connection((addr, port), timeout=3)
    sock.settimeout(None)
    lport = sock.getsockname()[1]
    total = 0
    signal.signal(signal.SIGUSR1, lambda *_: sock.send(b"y" * 1000))
    write_status(status, "connected %d %d" % (lport, total))
    while True:
        try:
            data = sock.recv(65536)
        except InterruptedError:
            continue
        except ConnectionResetError:
            write_status(status, "reset")
            return
        except OSError as e:
            write_status(status, "error %s" % e.strerror)
            return
        if not data:
            write_status(status, "closed")
            return
        total += len(data)
        write_status(status, "connected %d %d" % (lport, total))
        time.sleep(0.05)


def now():
    return "%.3f" % time.monotonic()


def connect(addr, port, status):
    sock = socket.socket(family(addr), socket.SOCK_STREAM)
    write_status(status, "connecting " + now())
    try:
        sock.connect((addr, port))
        write_status(status, "connected " + now())
    except ConnectionRefusedError:
        write_status(status, "refused " + now())
        return
    except OSError as e:
        write_status(status, "error %s %s" % (e.errno, now()))
        return
    while True:
        signal.pause()


def stale(addr, port, status):
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1])
    sock = socket.create_connection((addr, port), timeout=3)
    sock.settimeout(None)
    write_status(status, "connected " + now())
    signal.sigwait([signal.SIGUSR1])
    sock.send(b"s" * 100)
    write_status(status, "sent " + now())
    try:
        data = sock.recv(65536)
        write_status(status, ("closed " if not data else "data ") + now())
    except ConnectionResetError:
        write_status(status, "reset " + now())
    except OSError as e:
        write_status(status, "error %s %s" % (e.errno, now()))


def quiet_server(addr, port, status):
    lsock = socket.socket(family(addr), socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind((addr, port))
    lsock.listen(128)
    sel = selectors.DefaultSelector()
    sel.register(lsock, selectors.EVENT_READ)
    conns = set()
    count = {"accepted": 0, "received": 0, "reset": 0, "aborted": 0, "closed": 0}

    def report():
        write_status(status, "accepted %(accepted)d received %(received)d reset %(reset)d aborted %(aborted)d closed %(closed)d" % count)

    def send_all(*_):
        for c in conns:
            try:
                c.send(b"x" * (1 << 20), socket.MSG_DONTWAIT)
            except OSError:
                pass

    signal.signal(signal.SIGUSR1, send_all)
    report()
    while True:
        for key, _ in sel.select():
            sock = key.fileobj
            if sock is lsock:
                conn, _ = lsock.accept()
                conns.add(conn)
                sel.register(conn, selectors.EVENT_READ)
                count["accepted"] += 1
                report()
                continue
            try:
                data = sock.recv(65536)
                count["received"] += len(data)
                how = None if data else "closed"
            except ConnectionResetError:
                how = "reset"
            except OSError:
                how = "aborted"
            if not how:
                report()
            else:
                sel.unregister(sock)
                conns.discard(sock)
                sock.close()
                count[how] += 1
                report()


def reply_server(addr, port, size, status):
    lsock = socket.socket(family(addr), socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind((addr, port))
    lsock.listen(1)
    write_status(status, "written 0 received 0 how listening")
    conn, _ = lsock.accept()
    written = received = 0
    how = "serving"
    conn.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(conn, selectors.EVENT_READ)
    while how in ("serving", "done"):
        for _, mask in sel.select():
            try:
                if mask & selectors.EVENT_READ:
                    data = conn.recv(65536)
                    if not data:
                        how = "closed"
                        break
                    received += len(data)
                    if written == 0 and how == "serving":
                        sel.modify(conn, selectors.EVENT_READ | selectors.EVENT_WRITE)
                if mask & selectors.EVENT_WRITE and how == "serving":
                    # what send() returns is what the kernel queued: the
                    # bytes the server "has written"
                    written += conn.send(b"r" * min(1 << 20, size - written))
                    if written == size:
                        how = "done"
                        sel.modify(conn, selectors.EVENT_READ)
            except ConnectionResetError:
                how = "reset"
            except OSError:
                how = "aborted"
        write_status(status, "written %d received %d how %s" % (written, received, how))


def steady(addr, port, status):
    sock = socket.create_connection((addr, port), timeout=3)
    sock.settimeout(None)
    lport = sock.getsockname()[1]
    count = {"received": 0, "sent": 0}

    def report(state):
        write_status(status, "%s %d %d %d" % (state, lport, count["received"], count["sent"]))

    def send_more(*_):
        count["sent"] += sock.send(b"c" * 1000)
        report("connected")

    sock.sendall(b"q" * 16)
    count["sent"] = 16
    signal.signal(signal.SIGUSR1, send_more)
    report("connected")
    while True:
        try:
            data = sock.recv(65536)
        except InterruptedError:
            continue
        except ConnectionResetError:
            report("reset")
            return
        except OSError as e:
            report("error-%s" % e.errno)
            return
        if not data:
            report("closed")
            return
        count["received"] += len(data)
        report("connected")
        time.sleep(0.02)


def late_server(addr, port, read_ms, answer_ms, status, size2=0):
    lsock = socket.socket(family(addr), socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind((addr, port))
    lsock.listen(1)
    write_status(status, "listening " + now())
    conn, _ = lsock.accept()
    write_status(status, "accepted " + now())
    time.sleep(read_ms / 1000)
    try:
        conn.recv(65536)
        write_status(status, "read " + now())
        time.sleep(answer_ms / 1000)
        conn.sendall(b"answer\n")
        write_status(status, "answered " + now())
        if size2:
            conn.recv(65536)
            write_status(status, "read2 " + now())
            time.sleep(answer_ms / 1000)
            conn.sendall(b"a" * size2)
            write_status(status, "answered2 " + now())
        while conn.recv(65536):
            pass
    except OSError as e:
        write_status(status, "error %s %s" % (e.errno, now()))


def ask(addr, port, status, second_ms=-1):
    sock = socket.create_connection((addr, port), timeout=3)
    sock.settimeout(None)
    sock.send(b"request\n")
    write_status(status, "sent " + now())
    got = ""
    total = 0
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                write_status(status, got + "closed " + now())
                return
            total += len(data)
            got = "answer %s %d\n" % (now(), total)
            write_status(status, got)
            if second_ms >= 0 and total >= 7:
                time.sleep(second_ms / 1000)
                sock.send(b"request\n")
                second_ms = -1
    except ConnectionResetError:
        write_status(status, got + "reset " + now())


def udp_socket(addr):
    # shared: a sender binds the very address:port a receiver listens on
    sock = socket.socket(family(addr), socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    return sock


def udp_recv(addr, port, status):
    sock = udp_socket(addr)
    sock.bind((addr, port))
    n = 0
    write_status(status, "datagrams 0 last none")
    while True:
        data = sock.recv(65536)
        n += 1
        write_status(status, "datagrams %d last %s" % (n, sha(data)))


def udp_send(saddr, sport, daddr, dport, count):
    sock = udp_socket(daddr)
    sock.bind((saddr, sport))
    for _ in range(count):
        sock.sendto(b"portfence", (daddr, dport))
        time.sleep(0.01)


def sha(data):
    return hashlib.sha256(data).hexdigest()[:16]


def inet_csum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


SOL_PACKET = 263
PACKET_VNET_HDR = 15


def raw_send(dev, dmac, saddr, daddr, dport, size, kind):
    src, dst = socket.inet_aton(saddr), socket.inet_aton(daddr)
    ip_proto = socket.IPPROTO_UDP if kind == "udp" else socket.IPPROTO_TCP
    l4_len = size - 14 - 20
    hlen = 8 if kind == "udp" else 20
    data = bytes(i * 7 & 0xFF for i in range(l4_len - hlen))
    pseudo = src + dst + struct.pack("!BBH", 0, ip_proto, l4_len)
    if kind == "udp":
        l4 = struct.pack("!HHHH", 7777, dport, l4_len, 0) + data
    else:  # SYN, seq 1000, data offset 5
        l4 = struct.pack("!HHIIBBHHH", 7777, dport, 1000, 0, 5 << 4, 0x02, 65535, 0, 0) + data
    csum = inet_csum(pseudo + l4) or 0xFFFF
    at = 6 if kind == "udp" else 16
    l4 = l4[:at] + struct.pack("!H", csum) + l4[at + 2:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + l4_len, 1, 0, 64, ip_proto, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", inet_csum(ip)) + ip[12:]
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sock.setsockopt(SOL_PACKET, PACKET_VNET_HDR, 1)
    sock.bind((dev, 0))
    smac = sock.getsockname()[4]
    eth = bytes.fromhex(dmac.replace(":", "")) + smac + b"\x08\x00"
    # virtio_net_hdr: no GSO, no checksum offload, hdr_len 14: the kernel
    # copies only that much into the linear data of a frame over a page
    vnet = struct.pack("<BBHHHH", 0, 0, 14, 0, 0, 0)
    sock.send(vnet + eth + ip + l4)
    print(sha(data))


def main(argv):
    if len(argv) == 5 and argv[1] == "reader":
        reader(argv[2], int(argv[3]), argv[4])
    elif len(argv) == 5 and argv[1] == "connect":
        connect(argv[2], int(argv[3]), argv[4])
    elif len(argv) == 5 and argv[1] == "stale":
        stale(argv[2], int(argv[3]), argv[4])
    elif len(argv) == 5 and argv[1] == "quiet-server":
        quiet_server(argv[2], int(argv[3]), argv[4])
    elif len(argv) == 6 and argv[1] == "reply-server":
        reply_server(argv[2], int(argv[3]), int(argv[4]), argv[5])
    elif len(argv) == 5 and argv[1] == "steady":
        steady(argv[2], int(argv[3]), argv[4])
    elif len(argv) in (7, 8) and argv[1] == "late-server":
        late_server(argv[2], int(argv[3]), int(argv[4]), int(argv[5]), argv[6],
                    int(argv[7]) if len(argv) == 8 else 0)
    elif len(argv) in (5, 6) and argv[1] == "ask":
        ask(argv[2], int(argv[3]), argv[4], int(argv[5]) if len(argv) == 6 else -1)
    elif len(argv) == 5 and argv[1] == "udp-recv":
        udp_recv(argv[2], int(argv[3]), argv[4])
    elif len(argv) == 7 and argv[1] == "udp-send":
        udp_send(argv[2], int(argv[3]), argv[4], int(argv[5]), int(argv[6]))
    elif len(argv) == 9 and argv[1] == "raw-send" and argv[8] in ("udp", "syn"):
        raw_send(argv[2], argv[3], argv[4], argv[5], int(argv[6]), int(argv[7]), argv[8])
    else:
        sys.stderr.write(__doc__)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

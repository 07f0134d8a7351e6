#!/usr/bin/python3
"""A TCP SYN behind a chain of IPv6 Destination Options headers.

  extsyn.py DEV DMAC SADDR DADDR DPORT N
      send one SYN from SADDR to DADDR:DPORT out of DEV (an Ethernet frame
      to DMAC, through a packet socket) behind N empty Destination Options
      headers, and wait 2 s for the answer: exit 0 on a SYN-ACK, 2 on an
      RST, 1 on none.
"""
import os
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
ETH_P_IPV6 = 0x86DD
NEXTHDR_DEST = 60


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def main():
    dev, dmac, saddr, daddr, dport, n = sys.argv[1:7]
    dport, n = int(dport), int(n)
    src = socket.inet_pton(socket.AF_INET6, saddr)
    dst = socket.inet_pton(socket.AF_INET6, daddr)
    sport = 20000 + os.getpid() % 20000
    seq = 0x1000
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, 0x02, 65535, 0, 0)
    pseudo = src + dst + struct.pack("!IxxxB", len(tcp), socket.IPPROTO_TCP)
    tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
    # each header: next header, length 0 (8 bytes), a PadN option of 4
    exts = b""
    for i in range(n):
        nxt = NEXTHDR_DEST if i < n - 1 else socket.IPPROTO_TCP
        exts += struct.pack("!BBBB4x", nxt, 0, 1, 4)
    first = NEXTHDR_DEST if n else socket.IPPROTO_TCP
    payload = exts + tcp
    ip6 = struct.pack("!IHBB", 6 << 28, len(payload), first, 64) + src + dst
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((dev, 0))
    smac = s.getsockname()[4][:6]
    frame = bytes.fromhex(dmac.replace(":", "")) + smac + struct.pack("!H", ETH_P_IPV6) + ip6 + payload
    s.send(frame)
    deadline = time.monotonic() + 2
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([s], [], [], left)[0]:
            return 1
        data, addr = s.recvfrom(65536)
        if addr[2] == socket.PACKET_OUTGOING or len(data) < 14 + 40 + 20:
            continue
        if struct.unpack("!H", data[12:14])[0] != ETH_P_IPV6 or data[20] != socket.IPPROTO_TCP:
            continue
        if data[22:38] != dst or data[38:54] != src:
            continue
        th = data[54:]
        rsport, rdport = struct.unpack("!HH", th[:4])
        if rsport != dport or rdport != sport:
            continue
        flags = th[13]
        if flags & 0x04:
            return 2
        if flags & 0x12 == 0x12:
            return 0


sys.exit(main())

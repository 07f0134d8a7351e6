#!/usr/bin/python3
"""tunpipe.py NS_A DEV_A NS_B DEV_B: a point-to-point link between two
network namespaces made of their tun devices (IFF_TUN, no packet info:
frames start at the IP header, no MAC), each packet one device reads
written to the other. Prints "joined" once both are open; runs until
killed. The devices exist already (ip tuntap add mode tun)."""
import ctypes
import fcntl
import os
import select
import struct
import sys

CLONE_NEWNET = 0x40000000
TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000

libc = ctypes.CDLL(None, use_errno=True)


def open_tun(netns, dev):
    nsfd = os.open("/run/netns/" + netns, os.O_RDONLY)
    if libc.setns(nsfd, CLONE_NEWNET):
        raise OSError(ctypes.get_errno(), "setns " + netns)
    os.close(nsfd)
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", dev.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def main():
    a = open_tun(sys.argv[1], sys.argv[2])
    b = open_tun(sys.argv[3], sys.argv[4])
    other = {a: b, b: a}
    print("joined", flush=True)
    while True:
        ready, _, _ = select.select([a, b], [], [])
        for fd in ready:
            try:
                os.write(other[fd], os.read(fd, 65536))
            except OSError:
                pass    # a device going down drops the packet, as a wire would


main()

#!/usr/bin/env python3
"""Reads and forges records of a pinned "knocks" map through bpftool, the
field offsets taken from the map's own BTF, so the tests write what the
running layout holds.

  knockmap.py dump MAP PORT               value hex of each knock on PORT
  knockmap.py age MAP PORT SECONDS        make each knock on PORT that old
  knockmap.py forge MAP PORT REMOTE N     N segment knocks from REMOTE,
        ports 20000.. (the i-th seen i ms after the others' start, all older
        than the template knock on PORT, whose portal entry they copy)
"""
import json, subprocess, sys, tempfile, time


def bpftool(*args):
    return subprocess.run(["bpftool", "-j", *args], check=True, capture_output=True,
                          text=True).stdout


def offsets(path):
    out = subprocess.run(["bpftool", "btf", "dump", "map", "pinned", path, "value"],
                         check=True, capture_output=True, text=True).stdout
    offs = {}
    for line in out.splitlines():
        line = line.strip()
        if line.startswith("'") and "bits_offset=" in line:
            name = line.split("'")[1]
            offs[name] = int(line.split("bits_offset=")[1].split()[0]) // 8
    return offs


def entries(path, port):
    for e in json.loads(bpftool("map", "dump", "pinned", path)):
        key = [int(b, 16) for b in e["key"]]
        if key[2] << 8 | key[3] == port:
            yield key, [int(b, 16) for b in e["value"]]


def hexs(b):
    return " ".join("%02x" % x for x in b)


def put(value, off, n, v):
    value[off:off + n] = v.to_bytes(n, "little")


def batch(lines):
    with tempfile.NamedTemporaryFile("w", suffix=".batch") as f:
        f.write("\n".join(lines) + "\n")
        f.flush()
        subprocess.run(["bpftool", "batch", "file", f.name], check=True,
                       stdout=subprocess.DEVNULL)


def main():
    cmd, path, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    offs = offsets(path)
    now = time.monotonic_ns()
    if cmd == "dump":
        for key, value in entries(path, port):
            print(hexs(value))
        return
    if cmd == "age":
        lines = []
        for key, value in entries(path, port):
            put(value, offs["seen"], 8, now - int(float(sys.argv[4]) * 1e9))
            lines.append("map update pinned %s key hex %s value hex %s" %
                         (path, hexs(key), hexs(value)))
        batch(lines)
        return
    remote, n = sys.argv[4], int(sys.argv[5])
    key, value = next(entries(path, port))
    seen = int.from_bytes(bytes(value[offs["seen"]:offs["seen"] + 8]), "little")
    start = seen - (n + 1) * 1000000
    value[offs["kind"]] = 2		# PF_KNOCK_SEGMENT
    lines = []
    for i in range(n):
        k = list(key)
        k[4:6] = (20000 + i).to_bytes(2, "big")		# remote_port
        k[24:40] = list(bytes(map(int, remote.split(".")))) + [0] * 12
        put(value, offs["seen"], 8, start + i * 1000000)
        lines.append("map update pinned %s key hex %s value hex %s" %
                     (path, hexs(k), hexs(value)))
    batch(lines)


main()

#!/usr/bin/env python3
"""The test bed's power switch: what tests/cluster/agents/fence_pfbed drives.

  pdu.py DIR BRNS ADDR=NODE... [NODE=NETNS:IP/LEN...]

Run by clusterlib.sh in the bridge's network namespace (BRNS), it listens
on TCP port 1623 of each ADDR (the node's "BMC" address, on br0) and
controls the node named beside it: one line in, one line out.

  off [NODE]     power cut: NODE's switch port p-NODE down, then every
                 process in both NODE's mount namespace (read from
                 DIR/NODE/mnt, as clusterlib wrote it when the node
                 started) and its network namespace NETNS killed by pid
                 until none is left; answers "ok" or "error TEXT"
  on [NODE]      power back: NODE's eth0 as a boot leaves it (only its
                 own address, no qdisc), then its port up; the node runs
                 nothing (its cluster services do not start at boot)
  status [NODE]  "on" or "off" (the port's state)
  list           the nodes, one "NODE" per line, then "."

NODE defaults to the one of the address connected to (a BMC powers its
own machine); a NODE naming another machine is refused. Every request is
logged to DIR/pdu.log with the wall clock in ms, so the test can tell when
the survivor's fence agent cut the power and when it was done.
"""
import os
import signal
import socketserver
import subprocess
import sys
import threading
import time

PORT = 1623


def now_ms():
    return time.time_ns() // 1000000


class Switch:
    def __init__(self, d, brns, boot):
        self.dir, self.brns, self.boot = d, brns, boot
        self.lock = threading.Lock()
        self.log = open(os.path.join(d, "pdu.log"), "a", buffering=1)

    def note(self, line):
        self.log.write("t_ms=%d %s\n" % (now_ms(), line))

    def ip(self, *args):
        return subprocess.run(["ip"] + list(args), capture_output=True, text=True)

    def mnt(self, node):
        try:
            with open(os.path.join(self.dir, node, "mnt")) as fh:
                return fh.read().strip()
        except OSError:
            return ""

    def net(self, node):
        ns = self.boot.get(node, ":").partition(":")[0]
        try:
            return "net:[%d]" % os.stat("/run/netns/" + ns).st_ino
        except OSError:
            return ""

    def pids_in(self, mnt, net):
        pids = []
        for p in os.listdir("/proc"):
            if p.isdigit():
                try:
                    if (os.readlink("/proc/%s/ns/mnt" % p) == mnt
                            and os.readlink("/proc/%s/ns/net" % p) == net):
                        pids.append(int(p))
                except OSError:
                    pass
        return pids

    def kill_all(self, node):
        # The node's processes are those in both its mount and its network
        # namespace: once the node is dead its mount namespace's number
        # can be reused by anyone's, its named network namespace's cannot.
        mnt, net = self.mnt(node), self.net(node)
        if not mnt or not net:
            return True
        for _ in range(100):
            pids = self.pids_in(mnt, net)
            if not pids:
                return True
            for p in pids:
                try:
                    os.kill(p, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.05)
        return False

    def port_up(self, node):
        out = self.ip("-o", "link", "show", "dev", "p-" + node).stdout
        return "<" in out and ",UP" in out.split(">")[0] + ","

    def off(self, node):
        r = self.ip("link", "set", "dev", "p-" + node, "down")
        if r.returncode:
            return "error port p-%s: %s" % (node, r.stderr.strip())
        if not self.kill_all(node):
            return "error processes of %s still alive" % node
        return "ok"

    def on(self, node):
        ns, _, addr = self.boot.get(node, ":").partition(":")
        if ns:
            # What a reboot leaves: the node's own address, nothing the
            # cluster had put there (its portal addresses, the fences).
            self.ip("-n", ns, "addr", "flush", "dev", "eth0")
            self.ip("-n", ns, "addr", "add", addr, "dev", "eth0")
            self.ip("-n", ns, "link", "set", "dev", "eth0", "up")
            subprocess.run(["tc", "-n", ns, "qdisc", "del", "dev", "eth0", "clsact"],
                           capture_output=True)
        r = self.ip("link", "set", "dev", "p-" + node, "up")
        if r.returncode:
            return "error port p-%s: %s" % (node, r.stderr.strip())
        return "ok"

    def request(self, line, own):
        words = line.split()
        if not words:
            return "error empty request"
        cmd, node = words[0], words[1] if len(words) > 1 else own
        if cmd == "list":
            return "\n".join(sorted(set(self.nodes.values())) + ["."])
        if node != own:
            return "error this device powers %s, not %s" % (own, node)
        with self.lock:
            self.note("req=%s node=%s" % (cmd, node))
            if cmd == "off":
                res = self.off(node)
            elif cmd == "on":
                res = self.on(node)
            elif cmd == "status":
                res = "on" if self.port_up(node) else "off"
            else:
                res = "error unknown request '%s'" % cmd
            self.note("done=%s node=%s result=%s" % (cmd, node, res.replace(" ", "_")))
        return res


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        own = self.server.node
        for raw in self.rfile:
            line = raw.decode(errors="replace").strip()
            self.wfile.write((self.server.switch.request(line, own) + "\n").encode())


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    if len(sys.argv) < 4:
        sys.stderr.write(__doc__)
        return 2
    d, brns = sys.argv[1], sys.argv[2]
    nodes, boot = {}, {}
    for a in sys.argv[3:]:
        k, v = a.split("=", 1)
        if k[0].isdigit():
            nodes[k] = v
        else:
            boot[k] = v
    sw = Switch(d, brns, boot)
    sw.nodes = nodes
    servers = []
    for addr, node in nodes.items():
        s = Server((addr, PORT), Handler)
        s.switch, s.node = sw, node
        servers.append(s)
        threading.Thread(target=s.serve_forever, daemon=True).start()
    sw.note("listening %s" % " ".join("%s=%s" % kv for kv in nodes.items()))
    with open(os.path.join(d, "pdu.ready"), "w"):
        pass
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    return 0


if __name__ == "__main__":
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    sys.exit(main())

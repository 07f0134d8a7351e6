#!/usr/bin/python3
"""timer.py: the clocks of the bench cases, run inside a test namespace.

  timer.py pair REPS BOUND LABEL_A LABEL_B -- CMD_A... -- CMD_B...
      REPS times: CMD_A then CMD_B, each timed process start to exit.
      One line per run: "LABEL<TAB>ms", or "LABEL<TAB>fail:RC" /
      "LABEL<TAB>dnf:BOUND" (killed after BOUND seconds).
  timer.py burst N BOUND -- CMD...
      N copies of CMD at once ({i} in an argument becomes 1..N, {vip} the
      i-th bench VIP); waits for all. Prints "wall_ms<TAB>failures<TAB>dnf".
  timer.py teardown PORT BOUND -- CMD...
      Runs CMD and polls /proc/net/tcp{,6} of this namespace until no TCP
      socket but the listener has local port PORT. Prints
      "cmd_ms<TAB>gone_ms" (gone_ms "dnf:BOUND" when sockets remain).
  timer.py settle PORT N BOUND
      Waits until N sockets with local port PORT are established; prints
      how many there are (fewer after BOUND seconds).
  timer.py readers ADDR PORT N   N connections that keep reading (64 KiB
                                 per socket every 10 ms), until killed

Every wait is bounded: a command still running after BOUND seconds is
killed and reported, never dropped.
"""
import os
import signal
import socket
import subprocess
import sys
import time


def split_commands(args):
    """Commands separated by a bare '--' (the first one leads)."""
    cmds, cur = [], None
    for a in args:
        if a == "--":
            cur = []
            cmds.append(cur)
        elif cur is not None:
            cur.append(a)
    return cmds


class Deadline:
    """Kills the given processes (each its own session) when BOUND seconds
    have passed, from SIGALRM: the caller then waits with a plain blocking
    waitpid. (Popen.wait(timeout) polls with growing sleeps, which would
    round every measured time up to its next poll.)"""

    def __init__(self, bound):
        self.bound, self.procs, self.expired = bound, [], False

    def __enter__(self):
        signal.signal(signal.SIGALRM, self._expire)
        signal.setitimer(signal.ITIMER_REAL, self.bound)
        return self

    def __exit__(self, *exc):
        signal.setitimer(signal.ITIMER_REAL, 0)

    def _expire(self, signum, frame):
        self.expired = True
        for p in self.procs:
            if p.returncode is None:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def spawn(self, cmd):
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
        self.procs.append(p)
        return p


def run_bounded(cmd, bound):
    """(ms, status): status is 'ok', 'fail:RC' or 'dnf:BOUND'."""
    with Deadline(bound) as d:
        t0 = time.perf_counter()
        rc = d.spawn(cmd).wait()
        ms = (time.perf_counter() - t0) * 1000
    if d.expired:
        return ms, "dnf:%g" % bound
    return ms, "ok" if rc == 0 else "fail:%d" % rc


def result(label, ms, status):
    print("%s\t%s" % (label, "%.3f" % ms if status == "ok" else status), flush=True)


def cmd_pair(args):
    reps, bound, la, lb = int(args[0]), float(args[1]), args[2], args[3]
    a, b = split_commands(args[4:])
    for _ in range(reps):
        result(la, *run_bounded(a, bound))
        result(lb, *run_bounded(b, bound))


def bench_vip(i):
    """The i-th VIP of the concurrency case (1-based): 198.18.16.0/20."""
    return "198.18.%d.%d" % (16 + i // 250, 1 + i % 250)


def cmd_burst(args):
    n, bound = int(args[0]), float(args[1])
    cmd = split_commands(args[2:])[0]
    with Deadline(bound) as d:
        t0 = time.perf_counter()
        for i in range(1, n + 1):
            d.spawn([a.replace("{i}", str(i)).replace("{vip}", bench_vip(i)) for a in cmd])
        rcs = [p.wait() for p in d.procs]
        wall = (time.perf_counter() - t0) * 1000
    # killed by the deadline: -SIGKILL; a command's own failure: any other
    dnf = sum(rc == -signal.SIGKILL for rc in rcs) if d.expired else 0
    failures = sum(rc != 0 for rc in rcs)
    print("%.3f\t%d\t%d" % (wall, failures, dnf), flush=True)


def sockets_on(port, established_only=False):
    """TCP sockets of this namespace with local port PORT: every one but
    the listener, or only the established ones."""
    hexport = ":%04X" % port
    n = 0
    for f in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(f) as fh:
            next(fh)
            for line in fh:
                fields = line.split(None, 4)
                # fields: sl local remote st ...; 01 ESTABLISHED, 0A LISTEN
                if not fields[1].endswith(hexport) or fields[3] == "0A":
                    continue
                if not established_only or fields[3] == "01":
                    n += 1
    return n


def cmd_settle(args):
    port, want, bound = int(args[0]), int(args[1]), float(args[2])
    end = time.perf_counter() + bound
    n = sockets_on(port, True)
    while n < want and time.perf_counter() < end:
        time.sleep(0.05)
        n = sockets_on(port, True)
    print(n, flush=True)


def cmd_teardown(args):
    port, bound = int(args[0]), float(args[1])
    cmd = split_commands(args[2:])[0]
    cmd_ms = gone_ms = None
    with Deadline(bound) as d:
        t0 = time.perf_counter()
        p = d.spawn(cmd)
        while not d.expired:
            if cmd_ms is None and p.poll() is not None:
                cmd_ms = (time.perf_counter() - t0) * 1000
            if sockets_on(port) == 0:
                gone_ms = (time.perf_counter() - t0) * 1000
                break
            time.sleep(0.002)
        if cmd_ms is None:
            p.wait()
            if not d.expired:
                cmd_ms = (time.perf_counter() - t0) * 1000
    print("%s\t%s" % ("%.3f" % cmd_ms if cmd_ms is not None else "dnf:%g" % bound,
                      "%.3f" % gone_ms if gone_ms is not None else "dnf:%g" % bound),
          flush=True)


def cmd_readers(args):
    import selectors
    addr, port, n = args[0], int(args[1]), int(args[2])
    sel = selectors.DefaultSelector()
    for _ in range(n):
        s = socket.create_connection((addr, port), timeout=5)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
    print("connections %d" % n, flush=True)
    buf = bytearray(1 << 16)
    while sel.get_map():
        for key, _ in sel.select():
            try:
                if not key.fileobj.recv_into(buf):
                    raise OSError
            except BlockingIOError:
                pass
            except OSError:
                sel.unregister(key.fileobj)
                key.fileobj.close()
        time.sleep(0.01)


COMMANDS = {"pair": cmd_pair, "burst": cmd_burst, "teardown": cmd_teardown,
            "settle": cmd_settle, "readers": cmd_readers}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.stderr.write(__doc__)
        sys.exit(2)
    COMMANDS[sys.argv[1]](sys.argv[2:])

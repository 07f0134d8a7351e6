#!/usr/bin/python3
"""report.py RAW_DIR RESULTS_DIR DOCS_DIR

Turns the raw lines of the bench cases (RAW_DIR/CASE.tsv: series, x,
value, note; a value is a number, "dnf:S" for not done after S seconds, or
"fail:RC") into RESULTS_DIR/CASE.json, the plots DOCS_DIR/img/*.png
(gnuplot) and DOCS_DIR/benchmarks.md. Nothing here measures anything: every
number in the page comes from the raw lines of one `make bench` run, but
section 6, which renders RESULTS_DIR/cluster.json as `make test-cluster`
wrote it (tests/cluster) and RESULTS_DIR/crash.json as `make bench-crash`
wrote it (bench/case-crash).
"""
import json
import math
import os
import re
import statistics
import subprocess
import sys

CASES = {
    "latency": ("1. Fence latency", "ms",
                "One fence action, process start to exit, timed inside the node's network "
                "namespace (Python `subprocess`, so the cost of starting any program is in "
                "each number: the `baseline` row starts `/bin/true` the same way). "
                "`fresh node` rows: the first command in a network namespace and pin dir "
                "that never saw portfence, so the programs are loaded and verified inside it "
                "(what a node's first fence after a boot pays): `portfence load`, and a "
                "first `portfence block` that loads. `verifier` rows: the verifier's own "
                "statistics (BPF_LOG_STATS) per program, one fresh load each "
                "(build/bench/verifier): instructions processed, and its verification time. "
                "portfence: `portfence block` / `unblock` with the programs loaded; agents: "
                "`start` / `stop` of an `action=block` resource, run as Pacemaker's executor "
                "runs them (OCF_RESKEY_* environment), for each fence of "
                "[the fences compared](#the-fences-compared). Debian 12's portblock's stop "
                "leaves the rule in place (see 2.), so each start adds one: `rules left "
                "after the runs`; resource-agents' current one removes it."),
    "concurrency": ("2. Concurrency", "ms",
                    "N agent actions at once on N different VIPs (all start, then all stop); "
                    "wall time from the first spawn to the last exit, and the actions that "
                    "failed (exit code not 0, or not done within the bound). Rules/entries "
                    "left: what each fence still holds after every resource was stopped: Debian 12's "
                    "portblock (`portblock-debian-*`) never finds its own rule again "
                    "(iptables 1.8.9 prints protocol `6`, the agent greps for `tcp`), so its "
                    "stop exits 0 without removing anything, and its stop times are those of "
                    "a stop that does nothing; resource-agents' current portblock "
                    "(`portblock-nft`, `portblock-iptables`) finds and removes its rule, and "
                    "each of its actions lists the chain first (its status check)."),
    "teardown": ("3. Teardown under load", "ms",
                 "C established connections to one portal whose peers stopped reading, the "
                 "server (build/tcphold) keeping every send queue full (send buffers capped "
                 "at 64 KiB in the bench namespace, so 10,000 full queues fit in memory). "
                 "Time from starting the fence command until the node's /proc/net/tcp shows "
                 "no socket on the portal but the listener (polled every 2 ms). "
                 "`portfence` is block as configured by default: each connection is drained "
                 "first, and these peers read nothing, so each is destroyed once its send "
                 "queue has not moved for 50 ms (`--drain-stall`); `portfence-drain0` is "
                 "`--drain 0`, every socket destroyed at once. `portfence-readers` and "
                 "`portfence-readers-drain0`: the same with peers that keep reading (up to "
                 "100, bench/timer.py readers) from a server that keeps writing, so never goes "
                 "quiet: each drain runs to the 1000 ms deadline. "
                 "`bytes discarded` rows: what block printed as discarded (queued and never "
                 "acknowledged by the peer), all sockets together. `idle block ms` rows: block "
                 "(and unblock) of a portal with no connection, drain on and off. "
                 "`portfence-out-keep` is `--direction out --keep-established`: no sweep, "
                 "each socket dies on its next transmit, which for a peer with a closed "
                 "window is its next zero-window probe (exponential backoff from 200 ms). "
                 "portblock (every one of [the fences compared](#the-fences-compared), "
                 "`-in` / `-out`: its `direction`, `method=drop` as by default) runs one "
                 "bounded pass per size: its rules never tear a socket "
                 "down. `command ms` rows: how long the fence command itself ran."),
    "datapath": ("4. Data path", "ns / Mbit/s",
                 "ns per packet of each program under BPF_PROG_TEST_RUN "
                 "(build/bench/progrun): the kernel's own average over REPEAT runs of one "
                 "IPv4 TCP frame: a SYN to the portal for ingress, a 64-byte data segment "
                 "from the portal for egress. `fenced`: the frame's portal is one of the "
                 "entries (ingress: dropped; egress: rewritten into the local RST, which "
                 "changes the packet, so each run gets a fresh copy: the median of single "
                 "runs, `per-call`, which includes a clock read); `not-fenced`: an address "
                 "with no entry. `empty_program`: a tc program that only returns, run the "
                 "same way: the floor of the harness itself, included in every other row. Throughput: one TCP stream over veth from a sender "
                 "namespace to receivers that differ only in what filters them: nothing, "
                 "portfence (programs attached on every interface, 1,000 other portals "
                 "fenced), iptables with 1,000 non-matching rules in INPUT. Rounds "
                 "alternate between receivers, each round starting with the next one. "
                 "iperf3 sends and receives, so the stream is bound by the kernel's "
                 "own path, filters included, rather than by the tools."),
    "failover": ("5. Failover", "ms",
                 "The e2e scenario (tests/e2e/scenario): six iSCSI targets (tgtd, "
                 "resource-agents' iSCSITarget/iSCSILogicalUnit/IPaddr2) under libiscsi "
                 "load move a -> b -> a. Per move: its time (every group stopped on one "
                 "node and started on the other, groups in parallel, 20 s bound per agent "
                 "operation; a failed stop fences the node, as STONITH would), the longest "
                 "initiator stall in the window after it, and what the initiator counted "
                 "there. `none` has no fence at all. `completed per move` 0 with a stall as long "
                 "as the window: no I/O got through at all after that move; `rules_left`: "
                 "DROP rules still in the INPUT chain of a node after the run (iptables' "
                 "and nft's table `inet portblock`). "
                 "`reissued`: commands in flight at a connection loss that were sent again; "
                 "`reexecuted`: of those, writes the target had already executed (the "
                 "initiator reads the chunk before the write goes out again). "
                 "`portfence-libiscsi-*`: the initiator leaves reconnecting to libiscsi "
                 "(its own re-login, backoff and re-queueing, NOP-Outs every 5 s, as under "
                 "QEMU), nothing is loaded on a node before its first block start, and the "
                 "unblock resources run with `wake` on or off (`wake` / `nowake`) and with "
                 "or without `tickle_dir` (`tickle` / `notickle`); `-nodrain`: the same "
                 "with `drain=0` (sockets destroyed at once, their queued answers "
                 "discarded) against the drain on by default; their moves are also "
                 "given one by one below the table."),
    "answers": ("7. Drained means answered", "requests / ms",
                "bench/rpc.py: a request/response server shaped like tgtd under load (8 "
                "worker threads shared by the connections, each request 2-30 ms, answers "
                "written whole and out of order) and a client keeping 32 requests in flight "
                "on one connection. Each run blocks 5 times mid-stream (block, 300 ms "
                "fenced, unblock, 1 s of traffic); then the client stops asking and collects "
                "what is due. `answers lost`: requests the server executed whose answer "
                "never reached the client, over the run's 5 blocks; `block ms`: each block, "
                "process start to exit; `drained` / `stalled` / `deadline`: how block said "
                "the sockets ended. `portfence` is block's defaults (`--drain-quiet 100`), "
                "`portfence-quiet0` is `--drain-quiet 0`, a socket drained the moment its "
                "send queue is empty."),
    "tgtlatency": ("8. tgtd command latency", "ms",
                   "What the drain's quiet window must outlast: one tgtd target with two "
                   "4 MiB file-backed LUNs (page cache, the floor a real disk adds to) under "
                   "the e2e's initiator (build/tests/iscsi-load, 8-block WRITE16/READ16, half "
                   "writes) at 4 and 16 commands in flight per LUN; the mean command latency "
                   "by Little's law (commands in flight x elapsed / completed)."),
    "tape": ("9. Commands that must not run twice", "records / ms",
             "build/tests/tapeio writes numbered records to tgtd's virtual tape (bs-type "
             "ssc), one WRITE(6) at a time, while the portal is blocked and unblocked 20 "
             "times; after each cut it logs in again and counts the records on tape (tgtd "
             "answers READ POSITION \"location unknown\"), then writes on from record "
             "acknowledged + 1. `extra records`: on tape past those acknowledged at the end "
             "(writes executed whose answer was lost); `duplicates`: records read back "
             "twice; `cuts`: blocks that cut the connection; `block ms`: each block. "
             "`portfence` is block's defaults, `portfence-quiet0` `--drain-quiet 0`."),
    "peerd": ("10. Peer publishing", "% of a core",
              "portfence-peerd on both nodes of a corosync-only two-node bed (the nodes of "
              "tests/cluster, no Pacemaker): 1,000 connections held from the initiator to "
              "node1's portal, then 10 new connections a second (each closed a second "
              "later) for 30 s; CPU time (user + system, /proc/PID/stat) of each node's "
              "daemon and each node's corosync over the window, in percent of one core. "
              "node1 publishes (the events applied to its list, a delta at most `rate` "
              "times a second), node2 receives and rewrites node1's file in its store. "
              "`idle` rows: the same window with the connections held and none opening: "
              "corosync's own floor (its token). `rate`: the daemon's --rate. "
              "`store-bytes`: node1's file on node2 for the 1,000 peers."),
}

PLOTS = {
    "concurrency": ("concurrency.png", "wall time vs concurrent agent actions",
                    "concurrent agent actions (N)", "wall time (ms)", True, True,
                    lambda s: s.endswith("wall ms")),
    "teardown": ("teardown.png", "time until no socket is left vs connections",
                 "established connections (full send queues)", "time until none left (ms)",
                 True, True, lambda s: not s.endswith(" ms") and "setup" not in s
                 and not s.endswith("bytes discarded")),
    "datapath": ("datapath.png", "ns per packet vs portal entries (BPF_PROG_TEST_RUN)",
                 "portal entries", "ns per packet", True, False,
                 lambda s: s.startswith("fence_")),
}


def parse_value(v):
    if v.startswith("dnf:"):
        return ("dnf", float(v[4:]))
    if v.startswith("fail:"):
        return ("fail", int(v[5:]))
    try:
        return ("ok", float(v))
    except ValueError:
        return ("fail", None)


def load_case(path):
    rows, order = {}, []
    with open(path) as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 3:
                continue
            series, x, value = parts[:3]
            note = parts[3] if len(parts) > 3 else ""
            key = (series, x)
            if key not in rows:
                rows[key] = {"series": series, "x": x, "samples": [], "notes": []}
                order.append(key)
            rows[key]["samples"].append(value)
            if note:
                rows[key]["notes"].append(note)
    return [summarize(rows[k]) for k in order]


def summarize(row):
    ok, dnf, fail = [], [], []
    for v in row["samples"]:
        kind, n = parse_value(v)
        {"ok": ok, "dnf": dnf, "fail": fail}[kind].append(n)
    bound = max(dnf) if dnf else None
    # a run not done within its bound counts as longer than every finished one
    ranked = sorted(ok) + [math.inf] * len(dnf)
    med = statistics.median(ranked) if ranked else None
    row.update({
        "n": len(ranked),
        "finished": len(ok),
        "not_done": len(dnf),
        "not_done_bound_s": bound,
        "failed": len(fail),
        "median": None if med is None or math.isinf(med) else med,
        "median_not_done": med is not None and math.isinf(med),
        "min": min(ok) if ok else None,
        "max": None if dnf else (max(ok) if ok else None),
    })
    methods = sorted(set(row["notes"]))
    if methods and all("=" not in m for m in methods):
        row["method"] = ", ".join(methods)
    del row["notes"]
    return row


def fmt(v):
    if v is None:
        return "-"
    if abs(v) >= 100 or v == int(v):
        return "%.0f" % v
    return "%.1f" % v


def cell_median(r):
    if r["median_not_done"]:
        return "not done after %g s" % r["not_done_bound_s"]
    return fmt(r["median"])


def cell_max(r):
    if r["not_done"]:
        return "not done after %g s" % r["not_done_bound_s"]
    return fmt(r["max"])


def table(rows, xname):
    first = {}
    for i, r in enumerate(rows):
        first.setdefault(r["series"], i)
    rows = sorted(rows, key=lambda r: first[r["series"]])  # stable: x order kept
    out = ["| series | %s | median | min | max | N | notes |" % xname,
           "|---|---|---:|---:|---:|---:|---|"]
    for r in rows:
        notes = []
        if r["not_done"] and not r["median_not_done"]:
            notes.append("%d of %d not done after %g s" % (r["not_done"], r["n"],
                                                           r["not_done_bound_s"]))
        if r["failed"]:
            notes.append("%d failed" % r["failed"])
        if r.get("method"):
            notes.append(r["method"])
        out.append("| %s | %s | %s | %s | %s | %d | %s |" % (
            r["series"], r["x"], cell_median(r), fmt(r["min"]), cell_max(r),
            r["n"] + r["failed"], "; ".join(notes)))
    return "\n".join(out)


def concurrency_table(rows):
    """One line per fence and N: start and stop wall time, failures, and
    what the fence still holds after every stop."""
    fences, sizes = [], []
    for r in rows:
        f = r["series"].split(" ")[0]
        if f not in fences:
            fences.append(f)
        if r["x"] not in sizes:
            sizes.append(r["x"])

    def wall(f, n, action):
        r = find(rows, "%s %s wall ms" % (f, action), n)
        if not r:
            return "-"
        return "%s (%s .. %s)" % (cell_median(r), fmt(r["min"]), cell_max(r))

    def worst(series, n):
        r = find(rows, series, n)
        return fmt(r["max"]) if r and r["max"] is not None else "-"

    out = ["| fence | N | start: median (min .. max) ms | stop: median (min .. max) ms "
           "| failures start / stop (worst run) | rules or entries left after stop | runs |",
           "|---|---:|---:|---:|---:|---:|---:|"]
    for n in sizes:
        for f in fences:
            r = find(rows, "%s start wall ms" % f, n)
            if not r:
                continue
            left = worst("%s rules left after stop" % f, n)
            if left == "-":
                left = worst("%s entries left after stop" % f, n)
            out.append("| %s | %s | %s | %s | %s / %s | %s | %d |" % (
                f, n, wall(f, n, "start"), wall(f, n, "stop"),
                worst("%s start failures" % f, n), worst("%s stop failures" % f, n), left,
                r["n"]))
    return "\n".join(out)


PER_MOVE = re.compile(r"^move (\d+): (.*)$")


def per_move_table(rows):
    """One line per variant and move, from the `move N: ...` rows."""
    moves, order = {}, []
    for r in rows:
        m = PER_MOVE.match(r["x"])
        if not m or r["median"] is None:
            continue
        key = (r["series"], int(m.group(1)))
        if key not in moves:
            moves[key] = {}
            order.append(key)
        moves[key][m.group(2)] = r["median"]
    if not order:
        return None
    out = ["| variant | move | move ms | longest stall ms | stall − move ms | re-sent "
           "| executed twice |", "|---|---:|---:|---:|---:|---:|---:|"]
    for key in order:
        v = moves[key]
        out.append("| %s | %d | %s | %s | %s | %s | %s |" % (
            key[0], key[1], fmt(v.get("move ms")), fmt(v.get("longest stall ms")),
            fmt(v.get("stall - move ms")), fmt(v.get("reissued")), fmt(v.get("reexecuted"))))
    return "\n".join(out)


def find(rows, series, x=None):
    for r in rows:
        if r["series"] == series and (x is None or r["x"] == str(x)):
            return r
    return None


def plot(case, rows, imgdir):
    name, title, xl, yl, logx, logy, pick = PLOTS[case]
    series = []
    for r in rows:
        if pick(r["series"]) and r["series"] not in series:
            series.append(r["series"])
    datafile = os.path.join(imgdir, name.replace(".png", ".dat"))
    plots = []
    block = 0

    def emit(fh, points, style, title):
        nonlocal block
        if not points:
            return
        fh.write("".join(points) + "\n\n")
        plots.append("'%s' index %d using 1:2:3:4 with %s title '%s'" %
                     (datafile, block, style, title))
        block += 1

    with open(datafile, "w") as fh:
        for s in series:
            done, dnf = [], []
            for r in rows:
                if r["series"] != s:
                    continue
                if r["median"] is not None:
                    hi = r["max"] if r["max"] is not None else r["median"]
                    done.append("%s %g %g %g\n" % (r["x"], r["median"], r["min"], hi))
                elif r["median_not_done"]:
                    b = r["not_done_bound_s"] * 1000  # ms plots only
                    dnf.append("%s %g %g %g\n" % (r["x"], b, b, b))
            emit(fh, done, "yerrorlines", s)
            if dnf:
                emit(fh, dnf, "points pt 9 ps 2", "%s: not done, drawn at its %g s bound"
                     % (s, float(dnf[0].split()[1]) / 1000))
    if not plots:
        return None
    script = [
        "set terminal pngcairo size 1000,760 font 'sans,10' noenhanced",
        "set output '%s'" % os.path.join(imgdir, name),
        "set title '%s'" % title,
        "set xlabel '%s'" % xl,
        "set ylabel '%s'" % yl,
        "set key below maxcols 2",
        "set grid",
    ]
    if logx:
        script.append("set logscale x")
    if logy:
        script.append("set logscale y")
    script.append("plot " + ", ".join(plots))
    subprocess.run(["gnuplot"], input="\n".join(script), text=True, check=True)
    os.unlink(datafile)
    return name


def throughput_ratios(path):
    """Per round, each receiver's throughput over the unfiltered one's."""
    by_round = {}
    with open(path) as fh:
        for line in fh:
            p = line.rstrip("\n").split("\t")
            if len(p) >= 4 and p[0] == "throughput Mbit/s" and p[3].startswith("round="):
                kind, v = parse_value(p[2])
                if kind == "ok":
                    by_round.setdefault(p[3], {})[p[1]] = v
    ratios = {}
    for rnd in by_round.values():
        base = rnd.get("none")
        for recv, v in rnd.items():
            if recv != "none" and base:
                ratios.setdefault(recv, []).append(v / base)
    return {k: {"median": statistics.median(v), "min": min(v), "max": max(v), "n": len(v)}
            for k, v in ratios.items()}


def aims(results, ratios):
    """(aim, measured, verdict) for each aim of issues 2, 3 and 6."""
    out = []

    def verdict(ok):
        return "met" if ok else "**not met**"

    def check(aim, rows, series, x, limit, unit):
        r = find(rows, series, x) if rows else None
        if not r or (r["median"] is None and not r["median_not_done"]):
            out.append((aim, "not measured in this pass", "-"))
            return
        if r["median_not_done"]:
            out.append((aim, "not done after %g s" % r["not_done_bound_s"], verdict(False)))
            return
        ok = r["median"] < limit and not r["failed"] and not r["not_done"]
        out.append((aim, "median %s %s (%s .. %s, N=%d)" % (fmt(r["median"]), unit, fmt(r["min"]),
                                                          cell_max(r), r["n"]), verdict(ok)))

    lat = results.get("latency")
    check("`portfence load` on a fresh node < 50 ms (issue 10)", lat, "portfence",
          "fresh node: CLI load ms", 50, "ms")
    check("first `portfence block` on a fresh node (it loads) < 100 ms (issue 10)", lat,
          "portfence", "fresh node: CLI first block ms", 100, "ms")
    check("`portfence block` (programs loaded, no connections) < 5 ms", lat, "portfence",
          "CLI block ms", 5, "ms")
    check("`portfence unblock` < 5 ms", lat, "portfence", "CLI unblock ms", 5, "ms")
    check("fence-portblock agent start < 30 ms", lat, "portfence", "agent start ms", 30, "ms")
    check("fence-portblock agent stop < 30 ms", lat, "portfence", "agent stop ms", 30, "ms")
    conc = results.get("concurrency")
    for action in ("start", "stop"):
        for n, limit in ((64, 1000), (256, 2000)):
            aim = "%d concurrent agent %ss < %g s, zero failures" % (n, action, limit / 1000)
            check(aim, conc, "portfence %s wall ms" % action, n, limit, "ms")
            f = find(conc, "portfence %s failures" % action, n) if conc else None
            if f and f["median"] is not None:
                if f["max"]:
                    out[-1] = (out[-1][0], out[-1][1] + "; failures up to %s" % fmt(f["max"]),
                               verdict(False))
                else:
                    out[-1] = (out[-1][0], out[-1][1] + "; 0 failures", out[-1][2])
    td = results.get("teardown")
    check("10,000 connections (full send queues) torn down < 100 ms (`--drain 0`)", td,
          "portfence-drain0", 10000, 100, "ms")
    check("1,000 connections torn down < 50 ms (issue 2 says idle connections; these have "
          "full send queues; `--drain 0`)", td, "portfence-drain0", 1000, 50, "ms")
    check("1,000 non-reading peers gone < 100 ms with the default drain (issue 14)", td,
          "portfence", 1000, 100, "ms")
    check("block of a portal with no connection < 5 ms with the default drain (issue 14)", td,
          "portfence idle block ms", 0, 5, "ms")
    ans = results.get("answers")
    r = find(ans, "portfence answers lost", 5) if ans else None
    if r and r["median"] is not None:
        out.append(("0 executed requests without an answer (tgtd-shaped load, 5 blocks a run)",
                    "%s at most over %d runs" % (fmt(r["max"]), r["n"]), verdict(r["max"] == 0)))
    else:
        out.append(("0 executed requests without an answer (tgtd-shaped load, 5 blocks a run)",
                    "not measured in this pass", "-"))
    check("a busy portal's block <= 200 ms typical (quiet window included)", ans,
          "portfence block ms", 5, 200.001, "ms")
    tape = results.get("tape")
    x = find(tape, "portfence extra records", 20) if tape else None
    d = find(tape, "portfence duplicates", 20) if tape else None
    if x and d and x["median"] is not None and d["median"] is not None:
        out.append(("0 duplicate or lost tape records (20 cuts)",
                    "%s extra, %s duplicates" % (fmt(x["max"]), fmt(d["max"])),
                    verdict(x["max"] == 0 and d["max"] == 0)))
    else:
        out.append(("0 duplicate or lost tape records (20 cuts)", "not measured in this pass", "-"))
    dp = results.get("datapath")
    floor = find(dp, "empty_program none", 0) if dp else None
    for prog in ("fence_ingress", "fence_egress"):
        for lookup in ("not-fenced", "fenced"):
            check("%s < 50 ns per packet at 65,536 entries (%s)" % (prog, lookup), dp,
                  "%s %s" % (prog, lookup), 65536, 50, "ns")
            r = find(dp, "%s %s" % (prog, lookup), 65536) if dp else None
            if floor and floor["median"] is not None and r and r["median"] is not None:
                # the verdict stays on the whole figure; the net one says
                # how much of it is the program
                out[-1] = (out[-1][0], out[-1][1] + "; %s ns net of the harness floor (%s ns)" % (
                    fmt(r["median"] - floor["median"]), fmt(floor["median"])), out[-1][2])
    r = ratios.get("portfence")
    if r:
        out.append(("throughput with the programs attached >= 97% of without",
                    "median %.1f%% (%.1f .. %.1f%%, %d rounds)" % (
                        100 * r["median"], 100 * r["min"], 100 * r["max"], r["n"]),
                    verdict(r["median"] >= 0.97)))
    else:
        out.append(("throughput with the programs attached >= 97% of without",
                    "not measured in this pass", "-"))
    pd = results.get("peerd")
    load = "1000 held, 10 new/s, rate 2"
    check("portfence-peerd publishing < 1% of a core (1,000 connections, 10 new a second)",
          pd, "node1 (publisher) %core", load, 1, "%")
    check("portfence-peerd receiving < 1% of a core (the same)", pd, "node2 (receiver) %core",
          load, 1, "%")
    check("corosync carrying them < 1% of a core (its idle floor included)", pd,
          "corosync node1 %core", load, 1, "%")
    return out


def machine(raw):
    env = {}
    path = os.path.join(raw, "machine.env")
    if os.path.exists(path):
        with open(path) as fh:
            for line in fh:
                k, _, v = line.rstrip("\n").partition("=")
                env[k] = v
    return env


def main(raw, results_dir, docs):
    imgdir = os.path.join(docs, "img")
    os.makedirs(imgdir, exist_ok=True)
    os.makedirs(results_dir, exist_ok=True)
    env = machine(raw)
    results, images = {}, {}
    for case in CASES:
        path = os.path.join(raw, case + ".tsv")
        if not os.path.exists(path):
            continue
        rows = load_case(path)
        results[case] = rows
        doc = {"case": case, "title": CASES[case][0], "unit": CASES[case][1],
               "machine": env, "rows": rows}
        if case == "datapath":
            doc["throughput_ratio_to_none"] = throughput_ratios(path)
        with open(os.path.join(results_dir, case + ".json"), "w") as fh:
            json.dump(doc, fh, indent=1, default=lambda v: None)
        if case in PLOTS:
            images[case] = plot(case, rows, imgdir)
    ratios = throughput_ratios(os.path.join(raw, "datapath.tsv")) \
        if "datapath" in results else {}
    cluster = None
    path = os.path.join(results_dir, "cluster.json")
    if os.path.exists(path):
        with open(path) as fh:
            cluster = json.load(fh)
    crash = None
    path = os.path.join(results_dir, "crash.json")
    if os.path.exists(path):
        with open(path) as fh:
            crash = json.load(fh)
    write_page(os.path.join(docs, "benchmarks.md"), env, results, images, ratios, cluster, crash)


CLUSTER_KINDS = {
    "move": "`crm resource move` of one group",
    "clear": "`crm resource clear` (the group stays)",
    "standby": "`crm node standby`: every group of the node moves",
    "online": "`crm node online`: the groups return",
    "all": "every group moves at once (one CIB update)",
    "failure": "a failed component, recovered by the cluster",
    "cleanup": "`crm resource cleanup` after a failure: the groups return",
    "crash": "a node crashes (power cut, nothing asked to move): fenced, every group on the survivor",
    "rejoin": "the crashed node boots and rejoins: the groups return",
}

# A crash's stages, ms after the crash (tests/cluster/cluster.t's crash()).
CRASH_STAGES = [("offline_ms", "offline (crm_mon)"), ("token_ms", "token lost (corosync)"),
                ("membership_ms", "new membership"), ("fence_off_ms", "power cut (agent)"),
                ("fenced_ms", "fenced (reboot done)"), ("transition_ms", "transition"),
                ("takeover_ms", "takeover (last start)"), ("ms", "all Started (polled)"),
                ("stall_ms", "longest stall"),
                ("stall_minus_takeover_ms", "stall − takeover")]


def crash_rows(crashes, label=None):
    """One table row per crash: its stages and its agents' starts."""
    L = []
    for x in crashes:
        starts = x.get("starts")
        if starts is None:
            starts = sorted(o["ms"] for o in x.get("ops", []) if o["action"] == "start")
        cells = [fmt(x[k]) if x.get(k) is not None else "-" for k, _ in CRASH_STAGES]
        L.append("| %s%s | %s | %s |" % (label + ": " if label else "", x["name"],
                                         " | ".join(cells),
                                         "%d, max %d" % (len(starts), max(starts)) if starts else "-"))
    return L


def crash_header(first):
    return ["| %s | %s | agent starts (exec ms) |" % (first, " | ".join(t for _, t in CRASH_STAGES)),
            "|---|" + "---:|" * (len(CRASH_STAGES) + 1)]


def crash_section(c):
    """Section 6's crash variants, bench/results/crash.json (bench/case-crash)."""
    L = ["### Crashes: what tells the initiators to reconnect", "",
         "`make bench-crash` (bench/case-crash): tests/cluster's `crash` scenario, every "
         "target on node1 under the verifying libiscsi load; node1 loses its switch port "
         "and every process within 3 s of the initiators' login (early), boots and takes "
         "its groups back, and crashes again after 20 s of load (late). node2 fences it "
         "with the bed's fence agent and starts every group. Stages in ms after the crash; "
         "the takeover runs to every group Started (crm_mon, polled), the stall is the "
         "initiators' longest wait for a command in the crash's window; the takeover "
         "column's last start is the last group member's start in the survivor's log. "
         "Variants: `wake` the document's configuration without the peers' publisher "
         "(the unblock's wake only), `tickle` that and the unblock members with a "
         "tickle_dir both nodes reach, `peers` the configuration as documented: the "
         "portfence-peers clone, whose peers the unblock resets.", ""]
    L += crash_header("variant: crash")
    missing = []
    for name, v in c.get("variants", {}).items():
        if not v.get("available"):
            missing.append(name)
            continue
        if not v.get("crashes"):
            L.append("| %s | run failed (exit code %s) |%s" % (name, v.get("rc"), " |" * len(CRASH_STAGES)))
            continue
        L += crash_rows(v["crashes"], name)
    for name in missing:
        L += ["", "`%s`: not available in this tree (no agents/portfence-peers)." % name]
    for name, v in c.get("variants", {}).items():
        ld = v.get("load") or {}
        if ld:
            L += ["", "`%s`, the initiator over the run: %s errors, %s mismatches, %s of %s "
                  "blocks read back at the end." % (name, ld.get("errors", "?"), ld.get("mismatches", "?"),
                                                    ld.get("final_verified", "?"),
                                                    ld.get("written_blocks", "?"))]
    return L


def spread(values):
    if not values:
        return "-"
    return "%s (%s .. %s)" % (fmt(statistics.median(values)), fmt(min(values)), fmt(max(values)))


def cluster_section(c):
    """Section 6 from tests/cluster's JSON: per kind of step, per step, per
    agent operation, and what the initiator saw."""
    run, m, moves = c["run"], c["machine"], c["moves"]
    L = ["## 6. The real cluster", "",
         "tests/cluster (`make test-cluster ROUNDS=%s`, scenario `%s`): two corosync 3 + "
         "Pacemaker 2.1 nodes in network and mount namespaces of their own, the crm "
         "configuration of [README-iscsi.md](README-iscsi.md) loaded as written, %s "
         "targets of two LUNs (one with the promotable fence: %s), tgtd per node, "
         "under the verifying libiscsi load of section 5 (CHAP, libiscsi's own "
         "reconnect). A step's time runs from the command to every group Started where "
         "wanted and every clone instance running (crm_mon, polled); the stall is the "
         "initiator's longest wait for a command from the end of the previous step to "
         "the end of this one (3 s after all Started); agent operations are the CIB's own records of the step (`lrm_rsc_op` "
         "`exec-time` and `queue-time`: the last start, stop, promote or demote of each "
         "resource on each node). Failures are injected: tgtd killed on node1 right "
         "after its monitor, and (full scenario) one LUN's backing path gone on node2; "
         "the cluster recovers with no cleanup, the cleanup step then brings the groups "
         "back. Crashes (the short scenario: node1 holding every target; the full one "
         "also node1 within 3 s of the initiators' login and node2 holding half the "
         "targets): the node's switch port down and every process of it killed, nothing "
         "asked to move; the survivor fences it with the document's fencing "
         "configuration (the bed's fence agent on a simulated power switch) and starts "
         "every group; the node then boots and rejoins." % (run.get("rounds", "?"), run.get("scenario", "?"),
                    run.get("targets", "?"), run.get("promotable", "none")), "",
         "| | |", "|---|---|"]
    for k in ("date", "kernel", "cpus", "corosync", "pacemaker", "resource_agents", "tgt",
              "libiscsi"):
        if k in m:
            L.append("| %s | %s |" % (k.replace("_", " "), m[k]))
    L.append("| cluster formed (corosync start to a DC with both nodes) | %s ms |"
             % run.get("form_ms", "?"))
    L.append("| whole run | %s s |" % run.get("wall_s", "?"))
    L += ["", "| step | N | command to all Started, ms: median (min .. max) "
          "| longest stall, ms: median (min .. max) |", "|---|---:|---:|---:|"]
    for kind, what in [("start-up", "start-up (no load yet)")] + list(CLUSTER_KINDS.items()):
        ms = [x["ms"] for x in moves if x["kind"] == kind]
        if ms:
            st = [x["stall_ms"] for x in moves if x["kind"] == kind and "stall_ms" in x]
            L.append("| %s | %d | %s | %s |" % (what, len(ms), spread(ms), spread(st)))
    L += ["", "Each step:", "",
          "| # | step | ms | longest stall ms | agent operations | slowest, ms |",
          "|---:|---|---:|---:|---:|---:|"]
    for x in moves:
        slow = max((o["ms"] for o in x["ops"]), default=0)
        L.append("| %d | %s | %d | %s | %d | %d |" % (
            x["step"], x["name"], x["ms"], x.get("stall_ms", "-"), len(x["ops"]), slow))
    crashes = [x for x in moves if x["kind"] == "crash"]
    if crashes:
        L += ["", "Each crash, its stages in ms after it (the node's port down and every "
              "process of it killed; the fence agent's power cut and reboot done from the "
              "bed's power switch log; the transition from the reboot done to every group "
              "Started):", ""] + crash_header("crash") + crash_rows(crashes)
    ops = {}
    for x in moves:
        for o in x["ops"]:
            ops.setdefault((o["kind"], o["action"]), []).append(o)
    L += ["", "Agent operations, all steps (the member's name with the target's number "
          "dropped; `p_account` and `p_tgtd` are the clones, `drbd` the bed's stand-in):", "",
          "| member | action | N | exec ms: median (min .. max) | queue ms: max | failed |",
          "|---|---|---:|---:|---:|---:|"]
    for (k, a), v in sorted(ops.items()):
        L.append("| %s | %s | %d | %s | %d | %d |" % (
            k, a, len(v), spread([o["ms"] for o in v]), max(o["queue_ms"] for o in v),
            sum(1 for o in v if o["rc"] != 0)))
    ld = c.get("load", {})
    if ld:
        L += ["", "The initiator over the whole run: %s commands, %s errors to the "
              "application, %s LOGICAL UNIT NOT SUPPORTED, %s mismatches, %s of %s blocks "
              "written read back at the end, %s connection losses, %s commands re-sent "
              "(%s executed twice), longest stall %s ms." % tuple(
                  ld.get(k, "?") for k in ("completed", "errors", "lu_not_supported",
                                           "mismatches", "final_verified", "written_blocks",
                                           "connection_losses", "reissued", "reexecuted",
                                           "max_stall_ms"))]
    nc = c.get("nochap")
    if nc:
        L += ["", "An initiator without CHAP logged in again and again beside it, all run "
              "long: %s logins refused (or not answered behind the fence), %s accepted."
              % (nc.get("login_failures", "?"), nc.get("logins", "?"))]
    return L


FENCES = [
    ("portfence", "`ocf:portfence:fence-portblock` and the `portfence` CLI"),
    ("portblock-nft", "resource-agents' current `portblock` (version: the machine table's "
     "`portblock agent version`), `firewall=nft`: its rules in its own table `inet portblock`"),
    ("portblock-iptables", "the same agent, `firewall=iptables`, on iptables' nft backend"),
    ("portblock-debian-ipt-nft", "`ocf:heartbeat:portblock` of the installed resource-agents "
     "(the machine table's `resource agents`; iptables only), on iptables' nft backend"),
    ("portblock-debian-ipt-legacy", "the same, on iptables' legacy backend"),
]


def fences_section(env, results):
    """Which fences the run compared, and the figures of sections 1-3 and
    5 side by side."""
    present = [(f, d) for f, d in FENCES
               if any(r["series"].startswith(f) for rows in results.values() for r in rows)]
    L = ["## The fences compared", "",
         "| series | fence |", "|---|---|"]
    L += ["| `%s` | %s |" % (f, d) for f, d in present]
    L += ["", "resource-agents' current portblock runs as fetched from its repository "
          "with the installed ocf-shellfuncs; its own ocf-binaries would set `NFTABLES=nft`, "
          "the installed one predates nft, so the bench sets it. Every fence runs in the "
          "bench's own network namespaces, so the rules portblock writes are theirs only.",
          "",
          "What differs beyond speed: Debian 12's portblock never removes its rule (its "
          "stop does not find it, section 2), so a portal it blocked once stays blocked "
          "until someone flushes the chain, and the failover rows of section 5 show it; "
          "the current portblock finds and removes its rule, at the cost of more firewall "
          "commands per action (its nft backend creates its table and both chains and "
          "lists the chain before each insert or delete). No portblock tears an "
          "established connection down (section 3): its peers find out when their own "
          "timers fire, or when an unblock's tickle reaches them.",
          "", "Side by side (medians of the tables below; *dnf*: not done within its "
          "bound):", "",
          "| series | agent start ms | agent stop ms | 64 starts at once ms | 64 stops at "
          "once ms | rules or entries left after 64 stops | 1000 full queues gone ms "
          "| failover: move ms | failover: longest stall ms |",
          "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]

    def med(case, series, x):
        r = find(results.get(case) or [], series, x)
        if not r:
            return "-"
        return "*dnf %g s*" % r["not_done_bound_s"] if r["median_not_done"] else fmt(r["median"])

    def worst(case, series, x):
        r = find(results.get(case) or [], series, x)
        return fmt(r["max"]) if r and r["max"] is not None else "-"

    for f, _ in present:
        left = worst("concurrency", "%s rules left after stop" % f, 64)
        if left == "-":
            left = worst("concurrency", "%s entries left after stop" % f, 64)
        td = f if f == "portfence" else f + "-in"
        L.append("| `%s` | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            f, med("latency", f, "agent start ms"), med("latency", f, "agent stop ms"),
            med("concurrency", "%s start wall ms" % f, 64),
            med("concurrency", "%s stop wall ms" % f, 64), left,
            med("teardown", td, 1000), med("failover", f, "move ms"),
            med("failover", f, "longest stall ms")))
    return L + [""]


def write_page(path, env, results, images, ratios, cluster=None, crash=None):
    quick = env.get("quick", "0") not in ("", "0")
    L = ["# Benchmarks: portfence against portblock",
         "",
         "<!-- GENERATED by bench/report.py from bench/results/raw (make bench): "
         "do not edit, run it again -->",
         "",
         "Every number below comes from one `make bench%s` run on one machine (the cases "
         "run again since are named under Machine); the raw "
         "samples are in [bench/results/](../bench/results/) (`*.json`, one per case). "
         "Each table row gives the median, the minimum and the maximum of N runs; a run "
         "still going at its bound is counted as longer than every finished run and shown "
         "as *not done after N s*, never dropped." % (" QUICK=1" if quick else ""),
         ""]
    if quick:
        L += ["**This is a QUICK pass** (fewer repetitions, smaller sizes): a check of the "
              "harness, not numbers to quote.", ""]
    L += ["## Machine", "",
          "| | |", "|---|---|"]
    for k in ("date", "os", "kernel", "cpu", "cpus", "memory_mb", "resource_agents",
              "portblock_agent", "portblock_agent_version", "iptables", "nftables", "portfence", "commit", "uptime_before", "uptime_after",
              "seconds_total"):
        if k in env:
            L.append("| %s | %s |" % (k.replace("_", " "), env[k].replace("|", "/")))
    if "rerun_cases" in env:
        L.append("| cases run again | %s, on %s at commit %s (uptime before: %s; after: %s) |" % (
            ", ".join(env["rerun_cases"].split()), env.get("rerun_date", "?"),
            env.get("rerun_commit", "?"), env.get("rerun_uptime_before", "?").strip(),
            env.get("rerun_uptime_after", "?").strip()))
    loads = ["%s %s -> %s" % (c, env.get("load_before_" + c, "?"), env.get("load_after_" + c, "?"))
             for c in CASES if "load_before_" + c in env]
    if loads:
        L.append("| load average per case (before -> after) | %s |" % "; ".join(loads))
    L += ["",
          "Other work ran on this 2-core machine during the run (see the load averages): "
          "absolute times are noisy; the comparisons within one table were taken "
          "side by side.", ""]
    L += fences_section(env, results)
    L += ["## Aims (issues 2, 3, 6, 10 and 14)", "",
          "| aim | measured | |", "|---|---|---|"]
    for aim, got, v in aims(results, ratios):
        L.append("| %s | %s | %s |" % (aim, got, v))
    for case, (title, unit, text) in CASES.items():
        if case == "answers" and (cluster or crash):	# section 6 comes between
            if cluster:
                L += [""] + cluster_section(cluster)
            else:
                L += ["", "## 6. The real cluster"]
            if crash:
                L += [""] + crash_section(crash)
        L += ["", "## " + title, "", text, ""]
        if case not in results:
            L += ["Not run in this pass%s." % (
                  " (exit code %s)" % env["rc_" + case] if "rc_" + case in env else ""), ""]
            continue
        if env.get("rc_" + case, "0") != "0":
            L += ["The case exited with code %s (%s): its rows below are what it measured "
                  "before that." % (env["rc_" + case], "not done after its bound"
                                    if env["rc_" + case] == "124" else "an error"), ""]
        xname = {"latency": "measure", "concurrency": "N", "teardown": "connections",
                 "datapath": "entries / receiver", "failover": "measure",
                 "answers": "blocks per run", "tgtlatency": "LUNs", "tape": "cuts",
                 "peerd": "load"}[case]
        if case == "concurrency":
            L.append(concurrency_table(results[case]))
        elif case == "failover":
            L.append(table([r for r in results[case] if not PER_MOVE.match(r["x"])], xname))
            per_move = per_move_table(results[case])
            if per_move:
                L += ["", "Each move of the libiscsi-reconnect initiator (stall − move: how "
                      "much longer the initiators waited than the move took):", "", per_move]
        else:
            L.append(table(results[case], xname))
        if case == "datapath" and ratios:
            L += ["", "Throughput relative to the unfiltered receiver in the same round:", "",
                  "| receiver | median | min | max | rounds |", "|---|---:|---:|---:|---:|"]
            for k, r in sorted(ratios.items()):
                L.append("| %s | %.1f%% | %.1f%% | %.1f%% | %d |" % (
                    k, 100 * r["median"], 100 * r["min"], 100 * r["max"], r["n"]))
        if images.get(case):
            L += ["", "![%s](img/%s)" % (title, images[case])]
    L += ["", "## Reproduce", "",
          "`sudo make bench` (about 10-15 minutes on 2 cores) or `sudo make bench QUICK=1` "
          "(a few minutes). The cases are `bench/case-*`, the clocks `bench/timer.py` and "
          "`bench/progrun.c`; each case builds its own namespaces (198.18.0.0/15), private "
          "bpffs pin dirs and iptables rules inside them only, and removes everything it "
          "made. The iptables backend is chosen per run by a directory of "
          "`xtables-{nft,legacy}-multi` links first in PATH; the system's alternatives "
          "are left as they are. resource-agents' current portblock is not in the "
          "repository: fetch it for the run and name it, e.g. `git clone --depth 1 "
          "https://github.com/ClusterLabs/resource-agents /tmp/ra && sudo make bench "
          "PORTBLOCK_AGENT=/tmp/ra/heartbeat/portblock` (its `nft` comes from "
          "scripts/deps.sh: nftables); without PORTBLOCK_AGENT only Debian's portblock "
          "is compared. Section 6 is `sudo make test-cluster ROUNDS=2` "
          "(bench/results/cluster.json) and `sudo make bench-crash` "
          "(bench/results/crash.json), rendered by the same script.", ""]
    with open(path, "w") as fh:
        fh.write("\n".join(L))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.stderr.write(__doc__)
        sys.exit(2)
    main(*sys.argv[1:])

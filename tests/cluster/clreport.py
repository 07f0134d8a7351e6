#!/usr/bin/env python3
"""The figures of a tests/cluster run, from what cluster.t recorded.

  clreport.py table OPS_LOG            agent operations per kind and action:
                                       n, mean and max exec-time (ms)
  clreport.py json DIR OUT KEY=VAL...  DIR's moves, operations and load
                                       reports (the CHAP one and the one
                                       without) as JSON in OUT (read by
                                       bench/report.py), KEY=VAL the run's;
                                       a crash's stages (its *_ms pairs),
                                       takeover_ms and stall_minus_takeover_ms
                                       with it

OPS_LOG lines: "step=N op node= rsc= action= rc= ms= queue_ms=", from the
CIB's lrm_rsc_op records (exec-time, queue-time).
"""
import json
import os
import platform
import re
import subprocess
import sys
import time

KV = re.compile(r"(\w+)=(\S+)")


def kind(rsc):
    """The member's role in the configuration: p_t3_lun1 -> lun1."""
    k = re.sub(r"^p_t\d+_", "", rsc)
    return "drbd" if k.startswith("p_drbd_") else k


def read_ops(path):
    ops = []
    with open(path) as fh:
        for line in fh:
            f = dict(KV.findall(line))
            if "rsc" not in f:
                continue
            ops.append({"step": int(f["step"]), "node": f["node"], "rsc": f["rsc"],
                        "kind": kind(f["rsc"]), "action": f["action"], "rc": int(f["rc"]),
                        "ms": int(f["ms"]), "queue_ms": int(f["queue_ms"])})
    return ops


def table(path):
    by = {}
    for o in read_ops(path):
        by.setdefault("%s %s" % (o["kind"], o["action"]), []).append(o["ms"])
    for k in sorted(by):
        v = by[k]
        print("%-18s n=%-3d mean=%-5d max=%d" % (k, len(v), sum(v) / len(v), max(v)))


def read_moves(path):
    moves = []
    with open(path) as fh:
        for line in fh:
            if line.startswith("move "):
                f = dict(KV.findall(line))
                m = {"step": int(f["step"]), "kind": f["kind"],
                     "name": f["name"].replace("+", " "), "ms": int(f["ms"])}
                # A crash's stages (ms after the crash; None: not seen).
                for k, v in f.items():
                    if k.endswith("_ms") and k != "max_op_ms":
                        m[k] = int(v) if re.match(r"^-?\d+$", v) else None
                if "node" in f and f["kind"] == "crash":
                    m["node"] = f["node"]
                moves.append(m)
    return moves


def read_load(path):
    marks, total = [], {}
    with open(path) as fh:
        for line in fh:
            f = {k: v for k, v in KV.findall(line)}
            if line.startswith("mark "):
                marks.append(int(f.get("stall_ms", "0")))
            elif line.startswith("total "):
                total = {k: float(v) if "." in v else int(v) for k, v in f.items()
                         if re.match(r"^-?[\d.]+$", v)}
    return marks, total


def version(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout
    except OSError:
        return "?"
    return out.splitlines()[0].strip() if out else "?"


def package(name):
    return version(["dpkg-query", "-W", "-f=${Version}", name])


def write_json(d, out, pairs):
    run = dict(p.split("=", 1) for p in pairs)
    moves = read_moves(os.path.join(d, "moves.log"))
    marks, total = read_load(os.path.join(d, "load.report"))
    nochap = read_load(os.path.join(d, "nochap.report"))[1]
    ops = read_ops(os.path.join(d, "ops.log"))
    # The first mark closes the load's start, before the first move; the
    # start-up ran before the load.
    for m, stall in zip([m for m in moves if m["kind"] != "start-up"], marks[1:]):
        m["stall_ms"] = stall
        if m["kind"] == "crash":
            # The takeover: the crash to the last group member started,
            # as the survivor logged it (else the step's polled time);
            # how long the initiators waited past it.
            m["takeover_ms"] = m.get("started_ms") or m["ms"]
            m["stall_minus_takeover_ms"] = stall - m["takeover_ms"]
    for m in moves:
        m["ops"] = [{k: o[k] for k in ("node", "rsc", "kind", "action", "rc", "ms", "queue_ms")}
                    for o in ops if o["step"] == m["step"]]
    doc = {
        "case": "cluster",
        "run": run,
        "machine": {
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "kernel": platform.release(),
            "cpus": os.cpu_count(),
            "corosync": package("corosync"),
            "pacemaker": package("pacemaker"),
            "resource_agents": package("resource-agents"),
            "tgt": package("tgt"),
            "libiscsi": package("libiscsi7"),
        },
        "moves": moves,
        "load": total,
        "nochap": {k: nochap.get(k) for k in ("logins", "login_failures")},
    }
    with open(out, "w") as fh:
        json.dump(doc, fh, indent=1)
        fh.write("\n")


def main():
    if len(sys.argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    if sys.argv[1] == "table":
        table(sys.argv[2])
    elif sys.argv[1] == "json" and len(sys.argv) >= 4:
        write_json(sys.argv[2], sys.argv[3], sys.argv[4:])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

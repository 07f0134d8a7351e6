#!/usr/bin/env python3
"""Reads what the cluster itself records, for tests/cluster/*.t.

  clmon.py placed XML GROUP NODE   exit 0 if every member of GROUP is
                                   Started on NODE alone, none failed
  clmon.py where XML               "GROUP NODE|-" per group
  clmon.py started XML [groups]    exit 0 if every group is Started, all
                                   of it on one node, and every clone
                                   instance is Started or Promoted/Unpromoted
                                   (with "groups", the groups alone)
  clmon.py failures XML            one line per failed action
  clmon.py probes CIB              "RSC NODE RC" per probe (monitor_0)
  clmon.py ops SINCE UNTIL LOG...  agent operations the executor finished
                                   between SINCE and UNTIL (epoch ms):
                                   "op node= rsc= action= rc= ms="

XML is `crm_mon --output-as=xml`, CIB is `cibadmin -Q`, LOG a node's
pacemaker.log (its executor's "exited with status" lines).
"""
import re
import sys
import time
import xml.etree.ElementTree as ET


def members(root, group):
    g = root.find(".//resources/group[@id='%s']" % group)
    return [] if g is None else g.findall("resource")


def placed(root, group, node):
    rs = members(root, group)
    if not rs:
        return False
    for r in rs:
        nodes = [n.get("name") for n in r.findall("node")]
        if (r.get("role") != "Started" or r.get("failed") != "false"
                or r.get("active") != "true" or nodes != [node]):
            return False
    return True


def started(root, groups_only=False):
    for g in root.findall(".//resources/group"):
        nodes = set()
        for r in g.findall("resource"):
            if r.get("role") != "Started" or r.get("failed") != "false":
                return False
            nodes.update(n.get("name") for n in r.findall("node"))
        if len(nodes) != 1:
            return False
    if groups_only:
        return True
    for c in root.findall(".//resources/clone"):
        for r in c.findall("resource"):
            if r.get("role") not in ("Started", "Promoted", "Unpromoted") \
                    or r.get("failed") != "false":
                return False
    return True


def where(root):
    for g in root.findall(".//resources/group"):
        nodes = set()
        for r in g.findall("resource"):
            if r.get("role") == "Started":
                nodes.update(n.get("name") for n in r.findall("node"))
        print(g.get("id"), ",".join(sorted(nodes)) or "-")


LOG_RE = re.compile(
    r"^(\w{3} +\d+ [\d:.]+) (\S+) pacemaker-execd .*\(log_finished\)\s+\w+: "
    r"(\S+) (\S+) \(call \d+, PID \d+\) exited with status (\d+) "
    r"\(execution time ([\d.]+)(m?s)")


def log_ms(stamp):
    base, frac = stamp.rsplit(".", 1)
    t = time.strptime("%d %s" % (time.localtime().tm_year, base), "%Y %b %d %H:%M:%S")
    return int(time.mktime(t)) * 1000 + int(frac[:3].ljust(3, "0"))


def ops(since, until, logs):
    out = []
    for log in logs:
        with open(log, errors="replace") as f:
            for line in f:
                m = LOG_RE.match(line)
                if not m:
                    continue
                at = log_ms(m.group(1))
                if not since <= at <= until:
                    continue
                ms = float(m.group(6)) * (1 if m.group(7) == "ms" else 1000)
                out.append((at, "op node=%s rsc=%s action=%s rc=%s ms=%d" % (
                    m.group(2), m.group(3), m.group(4), m.group(5), ms)))
    for _, line in sorted(out):
        print(line)


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "ops":
        ops(int(args[0]), int(args[1]), args[2:])
        return 0
    root = ET.parse(args[0]).getroot()
    if cmd == "placed":
        return 0 if placed(root, args[1], args[2]) else 1
    if cmd == "started":
        return 0 if started(root, args[1:] == ["groups"]) else 1
    if cmd == "where":
        where(root)
    elif cmd == "failures":
        for f in root.findall(".//failures/failure"):
            print(" ".join("%s=%s" % kv for kv in sorted(f.attrib.items())))
    elif cmd == "probes":
        for r in root.findall(".//status/node_state"):
            for op in r.findall(".//lrm_rsc_op[@operation='monitor'][@interval='0']"):
                print(op.get("id").rsplit("_monitor_0", 1)[0].split("_last_")[0],
                      r.get("uname"), op.get("rc-code"))
    else:
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

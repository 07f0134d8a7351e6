#!/usr/bin/env python3
"""Reads what the cluster itself records, for tests/cluster/*.t.

  clmon.py placed XML GROUP NODE   exit 0 if every member of GROUP is
                                   Started on NODE alone, none failed
  clmon.py where XML               "GROUP NODE|-" per group
  clmon.py started XML [groups]    exit 0 if every group is Started, all
                                   of it on one node, and every clone runs
                                   an instance, Started or Promoted/
                                   Unpromoted, on every online node (with
                                   "groups", the groups alone)
  clmon.py promoted XML CLONE NODE exit 0 if CLONE is Promoted on NODE
                                   alone and Unpromoted on the other active
                                   (online, not standby) nodes
  clmon.py unmonitored CIB         each primitive with no recurring monitor
  clmon.py failures XML            one line per failed action
  clmon.py probes CIB              "RSC NODE RC" per probe (monitor_0)
  clmon.py ops SINCE CIB           the agent operations (start, stop,
                                   promote, demote) the CIB records as
                                   last done on each node, at or after
                                   SINCE (epoch ms, to the CIB's second):
                                   "op node= rsc= action= rc= ms= queue_ms="
                                   (exec-time and queue-time)

  clmon.py fenced HISTORY NODE     the last fencing of NODE in HISTORY
                                   (`stonith_admin --history NODE
                                   --output-as=xml`): its attributes,
                                   "key=value" words
  clmon.py loglast LOG SINCE UNTIL REGEX  the same for the last such line
                                   before UNTIL
  clmon.py logms LOG SINCE REGEX   epoch ms of LOG's first line at or after
                                   SINCE (epoch ms) that matches REGEX;
                                   LOG is corosync's or pacemaker's
                                   ("Mon DD HH:MM:SS[.mmm]" first, local
                                   time, this year)

XML is `crm_mon --output-as=xml`, CIB is `cibadmin -Q`.
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


def active_nodes(root):
    return {n.get("name") for n in root.findall(".//nodes/node")
            if n.get("online") == "true" and n.get("standby") != "true"}


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
    online = active_nodes(root)
    for c in root.findall(".//resources/clone"):
        running = set()
        for r in c.findall("resource"):
            if r.get("role") in ("Started", "Promoted", "Unpromoted") \
                    and r.get("failed") == "false":
                running.update(n.get("name") for n in r.findall("node"))
        if not online <= running:
            return False
    return True


def promoted(root, clone, node):
    c = root.find(".//resources/clone[@id='%s']" % clone)
    if c is None:
        return False
    roles = {}
    for r in c.findall("resource"):
        if r.get("failed") != "false":
            return False
        for n in r.findall("node"):
            roles[n.get("name")] = r.get("role")
    others = [roles.get(n) for n in active_nodes(root) if n != node]
    return roles.get(node) == "Promoted" and all(v == "Unpromoted" for v in others)


def unmonitored(root):
    for p in root.iter("primitive"):
        ops = p.findall("./operations/op[@name='monitor']")
        if not any(o.get("interval", "0") not in ("0", "0s") for o in ops):
            print(p.get("id"))


def where(root):
    for g in root.findall(".//resources/group"):
        nodes = set()
        for r in g.findall("resource"):
            if r.get("role") == "Started":
                nodes.update(n.get("name") for n in r.findall("node"))
        print(g.get("id"), ",".join(sorted(nodes)) or "-")


AGENT_OPS = ("start", "stop", "promote", "demote")


def ops(since_ms, root):
    out = []
    for ns in root.findall(".//status/node_state"):
        for op in ns.findall(".//lrm_rsc_op"):
            if op.get("operation") not in AGENT_OPS:
                continue
            at = int(op.get("last-rc-change", "0"))
            if at < since_ms // 1000:
                continue
            rsc = op.get("id").rsplit("_last_", 1)[0]
            out.append((at, "op node=%s rsc=%s action=%s rc=%s ms=%s queue_ms=%s" % (
                ns.get("uname"), rsc, op.get("operation"), op.get("rc-code"),
                op.get("exec-time", "0"), op.get("queue-time", "0"))))
    for _, line in sorted(set(out)):
        print(line)


def fenced(root, node):
    ev = [e for e in root.iter("fence_event") if e.get("target") == node]
    if ev:
        print(" ".join("%s=%s" % (k, v.replace(" ", "_")) for k, v in sorted(ev[0].attrib.items())))


STAMP = re.compile(r"^([A-Z][a-z]{2} +\d+ \d\d:\d\d:\d\d)(\.\d+)?")


def logms(path, since_ms, pattern, until_ms=None):
    rx, year = re.compile(pattern), time.localtime().tm_year
    last = None
    with open(path, errors="replace") as fh:
        for line in fh:
            m = STAMP.match(line)
            if not m or not rx.search(line):
                continue
            t = time.mktime(time.strptime("%d %s" % (year, m.group(1)), "%Y %b %d %H:%M:%S"))
            ms = int(t * 1000 + float(m.group(2) or 0) * 1000)
            # A log in whole seconds: a line of SINCE's second counts.
            if ms < since_ms - (999 if m.group(2) is None else 0):
                continue
            if until_ms is None:
                print(ms)
                return 0
            if ms <= until_ms:
                last = ms
    if last is None:
        return 1
    print(last)
    return 0


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "logms":
        return logms(args[0], int(args[1]), args[2])
    if cmd == "loglast":
        return logms(args[0], int(args[1]), args[3], int(args[2]))
    if cmd == "ops":
        ops(int(args[0]), ET.parse(args[1]).getroot())
        return 0
    root = ET.parse(args[0]).getroot()
    if cmd == "placed":
        return 0 if placed(root, args[1], args[2]) else 1
    if cmd == "started":
        return 0 if started(root, args[1:] == ["groups"]) else 1
    if cmd == "promoted":
        return 0 if promoted(root, args[1], args[2]) else 1
    if cmd == "unmonitored":
        unmonitored(root)
    elif cmd == "where":
        where(root)
    elif cmd == "fenced":
        fenced(root, args[1])
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

#!/usr/bin/python3
"""crashjson.py OUT VARIANT=SOURCE...

bench/case-crash's results: per variant, the crashes of its cluster.t run
(CL_RESULTS JSON, their stages and stalls) into OUT. SOURCE is
FILE.json:RC (the run's figures and its exit code), "unavailable" (the
variant cannot be configured in this tree) or "failed:RC" (no figures).
"""
import json
import sys


def crashes(path):
    with open(path) as fh:
        doc = json.load(fh)
    out = []
    for m in doc.get("moves", []):
        if m.get("kind") == "crash":
            out.append({k: v for k, v in m.items() if k != "ops"} | {
                "starts": sorted(o["ms"] for o in m.get("ops", []) if o["action"] == "start")})
    return doc, out


def main(out, args):
    res = {"variants": {}}
    for a in args:
        name, src = a.split("=", 1)
        if src == "unavailable":
            res["variants"][name] = {"available": False}
        elif src.startswith("failed:"):
            res["variants"][name] = {"available": True, "rc": int(src[7:]), "crashes": []}
        else:
            path, rc = src.rsplit(":", 1)
            doc, cr = crashes(path)
            res.setdefault("machine", doc.get("machine", {}))
            res["variants"][name] = {"available": True, "rc": int(rc), "crashes": cr,
                                     "load": doc.get("load", {})}
    with open(out, "w") as fh:
        json.dump(res, fh, indent=1)
        fh.write("\n")
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.stderr.write(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2:]))

#!/usr/bin/env python3
"""Compare two build/bench.json files (make bench): for each figure both
hold, the ratio to its peer before and after. Ratios, not values: a ratio
to a floor measured in the same run survives a busier or another machine
better than a time does. Usage: compare.py OLD.json NEW.json"""
import json
import sys


def load(path):
    with open(path) as f:
        d = json.load(f)
    return d, {(x["bench"], x["name"], x["peer"]): x for x in d["figures"]}


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: compare.py OLD.json NEW.json")
    (a, fa), (b, fb) = load(sys.argv[1]), load(sys.argv[2])
    for d, p in ((a, sys.argv[1]), (b, sys.argv[2])):
        print("%s: %s, %d cores, SHA extensions %s, load %s, %s" % (
            p, d["cpu"]["model"], d["cpu"]["cores"], d["cpu"]["sha_extensions"],
            d["load_before"], d["date"]))
    for k, x in fb.items():
        if k not in fa or x["ratio"] is None or fa[k]["ratio"] is None:
            continue
        print("%-10s %-44s / %-32s %7.2f -> %7.2f%s" % (
            k[0], k[1][:44], k[2][:32], fa[k]["ratio"], x["ratio"],
            "  (target %s)" % x["target"] if x["target"] else ""))


main()

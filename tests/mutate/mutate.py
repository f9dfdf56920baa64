#!/usr/bin/env python3
"""make mutate: change one operator at a time in one C file, rebuild, run the
tests that cover the file, and report which changes no test noticed.

    tests/mutate/mutate.py FILE [--tests 'T...'] [--seed N] [--limit N]
                           [--lines A-B[,C-D...]] [--list] [--jobs N] [--build 'TARGET...']

The work happens in a private copy of the tracked tree (build/mutate/tree), so
the checkout is never edited. The copy is built once; each mutant then rebuilds
only the object of FILE and relinks (every program and unit test, or only the
make targets --build names: the ones the tests run, e.g. build/bin/igos-sign,
which on a busy machine is ten times faster). Tests run fastest first and a mutant is
killed at the first failing test (or when a test runs past its time limit).

Mutation operators (code only; comments, strings, character constants and
preprocessor lines are left alone):
    ==  <->  !=          <  ->  <=     >  ->  >=     <=  ->  <     >=  ->  >
    &&  <->  ||          return -1;  ->  return 0;   if (C)  ->  if (0)
The last one removes a condition: the guarded statement never runs.

Mutants known to be equivalent (no behaviour can tell them apart) are listed in
tests/mutate/equivalent, one per line, as
    FILE | source line, stripped | description | reason
and are left out of the score (and reported as such).

Exit status: 0 when the score is at least --min (default 0), 1 otherwise, 2 on
a usage error or when the tests fail without any mutation.
"""

import argparse
import hashlib
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time

SRC = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
WORK = os.path.join(SRC, "build", "mutate")
TREE = os.path.join(WORK, "tree")
MAP = os.path.join(SRC, "tests", "mutate", "map")
EQUIV = os.path.join(SRC, "tests", "mutate", "equivalent")


def die(msg, code=2):
    print("mutate: " + msg, file=sys.stderr)
    sys.exit(code)


# ---- finding the mutation sites ------------------------------------------

def code_mask(text):
    """For each character, True when it is C code (not a comment, a string or
    character constant, or a preprocessor line)."""
    mask = [False] * len(text)
    i, n = 0, len(text)
    line_start = True
    while i < n:
        c = text[i]
        if line_start and c in " \t":
            i += 1
            continue
        if line_start and c == "#":
            while i < n and not (text[i] == "\n" and text[i - 1] != "\\"):
                i += 1
            continue
        line_start = False
        if c == "\n":
            line_start = True
            i += 1
            continue
        if text.startswith("//", i):
            while i < n and text[i] != "\n":
                i += 1
            continue
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
            continue
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            continue
        mask[i] = True
        i += 1
    return mask


OPS = [
    ("==", "!="), ("!=", "=="),
    ("<=", "<"), (">=", ">"),
    ("&&", "||"), ("||", "&&"),
]


def sites(text):
    """Every mutation as (start, end, replacement, description)."""
    mask = code_mask(text)
    out = []

    def code(a, b):
        return all(mask[a:b])

    i, n = 0, len(text)
    while i < n:
        if not mask[i]:
            i += 1
            continue
        two = text[i:i + 2]
        hit = next((r for o, r in OPS if o == two), None)
        if hit and code(i, i + 2) and text[i + 2:i + 3] != "=":
            out.append((i, i + 2, hit, f"{two} -> {hit}"))
            i += 2
            continue
        if two in ("<<", ">>", "->"):
            i += 2
            continue
        c = text[i]
        if c in "<>" and text[i + 1:i + 2] != "=":
            out.append((i, i + 1, c + "=", f"{c} -> {c}="))
        i += 1

    for m in re.finditer(r"\breturn\s+-1\s*;", text):
        if code(m.start(), m.end()):
            out.append((m.start(), m.end(), "return 0;", "return -1 -> return 0"))

    for m in re.finditer(r"\bif\s*\(", text):
        if not code(m.start(), m.end()):
            continue
        depth, j = 1, m.end()
        while j < n and depth:
            if mask[j]:
                depth += {"(": 1, ")": -1}.get(text[j], 0)
            j += 1
        cond = text[m.end():j - 1]
        if depth == 0 and cond.strip() not in ("0", "1"):
            out.append((m.end(), j - 1, "0", "condition removed (if (0))"))
    out.sort()
    return out


def line_of(text, pos):
    a = text.rfind("\n", 0, pos) + 1
    b = text.find("\n", pos)
    return text.count("\n", 0, pos) + 1, text[a:b if b >= 0 else len(text)].strip()


# ---- the private tree ----------------------------------------------------

def sync_tree():
    """Copy the tracked files (as they are in the checkout) into TREE,
    touching only the files whose content differs so that make rebuilds
    nothing else."""
    files = subprocess.run(["git", "-C", SRC, "ls-files", "-z", "--cached", "--others",
                            "--exclude-standard"], check=True, capture_output=True
                           ).stdout.decode().split("\0")
    for f in filter(None, files):
        src = os.path.join(SRC, f)
        dst = os.path.join(TREE, f)
        if not os.path.isfile(src) or os.path.islink(src):
            continue
        data = open(src, "rb").read()
        try:
            if open(dst, "rb").read() == data:
                continue
        except OSError:
            pass
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        with open(dst + ".new", "wb") as fh:
            fh.write(data)
        shutil.copymode(src, dst + ".new")
        os.replace(dst + ".new", dst)


def build(jobs, targets=("all", "units")):
    r = subprocess.run(["make", "-s", f"-j{jobs}", "WERROR="] + list(targets), cwd=TREE,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return r.returncode == 0, r.stdout.decode(errors="replace")


def test_env():
    env = dict(os.environ)
    b = os.path.join(TREE, "build")
    env.update(IGOS_BUILD=b, IGOS_SRC=TREE, PATH=os.path.join(b, "bin") + ":" + env["PATH"],
               SANITIZE="", CI="")
    return env


def run_test(t, limit):
    """True when the test passes. A test running past its limit fails."""
    # The test runs in a session of its own so that, past its limit, the whole
    # group goes: killing prove alone left a mutant looping in an endless test.
    p = subprocess.Popen(["prove", "-Q", t], cwd=TREE, env=test_env(),
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    try:
        return p.wait(timeout=limit) == 0
    except subprocess.TimeoutExpired:
        return False
    finally:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait()


# ---- which tests cover a file --------------------------------------------

def expand(pattern):
    """A test named as in `make test T=...`; unit:NAME is build/tests/unit/NAME.t."""
    if pattern.startswith("unit:"):
        return [os.path.join("build", "tests", "unit", pattern[5:] + ".t")]
    import glob
    found = sorted(os.path.relpath(p, TREE) for p in glob.glob(os.path.join(TREE, pattern)))
    if not found:
        die(f"no test matches '{pattern}'")
    return found


def tests_for(path, given):
    if given:
        words = given.split()
    else:
        words = None
        for line in open(MAP):
            line = line.split("#", 1)[0].strip()
            if line and line.split(":", 1)[0].strip() == path:
                words = line.split(":", 1)[1].split()
        if words is None:
            die(f"no tests are mapped for '{path}' in tests/mutate/map (give --tests)")
    out = []
    for w in words:
        out += [t for t in expand(w) if t not in out]
    return out


def equivalents(path):
    eq = {}
    if os.path.exists(EQUIV):
        for line in open(EQUIV):
            if line.strip() and not line.startswith("#"):
                # " | " apart: a source line or description may hold "||"
                parts = [p.strip() for p in line.split(" | ")]
                if len(parts) == 4 and parts[0] == path:
                    eq[(parts[1], parts[2])] = parts[3]
    return eq


def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    ap = argparse.ArgumentParser(prog="mutate", description=__doc__.split("\n")[0])
    ap.add_argument("file")
    ap.add_argument("--tests", default="", help="tests to run (default: tests/mutate/map)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--limit", type=int, default=0, help="at most N mutants, picked by the seed")
    ap.add_argument("--lines", default="", help="only mutants on lines A-B[,C-D...]")
    ap.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--build", default="all units",
                    help="make targets rebuilt for each mutant (default: all units)")
    ap.add_argument("--min", type=float, default=0.0, help="fail below this score (percent)")
    a = ap.parse_args()

    path = os.path.normpath(a.file)
    if not os.path.isfile(os.path.join(SRC, path)):
        die(f"cannot open '{path}'")
    text = open(os.path.join(SRC, path)).read()
    muts = sites(text)
    if a.lines:
        # A-B[,C-D...]: the parts of a file not judged yet, in one run
        spans = []
        for part in a.lines.split(","):
            lo, _, hi = part.partition("-")
            try:
                spans.append((int(lo), int(hi or lo)))
            except ValueError:
                die(f"bad --lines '{a.lines}' (A-B[,C-D...])")
        muts = [m for m in muts
                if any(lo <= line_of(text, m[0])[0] <= hi for lo, hi in spans)]
    if a.limit and len(muts) > a.limit:
        muts = sorted(random.Random(a.seed).sample(muts, a.limit))
    if a.list:
        for s, e, rep, desc in muts:
            ln, src = line_of(text, s)
            print(f"{path}:{ln}: {desc}: {src}")
        return 0

    os.makedirs(TREE, exist_ok=True)
    sync_tree()
    ok, log = build(a.jobs)
    if not ok:
        die("the tree does not build without a mutation:\n" + log[-2000:])
    tests = tests_for(path, a.tests)
    timing = {}
    for t in tests:
        t0 = time.monotonic()
        if not run_test(t, 1800):
            die(f"'{t}' fails without any mutation")
        timing[t] = time.monotonic() - t0
    tests.sort(key=lambda t: timing[t])
    limit = {t: 3 * timing[t] + 10 for t in tests}
    eq = equivalents(path)

    target = os.path.join(TREE, path)
    counts = {"killed": 0, "survived": 0, "equivalent": 0, "no build": 0}
    report = []
    print(f"# {path}: {len(muts)} mutants, tests: {' '.join(tests)}", flush=True)
    try:
        for k, (s, e, rep, desc) in enumerate(muts, 1):
            ln, src = line_of(text, s)
            with open(target, "w") as fh:
                fh.write(text[:s] + rep + text[e:])
            built, _ = build(a.jobs, a.build.split())
            if not built:
                verdict = "no build"
            else:
                killer = next((t for t in tests if not run_test(t, limit[t])), None)
                if killer:
                    verdict = "killed"
                elif (src, desc) in eq:
                    verdict = "equivalent"
                else:
                    verdict = "survived"
            counts[verdict] += 1
            line = f"{verdict:10} {path}:{ln}: {desc}: {src}"
            if verdict == "killed":
                line += f"  [{killer}]"
            if verdict == "equivalent":
                line += f"  ({eq[(src, desc)]})"
            report.append(line)
            print(f"{k}/{len(muts)} {line}", flush=True)
    finally:
        with open(target, "w") as fh:
            fh.write(text)
        build(a.jobs)

    judged = counts["killed"] + counts["survived"]
    score = 100.0 * counts["killed"] / judged if judged else 100.0
    summary = (f"{path}: {counts['killed']} killed, {counts['survived']} survived, "
               f"{counts['equivalent']} equivalent, {counts['no build']} did not build; "
               f"score {score:.1f}% of {judged} non-equivalent mutants (seed {a.seed})")
    name = hashlib.sha256(path.encode()).hexdigest()[:8]
    out = os.path.join(WORK, os.path.basename(path) + "-" + name + ".report")
    with open(out + ".tmp", "w") as fh:
        fh.write("\n".join(report + [summary]) + "\n")
    os.replace(out + ".tmp", out)
    print("\nsurvivors:")
    for r in report:
        if r.startswith("survived"):
            print("  " + r[11:])
    print(summary)
    print(f"report: {os.path.relpath(out, SRC)}")
    return 0 if score >= a.min else 1


if __name__ == "__main__":
    sys.exit(main())

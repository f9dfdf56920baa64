#!/usr/bin/env python3
"""make mutate: change one operator at a time in one C file, rebuild, run the
tests that cover the file, and report which changes no test noticed.

    tests/mutate/mutate.py FILE [--tests 'T...'] [--seed N] [--limit N]
                           [--lines A-B[,C-D...]] [--list] [--jobs N] [--build 'TARGET...']
                           [--equivalents] [--check-equivalents]

The work happens in a private copy of the tracked tree (build/mutate/tree), so
the checkout is never edited. The copy is built once; each mutant then rebuilds
only the object of FILE and relinks (every program and unit test, or only the
make targets --build names: the ones the tests run, e.g. build/bin/igos-sign,
which on a busy machine is ten times faster). A mutant is killed at the first
failing test (or when a test runs twice past its time limit); the test that
killed the most mutants so far runs first, then the others fastest first.

Only the tests that reach a mutant run for it. The runner first builds a second
copy of the tree with gcov (build/mutate/cov) and runs each test there once,
recording which lines of FILE it executes. A mutant in a statement that no test
executes cannot be noticed: it is reported as survived ("not reached") without a
build. A statement counts as reached when any of its lines (from the end of the
statement before it to the mutated operator) ran, since a condition over several
lines is counted on the lines whose code ran. --no-cover runs every test for
every mutant instead.

Mutation operators (code only; comments, strings, character constants and
preprocessor lines are left alone):
    ==  <->  !=          <  ->  <=     >  ->  >=     <=  ->  <     >=  ->  >
    &&  <->  ||          return -1;  ->  return 0;   if (C)  ->  if (0)
The last one removes a condition: the guarded statement never runs.

Mutants known to be equivalent (no behaviour can tell them apart) are listed in
tests/mutate/equivalent, one per line, as
    FILE | source line, stripped | description | reason
where a line's text and description occur more than once in the file, the
runner numbers them in source order ("< -> <= #2") and an entry names the one
it means that way (an entry without the number covers them all; a numbered
entry must be checked again when the file changes above it). They are left
out of the score (and reported as such) without being built or tested;
--check-equivalents builds and tests them as well, and a listed mutant a test
kills is then reported killed, "listed as equivalent!". --equivalents prints the
file's listed mutants with their line numbers and reasons, and fails on an entry
that matches no mutant (the line changed since).

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
COVTREE = os.path.join(WORK, "cov")
MAP = os.path.join(SRC, "tests", "mutate", "map")
# MUTATE_EQUIVALENT: another list, for the runner's own test (tests/t/190)
EQUIV = os.path.abspath(os.environ.get("MUTATE_EQUIVALENT") or
                        os.path.join(SRC, "tests", "mutate", "equivalent"))
EQUIV_SHOWN = os.path.relpath(EQUIV, SRC) if EQUIV.startswith(SRC + os.sep) else EQUIV


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

def sync_tree(root=TREE):
    """Copy the tracked files (as they are in the checkout) into root,
    touching only the files whose content differs so that make rebuilds
    nothing else."""
    files = subprocess.run(["git", "-C", SRC, "ls-files", "-z", "--cached", "--others",
                            "--exclude-standard"], check=True, capture_output=True
                           ).stdout.decode().split("\0")
    for f in filter(None, files):
        src = os.path.join(SRC, f)
        dst = os.path.join(root, f)
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


COV_FLAGS = ["CFLAGS=-O0 -g --coverage", "LDFLAGS=--coverage"]


def build(jobs, targets=("all", "units"), root=TREE, extra=()):
    r = subprocess.run(["make", "-s", f"-j{jobs}", "WERROR="] + list(extra) + list(targets),
                       cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return r.returncode == 0, r.stdout.decode(errors="replace")


def test_env(root=TREE):
    env = dict(os.environ)
    b = os.path.join(root, "build")
    env.update(IGOS_BUILD=b, IGOS_SRC=root, PATH=os.path.join(b, "bin") + ":" + env["PATH"],
               SANITIZE="", CI="")
    return env


def kill_session(sid):
    """Kill every process of session sid. A test's children may leave its
    process group (timeout(1) makes a group of its own), never its session."""
    for _ in range(3):
        found = False
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                stat = open(f"/proc/{d}/stat").read()
            except OSError:
                continue
            # the fields after the command name, which may hold spaces
            if int(stat[stat.rfind(")") + 2:].split()[3]) == sid:
                found = True
                try:
                    os.kill(int(d), signal.SIGKILL)
                except ProcessLookupError:
                    pass
        if not found:
            return
        time.sleep(0.05)


def run_test(t, limit, root=TREE):
    """True when the test passes, None when it ran past its limit, else False."""
    # The test runs in a session of its own so that, past its limit, all of it
    # goes: killing prove alone left a mutant looping in an endless test.
    p = subprocess.Popen(["prove", "-Q", t], cwd=root, env=test_env(root),
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    try:
        return p.wait(timeout=limit) == 0
    except subprocess.TimeoutExpired:
        return None
    finally:
        kill_session(p.pid)
        p.wait()


# ---- which lines each test reaches ---------------------------------------

def gcov_lines(path):
    """{line: count} for path over every object built from it (or from a file
    that includes it) in the coverage tree; count -1 is a line with no code."""
    lines = {}
    needle = path.encode()
    for dp, _, fs in os.walk(os.path.join(COVTREE, "build")):
        for f in fs:
            if not f.endswith(".gcno"):
                continue
            gcno = os.path.join(dp, f)
            if needle not in open(gcno, "rb").read():
                continue
            out = subprocess.run(["gcov", "-t", gcno], cwd=COVTREE, capture_output=True
                                 ).stdout.decode(errors="replace")
            mine = False
            for ln in out.splitlines():
                cnt, _, rest = ln.partition(":")
                num, _, txt = rest.partition(":")
                cnt, num = cnt.strip(), num.strip()
                if num == "0" and txt.startswith("Source:"):
                    mine = os.path.normpath(txt[7:]) == path
                    continue
                if not mine or not num.isdigit():
                    continue
                n = int(num)
                c = -1 if cnt == "-" else 0 if cnt in ("#####", "=====") else \
                    int(cnt.rstrip("*"))
                lines[n] = max(lines.get(n, -1), c)
    return lines


def coverage(path, tests, jobs):
    """{test: set of executed lines of path}, from one run of each test in the
    coverage tree (cached until the sources or the tests change)."""
    os.makedirs(COVTREE, exist_ok=True)
    sync_tree(COVTREE)
    ok, log = build(jobs, ("all", "units"), COVTREE, COV_FLAGS)
    if not ok:
        die("the coverage tree does not build:\n" + log[-2000:])
    h = hashlib.sha256()
    files = subprocess.run(["git", "-C", SRC, "ls-files", "-z", "--cached", "--others",
                            "--exclude-standard"], capture_output=True).stdout.split(b"\0")
    for f in sorted(filter(None, files)):
        try:
            h.update(f + b"\0" + open(os.path.join(SRC, f.decode()), "rb").read())
        except OSError:
            pass
    h.update(" ".join(tests).encode())
    cache = os.path.join(WORK, os.path.basename(path) + "-" + h.hexdigest()[:12] + ".cov")
    if os.path.exists(cache):
        cov = {}
        for ln in open(cache):
            t, _, rest = ln.rstrip("\n").partition(" ")
            cov[t] = {int(x) for x in rest.split()}
        if set(cov) == set(tests):
            return cov, gcov_lines(path)
    cov = {}
    for t in tests:
        for dp, _, fs in os.walk(os.path.join(COVTREE, "build")):
            for f in fs:
                if f.endswith(".gcda"):
                    os.unlink(os.path.join(dp, f))
        if not run_test(t, 3600, COVTREE):
            die(f"'{t}' fails in the coverage tree without any mutation")
        cov[t] = {n for n, c in gcov_lines(path).items() if c > 0}
        print(f"# {t} reaches {len(cov[t])} lines of {path}", flush=True)
    with open(cache + ".tmp", "w") as fh:
        for t in tests:
            fh.write(t + " " + " ".join(map(str, sorted(cov[t]))) + "\n")
    os.replace(cache + ".tmp", cache)
    return cov, gcov_lines(path)


def statement_lines(text, mask, pos):
    """The lines from the one holding the last ';', '{' or '}' of code before
    pos (the end of the statement before) to pos's own line."""
    i = pos - 1
    while i >= 0 and not (mask[i] and text[i] in ";{}"):
        i -= 1
    return range(text.count("\n", 0, max(i, 0)) + 1, text.count("\n", 0, pos) + 2)


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


# a description as sites() makes them, with " #N" when its line's text and
# description occur more than once in the file (the Nth, in source order)
DESC = re.compile(r"(?:[=!<>&|]{1,2} -> [=!<>&|]{1,2}|return -1 -> return 0"
                  r"|condition removed \(if \(0\)\))(?: #[0-9]+)?")


def equivalents(path):
    """tests/mutate/equivalent's entries for path, as {(source, description):
    reason}. Fields are " | " apart; a source line may itself hold " | ", so the
    description is found by its shape and the fields around it are the source
    line and the reason."""
    eq = {}
    if os.path.exists(EQUIV):
        for line in open(EQUIV):
            if line.strip() and not line.startswith("#"):
                parts = [p.strip() for p in line.split(" | ")]
                if len(parts) < 4 or parts[0] != path:
                    continue
                k = next((k for k in range(2, len(parts) - 1)
                          if DESC.fullmatch(parts[k])), None)
                if k is None:
                    die(f"{EQUIV_SHOWN}: no description in '{line.strip()}'")
                eq[(" | ".join(parts[1:k]), parts[k])] = " | ".join(parts[k + 1:])
    return eq


def numbered(text, muts):
    """Each mutant's description, with " #N" when another mutant of the file has
    the same line text and description (the key of tests/mutate/equivalent
    would not tell them apart otherwise)."""
    keys = [(line_of(text, s)[1], desc) for s, e, rep, desc in muts]
    total = {}
    for k in keys:
        total[k] = total.get(k, 0) + 1
    seen, out = {}, []
    for (src, desc) in keys:
        seen[(src, desc)] = seen.get((src, desc), 0) + 1
        out.append(f"{desc} #{seen[(src, desc)]}" if total[(src, desc)] > 1 else desc)
    return out


def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    ap = argparse.ArgumentParser(prog="mutate", description=__doc__.split("\n")[0])
    ap.add_argument("file")
    ap.add_argument("--tests", default="", help="tests to run (default: tests/mutate/map)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--limit", type=int, default=0, help="at most N mutants, picked by the seed")
    ap.add_argument("--lines", default="", help="only mutants on lines A-B[,C-D...]")
    ap.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    ap.add_argument("--equivalents", action="store_true",
                    help="list the file's mutants listed as equivalent, with their reasons, "
                         "and the entries that match no mutant; run nothing")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--build", default="all units",
                    help="make targets rebuilt for each mutant (default: all units)")
    ap.add_argument("--min", type=float, default=0.0, help="fail below this score (percent)")
    ap.add_argument("--no-cover", action="store_true",
                    help="run every test for every mutant (no coverage run)")
    ap.add_argument("--check-equivalents", action="store_true",
                    help="build and test the mutants listed as equivalent too")
    a = ap.parse_args()

    path = os.path.normpath(a.file)
    if not os.path.isfile(os.path.join(SRC, path)):
        die(f"cannot open '{path}'")
    text = open(os.path.join(SRC, path)).read()
    muts = [(s, e, rep, d) for (s, e, rep, _), d in zip(sites(text), numbered(text, sites(text)))]
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
    if a.equivalents:
        eq, used, stale = equivalents(path), set(), 0
        for s, e, rep, desc in muts:
            ln, src = line_of(text, s)
            key = next((k for k in ((src, desc), (src, desc.split(" #")[0])) if k in eq), None)
            if key:
                used.add(key)
                print(f"{path}:{ln}: {desc}: {src}\n    {eq[key]}")
        if not a.lines:
            for k in eq:
                if k not in used:
                    stale += 1
                    print(f"mutate: {EQUIV_SHOWN}: no mutant of {path} is "
                          f"'{k[1]}' on '{k[0]}'", file=sys.stderr)
        return 1 if stale else 0
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
    kills = dict.fromkeys(tests, 0)
    eq = equivalents(path)
    if a.no_cover:
        reach, executable = None, {}
    else:
        reach, executable = coverage(path, tests, a.jobs)
    mask = code_mask(text)

    target = os.path.join(TREE, path)
    counts = {"killed": 0, "survived": 0, "equivalent": 0, "no build": 0}
    report = []
    print(f"# {path}: {len(muts)} mutants, tests: {' '.join(tests)}", flush=True)
    try:
        for k, (s, e, rep, desc) in enumerate(muts, 1):
            ln, src = line_of(text, s)
            t0 = time.monotonic()
            mine = tests
            if reach is not None:
                span = statement_lines(text, mask, s)
                if any(executable.get(n, -1) >= 0 for n in span):
                    mine = [t for t in tests if any(n in reach[t] for n in span)]
                # else no line of the statement has code gcov counts (a
                # constant expression, say): every test runs
            killer = timeout = None
            why = eq.get((src, desc), eq.get((src, desc.split(" #")[0])))
            if why and not a.check_equivalents:
                # its reason is on record: building it would only cost
                # every reaching test's time (--check-equivalents does)
                verdict = "equivalent"
            elif not mine:
                verdict = "survived"
            else:
                with open(target, "w") as fh:
                    fh.write(text[:s] + rep + text[e:])
                built, _ = build(a.jobs, a.build.split())
                if not built:
                    verdict = "no build"
                else:
                    # the test that killed most so far first, then fastest first
                    for t in sorted(mine, key=lambda t: (-kills[t], timing[t])):
                        r = run_test(t, limit[t])
                        if r is None:
                            # past its limit: once more with four times as long,
                            # so that a busy machine does not count as a kill
                            r = run_test(t, 4 * limit[t])
                            timeout = r is None
                        if not r:
                            killer = t
                            break
                    if killer:
                        verdict = "killed"
                        kills[killer] += 1
                    else:
                        verdict = "survived"
            if verdict == "survived" and why:
                verdict = "equivalent"
            counts[verdict] += 1
            line = f"{verdict:10} {path}:{ln}: {desc}: {src}"
            if verdict == "killed":
                line += f"  [{killer}{' (timed out)' if timeout else ''}]"
                if why:
                    # a test tells it apart: the entry's reason is wrong
                    line += "  (listed as equivalent!)"
            if verdict == "equivalent":
                line += f"  ({why})"
            if verdict == "survived" and not mine:
                line += "  (not reached by any test)"
            report.append(line)
            print(f"{k}/{len(muts)} {line}  {time.monotonic() - t0:.1f}s", flush=True)
    finally:
        # the source back as it was; no rebuild here: it is newer than the
        # last mutant's objects, so the next run's first build redoes them
        with open(target, "w") as fh:
            fh.write(text)

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

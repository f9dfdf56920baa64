#!/usr/bin/env python3
"""Every option a tool accepts, from its source: the long names of its
struct option tables and the letters of its igos_getopt short-option strings.
Prints "TOOL --name" and "TOOL -x" lines, one an option (tests/t/997)."""
import re
import sys

for path in sys.argv[1:]:
    tool = re.sub(r'.*/|\.c$', '', path)
    src = open(path, encoding='utf-8').read()
    src = re.sub(r'/\*.*?\*/', '', src, flags=re.S)
    opts = set()
    for m in re.finditer(r'\{\s*"([A-Za-z0-9][A-Za-z0-9-]*)"\s*,\s*(?:no|required|optional)_argument', src):
        opts.add('--' + m.group(1))
    for m in re.finditer(r'igos_getopt\s*\([^,]*,[^,]*,\s*"([^"]*)"', src):
        for c in m.group(1):
            if c.isalnum():
                opts.add('-' + c)
    for o in sorted(opts):
        print(tool, o)

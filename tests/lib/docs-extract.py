#!/usr/bin/env python3
"""The commands of a document's examples, as written (tests/t/996).

README.md: every block of lines indented by four spaces. A man page: every
.Bd -literal block of its EXAMPLES section, mdoc escapes undone. In a block
whose first line starts with a prompt ("$ " or "# "), only prompted lines are
commands (the rest is output); otherwise every line is. A command goes on
over lines ending in \\ or | (or && and ||) and through a here-document.
Writes OUTDIR/NNN (the command) and prints "NNN LINE" for each."""
import os
import re
import sys

doc, outdir = sys.argv[1], sys.argv[2]
lines = open(doc, encoding='utf-8').read().split('\n')
blocks = []  # (first line number, [lines])
if doc.endswith('.md'):
    i = 0
    while i < len(lines):
        if lines[i].startswith('    ') and (i == 0 or lines[i - 1].strip() == ''):
            start, b = i + 1, []
            while i < len(lines) and (lines[i].startswith('    ') or
                                      (lines[i].strip() == '' and i + 1 < len(lines) and
                                       lines[i + 1].startswith('    '))):
                b.append(lines[i][4:])
                i += 1
            blocks.append((start, b))
        else:
            i += 1
else:
    inex = inbd = False
    for n, l in enumerate(lines, 1):
        if l.startswith('.Sh '):
            inex = l.strip() == '.Sh EXAMPLES'
        elif inex and l.startswith('.Bd') and '-literal' in l:
            inbd, start, b = True, n + 1, []
        elif inbd and l.startswith('.Ed'):
            inbd = False
            blocks.append((start, b))
        elif inbd:
            l = l.replace('\\e', '\\').replace('\\&', '').replace('\\(dq', '"')
            b.append(l.replace('\\-', '-'))

k = 0
for start, b in blocks:
    prompted = bool(b) and re.match(r'[$#] ', b[0]) is not None
    cmd, first, heredoc = None, 0, None
    for j, l in enumerate(b):
        if cmd is not None:
            cmd.append(l)
            if heredoc is not None:
                if l.strip() == heredoc:
                    heredoc = None
                else:
                    continue
        else:
            if prompted:
                if not re.match(r'[$#] ', l):
                    continue
                l = l[2:]
            elif l.strip() == '' or l.lstrip().startswith('#'):
                continue
            cmd, first = [l], start + j
            m = re.search(r"<<-?\s*'?([A-Za-z_]+)'?", l)
            if m:
                heredoc = m.group(1)
                continue
        text = cmd[-1].split(' #')[0].rstrip() if not heredoc else ''
        if heredoc is None and not re.search(r'(\\|\||&&)$', text):
            k += 1
            with open(os.path.join(outdir, '%03d' % k), 'w', encoding='utf-8') as f:
                f.write('\n'.join(cmd) + '\n')
            print('%03d %d' % (k, first))
            cmd = None
    if cmd is not None:
        sys.exit('%s:%d: a command does not end in its block' % (doc, first))

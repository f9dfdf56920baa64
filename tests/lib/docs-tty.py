#!/usr/bin/env python3
"""Run a script on a terminal of its own and answer its prompts (tests/t/996).
  docs-tty.py SCRIPT ANSWER...
Each answer is typed when the output ends in a prompt (": " at the end of a
line), as a person would after reading it: typed ahead, a prompt that turns
echo off would flush it. The script's output goes to stdout; its status is
the exit status."""
import os
import pty
import select
import sys
import time

script, answers = sys.argv[1], sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp('bash', ['bash', '-e', script])
out = b''
deadline = time.time() + 120
while True:
    r, _, _ = select.select([fd], [], [], 0.2)
    if r:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        out += data
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    tail = out.rstrip(b' ').split(b'\n')[-1]
    if answers and tail.endswith(b':') and not r:
        time.sleep(0.1)
        os.write(fd, answers.pop(0).encode() + b'\r')
        out += b'\n'
    if time.time() > deadline:
        os.kill(pid, 9)
        sys.exit('docs-tty: no end after 120 s')
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))

# tests/t/996: igos-sbkeys(1)'s examples make their keys themselves (new -d
# keys) in the scratch directory; enroll and dbx are shown as display lines
# (they need a machine in Setup Mode), not run.
:

"""The load bench (issue 19, part 2): the running production app under replayed Socket.IO tabs.
Entry: `python -m bench.load` (bench/load/run.py)."""

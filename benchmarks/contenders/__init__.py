"""The programs benchmarks.compare runs side by side, each in a process of its own: videoforge
(this project's environment), the official `wavespeed` SDK (a virtual environment of its own)
and a bare httpx loop. Each takes the same arguments and writes its figures as JSON."""

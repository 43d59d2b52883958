"""Benchmarks: run each module with `.venv/bin/python -m benchmarks.<name>`; results go to benchmarks/results/."""

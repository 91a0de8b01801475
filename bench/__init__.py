"""Benchmarks: ours beside a bare baseline of the same work, in the same run."""

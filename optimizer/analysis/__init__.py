"""Analyses built on solves: explanations, comparisons, sweeps and baselines."""

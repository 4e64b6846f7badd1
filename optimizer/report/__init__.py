"""Presenting plans: terminal tables, Markdown and CSV. Reports never import solvers."""

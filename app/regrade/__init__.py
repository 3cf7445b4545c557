"""Regrade every stored submission with the current problem file and reference code."""

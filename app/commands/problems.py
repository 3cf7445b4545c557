"""`dlgrade problems`: the problem sets with their field counts and points."""

import argparse

from app.problemsets.listing import problem_set_lines
from app.problemsets.paths import DEFAULT_DIRECTORY


def list_problem_sets(args: argparse.Namespace) -> None:
    """Print one line per problem set."""
    for line in problem_set_lines(args.problems or DEFAULT_DIRECTORY):
        print(line)

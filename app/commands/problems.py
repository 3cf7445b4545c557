"""`dlgrade problems`: the problem sets with their field counts and points."""

import argparse

from app.problemsets.catalog import ProblemCatalog
from app.problemsets.paths import DEFAULT_DIRECTORY


def catalog_of(args: argparse.Namespace) -> ProblemCatalog:
    """The problem sets of --problems, or of the default directory."""
    return ProblemCatalog(args.problems or DEFAULT_DIRECTORY)


def list_problem_sets(args: argparse.Namespace) -> None:
    """Print one line per problem set."""
    catalog = catalog_of(args)
    for problem_set in catalog.ids():
        definition = catalog.definition(problem_set)
        compiled = catalog.compiled(problem_set)
        print(
            f"{problem_set:<14} {definition.title} "
            f"({len(compiled.fields)} fields, {compiled.max_total:g} points)"
        )

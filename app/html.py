"""The Jinja environment every HTML document the service writes is rendered with."""

from collections.abc import Callable
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape


def html_environment(package: str, filters: dict[str, Callable[..., Any]]) -> Environment:
    """Templates from the package's `templates` folder: autoescaped, no undefined name passes."""
    environment = Environment(
        loader=PackageLoader(package, "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(filters)
    return environment

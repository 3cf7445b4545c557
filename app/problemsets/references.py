"""Resolve the reference calls named in problem files, and run them with a variant's parameters."""

import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable, Mapping
from fractions import Fraction
from functools import cache
from typing import Any, cast

import reference
from app.problemsets.schema import Reference

PARAMETER = re.compile(r"^\$([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d+)\])?$")
FRACTION = re.compile(r"^-?\d+/\d+$")


class ReferenceCallError(ValueError):
    """A reference call that cannot be resolved or bound; raised while loading a problem file."""


@cache
def reference_modules() -> frozenset[str]:
    """Names of the modules inside the reference package."""
    return frozenset(info.name for info in pkgutil.iter_modules(reference.__path__))


def resolve(call: str) -> Callable[..., Any]:
    """Find the public function `module.function` of the reference package."""
    module_name, _, function_name = call.partition(".")
    if module_name not in reference_modules():
        raise ReferenceCallError(f"no reference module {module_name!r}")
    module = importlib.import_module(f"reference.{module_name}")
    function = getattr(module, function_name, None)
    if function_name.startswith("_") or not _is_reference_function(function):
        raise ReferenceCallError(f"no public function {function_name!r} in reference.{module_name}")
    return cast(Callable[..., Any], function)


def _is_reference_function(candidate: object) -> bool:
    # Unwrap so that cached functions count; classes, modules and re-exported library
    # functions (numpy, sympy) do not.
    if not callable(candidate) or not inspect.isfunction(inspect.unwrap(candidate)):
        return False
    return str(getattr(candidate, "__module__", "")).startswith("reference.")


def check_binding(spec: Reference, parameters: Mapping[str, Any]) -> None:
    """Fail early when a call's function, arguments or parameters do not exist."""
    if spec.call is None:
        return
    function = resolve(spec.call)
    arguments = substitute(spec.args, parameters)
    try:
        inspect.signature(function).bind(**arguments)
    except TypeError as exc:
        raise ReferenceCallError(f"{spec.call}: {exc}") from None


def run_call(spec: Reference, parameters: Mapping[str, Any]) -> Any:
    """Run a reference call with the variant's parameters substituted, then pick a part."""
    if spec.call is None:
        raise ReferenceCallError("not a reference call")
    result = resolve(spec.call)(**substitute(spec.args, parameters))
    return result if spec.pick is None else _pick(result, spec.pick)


def substitute(value: Any, parameters: Mapping[str, Any]) -> Any:
    """Replace `$name` and `$name[k]` by parameter values, and "p/q" strings by fractions."""
    if isinstance(value, dict):
        return {key: substitute(item, parameters) for key, item in value.items()}
    if isinstance(value, list):
        return [substitute(item, parameters) for item in value]
    if isinstance(value, str):
        return _substitute_text(value, parameters)
    return value


def _substitute_text(text: str, parameters: Mapping[str, Any]) -> Any:
    match = PARAMETER.match(text)
    if match:
        name = match.group(1)
        if name not in parameters:
            raise ReferenceCallError(f"unknown parameter ${name}")
        value = parameters[name]
        if match.group(2) is not None:
            value = value[int(match.group(2))]
        return substitute(value, parameters)
    return Fraction(text) if FRACTION.match(text) else text


def _pick(result: Any, key: int | str) -> Any:
    if isinstance(key, int):
        return result[key]
    if isinstance(result, Mapping):
        return result[key]
    return getattr(result, key)

"""A context's sample batches, kept in the disk cache (app/cache.py) between processes.

Drawing the batches (reference gradients through SymPy) is most of what building the problem
sets costs, in every process that starts. The key names the context's class and parameters,
the versions of Python, NumPy and SymPy, and a hash of the code that draws (this package and
reference/), so that a change to any of them draws again. The arrays are stored as .npz and
read with allow_pickle=False: nothing from the cache is ever unpickled.
"""

import dataclasses
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import reference
from app import cache as disk
from app.grading.sampling.batch import SampleBatch

SECTION = "samples"
FORMAT = 1
ROLES = ("values", "indices", "quantities")
"""The mappings of arrays in a batch, stored in this order."""
BATCH_FIELDS = frozenset({"size", "indexed", "size_symbol", *ROLES})
PARAMETER_TYPES = (bool, int, float, str, type(None))

Draw = Callable[[], tuple[SampleBatch, ...]]


def cached_batches(context: object, draw: Draw) -> tuple[SampleBatch, ...]:
    """The context's batches from the cache, else drawn by `draw` and stored."""
    key = batches_key(context)
    if key is None:
        return draw()
    content = disk.load(SECTION, key)
    batches = None if content is None else decoded(content)
    if batches is None:
        batches = draw()
        encoded_batches = encoded(batches)
        if encoded_batches is not None:
            disk.store(SECTION, key, encoded_batches)
    return batches


def batches_key(context: object) -> str | None:
    """What the batches depend on, as canonical JSON; None for parameters JSON cannot hold."""
    parameters = {name: value for name, value in vars(context).items() if name != "_batches"}
    if not all(isinstance(value, PARAMETER_TYPES) for value in parameters.values()):
        return None
    kind = type(context)
    key = {
        "format": FORMAT,
        "context": f"{kind.__module__}.{kind.__qualname__}",
        "parameters": parameters,
        "code": code_hash(),
        "versions": disk.versions("numpy", "sympy"),
    }
    return json.dumps(key, sort_keys=True)


def code_hash() -> str:
    """SHA-256 over the source that draws the samples: this package and reference/."""
    return disk.source_hash(Path(__file__).parent, Path(reference.__file__).parent)


def encoded(batches: tuple[SampleBatch, ...]) -> bytes | None:
    """A JSON line giving the batches' layout, then their arrays as .npz; None when a batch
    holds what the format does not carry (an object array, a field it does not know)."""
    if {field.name for field in dataclasses.fields(SampleBatch)} != BATCH_FIELDS:
        return None
    layout: list[dict[str, Any]] = []
    arrays: list[np.ndarray[Any, Any]] = []
    for batch in batches:
        entry: dict[str, Any] = {
            "size": batch.size,
            "indexed": sorted(batch.indexed),
            "size_symbol": batch.size_symbol,
        }
        for role in ROLES:
            mapping = getattr(batch, role)
            entry[role] = list(mapping)
            arrays.extend(mapping.values())
        layout.append(entry)
    if any(array.dtype.hasobject for array in arrays):
        return None
    payload = io.BytesIO()
    np.savez(payload, *arrays, allow_pickle=False)
    return json.dumps(layout).encode() + b"\n" + payload.getvalue()


def decoded(content: bytes) -> tuple[SampleBatch, ...] | None:
    """The batches `encoded` wrote; None for anything else."""
    head, _, payload = content.partition(b"\n")
    try:
        layout = json.loads(head)
        with np.load(io.BytesIO(payload), allow_pickle=False) as archive:
            arrays = [archive[f"arr_{n}"] for n in range(len(archive.files))]
        return _batches(layout, arrays)
    except (KeyError, TypeError, ValueError, StopIteration, EOFError, OSError, zipfile.BadZipFile):
        return None


def _batches(
    layout: list[dict[str, Any]], arrays: list[np.ndarray[Any, Any]]
) -> tuple[SampleBatch, ...]:
    remaining = iter(arrays)
    batches = []
    for entry in layout:
        mappings = {role: {str(name): next(remaining) for name in entry[role]} for role in ROLES}
        batches.append(
            SampleBatch(
                size=int(entry["size"]),
                indexed=frozenset(str(name) for name in entry["indexed"]),
                size_symbol=None if entry["size_symbol"] is None else str(entry["size_symbol"]),
                **mappings,
            )
        )
    if next(remaining, None) is not None:
        raise ValueError("arrays left over")
    return tuple(batches)

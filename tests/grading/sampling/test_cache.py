"""The sample cache: a cold context draws and stores, a warm one reads the very same arrays
without drawing; a damaged, stale or foreign entry is drawn again; nothing is unpickled."""

import io
import json
from pathlib import Path
from typing import NoReturn

import numpy as np
import pytest

from app.cache import CACHE_VARIABLE
from app.grading.sampling import cache
from app.grading.sampling.batch import SampleBatch
from app.grading.sampling.cache import batches_key, cached_batches, decoded, encoded
from app.grading.sampling.context import _rng
from app.grading.sampling.contexts import CONTEXTS, SamplingContext
from app.grading.sampling.contexts.dense import DenseNetworkContext


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv(CACHE_VARIABLE, str(directory))
    return directory


def entries(root: Path) -> list[Path]:
    return sorted((root / cache.SECTION).glob("*.entry"))


def not_drawn() -> NoReturn:
    pytest.fail("the batches were drawn, not read from the cache")


def drawn(context: SamplingContext) -> tuple[SampleBatch, ...]:
    """The context's batches as drawn without any cache."""
    return context._draw(_rng(context))


def assert_same(ones: tuple[SampleBatch, ...], others: tuple[SampleBatch, ...]) -> None:
    assert len(ones) == len(others)
    for one, other in zip(ones, others, strict=True):
        assert (one.size, one.indexed, one.size_symbol) == (
            other.size,
            other.indexed,
            other.size_symbol,
        )
        for role in cache.ROLES:
            mine, theirs = getattr(one, role), getattr(other, role)
            assert list(mine) == list(theirs)
            for name, array in mine.items():
                assert array.dtype == theirs[name].dtype
                np.testing.assert_array_equal(array, theirs[name], strict=True)


@pytest.mark.parametrize("name", sorted(CONTEXTS))
def test_a_cold_context_stores_and_a_warm_one_reads_the_same_batches(root: Path, name: str) -> None:
    cold = CONTEXTS[name]().batches()
    assert len(entries(root)) == 1
    warm = cached_batches(CONTEXTS[name](), not_drawn)
    assert_same(warm, cold)
    assert_same(warm, drawn(CONTEXTS[name]()))
    for batch in CONTEXTS[name]().batches():
        for array in batch.values.values():
            assert not array.flags.writeable


def test_parameters_are_part_of_the_key(root: Path) -> None:
    DenseNetworkContext().batches()
    smaller = DenseNetworkContext(n_in=3, n_hidden=4, n_out=2)
    assert_same(smaller.batches(), drawn(DenseNetworkContext(n_in=3, n_hidden=4, n_out=2)))
    assert len(entries(root)) == 2


def flip_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "damage",
    [flip_byte, lambda path: path.write_bytes(path.read_bytes()[:-100])],
    ids=["flipped byte", "truncated"],
)
def test_a_damaged_entry_is_drawn_again(root: Path, damage: object) -> None:
    CONTEXTS["batchnorm"]().batches()
    (path,) = entries(root)
    assert callable(damage)
    damage(path)
    calls = []

    def draw() -> tuple[SampleBatch, ...]:
        calls.append(1)
        return drawn(CONTEXTS["batchnorm"]())

    assert_same(cached_batches(CONTEXTS["batchnorm"](), draw), drawn(CONTEXTS["batchnorm"]()))
    assert calls == [1]
    assert_same(cached_batches(CONTEXTS["batchnorm"](), not_drawn), drawn(CONTEXTS["batchnorm"]()))


def test_changed_code_or_versions_draw_again(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    context = CONTEXTS["dropout_tikhonov"]
    context().batches()
    monkeypatch.setattr(cache, "code_hash", lambda: "0" * 64)
    calls = []

    def draw() -> tuple[SampleBatch, ...]:
        calls.append(1)
        return drawn(context())

    cached_batches(context(), draw)
    assert calls == [1] and len(entries(root)) == 2
    key = json.loads(batches_key(context()) or "{}")
    assert set(key) == {"format", "context", "parameters", "code", "versions"}
    assert set(key["versions"]) == {"python", "numpy", "sympy"}


class _Opaque(SamplingContext):
    """A context whose parameter JSON cannot hold: never cached."""

    def __init__(self) -> None:
        self.weights = np.zeros(2)

    def symbols(self) -> frozenset[str]:
        return frozenset({"x"})

    def quantity_names(self) -> frozenset[str]:
        return frozenset()

    def _draw(self, rng: np.random.Generator) -> tuple[SampleBatch, ...]:
        return (SampleBatch(size=1, values={"x": rng.normal(size=2)}),)


def test_a_context_with_parameters_json_cannot_hold_is_drawn_every_time(root: Path) -> None:
    assert batches_key(_Opaque()) is None
    _Opaque().batches()
    assert not (root / cache.SECTION).exists()


def test_an_object_array_is_not_stored() -> None:
    batch = SampleBatch(size=1, values={"x": np.array([object()], dtype=object)})
    assert encoded((batch,)) is None


def pickled_payload() -> bytes:
    payload = io.BytesIO()
    np.savez(payload, np.array([{"__reduce__": "os.system"}], dtype=object))
    return payload.getvalue()


def valid_content() -> bytes:
    content = encoded(drawn(CONTEXTS["dropout_tikhonov"]()))
    assert content is not None
    return content


LAYOUT = [{"size": 1, "indexed": [], "size_symbol": None, "values": ["x"], "indices": []}]


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"garbage",
        b"{}\n",
        b"[]\nnot a zip archive",
        json.dumps(LAYOUT).encode() + b"\n" + pickled_payload(),
        b'[{"size": 1}]\n' + valid_content().partition(b"\n")[2],
        b"[]\n" + valid_content().partition(b"\n")[2],
        b"\"__import__('os')\"\n" + valid_content().partition(b"\n")[2],
        valid_content()[:-50],
    ],
    ids=[
        "empty",
        "garbage",
        "no arrays",
        "not an archive",
        "pickled object array",
        "missing layout keys",
        "arrays left over",
        "hostile header",
        "truncated archive",
    ],
)
def test_what_encoded_did_not_write_is_not_decoded(content: bytes) -> None:
    assert decoded(content) is None


def test_decoding_round_trips() -> None:
    batches = drawn(CONTEXTS["mean_only_batchnorm"]())
    content = encoded(batches)
    assert content is not None
    again = decoded(content)
    assert again is not None
    assert_same(again, batches)

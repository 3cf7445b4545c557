"""Fashion-MNIST from its official IDX files: verified by md5, decoded once, kept in memory.

DatasetError
 +-- DatasetMissing     files absent and not downloadable (offline); names directory and files
 +-- DatasetCorrupt     a file whose md5 or IDX header is wrong
"""

import functools
import gzip
import hashlib
import shutil
import struct
import tempfile
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

import torch
from rich.progress import Progress, TaskID

from app.private import PRIVATE_DIR

Split = Literal["train", "test"]

OFFICIAL_MIRROR = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"

FASHION_MNIST_FILES: dict[str, str] = {
    "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
    "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
    "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
}
# Published sizes bound what a download may write, whatever the server sends.
FILE_BYTES: dict[str, int] = {
    "train-images-idx3-ubyte.gz": 26_421_880,
    "train-labels-idx1-ubyte.gz": 29_515,
    "t10k-images-idx3-ubyte.gz": 4_422_102,
    "t10k-labels-idx1-ubyte.gz": 5_148,
}
SPLIT_FILES: dict[Split, tuple[str, str]] = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
SPLIT_SIZES: dict[Split, int] = {"train": 60_000, "test": 10_000}
IMAGE_SIDE = 28
NUM_CLASSES = 10
_IMAGES_MAGIC = 0x00000803
_LABELS_MAGIC = 0x00000801
_CHUNK = 1 << 16
DOWNLOAD_TIMEOUT_S = 60


Advance = Callable[[int], None]


class DatasetError(Exception):
    """The dataset cannot be read; the message says which file and what to do."""


class DatasetMissing(DatasetError):
    """Files are absent and could not be downloaded."""


class DatasetCorrupt(DatasetError):
    """A file is present but is not the published one."""


@dataclass(frozen=True, slots=True)
class LabeledImages:
    """One split: uint8 images (N, 28, 28) and int64 labels (N,); shared, so never modify them."""

    images: torch.Tensor
    labels: torch.Tensor

    def __len__(self) -> int:
        return int(self.labels.shape[0])


_cache: dict[tuple[Path, Split], LabeledImages] = {}
_cache_lock = threading.Lock()


def load_split(directory: Path, split: Split) -> LabeledImages:
    """The split's images and labels, verified and decoded on first use, then from memory."""
    key = (Path(directory).resolve(), split)
    with _cache_lock:
        if key not in _cache:
            _cache[key] = _decode_split(key[0], split)
        return _cache[key]


def _decode_split(directory: Path, split: Split) -> LabeledImages:
    images_name, labels_name = SPLIT_FILES[split]
    _require_present(directory, (images_name, labels_name))
    images = _read_idx(directory / images_name, _IMAGES_MAGIC, SPLIT_SIZES[split])
    labels = _read_idx(directory / labels_name, _LABELS_MAGIC, SPLIT_SIZES[split])
    return LabeledImages(images=images, labels=labels.to(torch.int64))


def _require_present(directory: Path, names: Iterable[str]) -> None:
    missing = [name for name in names if not (directory / name).is_file()]
    if missing:
        raise DatasetMissing(_missing_message(directory, missing))


def _missing_message(directory: Path, missing: list[str], reason: str = "") -> str:
    because = f" ({reason})" if reason else ""
    return (
        f"Fashion-MNIST is not in {directory}: missing {', '.join(missing)}{because}. "
        f"Copy the official files there or let the service download them from {OFFICIAL_MIRROR}."
    )


def _read_idx(path: Path, magic: int, count: int) -> torch.Tensor:
    """An IDX file's payload as uint8, after checking its md5 and header."""
    data = path.read_bytes()
    _check_md5(path.name, hashlib.md5(data).hexdigest())
    try:
        raw = gzip.decompress(data)
    except (OSError, EOFError) as error:
        raise DatasetCorrupt(f"{path} is not a valid gzip file: {error}") from error
    dims = 3 if magic == _IMAGES_MAGIC else 1
    header = 4 + 4 * dims
    found = struct.unpack(f">{1 + dims}I", raw[:header])
    expected = (magic, count, IMAGE_SIDE, IMAGE_SIDE)[: 1 + dims]
    if found != expected or len(raw) != header + count * (IMAGE_SIDE**2 if dims == 3 else 1):
        raise DatasetCorrupt(f"{path} does not have the IDX header and size of the official file")
    shape = (count, IMAGE_SIDE, IMAGE_SIDE) if dims == 3 else (count,)
    return torch.frombuffer(bytearray(raw[header:]), dtype=torch.uint8).reshape(shape)


def _check_md5(name: str, digest: str) -> None:
    expected = FASHION_MNIST_FILES[name]
    if digest != expected:
        raise DatasetCorrupt(
            f"{name} has md5 {digest}, not the official {expected}: "
            "the file is damaged or not Fashion-MNIST; delete it so it is fetched again"
        )


def ensure_files(directory: Path, *, url: str = OFFICIAL_MIRROR, progress: bool = True) -> None:
    """Download the files missing from the directory and verify every file's md5."""
    directory = Path(directory)
    missing = [name for name in FASHION_MNIST_FILES if not (directory / name).is_file()]
    if missing:
        # Private when created here (it may be in the data directory); a shared copy that
        # exists already keeps its mode.
        directory.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
        _download_all(directory, missing, url, progress=progress)
    for name in FASHION_MNIST_FILES:
        _check_md5(name, _file_md5(directory / name))


def _download_all(directory: Path, names: list[str], url: str, *, progress: bool) -> None:
    base = url if url.endswith("/") else url + "/"
    with Progress(disable=not progress, transient=True) as bars:
        for name in names:
            task = bars.add_task(f"Fashion-MNIST {name}", total=FILE_BYTES[name])
            try:
                _download(base + name, directory / name, functools.partial(_advance, bars, task))
            except (urllib.error.URLError, OSError) as error:
                raise DatasetMissing(_missing_message(directory, names, str(error))) from error


def _download(source: str, target: Path, advance: Advance) -> None:
    """Fetch into a temporary file, verify, then rename: a failure leaves no partial file."""
    limit = FILE_BYTES[target.name]
    digest = hashlib.md5()
    with tempfile.NamedTemporaryFile(dir=target.parent, prefix=".part-", delete=False) as part:
        try:
            with urllib.request.urlopen(source, timeout=DOWNLOAD_TIMEOUT_S) as response:
                _copy_bounded(response, part, digest, limit, advance)
            part.close()
            _check_md5(target.name, digest.hexdigest())
            shutil.move(part.name, target)
        finally:
            Path(part.name).unlink(missing_ok=True)


def _advance(bars: Progress, task: TaskID, n: int) -> None:
    bars.advance(task, n)


def _copy_bounded(
    source: IO[bytes], target: IO[bytes], digest: Any, limit: int, advance: Advance
) -> None:
    written = 0
    while chunk := source.read(_CHUNK):
        written += len(chunk)
        if written > limit:
            raise DatasetCorrupt(f"the download is larger than the official {limit:,} bytes")
        digest.update(chunk)
        target.write(chunk)
        advance(len(chunk))


def _file_md5(path: Path) -> str:
    digest = hashlib.md5()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()

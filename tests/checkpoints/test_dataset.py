"""Fashion-MNIST: decoding the official files, md5 checks, downloads from a mirror, offline."""

import shutil
import stat
from pathlib import Path
from typing import Any

import pytest
import torch
from rich.progress import Progress, TaskID

from app.checkpoints import dataset
from app.checkpoints.dataset import (
    FASHION_MNIST_FILES,
    FILE_BYTES,
    DatasetCorrupt,
    DatasetMissing,
    ensure_files,
    load_split,
)

TEST_FILES = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


def copy_files(source: Path, target: Path, names: tuple[str, ...]) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copyfile(source / name, target / name)
    return target


def test_the_test_split_decodes_to_images_and_balanced_labels(fashion_mnist_dir: Path) -> None:
    split = load_split(fashion_mnist_dir, "test")
    assert split.images.shape == (10_000, 28, 28) and split.images.dtype == torch.uint8
    assert split.labels.shape == (10_000,) and split.labels.dtype == torch.int64
    assert split.labels.bincount().tolist() == [1000] * 10
    assert len(split) == 10_000


def test_the_train_split_has_the_published_pixel_statistics(fashion_mnist_dir: Path) -> None:
    split = load_split(fashion_mnist_dir, "train")
    counts = torch.bincount(split.images.flatten(), minlength=256).to(torch.float64)
    values = torch.arange(256, dtype=torch.float64) / 255
    mean = (counts * values).sum() / counts.sum()
    std = ((counts * (values - mean) ** 2).sum() / counts.sum()).sqrt()
    assert split.images.shape == (60_000, 28, 28)
    assert split.labels.bincount().tolist() == [6000] * 10
    assert mean.item() == pytest.approx(0.2860, abs=5e-5)
    assert std.item() == pytest.approx(0.3530, abs=5e-5)


def test_a_split_is_decoded_once_and_kept(fashion_mnist_dir: Path) -> None:
    first = load_split(fashion_mnist_dir, "test")
    assert load_split(fashion_mnist_dir / ".." / fashion_mnist_dir.name, "test") is first


def test_a_corrupted_copy_fails_naming_the_file_and_its_md5(
    fashion_mnist_dir: Path, tmp_path: Path
) -> None:
    copy = copy_files(fashion_mnist_dir, tmp_path, TEST_FILES)
    damaged = bytearray((copy / TEST_FILES[0]).read_bytes())
    damaged[1000] ^= 0xFF
    (copy / TEST_FILES[0]).write_bytes(bytes(damaged))
    with pytest.raises(DatasetCorrupt, match=rf"{TEST_FILES[0]} has md5 .*not the official"):
        load_split(copy, "test")


def test_a_missing_split_names_the_directory_and_files(tmp_path: Path) -> None:
    with pytest.raises(DatasetMissing) as raised:
        load_split(tmp_path, "train")
    message = str(raised.value)
    assert str(tmp_path) in message
    assert "train-images-idx3-ubyte.gz" in message and "train-labels-idx1-ubyte.gz" in message


class RecordingProgress(Progress):
    """A progress display that remembers every bar and how far it got."""

    bars: dict[str, float] = {}

    def add_task(self, description: str, *args: Any, **kwargs: Any) -> TaskID:
        task = super().add_task(description, *args, **kwargs)
        RecordingProgress.bars[description] = 0
        return task

    def advance(self, task_id: TaskID, advance: float = 1) -> None:
        super().advance(task_id, advance)
        RecordingProgress.bars[self.tasks[task_id].description] += advance


def test_missing_files_are_downloaded_from_a_mirror_with_progress(
    fashion_mnist_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dataset, "Progress", RecordingProgress)
    RecordingProgress.bars = {}
    target = copy_files(fashion_mnist_dir, tmp_path / "data", TEST_FILES)
    ensure_files(target, url=fashion_mnist_dir.as_uri(), progress=True)
    fetched = sorted(set(FASHION_MNIST_FILES) - set(TEST_FILES))
    assert RecordingProgress.bars == {f"Fashion-MNIST {name}": FILE_BYTES[name] for name in fetched}
    assert sorted(path.name for path in target.iterdir()) == sorted(FASHION_MNIST_FILES)
    assert load_split(target, "train").images.shape == (60_000, 28, 28)


def test_a_directory_made_for_a_download_is_readable_only_by_the_service(
    fashion_mnist_dir: Path, tmp_path: Path
) -> None:
    target = tmp_path / "data" / "fashion-mnist"
    ensure_files(target, url=fashion_mnist_dir.as_uri(), progress=False)
    found = {path.name: stat.S_IMODE(path.stat().st_mode) for path in [target, *target.iterdir()]}
    assert found == {"fashion-mnist": 0o700, **dict.fromkeys(FASHION_MNIST_FILES, 0o600)}


def test_a_mirror_serving_other_bytes_leaves_nothing_behind(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    for name in FASHION_MNIST_FILES:
        (mirror / name).write_bytes(b"not fashion-mnist")
    target = tmp_path / "data"
    with pytest.raises(DatasetCorrupt, match="md5"):
        ensure_files(target, url=mirror.as_uri() + "/", progress=False)
    assert list(target.iterdir()) == []


def test_a_mirror_serving_too_much_is_cut_off(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    for name in FASHION_MNIST_FILES:
        (mirror / name).write_bytes(b"\0" * (FILE_BYTES[name] + 1))
    target = tmp_path / "data"
    with pytest.raises(DatasetCorrupt, match="larger than the official"):
        ensure_files(target, url=mirror.as_uri(), progress=False)
    assert list(target.iterdir()) == []


def test_offline_with_no_files_names_the_directory_and_files(tmp_path: Path) -> None:
    target = tmp_path / "data"
    unreachable = (tmp_path / "no-such-mirror").as_uri()
    with pytest.raises(DatasetMissing) as raised:
        ensure_files(target, url=unreachable, progress=False)
    message = str(raised.value)
    assert str(target) in message
    assert all(name in message for name in FASHION_MNIST_FILES)
    assert list(target.iterdir()) == []


def test_present_files_are_verified_without_downloading(
    fashion_mnist_dir: Path, tmp_path: Path
) -> None:
    target = copy_files(fashion_mnist_dir, tmp_path, tuple(FASHION_MNIST_FILES))
    ensure_files(target, url=(tmp_path / "no-such-mirror").as_uri(), progress=False)
    (target / TEST_FILES[1]).write_bytes(b"damaged")
    with pytest.raises(DatasetCorrupt, match=TEST_FILES[1]):
        ensure_files(target, url=(tmp_path / "no-such-mirror").as_uri(), progress=False)

"""Screening an upload before anything reads it: size, name, container and pickle globals.

Nothing here imports torch or unpickles: the API process screens every upload on arrival, so
an obvious code-carrying file is refused at once with 422; the sandboxed worker's
`torch.load(weights_only=True)` stays the authority for everything that passes.

CheckpointRejected (422)      not a state_dict the service will read; says what to upload
 +-- CheckpointTooLarge (413) the file is over the size limit
"""

import io
import pickletools
import zipfile
from pathlib import PurePath

from app.errors import InvalidSubmission
from app.untrusted import shown

EXTENSIONS = (".safetensors", ".pt", ".pth")
HOW_TO_SAVE = (
    "Upload the model's state_dict: safetensors.torch.save_file(model.state_dict(), "
    "'model.safetensors') (preferred), or torch.save(model.state_dict(), 'model.pt')."
)
UNREADABLE = f"This PyTorch file cannot be read as plain tensors. {HOW_TO_SAVE}"
# A torch.save archive stores its records uncompressed; anything far larger inflated is a bomb.
MAX_INFLATION = 2
# What a pickled state_dict may name: tensors rebuilt by torch, kept in an OrderedDict.
SAFE_MODULES = ("torch", "collections")
LEGACY_PICKLES = 5
STRING_OPCODES = frozenset(
    {"SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "UNICODE", "STRING", "BINSTRING",
     "SHORT_BINSTRING"}
)  # fmt: skip


class CheckpointRejected(InvalidSubmission):
    """The upload is not a state_dict of plain tensors that the service will read."""


class CheckpointTooLarge(CheckpointRejected):
    """The upload is larger than the configured limit."""

    status = 413


def screen(data: bytes, filename: str, *, max_bytes: int) -> None:
    """Refuse what can be refused without reading the model: raises CheckpointRejected."""
    check_envelope(data, filename, max_bytes=max_bytes)
    if is_safetensors(data):
        return
    if data.startswith(b"PK\x03\x04"):
        check_archive(data)
        check_pickle(_archive_pickle(data))
    elif data.startswith(b"\x80"):
        check_pickle(data)
    else:
        raise CheckpointRejected(f"This is not a safetensors or PyTorch file. {HOW_TO_SAVE}")


def check_envelope(data: bytes, filename: str, *, max_bytes: int) -> None:
    """Size and file name."""
    if len(data) > max_bytes:
        raise CheckpointTooLarge(
            f"The file has {len(data):,} bytes; the limit is {max_bytes:,}. "
            "A LeNet-5 state_dict takes well under 1 MB: upload only the weights."
        )
    if not data:
        raise CheckpointRejected(f"The file is empty. {HOW_TO_SAVE}")
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".pt2":
        raise CheckpointRejected(refusal("a torch.export archive (.pt2)"))
    if suffix not in EXTENSIONS:
        raise CheckpointRejected(
            f"{shown(filename)} is not a .safetensors, .pt or .pth file. {HOW_TO_SAVE}"
        )


def refusal(what: str) -> str:
    """The message for a format that can run code."""
    return f"This is {what}; loading one can run code, so it is refused. {HOW_TO_SAVE}"


def is_safetensors(data: bytes) -> bool:
    """An 8-byte little-endian header length, then a JSON header."""
    header = int.from_bytes(data[:8], "little")
    return len(data) > 9 and 2 <= header <= len(data) - 8 and data[8:9] == b"{"


def check_archive(data: bytes) -> None:
    """Refuse TorchScript and torch.export archives, and archives that inflate."""
    entries = _entries(data)
    names = [entry.filename for entry in entries]
    if any(
        name.endswith(("/archive_format", "/serialized_exported_program.json")) for name in names
    ):
        raise CheckpointRejected(refusal("a torch.export archive (.pt2)"))
    if any("/code/" in name or name.endswith("/constants.pkl") for name in names):
        raise CheckpointRejected(refusal("a TorchScript model (torch.jit.save)"))
    if sum(entry.file_size for entry in entries) > MAX_INFLATION * len(data) + 4096:
        raise CheckpointRejected(f"This archive inflates far beyond its size. {HOW_TO_SAVE}")


def check_pickle(data: bytes) -> None:
    """Refuse a pickle that names anything but torch's tensor machinery, without running it."""
    for module, name in _globals(data):
        if module.split(".")[0] not in SAFE_MODULES:
            raise CheckpointRejected(pickled_object_refusal(f"{module}.{name}", data))


def pickled_object_refusal(name: str, data: bytes) -> str:
    """The message for a pickle that holds more than tensors."""
    shown_name = shown(name, limit=80)
    # A pickled nn.Module carries its attribute names as plain strings; a state_dict does not.
    if b"_parameters" in data and b"_modules" in data:
        return (
            f"This file holds a whole pickled model ({shown_name}), not a state_dict; loading it "
            f"can run code, so it is refused. Upload model.state_dict() instead. {HOW_TO_SAVE}"
        )
    return (
        f"This file holds a pickled object ({shown_name}) besides tensors; loading it can run "
        f"code, so it is refused. {HOW_TO_SAVE}"
    )


def _entries(data: bytes) -> list[zipfile.ZipInfo]:
    try:
        return zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise CheckpointRejected(f"This is a damaged archive. {HOW_TO_SAVE}") from error


def _archive_pickle(data: bytes) -> bytes:
    """The record that torch.save keeps its object graph in (`<name>/data.pkl`)."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    records = [entry for entry in archive.infolist() if entry.filename.endswith("/data.pkl")]
    if len(records) != 1:
        raise CheckpointRejected(f"This archive is not a torch.save file. {HOW_TO_SAVE}")
    return archive.read(records[0])  # bounded: check_archive refused inflation


def _globals(data: bytes) -> list[tuple[str, str]]:
    """(module, name) of every global the pickles at the start of the data refer to, as far as
    it can be told statically."""
    # torch.save's legacy format is several pickles in a row (magic number, protocol, system
    # information, the object, the storage keys) followed by raw tensor bytes.
    stream = io.BytesIO(data)
    found: list[tuple[str, str]] = []
    for index in range(LEGACY_PICKLES):
        try:
            found += _pickle_globals(stream)
        except Exception as error:  # genops reports every malformation as its own error type
            if index == 0:
                raise CheckpointRejected(UNREADABLE) from error
            break
        if stream.tell() >= len(data):
            break
    return found


def _pickle_globals(stream: io.BytesIO) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    strings: list[str] = []
    memo: dict[int, str] = {}
    for opcode, argument, _position in pickletools.genops(stream):
        _track(opcode.name, argument, strings, memo, found)
    return found


def _track(
    opcode: str,
    argument: object,
    strings: list[str],
    memo: dict[int, str],
    found: list[tuple[str, str]],
) -> None:
    # STACK_GLOBAL takes its module and name from the two strings pushed before it, directly
    # or from the memo; GLOBAL and INST carry them as their argument.
    if opcode in STRING_OPCODES:
        strings.append(argument if isinstance(argument, str) else str(argument))
    elif opcode in ("GLOBAL", "INST") and isinstance(argument, str):
        module, _, name = argument.partition(" ")
        found.append((module, name))
    elif opcode == "STACK_GLOBAL" and len(strings) >= 2:
        found.append((strings[-2], strings[-1]))
    elif opcode in ("MEMOIZE", "BINPUT", "LONG_BINPUT", "PUT") and strings:
        memo[len(memo) if opcode == "MEMOIZE" else int(str(argument))] = strings[-1]
    elif opcode in ("BINGET", "LONG_BINGET", "GET") and int(str(argument)) in memo:
        strings.append(memo[int(str(argument))])

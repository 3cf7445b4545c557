"""The problem sets a grader holds: loaded once, checked at load, variants compiled on demand;
reloaded from the directory on request (a regrade), all files or none.

A file this code has checked before (app/problemsets/checked.py) is not compiled at load but
when a variant is first asked for, so a process that only lists, outlines or hands its
grading to a worker never loads SymPy.
"""

import hashlib
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from threading import Lock
from typing import TYPE_CHECKING

import reference
from app.errors import UnknownProblemSet
from app.problemsets import checked
from app.problemsets.dependencies import FieldParameters, field_parameters, variant_key
from app.problemsets.loader import SUFFIX, ProblemFileError, load_directory
from app.problemsets.outline import ProblemSetOutline, outline
from app.problemsets.paths import DEFAULT_DIRECTORY
from app.problemsets.references import ReferenceCallError, check_binding
from app.problemsets.schema import ProblemSetDef
from app.problemsets.variants import canonical_parameters, variant_parameters

if TYPE_CHECKING:
    from app.grading.field import GradableField
    from app.problemsets.compiled import CompiledProblemSet

VARIANT_CACHE_SIZE = 256
SHARED_FIELDS_SIZE = 4096
"""Compiled fields kept for other variants that read the same parameter values."""

CacheKey = tuple[str, str]
FieldKey = tuple[str, str, str]
"""Problem set, field id, and the values of the parameters the field reads."""


@dataclass(frozen=True, slots=True)
class _Files:
    """A directory's problem sets as read and checked in one pass."""

    definitions: dict[str, ProblemSetDef]
    hashes: dict[str, str]
    canonical: "list[CompiledProblemSet]"
    """The canonical variants compiled by the check: those of files not vouched for."""


class ProblemCatalog:
    """Every problem set of a directory, with a bounded cache of compiled variants."""

    def __init__(self, directory: Path = DEFAULT_DIRECTORY) -> None:
        self.directory = directory
        self._lock = Lock()
        self._reloading = Lock()
        self._compiled: OrderedDict[CacheKey, CompiledProblemSet] = OrderedDict()
        self._shared: OrderedDict[FieldKey, GradableField] = OrderedDict()
        self._reads: dict[str, FieldParameters] = {}
        self._definitions: dict[str, ProblemSetDef] = {}
        self._hashes: dict[str, str] = {}
        self._fingerprint = ""
        self._install(self._load())

    @property
    def fingerprint(self) -> str:
        """A digest of every problem file's hash: two catalogs with equal fingerprints hold the
        same problem sets."""
        return self._fingerprint

    def reload(self) -> bool:
        """Read and check the directory again exactly as at start; whether anything changed.

        A broken file raises ProblemFileError and the problem sets held so far stay in use.
        Only problem files are read again: the reference code (`reference/`) is imported once,
        so a change to it takes effect when the service restarts.
        """
        with self._reloading:
            files = self._load()
            if files.hashes == self._hashes:
                return False
            self._install(files)
            return True

    def file_hash(self, problem_set: str) -> str:
        """SHA-256 of the problem file as loaded, recorded with every grade."""
        self.definition(problem_set)
        return self._hashes[problem_set]

    def ids(self) -> list[str]:
        """Problem-set ids, sorted."""
        return sorted(self._definitions)

    def definition(self, problem_set: str) -> ProblemSetDef:
        """The validated definition of a problem set."""
        try:
            return self._definitions[problem_set]
        except KeyError:
            known = ", ".join(self.ids())
            raise UnknownProblemSet(
                f"There is no problem set {problem_set!r}; the problem sets are: {known}."
            ) from None

    def outline(self, problem_set: str) -> ProblemSetOutline:
        """The field ids and points of a problem set, the same in every variant; compiles
        nothing."""
        return outline(self.definition(problem_set))

    def compiled(self, problem_set: str, student: str | None = None) -> "CompiledProblemSet":
        """The gradable fields of a student's variant (the canonical one without a student)."""
        # Imported here: it loads SymPy, which a process that compiles nothing never needs.
        from app.problemsets.compile import compile_problem_set

        definition = self.definition(problem_set)
        parameters = variant_parameters(definition, student)
        key = _key(problem_set, parameters)
        with self._lock:
            if key in self._compiled:
                self._compiled.move_to_end(key)
                return self._compiled[key]
            reads = self._reads[problem_set]
            known = self._shared_fields(problem_set, reads, parameters)
        # Fields that read no parameter a new variant changes (most of a derivation's
        # expressions) are compiled once, not once per student.
        compiled = compile_problem_set(definition, parameters, known=known)
        with self._lock:
            # A reload while this compiled must not leave the old definition in the new cache.
            if self._definitions.get(problem_set) is definition:
                self._remember(key, compiled)
                self._share(problem_set, reads, compiled)
        return compiled

    def variant_keys(self, problem_set: str, student: str | None = None) -> dict[str, str]:
        """Per field id, the values of the parameters the field reads in a student's variant:
        two variants with equal keys grade that field alike."""
        definition = self.definition(problem_set)
        parameters = variant_parameters(definition, student)
        with self._lock:
            reads = self._reads[problem_set]
        return {field_id: variant_key(names, parameters) for field_id, names in reads.items()}

    def _load(self) -> _Files:
        """Every file of the directory, its hash and its canonical variant, all checked."""
        definitions = load_directory(self.directory)
        hashes = {
            problem_set: _digest(self._path(problem_set).read_bytes())
            for problem_set in definitions
        }
        canonical = [
            self._check(definition, hashes[problem_set])
            for problem_set, definition in definitions.items()
            if not checked.vouched_for(problem_set, hashes[problem_set])
        ]
        return _Files(definitions, hashes, canonical)

    def _install(self, files: _Files) -> None:
        """Swap in what was loaded; the compiled variants of the old files are dropped."""
        with self._lock:
            self._definitions, self._hashes = files.definitions, files.hashes
            self._fingerprint = _fingerprint(files.hashes)
            self._compiled.clear()
            self._shared.clear()
            self._reads = {
                problem_set: field_parameters(definition)
                for problem_set, definition in files.definitions.items()
            }
            for compiled in files.canonical:
                problem_set = compiled.definition.id
                self._remember(_key(problem_set, compiled.parameters), compiled)
                self._share(problem_set, self._reads[problem_set], compiled)

    def _remember(self, key: CacheKey, compiled: "CompiledProblemSet") -> None:
        """Cache a variant, dropping the least recently used; the caller holds the lock."""
        self._compiled[key] = compiled
        while len(self._compiled) > VARIANT_CACHE_SIZE:
            self._compiled.popitem(last=False)

    def _shared_fields(
        self, problem_set: str, reads: FieldParameters, parameters: Mapping[str, object]
    ) -> "dict[str, GradableField]":
        """The fields another variant compiled with the same values; the caller holds the lock."""
        known = {}
        for field_id, names in reads.items():
            field = self._shared.get((problem_set, field_id, variant_key(names, parameters)))
            if field is not None:
                known[field_id] = field
        return known

    def _share(
        self, problem_set: str, reads: FieldParameters, compiled: "CompiledProblemSet"
    ) -> None:
        """Keep a variant's fields for others, dropping the oldest; the caller holds the lock."""
        for field_id, field in compiled.fields.items():
            key = (problem_set, field_id, variant_key(reads[field_id], compiled.parameters))
            self._shared[key] = field
            self._shared.move_to_end(key)
        while len(self._shared) > SHARED_FIELDS_SIZE:
            self._shared.popitem(last=False)

    def _path(self, problem_set: str) -> Path:
        return self.directory / f"{problem_set}{SUFFIX}"

    def _check(self, definition: ProblemSetDef, digest: str) -> "CompiledProblemSet":
        """Bind and compile the canonical variant now, so a broken file fails at once; mark
        the file as checked once it passes."""
        from app.problemsets.compile import FieldCompileError, compile_problem_set

        path = self._path(definition.id)
        parameters = canonical_parameters(definition)
        for question in definition.questions:
            for field in question.fields:
                specs = [field.reference, *(mistake.reference for mistake in field.mistakes)]
                try:
                    for spec in specs:
                        if spec is not None:
                            check_binding(spec, parameters)
                except ReferenceCallError as exc:
                    raise ProblemFileError(f"{path}: field {field.id}: {exc}") from None
        try:
            compiled = compile_problem_set(definition, parameters)
        except FieldCompileError as exc:
            raise ProblemFileError(f"{path}: {exc}") from None
        checked.mark_checked(definition.id, digest)
        return compiled


@cache
def reference_hash() -> str:
    """SHA-256 over the reference package's source, recorded with every grade."""
    root = Path(reference.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _key(problem_set: str, parameters: Mapping[str, object]) -> CacheKey:
    return (problem_set, repr(sorted(parameters.items())))


def _fingerprint(hashes: dict[str, str]) -> str:
    lines = "".join(f"{problem_set}\0{digest}\n" for problem_set, digest in sorted(hashes.items()))
    return _digest(lines.encode())


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()

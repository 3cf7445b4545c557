"""The problem sets a grader holds: loaded once, checked at load, variants compiled on demand."""

import hashlib
from collections import OrderedDict
from functools import cache
from pathlib import Path
from threading import Lock

import reference
from app.errors import UnknownProblemSet
from app.problemsets.compile import CompiledProblemSet, FieldCompileError, compile_problem_set
from app.problemsets.loader import SUFFIX, ProblemFileError, load_directory
from app.problemsets.references import ReferenceCallError, check_binding
from app.problemsets.schema import ProblemSetDef
from app.problemsets.variants import canonical_parameters, variant_parameters

DEFAULT_DIRECTORY = Path(__file__).resolve().parents[2] / "problems"
VARIANT_CACHE_SIZE = 256


class ProblemCatalog:
    """Every problem set of a directory, with a bounded cache of compiled variants."""

    def __init__(self, directory: Path = DEFAULT_DIRECTORY) -> None:
        self.directory = directory
        self._definitions = load_directory(directory)
        self._compiled: OrderedDict[tuple[str, str], CompiledProblemSet] = OrderedDict()
        self._lock = Lock()
        self._hashes = {
            problem_set: _digest(self._path(problem_set).read_bytes())
            for problem_set in self._definitions
        }
        for definition in self._definitions.values():
            self._check(definition)

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

    def compiled(self, problem_set: str, student: str | None = None) -> CompiledProblemSet:
        """The gradable fields of a student's variant (the canonical one without a student)."""
        definition = self.definition(problem_set)
        parameters = variant_parameters(definition, student)
        key = (problem_set, repr(sorted(parameters.items())))
        with self._lock:
            if key in self._compiled:
                self._compiled.move_to_end(key)
                return self._compiled[key]
        compiled = compile_problem_set(definition, parameters)
        with self._lock:
            self._compiled[key] = compiled
            while len(self._compiled) > VARIANT_CACHE_SIZE:
                self._compiled.popitem(last=False)
        return compiled

    def _path(self, problem_set: str) -> Path:
        return self.directory / f"{problem_set}{SUFFIX}"

    def _check(self, definition: ProblemSetDef) -> None:
        """Bind and compile the canonical variant now, so a broken file fails at start."""
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
            self.compiled(definition.id)
        except FieldCompileError as exc:
            raise ProblemFileError(f"{path}: {exc}") from None


@cache
def reference_hash() -> str:
    """SHA-256 over the reference package's source, recorded with every grade."""
    root = Path(reference.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()

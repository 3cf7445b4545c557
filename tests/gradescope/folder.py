"""A folder laid out as Gradescope lays out /autograder, for tests to stand in for it."""

import json
from dataclasses import dataclass
from pathlib import Path

from app.cli import main
from tests.gradescope.spec import DocumentedResults


@dataclass(frozen=True)
class Autograder:
    """tmp/autograder: submission/, submission_metadata.json, results/, source/."""

    root: Path

    @property
    def submission(self) -> Path:
        return self.root / "submission"

    @property
    def metadata(self) -> Path:
        return self.root / "submission_metadata.json"

    @property
    def results(self) -> Path:
        return self.root / "results" / "results.json"

    @property
    def settings(self) -> Path:
        return self.root / "source" / "dlgrade-gradescope.json"

    def submit(self, name: str, content: str | bytes) -> Path:
        """Put a file into the submission."""
        path = self.submission / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
        return path

    def submitted_by(self, *users: dict[str, object]) -> None:
        """Write Gradescope's metadata naming these users."""
        self.metadata.write_text(json.dumps({"users": list(users)}))

    def run(self, *options: str, sandboxed: bool = False) -> int:
        """`dlgrade gradescope` on this folder."""
        paths = [
            *("--submission-dir", str(self.submission), "--metadata", str(self.metadata)),
            *("--results", str(self.results), "--settings", str(self.settings)),
        ]
        return main(["gradescope", *paths, *options, *([] if sandboxed else ["--in-process"])])

    def read(self) -> DocumentedResults:
        """results.json, validated against Gradescope's documented fields."""
        return DocumentedResults.model_validate_json(self.results.read_text())


def make_autograder(tmp_path: Path) -> Autograder:
    """An empty /autograder under tmp_path."""
    root = tmp_path / "autograder"
    for name in ("submission", "results", "source"):
        (root / name).mkdir(parents=True)
    return Autograder(root)

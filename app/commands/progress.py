"""Progress bars on stderr: one per stage, each with done/total, failures so far and an ETA."""

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)

from app.commands import terminal
from app.commands.closing import Closing


class Bars(Closing):
    """The bars of one command; a stage's bar appears the first time it is shown, and
    nothing is drawn for a command that shows none (a file refused at once)."""

    def __init__(self) -> None:
        self.progress = Progress(
            TextColumn("{task.description:<12}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[note]}"),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=terminal.err(),
        )
        self.tasks: dict[str, TaskID] = {}

    def close(self) -> None:
        """Stop drawing, if a bar was ever shown."""
        if self.tasks:
            self.progress.stop()

    def show(self, stage: str, *, done: int, total: int, failed: int | None = None) -> None:
        """Move a stage's bar to `done` of `total`; `failed`: how many of those failed."""
        note = "" if failed is None else f"{failed} failed"
        task = self.tasks.get(stage)
        if task is None:
            if not self.tasks:
                self.progress.start()
            task = self.tasks[stage] = self.progress.add_task(stage, total=total, note=note)
        self.progress.update(task, completed=done, total=total, note=note)

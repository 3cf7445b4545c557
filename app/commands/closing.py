"""A context manager that closes what it holds on the way out, whatever happened inside."""

from types import TracebackType
from typing import Self


class Closing:
    """`with` returns the object itself and calls its `close()` on leaving."""

    def close(self) -> None:
        """Let go of what the object holds."""
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _error: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self.close()

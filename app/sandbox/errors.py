"""Why a sandboxed call gave no result.

Exception hierarchy::

    SandboxError            the call produced no result (also: the pool is closed)
    ├── SandboxTimeout      the worker overran its deadline and was killed
    ├── SandboxCrashed      the worker died or could not start
    └── WorkerError         the function raised; carries the exception's type name and message
"""


class SandboxError(Exception):
    """Base class: a sandboxed call produced no result."""


class SandboxTimeout(SandboxError):
    """The worker did not answer within the deadline; it was killed and will be replaced."""


class SandboxCrashed(SandboxError):
    """The worker process died (or failed to start) before answering; it will be replaced."""


class WorkerError(SandboxError):
    """The function raised inside the worker; only the exception's type name and text cross over."""

    def __init__(self, type_name: str, message: str) -> None:
        super().__init__(f"{type_name}: {message}")
        self.type_name = type_name
        self.message = message

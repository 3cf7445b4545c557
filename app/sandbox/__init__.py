"""Run grading work in worker subprocesses, bounded in time and memory."""

from app.sandbox.errors import SandboxCrashed, SandboxError, SandboxTimeout, WorkerError
from app.sandbox.pool import WorkerPool

__all__ = ["SandboxCrashed", "SandboxError", "SandboxTimeout", "WorkerError", "WorkerPool"]

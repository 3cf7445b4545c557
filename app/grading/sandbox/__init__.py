"""Run grading work in worker subprocesses, bounded in time and memory."""

from app.grading.sandbox.errors import SandboxCrashed, SandboxError, SandboxTimeout, WorkerError
from app.grading.sandbox.pool import WorkerPool

__all__ = ["SandboxCrashed", "SandboxError", "SandboxTimeout", "WorkerError", "WorkerPool"]

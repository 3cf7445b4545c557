"""Problem-set routes (being built)."""

from fastapi import APIRouter

router = APIRouter(tags=["problem sets"])

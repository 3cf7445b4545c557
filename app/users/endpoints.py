"""Student-management routes (being built)."""

from fastapi import APIRouter

router = APIRouter(tags=["students"])

"""Grade-book export routes."""

from fastapi import APIRouter

router = APIRouter(tags=["gradebook"])

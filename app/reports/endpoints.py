"""Report routes."""

from fastapi import APIRouter

router = APIRouter(tags=["reports"])

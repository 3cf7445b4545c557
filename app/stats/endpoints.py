"""Statistics routes."""

from fastapi import APIRouter

router = APIRouter(tags=["stats"])

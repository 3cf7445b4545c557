"""Class-import routes."""

from fastapi import APIRouter

router = APIRouter(tags=["batches"])

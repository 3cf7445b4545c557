"""Regrade routes."""

from fastapi import APIRouter

router = APIRouter(tags=["regrade"])

"""(being written)"""

from __future__ import annotations

from fastapi import APIRouter

from incident.web.pages import Pages


def router(pages: Pages) -> APIRouter:
    return APIRouter()

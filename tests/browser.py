"""The browser tests' harness: Debian's chromium, headless, driven by
Playwright, against the real app served by uvicorn on 127.0.0.1.
Screenshots go to test-artifacts/screenshots/<backend>/."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "test-artifacts" / "screenshots"

# Without the background-networking flags chromium keeps dialling Google's
# hosts, which this closed network refuses.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str | None:
    return os.environ.get("INCIDENT_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def skip_reason() -> str | None:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "browser tests need the playwright package (./dev test installs it with the dev extras)"
    if chromium_path() is None:
        return (
            "browser tests need Debian's chromium: apt-get install chromium (.ci/run installs it), "
            "or set INCIDENT_CHROMIUM to a Chromium binary"
        )
    return None


def launch():  # type: ignore[no-untyped-def]
    """Yields a headless chromium (conftest's ``browser`` fixture), or skips."""
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=ARGS, headless=True)
        yield b
        b.close()


class Shots:
    """Numbered screenshots of one test run, per backend."""

    def __init__(self, backend: str) -> None:
        self.dir = SHOTS / backend
        self.dir.mkdir(parents=True, exist_ok=True)

    def take(self, page, name: str) -> Path:  # type: ignore[no-untyped-def]
        path = self.dir / f"{re.sub(r'[^a-z0-9-]+', '-', name.lower())}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 1000
        return path


def sign_in(browser, base: str, name: str, password: str, lang: str = "zh-CN", **context):  # type: ignore[no-untyped-def]
    """A new browser context (its own cookies) signed in as ``name``."""
    ctx = browser.new_context(base_url=base, locale=lang, **context)
    page = ctx.new_page()
    page.goto("/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", password)
    page.click("form[action='/login'] button")
    # each role lands on its own home (the board, an agent's lookup): wait to leave the login page
    page.wait_for_url(lambda url: urlsplit(url).path != "/login")
    return ctx, page

"""Fixtures of the explorer's tests (``tests/explorer/``): a real server and Chromium."""

from __future__ import annotations

# ---------------------------------------------------------------------------------------
# Browser tests of the explorer (tests/explorer/test_browser.py, marker ``browser``).
#
# A real ``python -m panel serve explorer`` runs on a free localhost port in its own process
# group; Playwright drives Debian's Chromium (``/usr/bin/chromium``, launched by path: no
# ``playwright install`` here). Every page records console errors, Bokeh's console warnings,
# uncaught page errors and requests that leave localhost; a test fails if there are any.
# ---------------------------------------------------------------------------------------
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

REPO = Path(__file__).resolve().parents[2]
_LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
_CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


def _free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(url: str, process: subprocess.Popen, log: Path, timeout: float = 90.0) -> None:
    """Poll ``url`` until it answers 200; fail early with the log if the server died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"panel serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    pytest.fail(f"panel serve did not answer {url} within {timeout:.0f} s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def explorer_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a real ``panel serve explorer`` (killed with its process group after)."""
    port = _free_port()
    log = tmp_path_factory.mktemp("explorer") / "panel-serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "panel", "serve", "explorer",
             "--address", "127.0.0.1", "--port", str(port)],
            cwd=REPO, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}/explorer"
    try:
        _wait_for(url, process, log)
        yield url
    finally:
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            try:
                os.killpg(process.pid, sig)
                process.wait(timeout=wait)
                break
            except ProcessLookupError:
                break
            except subprocess.TimeoutExpired:
                continue


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (one browser for the session)."""
    from playwright.sync_api import sync_playwright

    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail("Chromium is missing: apt-get install -y chromium (see the README)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=_CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class PageGuard:
    """What a page did that a test must not allow."""

    errors: list[str] = field(default_factory=list)
    offsite: list[str] = field(default_factory=list)

    def on_console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text}")
        elif message.type == "warning" and message.text.startswith("[bokeh"):
            # Bokeh's own warnings flag bad models (e.g. an invalid log colour range);
            # Chromium's GPU driver notes are warnings too, but not ours.
            self.errors.append(f"console warning: {message.text}")

    def on_page_error(self, error: Any) -> None:
        self.errors.append(f"page error: {error}")

    def on_request(self, request: Any) -> None:
        parsed = urlparse(request.url)
        if parsed.scheme in ("data", "blob", "about"):
            return
        if parsed.hostname not in _LOCAL_HOSTS:
            self.offsite.append(request.url)


@pytest.fixture
def open_page(chromium: Any) -> Iterator[Any]:
    """``open_page(url)`` gives a fresh page; after the test, no console errors, no
    page errors and no request off localhost may have happened on any of them."""
    contexts, guards = [], []

    def _open(url: str) -> Any:
        context = chromium.new_context(viewport={"width": 1500, "height": 1500})
        guard = PageGuard()
        context.on("request", guard.on_request)
        page = context.new_page()
        page.on("console", guard.on_console)
        page.on("pageerror", guard.on_page_error)
        contexts.append(context)
        guards.append(guard)
        page.goto(url)
        return page

    yield _open
    for context in contexts:
        context.close()
    errors = [e for g in guards for e in g.errors]
    offsite = [u for g in guards for u in g.offsite]
    assert not errors, f"browser console errors: {errors}"
    assert not offsite, f"requests left localhost: {offsite}"


# ---------------------------------------------------------------------------------------
# (end of the explorer browser-test section)
# ---------------------------------------------------------------------------------------

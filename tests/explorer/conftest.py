"""Fixtures of the explorer's tests (``tests/explorer/``): a real server and Chromium.

A real ``python -m panel serve explorer`` runs on a free localhost port in its own process
group (:func:`explorer.testing.serve`); Playwright drives Debian's Chromium
(``/usr/bin/chromium``, launched by path: no ``playwright install`` here). Every page records
console errors, Bokeh's console warnings, uncaught page errors and requests that leave
localhost, and the server's log is read after every test: a test fails on any of them, a
traceback or "Exception" in the server log included.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import pytest

from explorer.testing import (
    LOCAL_HOSTS,
    Server,
    ServerError,
    launch_chromium,
    serve,
    server_errors,
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep the browser and classroom tests together in one pytest-xdist worker.

    The README's test command runs ``-n 2 --dist loadgroup``: one worker drives the
    servers and Chromium (sharing one server and one browser for the session), the other
    runs the solver's tests meanwhile. Without xdist the marker is inert.
    """
    for item in items:
        if item.get_closest_marker("browser") or "test_classroom" in item.nodeid:
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="session")
def explorer_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A real ``panel serve explorer`` for the session (killed with its process group)."""
    try:
        with serve(tmp_path_factory.mktemp("explorer") / "panel-serve.log") as server:
            yield server
    except ServerError as exc:
        pytest.fail(str(exc))


@pytest.fixture
def explorer_url(explorer_server: Server) -> Iterator[str]:
    """The server's page URL; the test fails if the server logs an exception meanwhile."""
    log = explorer_server.log
    start = log.stat().st_size
    yield explorer_server.url
    with log.open(errors="replace") as handle:
        handle.seek(start)
        written = handle.read()
    assert not server_errors(written), f"the server logged an exception:\n{written}"


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (one browser for the session)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        try:
            browser = launch_chromium(playwright)
        except ServerError as exc:
            pytest.fail(str(exc))
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
        if parsed.hostname not in LOCAL_HOSTS:
            self.offsite.append(request.url)


@pytest.fixture
def open_page(chromium: Any) -> Iterator[Any]:
    """``open_page(url)`` gives a fresh page (``open_page(url, (1280, 800))`` one of that
    size); after the test, no console errors, no page errors and no request off localhost
    may have happened on any of them."""
    contexts, guards = [], []

    def _open(url: str, size: tuple[int, int] = (1500, 1500)) -> Any:
        context = chromium.new_context(viewport={"width": size[0], "height": size[1]})
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
    # (the off-site requests named too: a failed one shows as a console error first)
    assert not errors, f"browser console errors: {errors}; requests left localhost: {offsite}"
    assert not offsite, f"requests left localhost: {offsite}"

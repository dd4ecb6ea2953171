"""Server lifecycle hooks for ``panel serve explorer``: warm the solver pool, shut it down."""

from __future__ import annotations

from typing import Any

from explorer.runner import get_runner, shutdown_runner


def on_server_loaded(server_context: Any) -> None:
    """Start the worker processes now: the first spawn costs seconds, not the first user."""
    get_runner().start()


def on_server_unloaded(server_context: Any) -> None:
    """Terminate the workers and the manager process."""
    shutdown_runner()

"""Server lifecycle hooks for ``panel serve explorer``: warm the solver pool, shut it down."""

from __future__ import annotations

from typing import Any

from explorer.runner import get_runner, shutdown_runner


def on_server_loaded(server_context: Any) -> None:
    """Start the worker processes and import the app now, not in the first visitor's session.

    Spawning workers and importing Panel, HoloViews and the views cost seconds.
    """
    get_runner().start()
    import explorer.app  # noqa: F401


def on_server_unloaded(server_context: Any) -> None:
    """Terminate the workers and the manager process."""
    shutdown_runner()

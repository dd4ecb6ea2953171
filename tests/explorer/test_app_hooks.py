"""The server hooks' guard against Bokeh's close of a page whose session is detached."""

from __future__ import annotations

from types import SimpleNamespace

from bokeh.server.connection import ServerConnection
from bokeh.server.views.ws import WSHandler

from explorer.app_hooks import tolerate_detached_close


def test_a_page_closing_after_its_session_was_detached_is_dropped_quietly() -> None:
    # A real ServerConnection with its session detached, as Bokeh leaves it when a page
    # goes away while its session is set up (seen in the server log under load).
    connection = ServerConnection.__new__(ServerConnection)
    connection._session = None
    lost = []
    handler = SimpleNamespace(close_code=1001, close_reason=None, connection=connection,
                              application=SimpleNamespace(client_lost=lost.append))
    tolerate_detached_close()
    tolerate_detached_close()  # idempotent: one wrapper
    assert WSHandler.on_close.tolerates_detached
    WSHandler.on_close(handler)
    assert lost == [connection]

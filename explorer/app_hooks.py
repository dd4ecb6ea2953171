"""Server lifecycle hooks for ``panel serve explorer``: warm the solver pool and the first
session's code paths, tune the garbage collector, shut the workers down."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import threading
import time
from typing import Any

from tornado.iostream import StreamClosedError
from tornado.process import task_id
from tornado.websocket import WebSocketClosedError

from explorer.runner import get_runner, shutdown_runner
from explorer.training import shutdown_training_runner
from explorer.views.lampath import shutdown_path_runner, start_path_runner


def on_server_loaded(server_context: Any) -> None:
    """Start the worker processes and import the app now, not in the first visitor's session.

    Spawning workers and importing Panel, HoloViews and the views cost seconds.
    """
    get_runner().start()
    start_path_runner()  # and the default data set's λ path, which most sessions open with
    warm_session()
    quiet_closed_pages(asyncio.get_event_loop())
    tolerate_detached_close()
    tune_garbage_collector()

    if task_id() is not None:  # a process forked by --num-procs
        threading.Thread(target=_follow_parent, args=(os.getppid(),), daemon=True).start()


def warm_session() -> None:
    """Build one dashboard into a document no page will see, so that the first visitor's
    session does not pay for the imports, the plotting extension and Bokeh's first use of
    each model class (measured in one process: 3.5 s CPU for the first session, 0.9 s for
    each one after it, at load 9). It also solves the paper's example (most pages open on
    it) and its λ path into the shared caches.

    The event loop is not running yet: Panel's executor of asynchronous callbacks would
    start a loop of its own to wait for the solve, so it is replaced by one that drops
    them while the page is built (nothing is shown; the solves finish into the caches)."""
    import param
    from bokeh.document import Document
    from panel.io.state import set_curdoc

    from explorer.app import build_app

    executor = param.parameterized.async_executor
    param.parameterized.async_executor = lambda function: None
    try:
        doc = Document()
        with set_curdoc(doc), doc.models.freeze():
            build_app(sync_url=False).server_doc(doc)
        doc.to_json()
    finally:
        param.parameterized.async_executor = executor


# Python's collector walks every tracked object of the generation it collects; a full
# collection in a server holding the libraries (about 330 000 objects) and 10 sessions
# (35 000 each) took 0.75 s, and four ran while 10 sessions were built (3.0 s of 8.5 s at
# load 8-9). Frozen, the libraries and the warm session are left out of every collection
# (0.67 s of 7.6 s); fewer young collections leave none during the 10 builds.
GC_THRESHOLDS = (20_000, 20, 50)


def tune_garbage_collector() -> None:
    """Freeze what is loaded now (never garbage) and collect the young generations less
    often. Panel still runs a full collection after sessions close, so memory stays bounded.

    >>> tune_garbage_collector(); gc.get_threshold() == GC_THRESHOLDS
    True
    >>> gc.unfreeze(); gc.set_threshold(700, 10, 10)
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def quiet_closed_pages(loop: asyncio.AbstractEventLoop) -> None:
    """Log a message lost because its page closed as one line, not an unretrieved error.

    Panel writes a session's updates to its websocket as separate write tasks; when the page
    closes meanwhile and Panel then cancels the session's pending writes, a failed write is
    reported by asyncio as "Task exception was never retrieved" with a traceback, although
    nothing went wrong on the server: the reader went away.
    """
    previous = loop.get_exception_handler()

    def handle(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if isinstance(context.get("exception"), (WebSocketClosedError, StreamClosedError)):
            logging.getLogger(__name__).info("a page closed while a message to it was sent")
            return
        if previous is not None:
            previous(loop, context)
        else:
            loop.default_exception_handler(context)

    loop.set_exception_handler(handle)


def tolerate_detached_close() -> None:
    """Close a page's websocket cleanly when its session was detached before the close.

    Bokeh 3.9's ``WSHandler.on_close`` asks the connection for its session, which asserts
    that it is still attached; on a loaded server a page that goes away while its session
    is being set up (a reload, a student closing a tab) can reach it detached, and tornado
    then logs an ``AssertionError`` traceback although nothing is lost. The connection is
    then only dropped from the application's clients (what ``on_close`` does after it).
    Idempotent.
    """
    from bokeh.server.views.ws import WSHandler

    original = WSHandler.on_close
    if getattr(original, "tolerates_detached", False):
        return

    def on_close(self: Any) -> None:
        try:
            original(self)
        except AssertionError:
            logging.getLogger(__name__).info("a page closed after its session was detached")
            self.application.client_lost(self.connection)

    on_close.tolerates_detached = True  # type: ignore[attr-defined]
    WSHandler.on_close = on_close


def _follow_parent(parent: int) -> None:
    """End this forked server process (and its workers) when the main one is gone.

    With ``--num-procs N`` only the main process gets a SIGTERM sent to it; its forked
    children would live on, each with its pool of solver workers.
    """
    while os.getppid() == parent:
        time.sleep(1.0)
    shutdown_all()
    os._exit(0)


def on_server_unloaded(server_context: Any) -> None:
    """Terminate the workers and the manager process."""
    shutdown_all()


def shutdown_all() -> None:
    """Terminate the solver, λ-path and training workers and their manager processes."""
    shutdown_runner()
    shutdown_path_runner()
    shutdown_training_runner()

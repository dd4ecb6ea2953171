"""The λ-path view without a browser: its model follows the data, a click moves λ and
selects the branch's minimum, and the plot renders with every kind of event marker."""

from __future__ import annotations

from fractions import Fraction

import pytest

from explorer.path_worker import path_key
from explorer.runner import SolveRunner
from explorer.state import ExplorerState
from explorer.views.lampath import LamPathView, PathModel
from explorer.views.lampath_plot import event_frame, short_decimal


@pytest.fixture(scope="module")
def paths() -> SolveRunner:
    return SolveRunner(processes=False, job=path_key, max_seconds=60)


@pytest.fixture()
def board(paths):
    state = ExplorerState(runner=SolveRunner(processes=False))
    model = PathModel(state, paths)
    model.refresh()
    return state, model


def test_the_paper_examples_path_is_shown_and_matches_the_minima(board):
    state, model = board
    p = model.path
    assert p is not None and len(p.branches) == 10 and len(p.events) == 17
    assert model.status.startswith("λ path: 10 branches, 17 events")
    lam = float(Fraction(state.lam))
    alive = sorted(p.branches[j].segment_at(lam).pattern for j in p.alive_at(lam))
    assert alive == sorted(tuple(m.pattern) for m in state.result.minima)


def test_a_click_moves_lam_and_selects_that_branchs_minimum(board):
    state, model = board
    p = model.path
    curve = next(j for j, b in enumerate(p.branches) if b.kind == "curve")
    sample = next(s for s in p.branches[curve].samples if 0.03 < s.lam < 0.06)
    assert model.jump_to(sample.lam, sample.loss)
    assert state.lam == short_decimal(sample.lam)
    at = float(Fraction(state.lam))
    assert tuple(state.selected.pattern) == p.branches[curve].segment_at(at).pattern


def test_editing_the_data_recomputes_the_path_and_a_cached_one_comes_back(board):
    state, model = board
    first = model.path
    assert state.edit(units=1)
    assert model.path is not first and model.path.units == 1
    assert state.edit(units=2)
    assert model.path.units == 2 and "from cache" in model.status


def test_the_plot_draws_every_branch_and_follows_lam(board):
    state, model = board
    view = LamPathView(state, model)
    drawn = view.isolated.data_source.data["branch"] + view.curves.data_source.data["branch"]
    assert sorted(drawn) == list(range(1, len(model.path.branches) + 1))
    assert len(view.events.data_source.data["lam"]) == sum(
        len(e.changes) for e in model.path.events)
    assert view.now.location == pytest.approx(0.01)
    assert state.edit(lam="1/20")
    assert view.now.location == pytest.approx(0.05)
    view.panel = view.__panel__()  # builds without error
    frame = event_frame(model.path)
    assert {"continues", "dies", "gains ends", "born"} <= set(frame["what"])
    assert frame["text"].str.contains(": neuron death at λ = ").any()


def test_a_closed_session_draws_nothing_and_ignores_a_late_path(paths):
    state = ExplorerState(runner=SolveRunner(processes=False))
    model = PathModel(state, paths)
    view = LamPathView(state, model)
    view._on_session_destroyed(None)  # what Bokeh calls when the page is gone
    before = dict(view.isolated.data_source.data)
    model.refresh()  # a path arriving after the close is not drawn
    assert view.isolated.data_source.data == before
    assert state.edit(lam="1/20") and view.now.location == pytest.approx(0.01)


def test_the_server_start_computes_the_default_data_sets_path(monkeypatch):
    import explorer.views.lampath as lampath

    monkeypatch.setattr(lampath, "_RUNNERS", {})
    job = lampath.start_path_runner(processes=False)
    assert job is not None and job.future.result().kind == "ok"
    state = ExplorerState(runner=SolveRunner(processes=False))
    model = PathModel(state, lampath.get_path_runner(False))
    model.refresh()  # a new session's default data set: from the cache
    assert model.path is job.future.result().solution and "from cache" in model.status
    assert lampath.start_path_runner(processes=False) is None  # already cached


def test_an_uncertified_jump_is_drawn_grey_and_its_hover_says_why(monkeypatch):
    import solver.regpath.jumps as jumps
    from explorer.views.lampath_plot import UNCERTIFIED
    from solver import path

    monkeypatch.setattr(jumps, "exact_loss", lambda *args: None)
    p = path(["-1/2", "0", "1/2"], ["1/4", "-1/4", "5/4"], 1, "1/20", "1/2")
    frame = event_frame(p)
    stars = frame[frame["what"].isin(["becomes global", "stops being global"])]
    assert len(stars) == 2 and set(stars["color"]) == {UNCERTIFIED}
    assert stars["text"].str.contains(
        r"\(not certified: no proved interior solution at an end of the interval; the "
        r"change lies in \[0\.29320962").all()
    others = frame[~frame.index.isin(stars.index)]
    assert UNCERTIFIED not in set(others["color"])


def test_a_hidden_view_computes_no_path_until_it_is_shown(paths):
    """Off screen (a served page whose card is below the fold), a data edit starts no
    path; the card coming into view computes the path of the data shown then."""
    from solver import path

    submitted = []
    counting = SolveRunner(processes=False, job=lambda *args: (submitted.append(args[1]),
                                                                path_key(*args))[1])
    state = ExplorerState(runner=SolveRunner(processes=False))
    model = PathModel(state, counting)
    model.shown = False
    model.start()
    assert submitted == [] and model.path is None and model.stale
    assert state.edit(data="-1/2,1/4;0,-1/4;1/2,5/4") and state.edit(units=1)
    assert submitted == [] and model.path is None and not model.computing
    assert "computed when this card is on screen" in model.status
    model.shown = True
    assert len(submitted) == 1 and not model.stale
    expected = path(["-1/2", "0", "1/2"], ["1/4", "-1/4", "5/4"], 1, "1/10000", "1")
    assert model.path.units == 1 and len(model.path.branches) == len(expected.branches)
    assert [(e.kind, e.lam) for e in model.path.events] == [
        (e.kind, e.lam) for e in expected.events]
    model.shown = False  # hidden again: a problem whose path is cached is shown at once
    assert state.edit(units=2) and state.edit(units=1)
    assert len(submitted) == 1 and model.path.units == 1 and "from cache" in model.status


def test_a_served_card_is_built_when_the_page_first_shows_it():
    """Served, the λ-path card holds only a probe until the page reports it on screen
    (the probe's ``tags``, set by the page's IntersectionObserver); then its view is built
    once, and each report after that only says whether it is on screen."""
    import weakref
    from types import SimpleNamespace

    import panel as pn
    from bokeh.document import Document
    from panel.io.state import set_curdoc

    from explorer.layout import when_seen

    class Context:  # what a served document has (a Bokeh session context)
        request = SimpleNamespace(arguments={})

    context = Context()
    doc = Document()
    doc._session_context = weakref.ref(context)
    built, told = [], []

    def build():
        built.append(pn.pane.Markdown("the λ-path view"))
        return built[-1]

    with set_curdoc(doc):
        column = when_seen(build, told.append)
        probe = column.objects[0].object
        assert built == [] and told == [False] and len(column.objects) == 1
        assert len(doc.callbacks._js_event_callbacks["document_ready"]) == 1
        probe.tags = [1]  # the page: the card came into view
        assert len(built) == 1 and told == [False, True]
        assert column.objects[1] is built[0] and column.objects[0].object is probe
        probe.tags = [0]  # scrolled away, then back: told, never built again
        probe.tags = [1]
        assert len(built) == 1 and told == [False, True, False, True]

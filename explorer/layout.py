"""The dashboard's pieces for one state: the views, the tour, the help, and their layout.

:func:`build_dashboard` makes every view of one session and attaches the hover help of
:mod:`explorer.help` (each control's ``description``, the tables' header tooltips, a "?"
icon on each card); the server's template (:mod:`explorer.app`) and the notebook's
:class:`~explorer.notebook.Explorer` both lay these pieces out.

Examples
--------
>>> from explorer.runner import SolveRunner
>>> from explorer.state import ExplorerState
>>> board = build_dashboard(ExplorerState(runner=SolveRunner(processes=False)))
>>> board.minima.table.header_tooltips["orbit"][:22]
'Swapping two hidden un'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import holoviews as hv
import panel as pn
from bokeh.models import CustomJS, Div, SaveTool
from bokeh.plotting import figure as BokehFigure
from panel.io.state import set_curdoc

from explorer.help import COLUMN_HELP, CONTROL_HELP, glossary_card, tooltip
from explorer.state import ExplorerState
from explorer.views.controls import ControlsView
from explorer.views.data import DataView
from explorer.views.data2d import Data2DView
from explorer.views.downloads import DownloadsView
from explorer.views.lampath import LamPathView, PathModel, get_path_runner
from explorer.views.minima import MinimaView
from explorer.views.plane import PlaneView
from explorer.views.sphere2d import SphereView
from explorer.views.surface import SurfaceView
from explorer.views.surface2d import Surface2DView
from explorer.views.switch2d import DimensionSwitch, Slot
from explorer.views.tour import TourView
from explorer.views.training import TrainingView

ABOUT = (
    "loss(a, B, c) = Σᵢ (yᵢ − Σₗ aₗ ReLU(bₗ·xᵢ + cₗ))² + λ(|a|² + |B|² + |c|²). "
    "Every minimum shown is certified by the exact solver; every other number is this loss "
    "evaluated. Edit the data or λ and watch the minima move. The URL holds data, λ, units "
    "and selection: copy it to share this view."
)

# The cards' least widths in pixels: what their contents need without cutting a title or
# squeezing a plot or a table column (the 2-D data plot's fixed square frame with its axes,
# colour bar and toolbar; the minima table's columns, explorer.views.minima). A row of two
# cards wraps, one card a row, where the page is narrower than both together.
# The data card's depends on the data's d (the 1-D plot stretches; the 2-D one does not).
DATA_WIDTHS, PLANE_WIDTH, SURFACE_WIDTH, MINIMA_WIDTH = {1: 450, 2: 540}, 440, 500, 580


@dataclass
class Dashboard:
    """One session's views and their arrangement (``sidebar`` and ``main`` lists)."""

    state: ExplorerState
    controls: ControlsView
    data: DataView
    plane: PlaneView
    surface: SurfaceView
    minima: MinimaView
    tour: TourView
    switch: DimensionSwitch | None = None
    sidebar: list = field(default_factory=list)
    main: list = field(default_factory=list)
    downloads: DownloadsView | None = None
    lampath: LamPathView | None = None
    training: TrainingView | None = None

    @property
    def data2d(self) -> Data2DView:
        """The 2-D data view (built on first use: sessions on 1-D data never build it)."""
        return self.switch.two(0)

    @property
    def sphere(self) -> SphereView:
        """The sphere of directions (built on first use)."""
        return self.switch.two(1)

    @property
    def surface2d(self) -> Surface2DView:
        """The 2-D loss surface (built on first use)."""
        return self.switch.two(2)


DATA2D_HELP = (
    "The data points in the input plane, coloured by y (blue below 0, red above); behind "
    "them f(x) of the selected minimum in the same colours. Each line is where one unit's "
    "kink lies, b·x + c = 0; its ticks point to the side where the unit is on. Drag a "
    "point, tap to add one, tap then Backspace to delete, type exact values in the table "
    "or set a point's y with the control."
)

SPHERE_HELP = (
    "With two inputs a unit has three parameters (b1, b2, c); scaling them changes its size, "
    "not which points it sees, so only its direction matters: a point on a sphere, drawn as "
    "two disks (left: c > 0, right: c < 0, the rims: c = 0). Data point xᵢ is the great "
    "circle b·xᵢ + c = 0 (labelled xᵢ); the circles cut the sphere into cells, shaded by how "
    "many points a unit there sees (hover a cell). Each unit of each minimum is a marker at "
    "its direction, sized by its norm: ★ global minimum, orange curve of minima, red ring "
    "the selected minimum. A marker on a circle is a kink exactly on that point (a 0 in its "
    "pattern). Hover a marker for its pattern; tap to select."
)

SURFACE2D_HELP = (
    "The loss (a at its best value, the other units at the selected minimum) over a slice "
    "of one unit's three parameters: its direction on the sphere as two angles (each pixel "
    "the best over the unit's size), or its (b1, b2) with c held. Dashed: the kinks, where "
    "the unit's kink crosses a data point. Dots: every minimum's unit, the selected one "
    "ringed; only it lies in the slice. Tap a dot to select its minimum."
)


def set_surface_slice(surface: SurfaceView, name: str) -> None:
    """Show the loss-surface slice ``name`` as if the user had chosen it."""
    if name in surface.param.slice.objects:
        surface._chosen = True
        surface.slice = name


def card(title: str, body: object, help_key: str, share: int = 1,
         collapsed: bool | None = None, least: int = 0) -> pn.Card:
    """A titled card with a "?" icon that explains it, ``share`` of its row's width and at
    least ``least`` pixels wide (its row wraps where two cards do not fit side by side)."""
    header = pn.Row(pn.pane.HTML(f"<b>{title}</b>", margin=(5, 5)), tooltip(help_key))
    return pn.Card(
        body, header=header, collapsible=collapsed is not None, collapsed=bool(collapsed),
        sizing_mode="stretch_width", margin=5,
        styles={"flex": f"{share} 1 0", "min-width": f"{least}px"},
    )


def fit_data_card(box: pn.Card, state: Any) -> None:
    """Give the data card the least width its view needs for the state's ``d`` (a style
    change only when ``d`` changed).

    >>> from types import SimpleNamespace
    >>> box = card("1 · Data", None, "data_view")
    >>> fit_data_card(box, SimpleNamespace(d=2))
    >>> box.styles["min-width"]
    '540px'
    """
    least = f"{DATA_WIDTHS[state.d]}px"
    if box.styles.get("min-width") != least:
        box.styles = {**box.styles, "min-width": least}


def name_saves(view: Any, stem: str) -> Any:
    """Give the save tool of every Bokeh figure among ``view``'s attributes a file name,
    ``relu-minima-STEM`` (plus the attribute's name when a view has several), so that the
    PNG downloads at once instead of asking for a name.

    >>> from types import SimpleNamespace
    >>> from bokeh.plotting import figure
    >>> view = SimpleNamespace(bars=figure(tools="save"), fx=figure(tools="save"))
    >>> [f.select(SaveTool)[0].filename for f in (view.bars, view.fx)]
    [None, None]
    >>> name_saves(view, "training").fx.select(SaveTool)[0].filename
    'relu-minima-training-fx'
    """
    figures = [(name, value) for name, value in sorted(vars(view).items())
               if isinstance(value, BokehFigure)]
    for name, fig in figures:
        suffix = "" if name == "figure" or len(figures) == 1 else f"-{name.replace('_', '-')}"
        # the toolbar's own list: ``fig.select`` walks every model of the figure (7 ms a
        # view, 4 % of building a page)
        for tool in fig.toolbar.tools:
            if isinstance(tool, SaveTool):
                tool.filename = f"relu-minima-{stem}{suffix}"
    return view


def attach_help(board: Dashboard) -> None:
    """Hover help on every control and table column."""
    controls, data = board.controls, board.data
    controls.lam_text.description = CONTROL_HELP["lam_text"]
    controls.units.description = CONTROL_HELP["units"]
    data.example.description = CONTROL_HELP["example"]
    data.upload.description = CONTROL_HELP["upload"]
    for name in ("add", "delete", "reset"):
        getattr(data, name).description = CONTROL_HELP[name]
    board.surface.chooser.description = CONTROL_HELP["slice"]
    data.table.header_tooltips = dict(COLUMN_HELP["data"])
    board.minima.table.header_tooltips = dict(COLUMN_HELP["minima"])


def build_dashboard(state: ExplorerState) -> Dashboard:
    """Every view of one session, with help, tour and glossary, arranged for a template.

    Served, the λ-path card is built when it first comes on screen, and its path computed
    only while it is on screen (:func:`when_seen`); the Training card is built when first
    opened; the 2-D views are built when 2-D data are first shown.
    """
    hv.extension("bokeh", logo=False)
    controls, data = ControlsView(state), DataView(state)
    plane, surface, minima = PlaneView(state), SurfaceView(state), MinimaView(state)
    tour = TourView(state, set_slice=lambda name: set_surface_slice(surface, name))
    paths = PathModel(state, get_path_runner(state.runner.processes))
    board = Dashboard(state, controls, data, plane, surface, minima, tour)
    for view, stem in ((data, "data"), (plane, "plane"), (surface, "loss-surface")):
        name_saves(view, stem)
    attach_help(board)
    board.downloads = DownloadsView(state)
    upload = pn.Column(pn.pane.Markdown("Upload CSV (x1,x2,y)", margin=(0, 5)), data.upload)
    lam_help = pn.Row(pn.pane.Markdown("**λ** and **units**", margin=(5, 10, 0, 10)),
                      tooltip("lam_slider"), tooltip("status"))
    data_holder = pn.Column(data, sizing_mode="stretch_width")
    plane_card = card("2 · The (b, c) plane", plane, "plane_view", least=PLANE_WIDTH)
    surface_card = card("3 · Loss surface", surface, "surface_view", 4, least=SURFACE_WIDTH)
    data_card = card("1 · Data", pn.Column(controls.data_alert, data_holder,
                                           sizing_mode="stretch_width"), "data_view")
    board.switch = DimensionSwitch(state, [
        Slot(data_card, data_holder, data,
             lambda: name_saves(Data2DView(state, loaders=(data.example, upload, data.reset)),
                                "data"),
             ("1 · Data", "1 · Data in the plane (x1, x2)"),
             (CONTROL_HELP["data_view"], DATA2D_HELP)),
        Slot(plane_card, plane_card, plane, lambda: name_saves(SphereView(state), "sphere"),
             ("2 · The (b, c) plane", "2 · The sphere of directions of (b1, b2, c)"),
             (CONTROL_HELP["plane_view"], SPHERE_HELP)),
        Slot(surface_card, surface_card, surface,
             lambda: name_saves(Surface2DView(state), "loss-surface"),
             ("3 · Loss surface", "3 · Loss surface over one unit's parameters"),
             (CONTROL_HELP["surface_view"], SURFACE2D_HELP)),
    ])

    fit_data_card(data_card, state)
    state.param.watch(lambda _: fit_data_card(data_card, state), "data")

    def make_lampath() -> LamPathView:
        board.lampath = name_saves(LamPathView(state, paths), "lambda-path")
        return board.lampath

    def make_training() -> TrainingView:
        board.training = training = name_saves(TrainingView(state), "training")
        for name in ("optimizer", "lr", "init", "runs", "steps", "seed"):
            getattr(training, name).description = CONTROL_HELP[f"train_{name}"]
        return training

    board.main = [
        pn.FlexBox(data_card, plane_card, flex_wrap="wrap", sizing_mode="stretch_width"),
        pn.FlexBox(surface_card, card("4 · Minima", minima, "minima_view", 5, least=MINIMA_WIDTH),
                   flex_wrap="wrap", sizing_mode="stretch_width"),
        card("5 · λ path", when_seen(make_lampath, lambda seen: setattr(paths, "shown", seen)),
             "lampath_view"),
        training_card(make_training),
    ]
    board.sidebar = [
        card("Guided tour", tour, "tour", collapsed=False),
        pn.pane.Markdown("### Controls"), lam_help, controls,
        card("Downloads", board.downloads, "downloads", collapsed=False),
        glossary_card(collapsed=True),
        pn.pane.Markdown(ABOUT, styles={"font-size": "12px"}),
    ]
    paths.start()
    return board


def training_card(build: Callable[[], Any]) -> pn.Card:
    """The Training card, closed: its view is built when first opened, and told whether it
    is open (closed, a new result costs it nothing: no surface computed or sent)."""
    holder = pn.Column(pn.pane.Markdown("Open the card to train.", margin=(0, 10)),
                       sizing_mode="stretch_width")
    box = card("6 · Training", holder, "training_view", collapsed=True)

    built: list[Any] = []

    def toggled(event: Any) -> None:
        if not event.new and not built:
            built.append(build())
            holder.objects = [built[0]]
        if built:
            built[0].shown = not event.new

    box.param.watch(toggled, "collapsed")
    return box


# Run in the page once it is drawn: tell the server whether the column holding ``probe``
# is on screen, as ``probe.tags = [1]`` or ``[0]`` (an IntersectionObserver on the column,
# which calls back at once and then whenever the column comes into view or leaves it).
SEEN_JS = """
const watch = (tries) => {
  const view = Bokeh.index.find_one(probe);
  if (view == null) {
    if (tries > 0) setTimeout(() => watch(tries - 1), 250);
    return;
  }
  const target = (view.parent ?? view).el;
  new IntersectionObserver((entries) => {
    const seen = entries[entries.length - 1].isIntersecting ? 1 : 0;
    if (probe.tags[0] !== seen) probe.tags = [seen];
  }).observe(target);
};
watch(40);
"""


def when_seen(build: Callable[[], Any], seen: Callable[[bool], None]) -> pn.Column:
    """A column holding ``build()``'s view. Served, the view is built when the column first
    comes on screen (a page whose reader never scrolls there costs nothing) and ``seen`` is
    told each time it comes into view or leaves it; otherwise (a notebook, tests) the view
    is built at once and ``seen(True)``.

    >>> told = []
    >>> column = when_seen(lambda: pn.pane.Markdown("view"), told.append)
    >>> column.objects[0].object, told
    ('view', [True])
    """
    doc = pn.state.curdoc
    if doc is None or doc.session_context is None:
        seen(True)
        return pn.Column(build(), sizing_mode="stretch_width")
    seen(False)  # until the page says otherwise
    probe = Div(text="Loading…", margin=(0, 10))
    holder = pn.Column(probe, sizing_mode="stretch_width")
    built: list[Any] = []

    def reported(attr: str, old: list, new: list) -> None:
        visible = bool(new and new[0])
        with set_curdoc(doc), pn.io.hold(doc):
            if visible and not built:
                built.append(build())
                probe.text = ""
                holder.objects = [holder.objects[0], built[0]]  # the probe stays: it reports
            seen(visible)

    probe.on_change("tags", reported)
    doc.js_on_event("document_ready", CustomJS(args={"probe": probe}, code=SEEN_JS))
    return holder


def dashboard_layout(state: ExplorerState, progress: bool = False) -> pn.viewable.Viewable:
    """The dashboard as one Row (sidebar, then the views): for a notebook cell.

    ``progress`` polls the solver's progress every 250 ms (needs a running event loop).
    """
    board = build_dashboard(state)
    if progress:
        pn.state.add_periodic_callback(state.poll_progress, period=250)
    sidebar = pn.Column(*board.sidebar, width=330)
    main = pn.Column(*board.main, sizing_mode="stretch_width")
    layout: Any = pn.Row(sidebar, main, sizing_mode="stretch_width")
    layout.board = board
    return layout

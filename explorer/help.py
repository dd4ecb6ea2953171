"""Explanations inside the dashboard, for a student who has not read the paper.

Three kinds of help, all plain text (no network, no maths rendering needed):

- :data:`COLUMN_HELP`: the hover text of every column of the minima table and the data table;
- :data:`CONTROL_HELP`: the hover text of every control and view (``tooltip(key)`` makes the
  small "?" icon that shows it);
- :data:`GLOSSARY`: the words the dashboard uses (pattern, orbit, active, split set, …), shown
  by :func:`glossary_markdown` in a collapsible card.

Examples
--------
>>> sorted(COLUMN_HELP["minima"]) == sorted(["#", "kind", "loss", "orbit", "pattern", "active",
...                                          "certificate"])
True
>>> glossary_markdown().startswith("**Loss**")
True
"""

from __future__ import annotations

from typing import Any

# Hover help of the table columns, by table and column name.
COLUMN_HELP: dict[str, dict[str, str]] = {
    "minima": {
        "#": "Row number. Select a row to select this minimum in every view.",
        "kind": (
            "isolated: a single point of parameter space, a strict local minimum. "
            "curve: a whole curve of minima with the same loss (units that split one neuron "
            "between them)."
        ),
        "loss": (
            "The training loss at this minimum: squared error over the points plus "
            "λ times the sum of all squared weights (a at its best value). The lowest is the "
            "global minimum (★ in the (b, c) plane)."
        ),
        "orbit": (
            "Swapping two hidden units gives the same network: such copies of one minimum "
            "share an orbit number. Two rows with the same orbit are one minimum with its "
            "units in another order."
        ),
        "pattern": (
            "One string per unit, one sign per data point: + if the unit is on "
            "(b·xᵢ + c > 0) at that point, - if it is off, 0 if its kink sits exactly on "
            "the point (b·xᵢ + c = 0)."
        ),
        "active": (
            "The 0s of the pattern: x3·u2 means unit 2's kink is exactly at data point x3. "
            "Such a minimum lies on the boundary between two regions of parameter space, "
            "on the line of x3 in the (b, c) plane; an exact solver is needed to find it."
        ),
        "certificate": (
            "What was proved to certify the minimum: first order (every way of crossing "
            "a boundary raises the loss), second order (the loss curves upwards in every "
            "direction), split set (a curve's loss is flat along it and rises off it), "
            "closure (what happens at a curve's ends). The full list is under the table."
        ),
    },
    "data": {
        "point": "Name of the data point (x1, x2, …), as on the lines of the (b, c) plane.",
        "x": "Input value, exact: type a decimal (-0.17) or a fraction (1/3).",
        "y": "Target value, exact: type a decimal (0.05) or a fraction (2/3).",
    },
}

# Hover help of the controls and views, by key.
CONTROL_HELP: dict[str, str] = {
    "lam_slider": (
        "λ, the strength of the ridge penalty λ(|a|² + |B|² + |c|²), on a log scale from "
        "10⁻⁴ to 1. Larger λ pulls every weight towards 0: minima move, merge and vanish. "
        "On release the position becomes a short exact decimal."
    ),
    "lam_text": (
        "Type λ exactly: 1/100 and 0.01 are the same number. It must be positive. "
        "The solver works with this exact fraction."
    ),
    "units": (
        "Number of hidden ReLU units L (1 to 4). Each unit is a ramp "
        "aₗ·ReLU(bₗ·x + cₗ); the network adds them. More units: more minima, longer solves; "
        "a problem estimated over 15 s is refused (4 units: up to 6 points, 2 with two inputs)."
    ),
    "status": (
        "What is shown: the number of minima (curves and isolated points), λ, the units, and "
        "how long the exact solve took (or 'from cache' when this problem was solved before)."
    ),
    "progress": (
        "Shown while the solver works, with the faces done and an estimate of the time left "
        "(as the command line prints it); a newer edit replaces a running solve."
    ),
    "downloads": (
        "Take the shown result away: JSON (the command line's --json: exact, checkable with "
        "python -m solver verify), the LaTeX fragment (--latex), the data as a CSV, and a "
        "PNG of any plot from the save icon in its toolbar."
    ),
    "message": "Why the last edit was refused. The last good state stays on screen.",
    "example": "Load a teaching data set from assets/ (each is described in assets/README.md).",
    "upload": "Load a CSV file with a header x,y and one point per row (at most 40 points).",
    "add": "Add a point to the right of the data (then drag it where you want it).",
    "delete": "Delete the points checked in the table (at least 2 points must remain).",
    "reset": "Back to the paper's example: its data, λ = 1/100 and 2 units.",
    "slice": (
        "Which 2-D slice of the loss to draw. unit l: vary that unit's (bₗ, cₗ), the other "
        "units held at the selected minimum. (c1, c2) through a curve: vary c1, c2 with each "
        "bₗ/cₗ fixed as on that curve, so the curve lies in the slice as a flat valley floor."
    ),
    "data_view": (
        "The data points and the function f(x) of the selected minimum (red). Drag a "
        "point, tap empty space to add one, tap a point then press Backspace to delete it, "
        "or type exact values in the table."
    ),
    "plane_view": (
        "Each unit is a point (b, c). The line b·xᵢ + c = 0 (labelled xᵢ) is where the unit's "
        "kink passes through data point xᵢ; the lines cut the plane into sectors. The shade "
        "of a sector is how many data points a unit placed there is on for (sees). Each "
        "unit of each minimum is a marker: ★ global minimum, dark dot isolated, orange "
        "curve of minima, red ring the selected minimum. A marker exactly on a line is a "
        "boundary minimum (a 0 in its pattern). Hover a marker for its pattern; tap to select."
    ),
    "surface_view": (
        "The loss (with a at its best value) over a 2-D slice of parameter space: dark is "
        "low, bright is high (log scale). Dashed lines are the kinks b·xᵢ + c = 0. A dark "
        "basin in a slice need not be a minimum: the loss may still fall in a direction the "
        "slice holds fixed; only the listed minima are certified."
    ),
    "minima_view": (
        "Every certified local minimum, one row each (hover a column title for its "
        "meaning). Below the table: the checks of the selected minimum's certificate and "
        "its exact form (a curve by its equations and inequalities)."
    ),
    "lampath_view": (
        "The loss of every certified minimum as λ varies (log scale), computed exactly by "
        "the regularisation path. Blue lines: isolated minima; orange dashed: curves of "
        "minima; the pale band: the global minimum. Ticks mark face changes (a kink reaches "
        "a data point), ▲ a minimum is born, ✕ it dies, ★ the global minimum jumps; hover a "
        "marker for its exact event. The dotted line is the current λ. Click a line to move "
        "λ there and select that minimum."
    ),
    "training_view": (
        "Gradient descent on exactly this loss, from random starts, and where each run "
        "ended: the bars give the share of runs per certified minimum (or stuck at a "
        "critical point that is not a minimum, e.g. the all-dead network), with a 95% "
        "interval; tap a bar to select its minimum. One run (or a tap on its (b, c) plane) "
        "records a single run: press play to watch f(x), the units and the loss move."
    ),
    "train_optimizer": "gd: plain gradient descent; momentum: heavy ball (0.9); adam: "
                       "PyTorch's defaults.",
    "train_lr": "The learning rate (step size). Too large and the runs diverge.",
    "train_init": (
        "Where runs start: torch-default is PyTorch's nn.Linear default (uniform on "
        "±1/√fan-in); he, xavier as named; small: every weight near 0."
    ),
    "train_runs": "How many runs to train at once (all advance together).",
    "train_steps": "The step budget of each run (full-batch steps).",
    "train_seed": "The same seed gives the same runs and the same table.",
    "tour": (
        "A guided tour of the dashboard in short steps: each step loads an example, sets "
        "λ, the units and the selection, and says what to look at. Next / Previous move "
        "between steps; you may edit anything in between."
    ),
}

# The glossary, in reading order: (word, plain explanation).
GLOSSARY: tuple[tuple[str, str], ...] = (
    ("Loss", "Σᵢ (yᵢ − f(xᵢ))² + λ(|a|² + |B|² + |c|²): how badly the network f fits the "
     "points, plus the ridge penalty on every weight."),
    ("Network f(x)", "Σₗ aₗ·ReLU(bₗ·x + cₗ): a sum of L ramps. Unit l has input weight bₗ, "
     "bias cₗ and output weight aₗ; ReLU(t) = max(t, 0), so each unit has one kink, at "
     "x = −cₗ/bₗ."),
    ("λ (lambda)", "The ridge strength. 0 would mean no penalty; larger λ favours small "
     "weights and gives fewer minima. The solver takes it as an exact fraction."),
    ("Units", "The hidden ReLU units L. A unit with a = b = c = 0 is dead (contributes "
     "nothing)."),
    ("Local minimum", "Parameters where every small change raises the loss (or keeps it "
     "equal, along a curve of minima). Gradient descent can stop at any of them; the "
     "lowest is the global minimum."),
    ("Certified", "Proved to be a local minimum in exact arithmetic: first-order and "
     "second-order conditions checked in every neighbouring region, not estimated."),
    ("Pattern", "For each unit, one sign per data point: + on, - off, 0 exactly at the kink. "
     "Within one pattern the loss is a smooth function; the solver solves each pattern "
     "exactly."),
    ("Active (x3·u2)", "A 0 in a pattern: unit 2's kink sits exactly on point x3. The minimum "
     "lies on a boundary between patterns, where the loss is not smooth."),
    ("Region, boundary, line", "In the (b, c) plane, b·xᵢ + c = 0 is a line through the "
     "origin. A unit on that line has its kink at xᵢ; between the lines the pattern is "
     "fixed. The shading counts the points a unit sees in each sector."),
    ("Orbit", "Swapping units does not change the network, so every minimum comes with its "
     "unit swaps; they share one orbit number."),
    ("Neuron", "Units with the same direction (b, c) up to scale act as one neuron."),
    ("Split set (curve)", "When two units share one neuron, the neuron's weight can be "
     "shared between them in a continuum of ways with the same loss: a curve of minima "
     "(kind 'curve'), given by exact equations and inequalities."),
    ("Interior / boundary minimum", "Interior: no 0 in the pattern (the loss is smooth "
     "there). Boundary: some 0, the point sits on a line of the (b, c) plane."),
    ("Certificate", "The list of checks that proved a minimum: strict KKT multipliers (first "
     "order), a positive definite Hessian (second order), and for curves the split-set and "
     "closure checks."),
    ("Exact form", "A minimum's coordinates as algebraic numbers: roots of integer "
     "polynomials in a given interval (or a proved box), from which every weight follows."),
    ("Slice", "A 2-D cut through parameter space, used to draw the loss surface."),
)


def glossary_markdown() -> str:
    """The glossary as Markdown, one bold word and its explanation per paragraph."""
    return "\n\n".join(f"**{word}**: {text}" for word, text in GLOSSARY)


def tooltip(key: str) -> Any:
    """A small "?" icon whose hover text is ``CONTROL_HELP[key]``."""
    import panel as pn

    return pn.widgets.TooltipIcon(value=CONTROL_HELP[key], margin=(5, 5))


def glossary_card(collapsed: bool = True) -> Any:
    """A collapsible card holding the glossary."""
    import panel as pn

    return pn.Card(
        pn.pane.Markdown(glossary_markdown(), styles={"font-size": "12px"}),
        title="Glossary", collapsed=collapsed, sizing_mode="stretch_width", margin=5,
    )

"""Entry point of ``panel serve explorer``: build the dashboard for this session."""

from explorer.app import build_app

build_app().servable(title="ReLU minima explorer")

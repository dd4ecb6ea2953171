"""Entry point of ``panel serve explorer``: build the dashboard for this session."""

from explorer.app import serve_app

serve_app()

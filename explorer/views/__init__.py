"""The dashboard's views: each a ``pn.viewable.Viewer`` taking the session's state."""

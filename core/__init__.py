"""jstui's engine: everything but the screen. Never imports textual."""

__version__ = "0.1.0"

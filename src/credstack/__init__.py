"""Credstack: composition root (settings, app factory, CLI)."""

__version__ = "0.1.0"

"""The web server: a JSON API and server-rendered pages over a store (``saidwhat serve``)."""

from saidwhat.server.app import create_app

__all__ = ["create_app"]

"""A FastAPI application around one aftersales desk: see ``app.py`` and docs/embedding.md."""

from examples.fastapi_app.app import create_app

__all__ = ["create_app"]

"""Durable state of the embedded engine: one SQLAlchemy transaction per command group."""
from engine.store.store import Changes, Store

__all__ = ["Changes", "Store"]

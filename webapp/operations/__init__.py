"""The operations console (`/van-hanh`): process definitions, instances, incidents and repairs.

See views.py; the engine is read through its HTTP query API and repaired over gRPC.
"""

from webapp.operations.views import bp

__all__ = ["bp"]

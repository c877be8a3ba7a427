"""The staff task inbox: lists, claiming, the task's Camunda Form and its completion."""

from webapp.inbox.views import bp

__all__ = ["bp"]

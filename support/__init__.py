"""The project package and the shared core: users, roles, agent profiles, teams and in-site notifications."""
from .celery import app as celery_app

__all__ = ["celery_app"]

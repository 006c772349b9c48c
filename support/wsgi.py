"""WSGI entry point, for deployments that serve plain HTTP through a WSGI server next to the ASGI one."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "support.settings.base")
application = get_wsgi_application()

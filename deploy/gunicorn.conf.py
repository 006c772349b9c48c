"""gunicorn settings for the HTTP side of a deployment (pages, API, admin, static files through WhiteNoise).

Websockets are served by uvicorn (support.asgi) behind the same proxy (deploy/nginx.conf sends /ws/ there). Why two
servers: measured on the same 2-core machine, the same Django views answered 2.7 times as many requests per second
under gunicorn's threaded workers as under one uvicorn process, and 1.6 to 4.4 times as many API requests (ticket
lists and creates): under ASGI every synchronous view runs on one thread per process, so database waits do not
overlap (docs/performance.md, "ASGI or WSGI for HTTP"). Override with WEB_WORKERS / WEB_THREADS / WEB_BIND.
"""
import os

bind = os.environ.get("WEB_BIND", f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('WEB_PORT', '8000')}")
worker_class = "gthread"
workers = int(os.environ.get("WEB_WORKERS", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
# Each worker process borrows from a pool of its own (support/settings/database.py): one connection per thread (a
# thread serves one request at a time) and REPORTS_PARALLEL more for a supervisor report's helper threads. Read by
# the workers, which load the app after this file.
os.environ.setdefault("DATABASE_POOL_MAX_SIZE", str(threads + int(os.environ.get("REPORTS_PARALLEL", "3"))))
os.environ.setdefault("DATABASE_APPLICATION_NAME", "support-web")
backlog = int(os.environ.get("WEB_BACKLOG", "2048"))
keepalive = 5
timeout = 60
graceful_timeout = 30
# The proxy in front sets X-Forwarded-For / -Proto; trust it only from the addresses given (default: loopback).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = None
errorlog = "-"
loglevel = os.environ.get("WEB_LOG_LEVEL", "info")

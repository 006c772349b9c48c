"""Every URL of the desk, plus the trivial view the HTTP benchmarks are measured against."""
from django.http import HttpResponse
from django.urls import path

from support.urls import handler400, handler403, handler404, handler500  # noqa: F401
from support.urls import urlpatterns as desk_urls


def trivial(request):
    """The floor for a Django view on this server: the full middleware stack, no database, a few bytes back."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/trivial/", trivial), *desk_urls]

from django.urls import path

from . import apis

urlpatterns = [
    path("reports/", apis.ReportsApi.as_view(), name="api-reports"),
    path("reports/wallboard/", apis.WallboardApi.as_view(), name="api-wallboard"),
]

"""Verification API URLs (mounted at /api/v1/)."""
from django.urls import path

from . import apis

urlpatterns = [path("verify/", apis.VerifyApi.as_view(), name="api-verify")]

"""Report and review pages (mounted under the language prefix)."""
from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("agent/reports/", views.reports_page, name="reports"),
    path("agent/reports/<slug:key>.csv", views.report_csv, name="csv"),
    path("agent/wallboard/", views.wallboard_page, name="wallboard"),
    path("agent/reviews/", views.review_list, name="reviews"),
    path("agent/reviews/new/", views.review_new, name="review_new"),
    path("agent/reviews/<int:review_id>/", views.review_detail, name="review"),
]

"""The agent workspace pages (mounted under the language prefix): /<lang>/agent/, its search, and one page per
customer."""
from django.urls import path

from . import views

app_name = "agent"

urlpatterns = [
    path("agent/", views.workspace, name="home"),
    path("agent/search/", views.workspace_search, name="search"),
    path("agent/customers/<int:customer_id>/", views.customer_detail, name="customer"),
]

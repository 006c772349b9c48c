from django.urls import path

from . import views

app_name = "helpcenter"

urlpatterns = [
    path("help/", views.home, name="home"),
    path("help/search/", views.search_page, name="search"),
    path("help/sections/<slug:slug>/", views.section_detail, name="section"),
    path("help/articles/<int:article_id>/", views.article_detail, name="article"),
    path("help/articles/<int:article_id>/feedback/", views.article_feedback, name="feedback"),
    path("help/articles/<int:article_id>/<str:slug>/", views.article_detail, name="article_slug"),
]

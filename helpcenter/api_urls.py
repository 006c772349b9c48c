from django.urls import path

from . import apis

urlpatterns = [
    path("help/articles/", apis.ArticleCreateApi.as_view(), name="api-help-search"),
    path("help/articles/<int:article_id>/", apis.ArticleUpdateApi.as_view(), name="api-help-article"),
    path("help/articles/<int:article_id>/feedback/", apis.ArticleFeedbackApi.as_view(), name="api-help-feedback"),
    path("help/categories/", apis.CategoryListApi.as_view(), name="api-help-categories"),
]

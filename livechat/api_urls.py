"""Chat API URLs (mounted at /api/v1/)."""
from django.urls import path

from . import apis

urlpatterns = [
    path("chats/", apis.ChatStartApi.as_view(), name="api-chats"),
    path("chats/<uuid:conversation_id>/messages/", apis.ChatMessagesApi.as_view(), name="api-chat-messages"),
    path("chats/<uuid:conversation_id>/overflow/", apis.ChatOverflowApi.as_view(), name="api-chat-overflow"),
    path("chats/<uuid:conversation_id>/close/", apis.ChatCloseApi.as_view(), name="api-chat-close"),
    path("chats/<uuid:conversation_id>/context/", apis.ChatContextApi.as_view(), name="api-chat-context"),
    path("chats/<uuid:conversation_id>/rating/", apis.ChatRatingApi.as_view(), name="api-chat-rating"),
    path("chats/<uuid:conversation_id>/transcript/", apis.ChatTranscriptApi.as_view(), name="api-chat-transcript"),
    path("chats/<uuid:conversation_id>/attachments/", apis.ChatAttachmentApi.as_view(), name="api-chat-attachments"),
]

"""Serializers of the shared core, and the strict base every API input serializer uses."""
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .languages import LANGUAGE_CODES
from .models import ScanState
from .notifications import render_body, render_title
from .roles import user_role


class StrictInputSerializer(serializers.Serializer):
    """Rejects fields it does not know and read-only fields, instead of silently ignoring them."""

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            errors = {}
            for key in data.keys():
                field = self.fields.get(key)
                if field is None:
                    errors[key] = [_("Unknown field.")]
                elif field.read_only:
                    errors[key] = [_("This field is read-only.")]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class RegisterInputSerializer(StrictInputSerializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False, write_only=True)
    language = serializers.ChoiceField(choices=LANGUAGE_CODES, default="en")
    name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")


class TokenInputSerializer(StrictInputSerializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False, write_only=True)
    otp = serializers.CharField(max_length=20, required=False, write_only=True,
                                help_text="staff only (required for them): the 6-digit code of their authenticator "
                                          "app, or one of their recovery codes")


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField(help_text="the token stops working then (API_TOKEN_DAYS after issue)")


class TokenInfoOutputSerializer(serializers.Serializer):
    created = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()


class UserOutputSerializer(serializers.Serializer):
    email = serializers.EmailField()
    email_verified = serializers.BooleanField(
        help_text="whether the account has proven its address (the link mailed at sign-up, or a password set by the "
                  "emailed reset link); until then requests sent by email are not shown to it")
    name = serializers.CharField()
    language = serializers.CharField()
    role = serializers.SerializerMethodField()

    def get_role(self, user) -> str:
        return user_role(user).value


class RegisterOutputSerializer(UserOutputSerializer):
    token = serializers.CharField()


class NotificationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    url = serializers.CharField()
    created_at = serializers.DateTimeField()
    read = serializers.SerializerMethodField()

    def get_title(self, obj) -> str:
        return render_title(obj)

    def get_body(self, obj) -> str:
        return render_body(obj)

    def get_read(self, obj) -> bool:
        return obj.is_read


class ReadAllOutputSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


class ScannedImageOutputSerializer(serializers.Serializer):
    """The scan for secrets' fields of an attachment (support.filescan), shared by ticket and chat files."""

    scan_state = serializers.ChoiceField(
        choices=ScanState.values, read_only=True,
        help_text="pending: being read for secrets (the file is served to its sender alone until then); clean: none "
                  "found; secret: a secret was found and the file is a blurred (picture) or masked (text) copy; "
                  "withheld: a secret was found in a PDF or ZIP, which is served to nobody (403, code "
                  "attachment_withheld); failed: could not be read, see scan_problem; skipped: a kind that is not "
                  "read (video), or stored before files were read")
    secret_kinds = serializers.ListField(child=serializers.CharField(), read_only=True,
                                         help_text="recovery_phrase, private_key, api_secret, one_time_code")
    scan_problem = serializers.CharField(
        read_only=True,
        help_text="why a file could not be read, or not in full: encrypted, too_large, too_many_files, unreadable; "
                  "empty otherwise")


class EmailConfirmInputSerializer(StrictInputSerializer):
    token = serializers.CharField(max_length=500)

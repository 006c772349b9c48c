"""A password change ends what the old password let out: every API token of the account is revoked (issue #22).

Django calls each password validator's `password_changed(password, user)` whenever a password set with
`set_password` is saved (AbstractBaseUser.save), whatever set it: the reset link, Django admin's password change, the
`changepassword` command, a service. A validator is therefore the one hook every path goes through; it validates
nothing itself. (Sessions end by Django's own rule: their hash no longer matches the password.)
"""
from django.utils.translation import gettext as _

from .services import api_token_revoke


class RevokeTokensOnPasswordChange:
    def validate(self, password, user=None):
        return None

    def password_changed(self, password, user):
        if user is not None and user.pk is not None:
            api_token_revoke(user=user)

    def get_help_text(self):
        return _("Setting a new password also revokes the API tokens issued before.")

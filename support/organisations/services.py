"""Every write of organisations: create, update (name, email domains, notes), delete, and an admin's choice of an
account's organisation. A change of domains moves the members in the same transaction (membership.py, set-based).
Two organisations never share a domain: the database's unique index decides, so two admins adding the same domain
at once get one success and one refusal."""
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from support.models import User
from support.services import DomainError

from .membership import addresses_at, memberships_resolve, user_membership_resolve
from .models import MembershipSource, Organisation, OrganisationDomain, domain_clean


class OrganisationInvalid(DomainError):
    code = "organisation_invalid"


def domains_clean(domains):
    """The domains as stored (lower-case, without "@", each once, sorted), or OrganisationInvalid naming the first
    that is not an email domain."""
    cleaned = set()
    for text in domains:
        if not (text or "").strip():
            continue
        try:
            cleaned.add(domain_clean(text))
        except ValidationError as exc:
            raise OrganisationInvalid(exc.messages[0], code=exc.code, field="domains") from exc
    return sorted(cleaned)


def _name_clean(name):
    name = (name or "").strip()
    if not name or len(name) > 150:
        raise OrganisationInvalid(_("Give the organisation a name of at most 150 characters."), field="name")
    return name


def _refusal(exc):
    """The rule an IntegrityError broke, for the admin; None for another."""
    constraint = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", "") or ""
    if constraint == "organisation_name_unique_ci":
        return OrganisationInvalid(_("An organisation with this name exists."), code="name_taken", field="name")
    if constraint.startswith("support_organisationdomain_domain"):
        return OrganisationInvalid(_("This domain belongs to another organisation."), code="domain_taken",
                                   field="domains")
    return None


def _save(organisation, domains):
    """The organisation and, unless `domains` is None, exactly those domains, in a savepoint (a refusal leaves
    nothing written); then, if the domains changed, the accounts at the old and new ones moved, set-based."""
    try:
        with transaction.atomic():
            organisation.save()
            before = set(organisation.domains.values_list("domain", flat=True))
            if domains is not None:
                organisation.domains.exclude(domain__in=domains).delete()
                OrganisationDomain.objects.bulk_create(
                    [OrganisationDomain(organisation=organisation, domain=d) for d in domains if d not in before])
    except IntegrityError as exc:
        refusal = _refusal(exc)
        if refusal is None:
            raise
        raise refusal from exc
    if domains is not None and set(domains) != before:
        concerned = addresses_at(before | set(domains)) | Q(organisation=organisation)
        memberships_resolve(users=User.objects.filter(concerned))
    return organisation


def organisation_create(*, name, domains=(), notes=""):
    """A new organisation with its email domains; the accounts that proved an address at one of them join it."""
    domains = domains_clean(domains)
    with transaction.atomic():
        return _save(Organisation(name=_name_clean(name), notes=notes or ""), domains)


def organisation_update(*, organisation, name=None, domains=None, notes=None):
    """Change what is given (None: keep it). New domains bring in the verified accounts at them; a removed domain's
    members leave (those an admin placed stay). Runs under the organisation's row lock, so two changes of one
    organisation's domains at once are applied one after the other."""
    domains = None if domains is None else domains_clean(domains)
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if name is not None:
            locked.name = _name_clean(name)
        if notes is not None:
            locked.notes = notes
        _save(locked, domains)
    organisation.name, organisation.notes = locked.name, locked.notes
    return organisation


def organisation_delete(*, organisation):
    """Delete an organisation: its members, those an admin placed too, go back to following their domain (another
    organisation's, or none)."""
    with transaction.atomic():
        members = list(User.objects.filter(organisation=organisation).values_list("pk", flat=True))
        User.objects.filter(pk__in=members).update(organisation=None, organisation_source=MembershipSource.AUTOMATIC)
        organisation.delete()
        memberships_resolve(users=User.objects.filter(pk__in=members))


def user_organisation_set(*, user, organisation=None, automatic=False):
    """An admin's choice for one account: `organisation` (None: none), kept whatever its domain says; or, with
    `automatic`, back to following its verified address's domain."""
    with transaction.atomic():
        if automatic:
            User.objects.filter(pk=user.pk, organisation_source=MembershipSource.ADMIN).update(
                organisation=None, organisation_source=MembershipSource.AUTOMATIC)
            return user_membership_resolve(user=user)
        User.objects.filter(pk=user.pk).update(organisation=organisation, organisation_source=MembershipSource.ADMIN)
    user.organisation, user.organisation_source = organisation, MembershipSource.ADMIN
    return user

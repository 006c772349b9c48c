"""Who belongs to which organisation. An account is a member when an admin put it there, or when the domain of its
address is one of an organisation's domains *and the account has proven the address* (User.email_verified): an
address someone typed (a sign-up, an email to the desk, a chat's form) joins nothing, however it is spelt.

Membership is written set-based, in one UPDATE over the accounts concerned: when an account's address is verified
(support.services), when an organisation's domains change or it is deleted (services.py). An admin's choice
(source "admin", an organisation or none) is never moved by a domain; every UPDATE re-checks that in its WHERE, so
an admin's choice made meanwhile wins.
"""
from django.db.models import Case, Exists, F, Func, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Lower

from support.models import User

from .models import MembershipSource, OrganisationDomain


def email_domain(expression):
    """The part of an address after its last "@", lower-cased (a quoted local part may itself hold an "@")."""
    return Lower(Func(expression, Value("^.*@"), Value(""), function="REGEXP_REPLACE"))


def addresses_at(domains):
    """Accounts whose address is at one of the domains (exactly: a subdomain is another domain)."""
    q = Q(pk__in=[])
    for domain in domains:
        q |= Q(email__iendswith=f"@{domain}")
    return q


def organisation_for_address(email):
    """The id of the organisation whose domain the address is at, or None (one indexed read; the caller must know
    the address is proven)."""
    domain = (email or "").rpartition("@")[2].strip().lower()
    if not domain:
        return None
    return OrganisationDomain.objects.filter(domain=domain).values_list("organisation_id", flat=True).first()


def memberships_resolve(*, users):
    """Give each account of the queryset the organisation of its verified address's domain (or none), in one
    UPDATE; accounts an admin placed are left alone, and accounts already right are not written. Returns how many
    changed."""
    domain_rows = OrganisationDomain.objects.filter(domain=email_domain(OuterRef("email")))
    target = Case(When(email_verified=True, then=Subquery(domain_rows.values("organisation_id")[:1])), default=None)
    joined = Q(email_verified=True) & Exists(domain_rows)
    automatic = users.exclude(organisation_source=MembershipSource.ADMIN)
    # Already right: a member of the domain's organisation by its domain, or in none with none to join (each side
    # false, never null, when the target is none: NOT of a null would leave the row out).
    right = (Q(organisation_source=MembershipSource.DOMAIN, target__isnull=False, organisation_id=F("target"))
             | Q(organisation_source=MembershipSource.AUTOMATIC, organisation__isnull=True, target__isnull=True))
    stale = automatic.annotate(target=target).exclude(right).values("pk")
    return User.objects.filter(pk__in=stale).exclude(organisation_source=MembershipSource.ADMIN).update(
        organisation_id=target,
        organisation_source=Case(When(joined, then=Value(MembershipSource.DOMAIN)),
                                 default=Value(MembershipSource.AUTOMATIC)))


def user_membership_resolve(*, user):
    """One account's membership after its address was verified or changed; the instance is brought up to date."""
    memberships_resolve(users=User.objects.filter(pk=user.pk))
    user.refresh_from_db(fields=["organisation", "organisation_source"])
    return user

"""Organisations (issue #26): the institutional clients of the exchange (market makers, brokers, OTC desks, partner
apps) whose staff write in from their company's addresses, so rules and agents can tell them apart.

    models.py      Organisation, OrganisationDomain (one row per email domain: unique across organisations), the
                   membership's source; registered under the support app by support/models.py
    membership.py  who belongs where: from the domain of a *verified* address, or as an admin set it (set-based)
    services.py    create, update (name, domains, notes), delete; an admin's choice for one account
    selectors.py   a ticket's requester's organisation, the organisations to choose from
    admin.py       the Django admin (imported by support/admin.py)

An address someone typed proves nothing: an account joins by its domain only once it has proven the address
(User.email_verified), so nobody gets an institution's rules or standing by signing up with its domain.
"""

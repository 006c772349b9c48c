"""python manage.py create_agent --email E --password P --languages en,ja [--assisted ko,ru] --capacity 3 [--supervisor]"""
from django.core.management.base import BaseCommand, CommandError

from support import services
from support.languages import parse_language_list


class Command(BaseCommand):
    help = "Create an agent (or, with --supervisor, a supervisor) who serves the given languages."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--languages", required=True, help="comma-separated: en,zh-hans,es,ru,ja,ko")
        parser.add_argument("--assisted", default="",
                            help="comma-separated languages served with agent assist and machine translation")
        parser.add_argument("--capacity", type=int, default=3, help="maximum concurrent chats (1-50)")
        parser.add_argument("--supervisor", action="store_true", help="give the supervisor role")
        parser.add_argument("--name", default="")
        parser.add_argument("--team", default="", help="team name (created if missing)")

    def handle(self, *args, **options):
        try:
            languages = parse_language_list(options["languages"])
            assisted = parse_language_list(options["assisted"]) if options["assisted"] else []
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        team = services.team_get_or_create(name=options["team"]) if options["team"] else None
        try:
            user = services.agent_create(
                email=options["email"],
                password=options["password"],
                languages=languages,
                assisted_languages=assisted,
                capacity=options["capacity"],
                supervisor=options["supervisor"],
                name=options["name"],
                team=team,
            )
        except services.DomainError as exc:
            raise CommandError(exc.detail) from exc
        role = "supervisor" if options["supervisor"] else "agent"
        self.stdout.write(self.style.SUCCESS(
            f"Created {role} {user.email} serving {', '.join(languages)} with capacity {options['capacity']}."
        ))

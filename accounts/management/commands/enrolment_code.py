"""Print a one-time two-factor enrolment code for a user: for the first administrator, who
has nobody to issue one in the admin (the others get theirs from the user admin's action
"Issue a two-factor enrolment code", or by email from the setup page)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from accounts import twofactor
from accounts.models import User


class Command(BaseCommand):
    help = "Print a single-use two-factor enrolment code for a user (valid for three days)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")

    def handle(self, *args, **options) -> None:
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist as error:
            raise CommandError(f"No user {options['username']!r}.") from error
        self.stdout.write(twofactor.issue_enrolment_code(user=user, issued_by=None))

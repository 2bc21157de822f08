"""What happens at the second step of signing in, for the audit log (audit/signals.py) to
record: accounts sits below audit, so it announces and does not write the log itself."""

from django.dispatch import Signal

# request, user, device: the second factor passed; the sign-in is complete.
second_factor_passed = Signal()
# request, user: a wrong authenticator or recovery code.
second_factor_failed = Signal()
# request, user: a wrong or expired enrolment code on the setup page.
enrolment_code_failed = Signal()
# request, user, issued_by, emailed: an enrolment code was issued.
enrolment_code_issued = Signal()

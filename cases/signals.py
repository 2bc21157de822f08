"""What a case's pathway tells the apps above cases. Sent inside the service's transaction;
the apps that listen connect in their AppConfig.ready() (README "Architecture: layers").

A receiver's exception rolls the whole change back, as a direct call would: these are
sent with send(), not send_robust()."""

from __future__ import annotations

from django.dispatch import Signal

# move_case, after the stage and its history row are saved: case, previous, target.
# reminders listens: a case leaving the intensive stages frees capacity for the waiting list.
stage_changed = Signal()

# end_phase1, once the case has moved on from Phase 1: case.
# reviews listens: it schedules the Phase 2 reviews from the end of Phase 1.
phase1_ended = Signal()

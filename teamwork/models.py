"""Team work beyond cases (DOMAIN.md section 5): consultations, training sessions, feedback
and complaints. The report card counts them (reporting/queries.py reads these models).

The tables were made by the reporting app and keep their names (db_table), so moving the
models here moved no data (migration 0001 of this app and 0009 of reporting change only
Django's state)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class TeamworkRecord(models.Model):
    """What the in-app pages (teamwork/views.py) need of a team activity record: a
    version for stale-edit detection, and the one-time key of the form that created it."""

    # db_default: rows the synthetic dataset writes outside the ORM start at version 1 too.
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    # The same form sent twice finds the first record by this key (null: made elsewhere).
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        abstract = True


class Consultation(TeamworkRecord):
    """Advice given to the wider workforce (DOMAIN.md section 5); counted, not a referral."""

    team = models.ForeignKey(
        "accounts.Team", on_delete=models.CASCADE, related_name="consultations"
    )
    held_on = models.DateField(_("date"))
    asked_by = models.CharField(_("who asked"), max_length=120)
    agency = models.CharField(_("agency"), max_length=120)
    topic = models.CharField(_("topic"), max_length=300)
    led_to_referral = models.BooleanField(_("led to a referral"), default=False)

    class Meta:
        db_table = "reporting_consultation"  # made by the reporting app, before teamwork
        ordering = ["-held_on"]
        indexes = [
            models.Index(fields=["team", "held_on"], name="consultation_team_day_idx"),
            # Every team's consultations, newest first (the administrator's list, read from
            # either end): without it a sort of every row (9,873 at national scale, 6 ms).
            models.Index(fields=["-held_on", "-id"], name="consultation_newest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.held_on} {self.topic}"


class TrainingSession(TeamworkRecord):
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="training")
    course = models.CharField(_("course"), max_length=200)
    held_on = models.DateField(_("date"))
    attendees = models.PositiveIntegerField(_("attendees"))
    audience = models.CharField(_("audience organisations"), max_length=300, blank=True)

    class Meta:
        db_table = "reporting_trainingsession"  # made by the reporting app, before teamwork
        ordering = ["-held_on"]
        indexes = [
            # The team's training list, newest first, and the card's sessions in a period.
            models.Index(fields=["team", "held_on"], name="training_team_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.held_on} {self.course}"


class FeedbackFrom(models.TextChoices):
    FAMILY = "family", _("Family")
    SOCIAL_WORKER = "social_worker", _("Social worker")


class Feedback(TeamworkRecord):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="feedback")
    # The case's team, kept on the record (save() sets it; a case never changes team), so
    # a team's feedback is listed and counted from an index of its own: through the case it
    # was a join with every case of the team (31 ms for the busiest team at national scale).
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.CASCADE, related_name="feedback", editable=False
    )
    given_by = models.CharField(_("from"), max_length=20, choices=FeedbackFrom.choices)
    received_on = models.DateField(_("received"))
    positive = models.BooleanField(_("positive"))
    comments = models.TextField(_("comments"), blank=True)

    class Meta:
        db_table = "reporting_feedback"  # made by the reporting app, before teamwork
        ordering = ["-received_on"]
        indexes = [
            # Every team's feedback, newest first (the administrator's list).
            models.Index(fields=["-received_on", "-id"], name="feedback_newest_idx"),
            # A team's feedback list, newest first, and its totals (how many, how many
            # positive, less the restricted cases') read from this index alone.
            models.Index(
                fields=["team", "-received_on", "-id"],
                include=["positive", "case"],
                name="feedback_team_newest_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(given_by__in=FeedbackFrom.values), name="feedback_from_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_given_by_display()} {self.received_on}"

    def save(self, *args, **kwargs) -> None:
        self.team_id = self.case.team_id
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "case" in update_fields:
            kwargs["update_fields"] = {*update_fields, "team"}
        super().save(*args, **kwargs)


class Complaint(TeamworkRecord):
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="complaints")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL)
    received_on = models.DateField(_("received"))
    summary = models.TextField(_("summary"))

    class Meta:
        db_table = "reporting_complaint"  # made by the reporting app, before teamwork
        ordering = ["-received_on"]
        indexes = [
            # The team's complaints list, newest first, and the card's count in a period.
            models.Index(fields=["team", "received_on"], name="complaint_team_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.received_on}"

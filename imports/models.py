"""An import of a team's historic cases from a spreadsheet: the run (checked, then
confirmed by a manager, then applied by a worker) and the record of each row it created."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ImportStatus(models.TextChoices):
    CHECKED = "checked", _("Checked (dry run): waiting for a manager to confirm")
    QUEUED = "queued", _("Confirmed: waiting for a worker")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportRun(models.Model):
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="imports")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    file_name = models.CharField(_("file"), max_length=255)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.CHECKED
    )
    # The checked rows (typed values, as JSON) the worker writes: the file is read once.
    rows = models.JSONField(default=list)
    # Per row, what the dry run found: what it would create, skip, or the errors in words.
    report = models.JSONField(default=list)
    rows_total = models.PositiveIntegerField(default=0)
    rows_to_create = models.PositiveIntegerField(default=0)
    rows_already = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(_("referrals created"), default=0)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The worker's last sign of life (each chunk written); the sweep resumes a silent run.
    beat_at = models.DateTimeField(null=True, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        constraints = [
            # The status is one of the pipeline's (imports.services moves it).
            models.CheckConstraint(
                condition=Q(status__in=ImportStatus.values), name="importrun_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)


class ImportedRecord(models.Model):
    """Marks a referral (and its case) as imported: from which run, file and row, under the
    team's own reference. The reference is unique per team, so a second import of the same
    file creates nothing new."""

    run = models.ForeignKey(ImportRun, on_delete=models.PROTECT, related_name="records")
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+")
    source_reference = models.CharField(_("team's own reference"), max_length=60)
    row_number = models.PositiveIntegerField(_("row in the file"))
    referral = models.OneToOneField(
        "referrals.Referral", on_delete=models.CASCADE, related_name="imported"
    )

    class Meta:
        constraints = [
            # Idempotent imports: one record per team and reference (the lookup before a write).
            models.UniqueConstraint(
                fields=["team", "source_reference"], name="importedrecord_team_reference"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_reference} (row {self.row_number})"

from __future__ import annotations

from datetime import datetime, time

from django import forms
from django.contrib import messages
from django.db.models import Case, CharField, F, Q, Value, When
from django.db.models.functions import Cast, Concat, TruncDate
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import activate, get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Language
from accounts.paging import MAX_PAGE, UncountedPage, older_than
from core.http import AuthenticatedHttpRequest

from . import services
from .models import ALWAYS_DELIVERED, Channel, Kind, Notification

GROUPS_PER_PAGE = 25


def _grouped(qs):
    """Each notification with its group: its topic (or itself, if it has none) and the
    local day it was made on."""
    own = Concat(Value("n:"), Cast("pk", output_field=CharField()))
    return qs.annotate(
        group=Case(When(topic="", then=own), default=F("topic"), output_field=CharField()),
        day=TruncDate("created_at"),
    )


def _page_groups(mine, number: int) -> list[dict]:
    """The groups of page `number`, and the first of the next page if there is one: the
    user's notifications walked newest first (the index of a user's notifications by
    time), each group placed where its newest notification is, until the page and one
    more group are found. The walk reads as far back as the page reaches, in at most a few
    queries (each step reads twice as far as the one before), not every notification the
    user ever had: a manager's 18,605 at national scale were grouped, and the groups
    counted, for every page."""
    want = number * GROUPS_PER_PAGE + 1
    found: dict[tuple, dict] = {}
    rows = mine.order_by("-created_at", "-pk").values("pk", "group", "day", "created_at")
    after, step = None, 2 * want
    while len(found) < want:
        older = rows
        if after is not None:
            older = rows.filter(older_than("created_at", *after))
        batch = list(older[:step])
        for row in batch:
            found.setdefault(
                (row["group"], row["day"]),
                {"group": row["group"], "day": row["day"], "latest": row["created_at"]},
            )
        if len(batch) < step:
            break
        after, step = (batch[-1]["created_at"], batch[-1]["pk"]), 2 * step
    start = (number - 1) * GROUPS_PER_PAGE
    return list(found.values())[start : start + GROUPS_PER_PAGE + 1]


def notification_list(request: HttpRequest) -> HttpResponse:
    """A user's notifications, one row per case (or referral) and day, with a count; the
    row opens to show each one. Newest first; pages without a total (accounts.paging)."""
    mine = _grouped(Notification.objects.filter(recipient=request.user))
    try:
        number = min(max(int(request.GET.get("page") or 1), 1), MAX_PAGE)
    except ValueError:
        number = 1
    page = UncountedPage(_page_groups(mine, number), number, GROUPS_PER_PAGE)
    rows = list(page.object_list)
    members: dict[tuple, list[Notification]] = {(g["group"], g["day"]): [] for g in rows}
    if rows:
        wanted = Q()
        for g in rows:
            wanted |= Q(group=g["group"], day=g["day"])
        # Only the page's days are read (the same index), and a group's notifications all
        # fall on its day.
        since = timezone.make_aware(datetime.combine(min(g["day"] for g in rows), time.min))
        until = max(g["latest"] for g in rows)
        page_rows = mine.filter(wanted, created_at__gte=since, created_at__lte=until)
        for n in page_rows:  # newest first (the model's ordering)
            members[(n.group, n.day)].append(n)
    page.object_list = [
        {
            **g,
            "n": len(items),
            "unread": sum(1 for n in items if n.read_at is None),
            "latest_one": items[0],
            "items": items,
        }
        for g in rows
        if (items := members[(g["group"], g["day"])])
    ]
    return render(request, "notifications/notification_list.html", {"page": page})


@require_POST
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.mark_read(user=request.user, notification_id=notification.pk)
    target = notification.url
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return HttpResponseRedirect(target)
    return redirect("notifications:list")


@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    services.mark_read(user=request.user)
    return redirect("notifications:list")


class PreferencesForm(forms.Form):
    """The user's language (pages, emails and prints addressed to them), then one choice per
    kind of notification; the safety net cannot be turned off."""

    def __init__(
        self, *args, initial_channels: dict[str, str], initial_language: str = "", **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"] = forms.ChoiceField(
            label=_("Language"),
            choices=Language.choices,
            initial=initial_language or get_language(),
            widget=forms.RadioSelect,
            # Not sent (an older form): the language stays as it is.
            required=False,
            help_text=_("The language of your pages and of the emails sent to you."),
        )
        for kind, label in Kind.choices:
            choices = [
                c for c in Channel.choices if not (kind in ALWAYS_DELIVERED and c[0] == Channel.OFF)
            ]
            self.fields[kind] = forms.ChoiceField(
                label=label,
                choices=choices,
                initial=initial_channels[kind],
                widget=forms.RadioSelect,
                help_text=_("Overdue work cannot be turned off.")
                if kind in ALWAYS_DELIVERED
                else "",
            )


def preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    """How each kind of notification reaches this user."""
    form = PreferencesForm(
        request.POST or None,
        initial_channels=services.channels_of(request.user),
        initial_language=request.user.language,
    )
    if request.method == "POST" and form.is_valid():
        channels = dict(form.cleaned_data)
        language = channels.pop("language")
        if language and request.user.language != language:
            request.user.language = language
            request.user.save(update_fields=["language"])
            activate(language)  # the confirmation below is in the language just chosen
        services.set_preferences(user=request.user, channels=channels)
        messages.success(request, _("Your notification choices are saved."))
        return redirect("notifications:preferences")
    return render(
        request, "notifications/preferences.html", {"form": form, "channels": Channel.choices}
    )

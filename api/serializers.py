"""The shapes of the API's requests and answers (and so of its OpenAPI description).

A submitted referral is checked for its shape here, then by the web form's own rules
(referrals.forms.ReferralForm and MemberFormSet) in api.views: one set of rules."""

from __future__ import annotations

from rest_framework import serializers

from families.models import (
    ActiveOffer,
    HouseholdType,
    MemberKind,
    PreferredLanguage,
    Relationship,
    Sex,
)
from referrals.models import Proceedings, ReferralStatus

ID = {"min_value": 1, "max_value": 2**31 - 1}


class MemberInSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MemberKind.choices)
    first_name = serializers.CharField(max_length=80, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=80)
    sex = serializers.ChoiceField(choices=Sex.choices, required=False, allow_blank=True)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    due_date = serializers.DateField(required=False, allow_null=True)
    relationship = serializers.ChoiceField(choices=Relationship.choices)
    ethnicity = serializers.CharField(max_length=80, required=False, allow_blank=True)
    substances = serializers.ListField(
        child=serializers.IntegerField(**ID), required=False, max_length=50
    )
    legal_status = serializers.IntegerField(required=False, allow_null=True, **ID)
    # The Welsh Language Standards: the person's language and whether the service was
    # offered in Welsh (the Active Offer), with when and by whom.
    language = serializers.ChoiceField(
        choices=PreferredLanguage.choices, required=False, allow_blank=True
    )
    active_offer = serializers.ChoiceField(
        choices=ActiveOffer.choices, required=False, allow_blank=True
    )
    active_offer_on = serializers.DateField(required=False, allow_null=True)
    active_offer_by = serializers.CharField(max_length=120, required=False, allow_blank=True)


class ReferralInSerializer(serializers.Serializer):
    """A referral as the web form takes it; ids are those of GET /api/v1/reference/."""

    submission_key = serializers.UUIDField(
        required=False,
        help_text="Your own key for this referral: sending it again returns the same receipt.",
    )
    team = serializers.IntegerField(help_text="One of the client's teams.", **ID)
    family_name = serializers.CharField(max_length=120)
    address = serializers.CharField(max_length=1000)
    postcode = serializers.CharField(max_length=10)
    local_authority = serializers.IntegerField(**ID)
    household_type = serializers.ChoiceField(
        choices=HouseholdType.choices, required=False, allow_blank=True
    )
    presenting_issues = serializers.ListField(
        child=serializers.IntegerField(**ID), min_length=1, max_length=50
    )
    reason_for_referral = serializers.CharField(max_length=5000)
    proceedings = serializers.ChoiceField(choices=Proceedings.choices)
    consent_given = serializers.BooleanField()
    consent_date = serializers.DateField(required=False, allow_null=True)
    route = serializers.IntegerField(**ID)
    referrer_name = serializers.CharField(max_length=120)
    referrer_role = serializers.CharField(max_length=120, required=False, allow_blank=True)
    referrer_team = serializers.CharField(max_length=120, required=False, allow_blank=True)
    referrer_agency = serializers.CharField(max_length=120)
    referrer_local_authority = serializers.IntegerField(required=False, allow_null=True, **ID)
    referrer_phone = serializers.CharField(max_length=40)
    referrer_email = serializers.EmailField(max_length=254)
    members = MemberInSerializer(many=True, min_length=2, max_length=20)


class ReceiptSerializer(serializers.Serializer):
    """What the referrer may know of a referral: its status and the screening outcome."""

    receipt = serializers.UUIDField(help_text="Poll GET /api/v1/referrals/{receipt}/.")
    status = serializers.ChoiceField(choices=ReferralStatus.choices)
    status_label = serializers.CharField()
    received = serializers.DateTimeField()
    outcome = serializers.CharField(
        allow_null=True, help_text="The screening outcome, once decided."
    )
    decided = serializers.DateField(allow_null=True, help_text="The day it was decided.")


class ReferenceItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class ChoiceSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class TeamSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ReferenceListsSerializer(serializers.Serializer):
    teams = TeamSerializer(many=True, help_text="The teams this client may refer to or read.")
    local_authorities = ReferenceItemSerializer(many=True)
    presenting_issues = ReferenceItemSerializer(many=True)
    referral_routes = ReferenceItemSerializer(many=True)
    substances = ReferenceItemSerializer(many=True)
    legal_statuses = ReferenceItemSerializer(many=True)
    household_types = ChoiceSerializer(many=True)
    member_kinds = ChoiceSerializer(many=True)
    relationships = ChoiceSerializer(many=True)
    sexes = ChoiceSerializer(many=True)
    proceedings = ChoiceSerializer(many=True)


class PublishedSetSerializer(serializers.Serializer):
    team = serializers.IntegerField()
    team_name = serializers.CharField()
    quarter = serializers.CharField(help_text="The financial quarter, e.g. 2026Q1 (April-June).")
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    published_at = serializers.DateTimeField(
        help_text="When the figures were published (or last revised): they are frozen then."
    )
    revision = serializers.IntegerField(
        help_text="0 as first published; each correction published later adds one."
    )
    revision_reason = serializers.CharField(
        allow_blank=True, help_text="Why the latest revision changed the published figures."
    )


class MeasureSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    quadrant = serializers.CharField()
    unit = serializers.CharField()
    value = serializers.CharField(help_text="As printed; small counts are shown as '<N'.")
    numerator = serializers.CharField()
    denominator = serializers.CharField()


class CellSerializer(serializers.Serializer):
    n = serializers.CharField()
    pct = serializers.CharField()


class ThroughputCellsSerializer(serializers.Serializer):
    referrals = CellSerializer()
    inappropriate = CellSerializer()
    assessed = CellSerializer()
    assessed_re = CellSerializer()
    accepted = CellSerializer()
    completed_phase1 = CellSerializer()
    completed_phase2 = CellSerializer()


class ThroughputRowSerializer(serializers.Serializer):
    team = serializers.CharField()
    cells = ThroughputCellsSerializer()


class FiguresSerializer(PublishedSetSerializer):
    suppressed_below = serializers.IntegerField(
        allow_null=True, help_text="Counts from 1 to this minus 1 are hidden, as on board outputs."
    )
    measures = MeasureSerializer(many=True)
    throughput = ThroughputRowSerializer(many=True)

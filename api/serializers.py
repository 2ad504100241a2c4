"""What the API shows. Public shapes carry no personal data (the tracking status shows the masked name only, as
the tracking page does); the staff dossier shapes carry the applicant's data and their reads are logged."""
from rest_framework import serializers

from dossiers.models import Dossier, DossierEvent, State
from procedures.models import Agency, Field, Procedure, ProcedureStep, RequiredDocument


class FieldSerializer(serializers.ModelSerializer):
    class Meta:
        model = Field
        fields = ["code", "name"]


class AgencyBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["code", "name"]


class StepSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProcedureStep
        fields = ["order", "name", "role", "duration"]


class DocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = RequiredDocument
        fields = ["order", "name", "originals", "copies", "mandatory"]


class ProcedureSerializer(serializers.ModelSerializer):
    field = FieldSerializer()

    class Meta:
        model = Procedure
        fields = ["code", "name", "field", "level", "time_limit", "time_unit", "fee", "fee_note"]


class ProcedureDetailSerializer(ProcedureSerializer):
    steps = StepSerializer(many=True)
    required_documents = DocumentSerializer(many=True)
    agencies = AgencyBriefSerializer(many=True)

    class Meta(ProcedureSerializer.Meta):
        fields = [*ProcedureSerializer.Meta.fields, "legal_basis", "result_document", "steps", "required_documents",
                  "agencies"]


# --- the public tracking status: exactly the facts of the tracking page (dossiers.tracking.context) ----------


class PublicStepSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=["done", "current", "closed", "pending"])
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    timeliness = serializers.CharField(allow_null=True)
    overdue = serializers.BooleanField()


class PublicEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=DossierEvent.Kind.choices)
    label = serializers.CharField(source="get_kind_display")
    step = serializers.CharField(source="step.name", allow_null=True, default=None)
    note = serializers.CharField(source="public_note")


class CitizenTaskSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["supplement", "payment", "collect", "wait"])
    deadline = serializers.CharField(allow_null=True, help_text="ISO 8601")
    missing = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=0, allow_null=True)
    description = serializers.CharField()

    def to_representation(self, task):
        data = super().to_representation(task)
        data["deadline"] = task.deadline.isoformat() if task.deadline else None
        return data


class TrackingSerializer(serializers.Serializer):
    """Built from `dossiers.tracking.context(dossier)`."""

    code = serializers.CharField(source="dossier.code")
    procedure = serializers.CharField(source="dossier.procedure.name")
    agency = serializers.SerializerMethodField()
    applicant = serializers.CharField(source="masked_name", help_text="Tên đã che / masked name")
    state = serializers.ChoiceField(source="dossier.state", choices=State.choices)
    state_label = serializers.CharField(source="dossier.get_state_display")
    explanation = serializers.CharField()
    received_at = serializers.DateTimeField(source="dossier.received_at")
    due_at = serializers.SerializerMethodField()
    processed_at = serializers.DateTimeField(source="dossier.processed_at", allow_null=True)
    returned_at = serializers.DateTimeField(source="dossier.returned_at", allow_null=True)
    closed_at = serializers.DateTimeField(source="dossier.closed_at", allow_null=True)
    overdue = serializers.BooleanField()
    timeliness = serializers.CharField(allow_null=True)
    task = CitizenTaskSerializer(allow_null=True)
    steps = PublicStepSerializer(many=True)
    events = PublicEventSerializer(many=True)

    def get_agency(self, context) -> dict:
        agency = context["dossier"].agency
        return {"code": agency.code, "name": agency.name, "address": agency.address, "phone": agency.phone}

    def get_due_at(self, context) -> str | None:
        # The page does not show an appointment for a dossier refused at the counter.
        return serializers.DateTimeField().to_representation(context["dossier"].due_at) \
            if context["show_appointment"] else None

    def to_representation(self, context):
        data = super().to_representation(context)
        if context["dossier"].state == State.REFUSED:
            data["steps"] = []  # nor its steps
        return data


# --- staff ---------------------------------------------------------------------------------------------------


class DossierListSerializer(serializers.ModelSerializer):
    procedure = serializers.CharField(source="procedure.code")
    procedure_name = serializers.CharField(source="procedure.name")
    current_step = serializers.CharField(source="current_step.name", allow_null=True, default=None)
    current_assignee = serializers.CharField(source="current_assignee.display_name", allow_null=True, default=None)
    national_status = serializers.IntegerField()

    class Meta:
        model = Dossier
        fields = ["id", "code", "procedure", "procedure_name", "state", "national_status", "applicant_name",
                  "received_at", "due_at", "processed_at", "returned_at", "closed_at", "current_step",
                  "current_assignee"]


class StaffEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.display_name", allow_null=True, default=None)
    step = serializers.CharField(source="step.name", allow_null=True, default=None)

    class Meta:
        model = DossierEvent
        fields = ["at", "kind", "actor", "actor_role", "step", "public_note", "internal_note", "is_public"]


class DossierDetailSerializer(DossierListSerializer):
    events = StaffEventSerializer(many=True)
    available_actions = serializers.ListField(child=serializers.CharField())
    pending_extension_id = serializers.IntegerField(allow_null=True)

    class Meta(DossierListSerializer.Meta):
        fields = [*DossierListSerializer.Meta.fields, "channel", "applicant_type", "applicant_id_number",
                  "applicant_phone", "applicant_email", "applicant_address", "sets_count", "closing_reason",
                  "result_note", "events", "available_actions", "pending_extension_id"]


# --- public statistics -----------------------------------------------------------------------------------------


class FiguresSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    processed = serializers.IntegerField()
    before = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    on_time_rate = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    open = serializers.IntegerField()
    overdue = serializers.IntegerField()
    paused = serializers.IntegerField()
    rated = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    satisfaction_rate = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)


class MonthFiguresSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="yyyy-mm")
    figures = FiguresSerializer()


class FieldFiguresSerializer(serializers.Serializer):
    field = serializers.CharField()
    figures = FiguresSerializer()


class StatisticsSerializer(serializers.Serializer):
    agency = AgencyBriefSerializer(allow_null=True)
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    figures = FiguresSerializer()
    months = MonthFiguresSerializer(many=True)
    fields = FieldFiguresSerializer(many=True)


class ErrorSerializer(serializers.Serializer):
    """The one error shape of the API."""

    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)

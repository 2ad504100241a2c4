"""The API's views: thin, as the pages' are. Public reads go through the same selectors and presenter as the
public pages; staff reads through `dossiers.selectors.visible_dossiers` (the one visibility rule) and every
action through the dossier page's own form and service (`dossiers.actions`), so the API can do nothing the
page would not let the same official do. Errors are one JSON shape (`api.errors`)."""
import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, generics, permissions, serializers
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response
from rest_framework.views import APIView

from dossiers import actions, tracking
from dossiers import forms as dossier_forms
from dossiers import selectors as dossier_selectors
from dossiers import services as dossier_services
from dossiers.models import OPEN_STATES, Dossier, Extension, PersonalDataAccess, State
from dossiers.selectors import RUNNING_STATES
from procedures import selectors as procedure_selectors
from procedures.models import Agency, Field, Procedure

from . import reception, reports
from .forms_schema import form_data, serializer_for
from .reception import ReceivedSerializer
from .serializers import (
    DossierDetailSerializer,
    DossierListSerializer,
    ErrorSerializer,
    ProcedureDetailSerializer,
    ProcedureSerializer,
    StatisticsSerializer,
    TrackingSerializer,
)

TAG_PUBLIC = "Công khai / Public"
TAG_STAFF = "Cán bộ / Staff"


def _error(description: str, code: str, message_vi: str, message_en: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description, examples=[
        OpenApiExample(f"{code} (vi)", value={"code": code, "message": message_vi}),
        OpenApiExample(f"{code} (en)", value={"code": code, "message": message_en}),
    ])


NOT_FOUND = _error("Không tìm thấy / not found", "not_found", "Không tìm thấy.", "Not found.")
INVALID = OpenApiResponse(ErrorSerializer, description="Dữ liệu không hợp lệ / invalid input", examples=[
    OpenApiExample("invalid (vi)", value={"code": "invalid", "message": "Dữ liệu gửi lên không hợp lệ.",
                                         "fields": {"reason": ["Nhập lý do rút hồ sơ."]}}),
    OpenApiExample("invalid (en)", value={"code": "invalid", "message": "The data sent is not valid.",
                                         "fields": {"reason": ["Enter the reason for withdrawing the dossier."]}}),
])
THROTTLED = _error("Quá nhiều yêu cầu / too many requests", "throttled",
                   "Quá nhiều yêu cầu. Vui lòng thử lại sau 30 giây.", "Too many requests. Try again in 30 seconds.")
UNAUTHENTICATED = _error("Thiếu khóa, khóa sai hoặc đã thu hồi / missing, wrong or revoked token",
                         "not_authenticated", "Khóa API không hợp lệ, đã bị thu hồi hoặc cán bộ đã nghỉ công tác.",
                         "The API token is invalid, revoked, or its official has left.")
FORBIDDEN = _error("Không có vai trò hoặc thẩm quyền / no role or jurisdiction", "permission_denied",
                   "Thao tác này cần vai trò: Lãnh đạo.", "This action needs the role: Leader.")
REFUSED = _error("Thao tác không thực hiện được lúc này / the action is refused now", "action_refused",
                 "Hồ sơ đã kết thúc, không thể rút.", "The dossier has ended and cannot be withdrawn.")
PUBLIC_ERRORS = {400: INVALID, 404: NOT_FOUND, 429: THROTTLED}
STAFF_ERRORS = {400: INVALID, 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND, 429: THROTTLED}


class PublicView(APIView):
    authentication_classes = []
    permission_classes = [permissions.AllowAny]


# --- public: the procedure catalogue ----------------------------------------------------------------------------


class CatalogueQuery(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=200,
                              help_text="Tìm theo tên hoặc mã, không dấu cũng được / name or code, accents optional")
    field = serializers.CharField(required=False, max_length=32, help_text="Mã lĩnh vực / field code")
    agency = serializers.CharField(required=False, max_length=32, help_text="Mã cơ quan / agency code")


def _query(serializer_class, request) -> dict:
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data


@extend_schema(tags=[TAG_PUBLIC], parameters=[CatalogueQuery], responses={200: ProcedureSerializer(many=True),
               **PUBLIC_ERRORS}, summary="Danh mục thủ tục / procedure catalogue",
               description="Các thủ tục đang áp dụng, theo thứ tự từ điển tiếng Việt. / Active procedures, in "
                           "Vietnamese dictionary order.")
class ProcedureList(generics.ListAPIView):
    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    serializer_class = ProcedureSerializer

    def get_queryset(self):
        query = _query(CatalogueQuery, self.request)
        field_id = agency_id = None
        if query.get("field"):
            field_id = Field.objects.filter(code=query["field"]).values_list("pk", flat=True).first() or -1
        if query.get("agency"):
            agency_id = Agency.objects.filter(code=query["agency"]).values_list("pk", flat=True).first() or -1
        return procedure_selectors.public_procedures(query=query.get("q", ""), field_id=field_id, agency_id=agency_id)


@extend_schema(tags=[TAG_PUBLIC], responses={200: ProcedureDetailSerializer, **PUBLIC_ERRORS},
               summary="Một thủ tục với các bước và giấy tờ / one procedure with its steps and documents")
class ProcedureDetail(PublicView):
    def get(self, request, code: str):
        try:
            procedure = procedure_selectors.public_procedure(code=code)
        except Procedure.DoesNotExist:
            raise exceptions.NotFound(_("Không tìm thấy thủ tục.")) from None
        return Response(ProcedureDetailSerializer(procedure).data)


# --- public: a dossier's status by its tracking token ------------------------------------------------------------


@extend_schema(tags=[TAG_PUBLIC], responses={200: TrackingSerializer, **PUBLIC_ERRORS},
               summary="Tình trạng hồ sơ theo mã theo dõi / a dossier's status by tracking token",
               description="Đúng những gì trang theo dõi công khai hiển thị (tên người nộp đã che). / Exactly what "
                           "the public tracking page shows (the applicant's name masked).")
class Tracking(PublicView):
    def get(self, request, token: str):
        try:
            dossier = dossier_selectors.dossier_by_token(token)
        except Dossier.DoesNotExist:
            raise exceptions.NotFound(_("Không tìm thấy hồ sơ.")) from None
        response = Response(TrackingSerializer(tracking.context(dossier)).data)
        response["Cache-Control"] = "private, no-cache"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response


# --- public: statistics -------------------------------------------------------------------------------------------


class PeriodQuery(serializers.Serializer):
    first_day = serializers.DateField(required=False, help_text="Từ ngày (yyyy-mm-dd) / from")
    last_day = serializers.DateField(required=False, help_text="Đến ngày (yyyy-mm-dd) / to")

    def validate(self, data):
        first, last = data.get("first_day"), data.get("last_day")
        today = timezone.localdate()
        if (first and not datetime.date(2000, 1, 1) <= first <= today) or (last and not first and last > today):
            raise serializers.ValidationError(_("Khoảng thời gian không hợp lệ."))
        if first and last and (last < first or (last - first).days > reports.MAX_DAYS):
            raise serializers.ValidationError(_("Khoảng thời gian không hợp lệ (tối đa %(days)d ngày).")
                                              % {"days": reports.MAX_DAYS})
        if first and not last and (today - first).days > reports.MAX_DAYS:
            raise serializers.ValidationError(_("Khoảng thời gian không hợp lệ (tối đa %(days)d ngày).")
                                              % {"days": reports.MAX_DAYS})
        return data


def _figures(figures) -> dict:
    names = ("received", "processed", "before", "on_time", "late", "open", "overdue", "paused", "rated", "satisfied")
    return {**{name: getattr(figures, name) for name in names}, "on_time_rate": figures.on_time_rate,
            "satisfaction_rate": figures.satisfaction_rate}


@extend_schema(tags=[TAG_PUBLIC], parameters=[PeriodQuery], responses={200: StatisticsSerializer, **PUBLIC_ERRORS},
               summary="Số liệu công khai / public statistics",
               description="Toàn bộ hoặc một cơ quan; mặc định 12 tháng gần nhất. Chỉ số liệu tổng hợp. / All "
                           "agencies or one; the last 12 months by default. Aggregates only.")
class Statistics(PublicView):
    def get(self, request, code: str | None = None):
        return self.report(request, code)

    def report(self, request, code: str | None):
        agency = None
        if code is not None:
            # A NUL from the path would be a database error on PostgreSQL: no agency code has one.
            agency = Agency.objects.filter(code=code).only("id", "code", "name").first() if "\x00" not in code else None
            if agency is None:
                raise exceptions.NotFound(_("Không tìm thấy cơ quan."))
        query = _query(PeriodQuery, request)
        period, figures, months, fields = reports.report(agency, query.get("first_day"), query.get("last_day"))
        return Response(StatisticsSerializer({
            "agency": agency, "first_day": period.first, "last_day": period.last, "figures": _figures(figures),
            "months": [{"month": f"{month:%Y-%m}", "figures": _figures(item)} for month, item in months],
            "fields": [{"field": name, "figures": _figures(item)} for name, item in fields],
        }).data)


class AgencyStatistics(Statistics):
    @extend_schema(operation_id="agency_statistics", summary="Số liệu công khai của một cơ quan / one agency's figures")
    def get(self, request, code: str):
        return self.report(request, code)


# --- staff -------------------------------------------------------------------------------------------------------------


class IsOfficial(permissions.BasePermission):
    """A token's official (the authentication loaded it with its roles)."""

    def has_permission(self, request, view):
        return request.auth is not None and getattr(request.user, "official", None) is not None


class StaffView(APIView):
    permission_classes = [IsOfficial]

    @property
    def official(self):
        return self.request.user.official


class DossierQuery(serializers.Serializer):
    state = serializers.MultipleChoiceField(choices=State.choices, required=False,
                                           help_text="Trạng thái, có thể lặp / state, repeatable")
    procedure = serializers.CharField(required=False, max_length=64, help_text="Mã thủ tục / procedure code")
    code = serializers.CharField(required=False, max_length=64, help_text="Mã hồ sơ (đầu mã) / dossier code prefix")
    received_from = serializers.DateField(required=False, help_text="Tiếp nhận từ ngày / received from (yyyy-mm-dd)")
    received_to = serializers.DateField(required=False, help_text="Tiếp nhận đến ngày / received to (yyyy-mm-dd)")
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None,
                                       help_text="Chỉ hồ sơ quá hạn (true) hoặc chưa quá hạn (false) / overdue only")
    open = serializers.BooleanField(required=False, allow_null=True, default=None,
                                    help_text="Đang giải quyết (true) hoặc đã kết thúc (false) / open or ended")

    def to_internal_value(self, data):
        # `state` repeats in the query string (?state=received&state=in_progress).
        if hasattr(data, "getlist"):
            data = {**data.dict(), "state": data.getlist("state")} if "state" in data else data.dict()
        return super().to_internal_value(data)


def _local_day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@extend_schema(tags=[TAG_STAFF], parameters=[DossierQuery], responses={200: DossierListSerializer(many=True),
               **STAFF_ERRORS}, summary="Danh sách hồ sơ / list dossiers",
               description="Hồ sơ cán bộ được xem (cùng quy tắc với trang hồ sơ), lọc và sắp xếp (`ordering`: "
                           "due_at, received_at, code; dấu - để giảm dần). Mỗi lần đọc được ghi nhật ký truy cập dữ "
                           "liệu cá nhân. / The dossiers the official may see (the pages' rule), filtered and ordered; "
                           "each read is written to the personal-data access log.")
class DossierList(generics.ListAPIView):
    permission_classes = [IsOfficial]
    serializer_class = DossierListSerializer
    filter_backends = [OrderingFilter]
    ordering_fields = ["due_at", "received_at", "code"]
    ordering = ["due_at", "id"]

    def get_queryset(self):
        query = _query(DossierQuery, self.request)
        dossiers = (dossier_selectors.visible_dossiers(self.request.user.official)
                    .select_related("procedure", "current_step", "current_assignee"))
        if query.get("state"):
            dossiers = dossiers.filter(state__in=sorted(query["state"]))
        if query.get("procedure"):
            dossiers = dossiers.filter(procedure__code=query["procedure"])
        if query.get("code"):
            dossiers = dossiers.filter(code__startswith=query["code"].strip().upper())
        if query.get("received_from"):
            dossiers = dossiers.filter(received_at__gte=_local_day_start(query["received_from"]))
        if query.get("received_to"):
            dossiers = dossiers.filter(
                received_at__lt=_local_day_start(query["received_to"] + datetime.timedelta(days=1)))
        overdue = Q(state__in=RUNNING_STATES, due_at__lt=timezone.now())
        if query.get("overdue") is not None:
            dossiers = dossiers.filter(overdue) if query["overdue"] else dossiers.exclude(overdue)
        if query.get("open") is not None:
            is_open = Q(state__in=OPEN_STATES)
            dossiers = dossiers.filter(is_open) if query["open"] else dossiers.exclude(is_open)
        return dossiers

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        dossier_services.record_access(
            user=request.user, agency_id=request.user.official.agency_id, kind=PersonalDataAccess.Kind.LIST,
            what=_("API: danh sách hồ sơ, %(count)s hồ sơ") % {"count": len(response.data.get("results", []))})
        return response


def _visible(official, pk: int) -> Dossier:
    try:
        return dossier_selectors.dossier_for_staff(official, pk)
    except Dossier.DoesNotExist:
        raise exceptions.NotFound(_("Không tìm thấy hồ sơ.")) from None


def _detail(request, official, pk: int) -> Response:
    dossier = _visible(official, pk)
    steps = dossier_selectors.procedure_steps(dossier)
    context = actions.context_for(official, dossier, steps)
    pending = context.pending_extension
    dossier.available_actions = [action.name for action in actions.available(context)]
    if pending is not None and actions.can_approve_extension(official):
        dossier.available_actions += ["approve_extension", "reject_extension"]
    dossier.pending_extension_id = pending.pk if pending else None
    dossier_services.record_access(user=request.user, agency_id=dossier.agency_id, dossier_id=dossier.pk,
                                   kind=PersonalDataAccess.Kind.PAGE,
                                   what=_("API: hồ sơ %(code)s") % {"code": dossier.code})
    return Response(DossierDetailSerializer(dossier).data)


@extend_schema(tags=[TAG_STAFF], responses={200: DossierDetailSerializer, **STAFF_ERRORS},
               summary="Chi tiết hồ sơ / dossier detail",
               description="Hồ sơ ngoài phạm vi được xem trả 404 như hồ sơ không tồn tại. Được ghi nhật ký truy cập. "
                           "/ A dossier outside what the official may see is 404, like one that does not exist. Logged.")
class DossierDetail(StaffView):
    def get(self, request, pk: int):
        return _detail(request, self.official, pk)


def _body(request) -> dict:
    if not isinstance(request.data, dict):
        raise exceptions.ValidationError({"non_field_errors": [_("Nội dung phải là một đối tượng JSON.")]})
    return form_data(request.data)


def _invalid(form) -> exceptions.ValidationError:
    return exceptions.ValidationError({name: [str(message) for message in messages]
                                       for name, messages in form.errors.items()})


class ActionView(StaffView):
    """One lifecycle action: the page's form validates, the page's service acts (subclassed per action)."""

    action = ""

    def post(self, request, pk: int):
        spec = actions.ACTIONS[self.action]
        data = _body(request)
        dossier = _visible(self.official, pk)
        form = spec.form_class(data, dossier=dossier, official=self.official,
                               steps=dossier_selectors.procedure_steps(dossier))
        if not form.is_valid():
            raise _invalid(form)
        spec.run(dossier.pk, request.user, **form.service_kwargs())
        return _detail(request, self.official, pk)


class ExtensionDecisionView(StaffView):
    form_class = None
    decide = None

    def post(self, request, pk: int):
        data = _body(request)
        dossier = _visible(self.official, pk)
        pending = next((e for e in dossier.extensions.all() if e.status == Extension.Status.PENDING), None)
        if pending is None:
            raise exceptions.NotFound(_("Hồ sơ không có đề nghị gia hạn đang chờ phê duyệt."))
        form = self.form_class(data)
        if not form.is_valid():
            raise _invalid(form)
        self.decide(extension_id=pending.pk, actor=request.user, **form.cleaned_data)
        return _detail(request, self.official, pk)


ACTION_ERRORS = {**STAFF_ERRORS, 409: REFUSED}


def _action_view(name: str, label, request_form, base=ActionView, **attrs) -> type[APIView]:
    request_serializer = serializer_for(name, request_form)

    @extend_schema(
        tags=[TAG_STAFF], request=request_serializer, responses={200: DossierDetailSerializer, **ACTION_ERRORS},
        operation_id=f"dossier_{name}", summary=f"{label} / {name.replace('_', ' ')}",
        description="Cùng biểu mẫu, cùng dịch vụ và cùng kiểm tra quyền như trang hồ sơ; trả về hồ sơ sau thao tác. "
                    "/ The dossier page's own form, service and permission checks; answers the dossier afterwards.",
    )
    def post(self, request, pk: int):
        return base.post(self, request, pk)

    return type(f"{request_serializer.__name__[:-7]}View", (base,), {"action": name, "post": post, **attrs})


ACTION_VIEWS = {name: _action_view(name, str(spec.label), spec.form_class) for name, spec in actions.ACTIONS.items()}
ACTION_VIEWS["approve_extension"] = _action_view(
    "approve_extension", "Phê duyệt gia hạn", dossier_forms.ApproveExtensionForm, ExtensionDecisionView,
    form_class=dossier_forms.ApproveExtensionForm, decide=staticmethod(dossier_services.approve_extension))
ACTION_VIEWS["reject_extension"] = _action_view(
    "reject_extension", "Không chấp thuận gia hạn", dossier_forms.RejectExtensionForm, ExtensionDecisionView,
    form_class=dossier_forms.RejectExtensionForm, decide=staticmethod(dossier_services.reject_extension))


# --- staff: reception at the counter (the reception page's forms and services) ---------------------------------


RECEIVE_EXAMPLE = {
    "procedure": "1.001234", "applicant_type": "citizen", "applicant_name": "Nguyễn Văn An",
    "applicant_id_number": "001203004567", "applicant_phone": "0912345678",
    "applicant_address": "12 Hàng Bạc, phường Hoàn Kiếm, Hà Nội", "applicant_email": "an@example.vn",
    "notify_channels": ["email"], "sets_count": 1, "channel": "counter",
    "documents": [{"required_document_id": 11, "originals": 1, "certified_copies": 0, "photocopies": 0},
                  {"name": "Giấy ủy quyền", "originals": 1, "certified_copies": 0, "photocopies": 0}],
}
RECEIVED_EXAMPLE = {"id": 42, "code": "000.00.26.H29-260302-0001", "state": "received",
                    "tracking_url": "https://motcua.example.vn/tra-cuu/AbCdEf123456/",
                    "due_at": "2026-03-09T17:00:00+07:00"}
RECEPTION_INVALID = OpenApiResponse(ErrorSerializer, description="Dữ liệu không hợp lệ / invalid input", examples=[
    OpenApiExample("invalid (vi)", value={"code": "invalid", "message": "Dữ liệu gửi lên không hợp lệ.", "fields": {
        "applicant_phone": ["Nhập số điện thoại người nộp hồ sơ."],
        "procedure": ["Thủ tục không tồn tại hoặc cơ quan không thực hiện thủ tục này."]}}),
    OpenApiExample("invalid (en)", value={"code": "invalid", "message": "The data sent is not valid.", "fields": {
        "applicant_phone": ["Enter the applicant's phone number."],
        "procedure": ["The procedure does not exist or the agency does not handle it."]}}),
])
RECEPTION_FORBIDDEN = _error("Không có vai trò tiếp nhận / not a reception clerk", "permission_denied",
                             "Thao tác này cần vai trò: Tiếp nhận và trả kết quả.",
                             "This action requires the role: Reception and result return.")
RECEPTION_ERRORS = {**STAFF_ERRORS, 400: RECEPTION_INVALID, 403: RECEPTION_FORBIDDEN, 409: REFUSED}


class ReceptionView(StaffView):
    action = ""

    def post(self, request):
        dossier_services.require_action_role(self.official, self.action)
        if not isinstance(request.data, dict):
            raise exceptions.ValidationError({"non_field_errors": [_("Nội dung phải là một đối tượng JSON.")]})
        procedure, form, formset = reception.validated(self.official, request.data,
                                                       refusing=self.action == "refuse_at_counter")
        dossier = self.save(request, procedure, form, formset)
        return Response(ReceivedSerializer({
            "id": dossier.pk, "code": dossier.code, "state": dossier.state,
            "tracking_url": request.build_absolute_uri(reverse("tracking:track", args=[dossier.tracking_token])),
            "due_at": dossier.due_at if dossier.state != State.REFUSED else None,
        }).data, status=201)


@extend_schema_view(post=extend_schema(tags=[TAG_STAFF], request=reception.ReceiveRequest,
               responses={201: OpenApiResponse(ReceivedSerializer, examples=[
                   OpenApiExample("Đã tiếp nhận / received", value=RECEIVED_EXAMPLE)]), **RECEPTION_ERRORS},
               examples=[OpenApiExample("Tiếp nhận hồ sơ / receive a dossier", value=RECEIVE_EXAMPLE,
                                        request_only=True)],
               operation_id="dossier_receive", summary="Tiếp nhận hồ sơ tại bộ phận một cửa / receive a dossier",
               description="Cùng biểu mẫu tiếp nhận, cùng kiểm tra vai trò (Tiếp nhận và trả kết quả) và cùng dịch vụ "
                           "như trang tiếp nhận: đủ giấy tờ bắt buộc, số điện thoại và CCCD hợp lệ; trả về mã hồ sơ, "
                           "trang theo dõi và ngày hẹn trả. Dữ liệu sai: không ghi gì. / The reception page's forms, "
                           "role check and service: mandatory documents, valid phone and ID; answers the code, the "
                           "tracking page and the appointment. Invalid input writes nothing."))
class Receive(ReceptionView):
    action = "receive"

    def save(self, request, procedure, form, formset):
        return dossier_services.receive(
            actor=request.user, procedure_id=procedure.pk, applicant=form.applicant(),
            documents=formset.documents(), channel=form.cleaned_data["channel"],
            sets_count=form.cleaned_data["sets_count"])


@extend_schema_view(post=extend_schema(tags=[TAG_STAFF], request=reception.RefuseRequest,
               responses={201: OpenApiResponse(ReceivedSerializer, examples=[OpenApiExample(
                   "Đã từ chối / refused", value={**RECEIVED_EXAMPLE, "state": "refused", "due_at": None})]),
                   **RECEPTION_ERRORS},
               examples=[OpenApiExample("Từ chối tiếp nhận / refuse at the counter", request_only=True, value={
                   **RECEIVE_EXAMPLE, "documents": [], "reason": "Hồ sơ không thuộc thẩm quyền giải quyết."})],
               operation_id="dossier_refuse_at_counter",
               summary="Từ chối tiếp nhận hồ sơ (Mẫu 03) / refuse a dossier at the counter",
               description="Như nút \"Từ chối tiếp nhận\" của trang tiếp nhận: hồ sơ được cấp mã và kết thúc ngay, có "
                           "phiếu từ chối; không cần đủ giấy tờ. / As the reception page's refusal: the dossier gets a "
                           "code and is closed at once with a refusal letter; the checklist need not be complete."))
class RefuseAtCounter(ReceptionView):
    action = "refuse_at_counter"

    def save(self, request, procedure, form, formset):
        return dossier_services.refuse_at_counter(
            actor=request.user, procedure_id=procedure.pk, applicant=form.applicant(),
            reason=form.cleaned_data["refuse_reason"], documents=formset.documents(),
            channel=form.cleaned_data["channel"])

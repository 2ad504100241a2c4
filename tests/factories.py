"""factory_boy factories for the procedures app, shared by every test package.

Typical use:

    agency = AgencyFactory()
    procedure = ProcedureFactory(agencies=[agency], steps=True, documents=2)
    clerk = OfficialFactory(agency=agency, roles=[Role.RECEPTION])
    client.force_login(clerk.user)            # or client.login(username=..., password=PASSWORD)

`steps=True` splits the time limit into reception / appraisal / approval / return steps that add up
exactly to it; `steps=[("Thẩm định", Role.SPECIALIST, "2")]` gives explicit steps instead.

The builders every test package receives dossiers with: `applicant(**overrides)` (a citizen's details),
`documents_for(procedure)` (every required document, one original each) and `vn(...)` (an instant in Vietnam time).
"""
import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from common.clock import VN
from dossiers import services as dossier_services
from procedures.models import (
    Agency,
    AgencyLevel,
    Department,
    Field,
    Official,
    Procedure,
    ProcedureStep,
    RequiredDocument,
    TimeUnit,
)
from procedures.roles import GROUP_NAMES, Role

PASSWORD = "mat-khau-thu-nghiem-2025"


def role_group(role: str) -> Group:
    """The Django group that carries a role, created on first use as an admin would."""
    group, _created = Group.objects.get_or_create(name=GROUP_NAMES[Role(role)])
    return group


def default_step_plan(time_limit: Decimal) -> list[tuple[str, str, Decimal]]:
    """Reception, appraisal, approval and return steps whose durations add up to `time_limit`."""
    half = Decimal("0.5")
    limit = Decimal(time_limit)
    if limit >= 2:
        return [
            ("Tiếp nhận hồ sơ", Role.RECEPTION, half),
            ("Thẩm định hồ sơ", Role.SPECIALIST, limit - 3 * half),
            ("Phê duyệt kết quả", Role.LEADER, half),
            ("Trả kết quả", Role.RECEPTION, half),
        ]
    if limit == Decimal("1.5"):
        return [("Tiếp nhận hồ sơ", Role.RECEPTION, half), ("Thẩm định hồ sơ", Role.SPECIALIST, half),
                ("Phê duyệt kết quả", Role.LEADER, half)]
    if limit == 1:
        return [("Tiếp nhận hồ sơ", Role.RECEPTION, half), ("Thẩm định hồ sơ", Role.SPECIALIST, half)]
    return [("Giải quyết hồ sơ", Role.SPECIALIST, limit)]


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"000.{n // 100:02d}.{n % 100:02d}.H56")
    name = factory.Sequence(lambda n: f"UBND xã Thử Nghiệm {n}")
    level = AgencyLevel.COMMUNE
    address = factory.Sequence(lambda n: f"{n} đường Trần Phú, phường Ba Đình, Hà Nội")
    phone = factory.Sequence(lambda n: f"024.3{n % 1000000:06d}")
    email = factory.Sequence(lambda n: f"motcua{n}@example.gov.vn")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Phòng Tư pháp {n}")


class UserFactory(factory.django.DjangoModelFactory):
    """A login; the password is PASSWORD unless given."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"canbo{n}")
    first_name = "An"
    last_name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.gov.vn")
    password = factory.django.Password(PASSWORD)
    is_active = True

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        """UserFactory(groups=[group, …]) adds Django groups."""
        if create and extracted:
            self.groups.add(*extracted)


class StaffUserFactory(UserFactory):
    """A user allowed into the Django admin (no permissions unless given)."""

    is_staff = True


class OfficialFactory(factory.django.DjangoModelFactory):
    """An official with a login; `roles=[Role.RECEPTION, …]` puts the user in the matching groups."""

    class Meta:
        model = Official
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    department = None
    title = "Chuyên viên"
    display_name = factory.Sequence(lambda n: f"Cán bộ {n}")
    is_active = True

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if not create or not extracted:
            return
        self.user.groups.add(*(role_group(role) for role in extracted))
        # Official.roles caches the groups on the instance; a fresh read must see the new ones.
        self.__dict__.pop("_roles", None)


class FieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Field
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"LV{n:03d}")
    name = factory.Sequence(lambda n: f"Lĩnh vực thử nghiệm {n}")


class ProcedureFactory(factory.django.DjangoModelFactory):
    """A procedure of the catalogue (5 working days, free) with optional agencies, steps and documents.

    ProcedureFactory(agencies=[agency], steps=True, documents=3)
    """

    class Meta:
        model = Procedure
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"1.{n:06d}")
    name = factory.Sequence(lambda n: f"Thủ tục thử nghiệm số {n}")
    field = factory.SubFactory(FieldFactory)
    level = AgencyLevel.COMMUNE
    time_limit = Decimal("5")
    time_unit = TimeUnit.WORKING_DAYS
    fee = Decimal("0")
    legal_basis = "Nghị định số 118/2025/NĐ-CP ngày 09/6/2025 của Chính phủ."
    result_document = "Giấy chứng nhận"
    is_active = True

    class Params:
        same_day = factory.Trait(time_limit=Decimal("1"), time_unit=TimeUnit.SAME_DAY)

    @factory.post_generation
    def agencies(self, create, extracted, **kwargs):
        if create and extracted:
            self.agencies.add(*extracted)

    @factory.post_generation
    def steps(self, create, extracted, **kwargs):
        """steps=True: a default plan adding up to the time limit; a list: (name, role, duration) tuples."""
        if not create or not extracted:
            return
        plan = default_step_plan(self.time_limit) if extracted is True else extracted
        for order, (name, role, duration) in enumerate(plan, start=1):
            ProcedureStep.objects.create(procedure=self, order=order, name=name, role=role, duration=Decimal(duration))

    @factory.post_generation
    def documents(self, create, extracted, **kwargs):
        """documents=N: N required documents (the last one optional when N > 1)."""
        if not create or not extracted:
            return
        for index in range(1, extracted + 1):
            RequiredDocumentFactory(procedure=self, order=index, mandatory=index < extracted or extracted == 1)


class ProcedureStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcedureStep

    procedure = factory.SubFactory(ProcedureFactory)
    order = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Bước {n + 1}")
    role = Role.SPECIALIST
    duration = Decimal("1")


class RequiredDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequiredDocument

    procedure = factory.SubFactory(ProcedureFactory)
    order = factory.Sequence(lambda n: n)
    name = factory.Sequence(lambda n: f"Tờ khai theo mẫu số {n}")
    originals = 1
    copies = 0
    mandatory = True


# --- dossier builders --------------------------------------------------------------------------------------


def vn(*args) -> datetime.datetime:
    """An instant given in Vietnam wall-clock time: vn(2026, 3, 9, 9, 0)."""
    return datetime.datetime(*args, tzinfo=VN)


def applicant(**overrides) -> dossier_services.Applicant:
    data = dict(name="Nguyễn Văn An", id_number="001203004567", phone="0912345678",
                address="12 Hàng Bạc, phường Hoàn Kiếm, Hà Nội", email="an@example.vn")
    data.update(overrides)
    return dossier_services.Applicant(**data)


def documents_for(procedure) -> list[dossier_services.ReceivedDocument]:
    return [dossier_services.ReceivedDocument(name=doc.name, required_document_id=doc.pk, originals=1)
            for doc in procedure.required_documents.all()]

"""The REST API: thin views that read through the apps' selectors (so scoping is the pages'
one rule) and write through their services, validating with the pages' forms."""

import json

from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api import actions
from api.errors import error_response, errors_of
from api.filters import ApiContractFilter, ApiParcelFilter
from api.permissions import HasRole
from api.serializers import (
    ContractDetailSerializer,
    ContractSerializer,
    ErrorSerializer,
    MarkedSerializer,
    NotificationSerializer,
    ParcelSerializer,
    ParcelWriteSerializer,
    PlanSerializer,
    TodoItemSerializer,
    form_serializer,
)
from assessments import selectors as contract_selectors
from assessments.models import Contract
from landsupply import todo as todos
from landsupply.jsonable import json_default
from landsupply.models import Notification
from landsupply.services import notification_mark_all_read, notification_mark_read
from parcels import selectors as parcel_selectors
from parcels import services as parcel_services
from parcels.forms import ParcelForm
from parcels.models import Parcel
from parcels.units import AreaUnit
from plans import selectors as plan_selectors
from plans.models import AnnualPlan

STAFF = ("city", "district")
ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


def _form_errors(form) -> list[dict]:
    return [
        {"field": None if name == "__all__" else name, "rule": None, "message": str(message)}
        for name, messages in form.errors.items()
        for message in messages
    ]


@extend_schema_view(
    list=extend_schema(summary="Parcels you may see (the parcel list's filters), paginated"),
    retrieve=extend_schema(summary="One parcel", responses={200: ParcelSerializer, **ERRORS}),
)
class ParcelViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Parcels: city staff see their jurisdiction's, district staff their district's. District
    staff create and change their district's parcels with the parcel form's validation."""

    queryset = Parcel.objects.none()  # the schema's model; rows come from get_queryset
    lookup_value_converter = "int"
    serializer_class = ParcelSerializer
    permission_classes = [HasRole]
    roles = STAFF
    roles_by_action = {"create": ("district",), "partial_update": ("district",)}
    filterset_class = ApiParcelFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return parcel_selectors.parcel_list(user=self.request.user).select_related("boundary")

    def _save(self, request, data: dict, parcel: Parcel | None):
        districts = parcel_selectors.district_list_for_user(user=request.user)
        form = ParcelForm(data, instance=parcel, districts=districts)
        if not form.is_valid():
            return error_response(_form_errors(form))
        try:
            if parcel is None:
                saved = parcel_services.parcel_create(user=request.user, **form.parcel_fields())
            else:
                saved = parcel_services.parcel_update(
                    user=request.user, parcel=parcel, **form.parcel_fields()
                )
        except ValidationError as exc:
            return error_response(errors_of(exc, fields={"area_ha": "area"}))
        saved = self.get_queryset().get(pk=saved.pk)
        code = status.HTTP_201_CREATED if parcel is None else status.HTTP_200_OK
        return Response(ParcelSerializer(saved).data, status=code)

    @extend_schema(
        summary="Create a parcel in your district (district staff)",
        request=ParcelWriteSerializer,
        responses={201: ParcelSerializer, **ERRORS},
    )
    def create(self, request):
        return self._save(request, _plain(request.data), None)

    @extend_schema(
        summary="Change a parcel of your district (district staff); send only what changes",
        request=ParcelWriteSerializer(partial=True),
        responses={200: ParcelSerializer, **ERRORS},
    )
    def partial_update(self, request, pk=None):
        parcel = self.get_object()
        data = model_to_dict(parcel, fields=ParcelForm.Meta.fields)
        data.update(area=parcel.area_ha, area_unit=AreaUnit.HECTARE)
        data = {k: ("" if v is None else v) for k, v in data.items()}
        data.update(_plain(request.data))
        return self._save(request, data, parcel)


def _plain(data) -> dict:
    """Request data as one value per key (a form reads QueryDicts and dicts alike)."""
    if hasattr(data, "dict"):
        return data.dict()
    return dict(data) if isinstance(data, dict) else {}


@extend_schema_view(
    list=extend_schema(summary="Plans you may see"),
    retrieve=extend_schema(summary="One plan", responses={200: PlanSerializer, **ERRORS}),
)
class PlanViewSet(viewsets.ReadOnlyModelViewSet):
    """Annual plans: city staff their jurisdiction's (drafts too), district staff the
    published ones."""

    queryset = AnnualPlan.objects.none()
    lookup_value_converter = "int"
    serializer_class = PlanSerializer
    permission_classes = [HasRole]
    roles = STAFF

    def get_queryset(self):
        return plan_selectors.plan_list_for_user(user=self.request.user).order_by("-year", "pk")

    @extend_schema(
        summary="The plan's report: the same figures as `plan_report --format json`",
        parameters=[
            OpenApiParameter("district", str, description="district code (city staff)"),
            OpenApiParameter("as_of", OpenApiTypes.DATE, description="figures as of (ISO date)"),
        ],
        responses={200: OpenApiTypes.OBJECT, **ERRORS},
    )
    @action(detail=True, methods=["get"])
    def report(self, request, pk=None):
        plan: AnnualPlan = self.get_object()
        district = None
        if request.user.role == "district":
            district = request.user.district
        elif request.query_params.get("district"):
            district = (
                parcel_selectors.district_list_for_user(user=request.user)
                .filter(code=request.query_params["district"], jurisdiction=plan.jurisdiction)
                .first()
            )
            if district is None:
                raise Http404(_("没有这个区，或您无权查看。"))
        as_of = None
        if request.query_params.get("as_of"):
            from rest_framework.fields import DateField

            as_of = DateField().run_validation(request.query_params["as_of"])
        report = plan_selectors.plan_progress(plan=plan, district=district, as_of=as_of)
        return Response(json.loads(json.dumps(report, default=json_default, ensure_ascii=False)))


@extend_schema_view(
    list=extend_schema(summary="Contracts you may see (holder: its own)"),
    retrieve=extend_schema(
        summary="One contract with its table-C deadlines and the actions you may take",
        responses={200: ContractDetailSerializer, **ERRORS},
    ),
)
class ContractViewSet(viewsets.ReadOnlyModelViewSet):
    """Lease-then-transfer contracts. The holder's applications and the district's decisions
    are POST actions calling the contract page's services with its forms' validation."""

    queryset = Contract.objects.none()
    lookup_value_converter = "int"
    permission_classes = [HasRole]
    roles = ("city", "district", "enterprise")
    filterset_class = ApiContractFilter

    def get_queryset(self):
        return contract_selectors.contract_list(user=self.request.user)

    def get_serializer_class(self):
        return ContractSerializer if self.action == "list" else ContractDetailSerializer

    def _act(self, request, name: str):
        contract = self.get_object()
        if not actions.may_act(request.user, name):
            return error_response(
                [{"field": None, "rule": None, "message": _("您无权办理此事项。")}],
                status.HTTP_403_FORBIDDEN,
            )
        form = actions.action_form(name, contract, _plain(request.data), request.FILES)
        if not form.is_valid():
            return error_response(_form_errors(form))
        actions.action_run(name, request.user, contract, form.cleaned_data)
        contract = contract_selectors.contract_get(user=request.user, pk=contract.pk)
        return Response(ContractDetailSerializer(contract, context={"request": request}).data)


def _contract_action(name: str):
    form_class, side, _call, _message = actions.ACTIONS[name]
    who = {"district": "district staff", "enterprise": "the holder", "either": "either side"}

    @extend_schema(
        summary=f"{name}: {who[side]}",
        request={
            "application/json": form_serializer(name, form_class),
            "multipart/form-data": form_serializer(name, form_class),
        },
        responses={200: ContractDetailSerializer, **ERRORS},
    )
    def handler(self, request, pk=None):
        return self._act(request, name)

    handler.__name__ = name
    return action(detail=True, methods=["post"], url_path=name.replace("_", "-"))(handler)


for _name in actions.ACTIONS:
    setattr(ContractViewSet, _name, _contract_action(_name))


@extend_schema_view(list=extend_schema(summary="Your notifications, newest first"))
class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's own in-app notifications (every role has its own)."""

    queryset = Notification.objects.none()
    lookup_value_converter = "int"
    serializer_class = NotificationSerializer

    def get_queryset(self):
        return self.request.user.notifications.all()

    @extend_schema(
        summary="Mark one notification read",
        operation_id="notifications_read_one",
        request=None,
        responses=MarkedSerializer,
    )
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        return Response({"marked": notification_mark_read(user=request.user, pk=int(pk))})

    @extend_schema(
        summary="Mark all your notifications read",
        operation_id="notifications_read_all",
        request=None,
        responses=MarkedSerializer,
    )
    @action(detail=False, methods=["post"], url_path="read")
    def read_all(self, request):
        return Response({"marked": notification_mark_all_read(user=request.user)})


class TodoViewSet(viewsets.ViewSet):
    """The caller's to-do list (待办), as the 待办 page shows it: oldest first, each with its
    deadline and the page where the action is taken (landsupply.todo.todo_for_user). Nothing for
    the platform administrator."""

    @extend_schema(
        summary="What waits for your action now", responses=TodoItemSerializer(many=True)
    )
    def list(self, request):
        on = todos.today()
        items = [
            {
                "kind": i.kind,
                "title": str(i.title),
                "since": i.since,
                "deadline": i.deadline,
                "days_left": i.days_left(on),
                "rule": i.rule,
                "url": i.url,
            }
            for i in todos.todo_for_user(request.user, on=on)
        ]
        return Response(TodoItemSerializer(items, many=True).data)

"""The public procedure catalogue: a searchable list and one page per procedure."""
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from common.http import public_page

from . import selectors
from .forms import CatalogueSearchForm
from .models import Procedure

PAGE_SIZE = 25


@require_safe
@public_page(max_age=300)
def catalogue(request):
    form = CatalogueSearchForm(request.GET or None)
    filters = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "query": data["q"],
            "field_id": data["field"].pk if data["field"] else None,
            "agency_id": data["agency"].pk if data["agency"] else None,
        }
    # An invalid filter (an unknown field id in the URL) shows the whole catalogue and the form's error.
    page = Paginator(selectors.public_procedures(**filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query_string = request.GET.copy()
    query_string.pop("page", None)
    return render(request, "procedures/catalogue.html", {
        "form": form,
        "page": page,
        "filtered": any(filters.values()),
        "query_string": query_string.urlencode(),
    })


@require_safe
@public_page(max_age=300)
def detail(request, code):
    try:
        procedure = selectors.public_procedure(code=code)
    except Procedure.DoesNotExist:
        raise Http404 from None
    return render(request, "procedures/detail.html", {"procedure": procedure})

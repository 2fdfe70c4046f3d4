from django.shortcuts import render

from landsupply.access import staff_required


@staff_required
def overview(request):
    return render(request, "plans/overview.html", {})

"""The site's URLs plus one view that fails, to show the 500 page (tests only)."""

from django.urls import path

from landsupply.urls import handler400, handler403, handler404, handler500, urlpatterns


def fail(request):
    raise RuntimeError("a bug in a view")


urlpatterns = [*urlpatterns, path("test-failure/", fail)]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]

"""The WSGI application gunicorn (bin/serve-production) serves.

A WSGI server is production: DEBUG is off unless the environment says DEBUG=1, so a server
started without SECRET_KEY and ALLOWED_HOSTS refuses to start (landsupply.settings) instead of
showing debug pages. `manage.py runserver` loads the settings before this module, so the
development run keeps its DEBUG default.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "landsupply.settings")
os.environ.setdefault("DEBUG", "0")
application = get_wsgi_application()

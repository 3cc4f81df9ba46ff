import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigil.settings")
application = get_wsgi_application()

# The indicator catalogue takes a second or two to compile: do it while the worker starts, not on a user's request.
from vigil.assessment import catalogue  # noqa: E402

catalogue.current()

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ifss.settings")

application = get_wsgi_application()

# Everything loaded so far (Django, the apps, the templates' modules) lives as long as the
# process: move it out of the garbage collector's sight, so the collections that a large
# page's many short-lived objects trigger do not walk it all again (a tail-latency cost
# measured on the due page: p95 120 ms -> 60 ms; docs/performance.md).
gc.freeze()

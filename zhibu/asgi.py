"""ASGI entry point (granian or uvicorn): ``granian --interface asgi zhibu.asgi:application``."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhibu.settings")
application = get_asgi_application()

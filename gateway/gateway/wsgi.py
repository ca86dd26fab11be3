"""The WSGI entry point: ``gunicorn --worker-class gthread gateway.wsgi:app``."""
from .app import create_app

app = create_app()

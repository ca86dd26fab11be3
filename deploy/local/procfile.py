"""Print deploy/local/Procfile from the service registry (the one list of services).

    python deploy/local/procfile.py > deploy/local/Procfile

tests/deploy/test_compose.py fails when the committed Procfile and this output differ.
Honcho runs each line with /bin/sh from the repo root; run.sh sets GATEWAY_BIND.
"""
from osac_shared.registry import SERVICES

GATEWAY = ("gunicorn --worker-class gthread --workers 2 --threads 8 "
           "--bind ${GATEWAY_BIND:-127.0.0.1:8000} gateway.wsgi:app")


def render():
    lines = [f"{name}: osac-service --config {config} {module}"
             for name, (module, config) in SERVICES.items()]
    lines.append(f"gateway: {GATEWAY}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render(), end="")

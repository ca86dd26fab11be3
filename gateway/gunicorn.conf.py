"""gunicorn settings for the gateway:  gunicorn -c gateway/gunicorn.conf.py gateway.wsgi:app

gthread workers (threads, not greenlets): each thread keeps its own nameko RPC proxy, created
after the fork on the thread's first call (see gateway/clients.py). Every value can be set
from the environment."""
import os

bind = os.environ.get("GATEWAY_BIND", "0.0.0.0:8000")
worker_class = "gthread"
workers = int(os.environ.get("GATEWAY_WORKERS", "2"))
threads = int(os.environ.get("GATEWAY_THREADS", "8"))
# a request never waits longer than RPC_TIMEOUT on a department; leave headroom for fan-out
timeout = int(os.environ.get("GATEWAY_TIMEOUT", "60"))
graceful_timeout = 20
keepalive = 5
accesslog = os.environ.get("GATEWAY_ACCESS_LOG", "-")
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

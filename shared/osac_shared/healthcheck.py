"""Container health probe: exit 0 when healthy, 1 otherwise, with the reason; never hangs.

    python -m osac_shared.healthcheck <service>         this process: GET /healthz on
                                                        127.0.0.1:METRICS_PORT (its container
                                                        runs, its AMQP consumer is connected,
                                                        its database answers)
    python -m osac_shared.healthcheck <service> --live  this process: GET /healthz/live (its
                                                        container runs and answers; no I/O)
    python -m osac_shared.healthcheck <service> --rpc   one ``<service>.health()`` RPC over
                                                        AMQP_URI: the service answers on the
                                                        bus (any replica may answer)
    python -m osac_shared.healthcheck gateway           HTTP GET of GATEWAY_HEALTH_URL
                                                        (default http://127.0.0.1:8000/healthz/live)

The first two ask the process that runs beside the probe (osac_shared.observability serves
/healthz on METRICS_PORT), so a dead or hung replica is never reported healthy because another
one answered. Options: ``--timeout SECONDS`` (default 5, the whole probe), ``--port``,
``--amqp-uri``, ``--url`` to override the environment. Used by every image's HEALTHCHECK and
by docker-compose.yml; the Kubernetes probes GET the same two paths on the named port
``metrics``.
"""
import argparse
import json
import os
import signal
import sys
import urllib.error
import urllib.request

DEFAULT_AMQP = "amqp://guest:guest@127.0.0.1:5672/"
DEFAULT_GATEWAY_URL = "http://127.0.0.1:8000/healthz/live"
NO_PORT = ("METRICS_PORT is not set: the service serves its health there / 未设置 METRICS_PORT，"
           "无法检查本进程")


class ProbeTimeout(Exception):
    pass


def probe_rpc(name, amqp_uri, timeout):
    """(ok, detail) after one ``health()`` RPC to service ``name``."""
    from nameko.standalone.rpc import ClusterRpcProxy    # imported before the alarm: see main

    from .outbox import broker_reachable

    if not broker_reachable(amqp_uri, timeout=min(timeout, 3)):
        return False, "RabbitMQ not reachable / RabbitMQ 无法连接"
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=timeout) as rpc:
        answer = getattr(rpc, name).health()
    return answer.get("status") == "ok", answer


def probe_local(port, live, timeout):
    """(ok, detail) from this process's own /healthz (or /healthz/live) on ``port``."""
    if not port:
        return False, NO_PORT
    path = "/healthz/live" if live else "/healthz"
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as r:
            return 200 <= r.status < 300, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as err:          # 503: the body names the failing check
        try:
            return False, json.loads(err.read() or b"{}")
        except ValueError:
            return False, f"HTTP {err.code}"


def probe_http(url, timeout):
    """(ok, detail) after one GET of ``url``: ok for a 2xx answer."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return 200 <= response.status < 300, f"HTTP {response.status}"
    except urllib.error.HTTPError as err:
        return False, f"HTTP {err.code}"


def _expire(signum, frame):
    raise ProbeTimeout()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m osac_shared.healthcheck")
    parser.add_argument("service", help="a name from osac_shared.registry, or 'gateway'")
    parser.add_argument("--timeout", type=float, default=5.0)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--live", action="store_true",
                      help="this process runs and answers (no I/O): for liveness")
    mode.add_argument("--rpc", action="store_true",
                      help="the service answers a health() RPC on the bus (any replica)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("METRICS_PORT") or 0))
    parser.add_argument("--amqp-uri", default=os.environ.get("AMQP_URI") or DEFAULT_AMQP)
    parser.add_argument("--url", default=os.environ.get("GATEWAY_HEALTH_URL")
                        or DEFAULT_GATEWAY_URL)
    args = parser.parse_args(argv)

    if args.rpc:                      # slow imports (under load) are not the probe's time
        import nameko.standalone.rpc  # noqa: F401
        from . import outbox  # noqa: F401
    # a hard stop past the timeout, whatever a library does while connecting
    signal.signal(signal.SIGALRM, _expire)
    signal.alarm(int(args.timeout) + 5)
    try:
        if args.service == "gateway":
            ok, detail = probe_http(args.url, args.timeout)
        elif args.rpc:
            ok, detail = probe_rpc(args.service, args.amqp_uri, args.timeout)
        else:
            ok, detail = probe_local(args.port, args.live, args.timeout)
    except ProbeTimeout:
        ok, detail = False, "probe timed out / 健康检查超时"
    except Exception as exc:   # any failure to get an answer is "unhealthy", with the reason
        ok, detail = False, f"{type(exc).__name__}: {exc}"
    finally:
        signal.alarm(0)
    print(f"{args.service}: {'healthy' if ok else 'unhealthy'} ({detail})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Container health probe: exit 0 when the named service answers, 1 otherwise; never hangs.

    python -m osac_shared.healthcheck <service>     one ``<service>.health()`` RPC over AMQP_URI
    python -m osac_shared.healthcheck gateway       HTTP GET of GATEWAY_HEALTH_URL
                                                    (default http://127.0.0.1:8000/healthz/live)

Options: ``--timeout SECONDS`` (default 5, the whole probe), ``--amqp-uri`` / ``--url`` to
override the environment. Used by every image's HEALTHCHECK and by docker-compose.yml.
"""
import argparse
import os
import signal
import sys
import urllib.error
import urllib.request

DEFAULT_AMQP = "amqp://guest:guest@127.0.0.1:5672/"
DEFAULT_GATEWAY_URL = "http://127.0.0.1:8000/healthz/live"


class ProbeTimeout(Exception):
    pass


def probe_service(name, amqp_uri, timeout):
    """(ok, detail) after one ``health()`` RPC to service ``name``."""
    from nameko.standalone.rpc import ClusterRpcProxy    # imported before the alarm: see main

    from .outbox import broker_reachable

    if not broker_reachable(amqp_uri, timeout=min(timeout, 3)):
        return False, "RabbitMQ not reachable / RabbitMQ 无法连接"
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=timeout) as rpc:
        answer = getattr(rpc, name).health()
    return answer.get("status") == "ok", answer


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
    parser.add_argument("--amqp-uri", default=os.environ.get("AMQP_URI") or DEFAULT_AMQP)
    parser.add_argument("--url", default=os.environ.get("GATEWAY_HEALTH_URL")
                        or DEFAULT_GATEWAY_URL)
    args = parser.parse_args(argv)

    if args.service != "gateway":    # slow imports (under load) are not the probe's time
        import nameko.standalone.rpc  # noqa: F401
        from . import outbox  # noqa: F401
    # a hard stop past the timeout, whatever a library does while connecting
    signal.signal(signal.SIGALRM, _expire)
    signal.alarm(int(args.timeout) + 5)
    try:
        if args.service == "gateway":
            ok, detail = probe_http(args.url, args.timeout)
        else:
            ok, detail = probe_service(args.service, args.amqp_uri, args.timeout)
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

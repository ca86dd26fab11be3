"""deploy/prometheus/alerts.yml and deploy/grafana/osac.json load, and every metric they name is
one the platform exports (osac_shared.observability.METRICS, or Prometheus's own ``up``); every
alert is explained in the runbook (deploy/README.md, "Alerts")."""
import json
import re
from pathlib import Path

import pytest
import yaml

from osac_shared.observability import METRICS

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
BUILTIN = {"up"}
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or",
            "unless", "bool", "offset", "inf", "nan"}


def metric_names(expr):
    """The series names a PromQL expression selects (labels, functions, keywords dropped)."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)          # strings
    expr = re.sub(r"\{[^}]*\}", "", expr)                      # label matchers
    expr = re.sub(r"\[[^\]]*\]", "", expr)                     # ranges
    expr = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", expr)
    names = set()
    for m in re.finditer(r"(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\()?", expr):
        if not m.group(2) and m.group(1) not in KEYWORDS:
            names.add(m.group(1))
    return names


def test_metric_names_are_found_in_promql():
    assert metric_names('histogram_quantile(0.99, sum by (le, service) '
                        '(rate(osac_rpc_duration_seconds_bucket{service="x"}[5m]))) > 2') == \
        {"osac_rpc_duration_seconds_bucket"}
    assert metric_names('up{job="a"} == 0 and on (instance) foo') == {"up", "foo"}


def rules():
    doc = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text(encoding="utf-8"))
    return [rule for group in doc["groups"] for rule in group["rules"]]


@pytest.mark.parametrize("rule", rules(), ids=lambda r: r["alert"])
def test_alert_rule_is_complete_and_names_exported_metrics(rule):
    assert set(rule) >= {"alert", "expr", "for", "labels", "annotations"}
    assert rule["labels"]["severity"] in ("warning", "critical")
    assert rule["annotations"]["summary"] and rule["annotations"]["runbook"]
    names = metric_names(rule["expr"])
    assert names and names <= set(METRICS) | BUILTIN, names - set(METRICS)


def test_the_required_alerts_exist_and_the_runbook_explains_each():
    alerts = {r["alert"] for r in rules()}
    assert {"OutboxBacklogGrowing", "SlaBreaches", "DepartmentDown", "RpcLatencyP99High",
            "GatewayErrorRate"} <= alerts
    runbook = (DEPLOY / "README.md").read_text(encoding="utf-8")
    for alert in alerts:
        assert f"#### {alert}" in runbook, f"deploy/README.md does not explain {alert}"


def test_prometheus_config_loads_the_rules_and_scrapes_every_service():
    from osac_shared.registry import SERVICES
    doc = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text(encoding="utf-8"))
    assert doc["rule_files"] == ["alerts.yml"]
    jobs = {j["job_name"]: j for j in doc["scrape_configs"]}
    targets = {t.split(":")[0] for c in jobs["osac-services"]["static_configs"]
               for t in c["targets"]}
    assert targets == set(SERVICES)
    assert jobs["osac-gateway"]["metrics_path"] == "/metrics"


def test_grafana_dashboard_uses_exported_metrics_only():
    board = json.loads((DEPLOY / "grafana" / "osac.json").read_text(encoding="utf-8"))
    assert board["uid"] and board["title"] and board["panels"]
    used = set()
    for panel in board["panels"]:
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            names = metric_names(target["expr"])
            assert names <= set(METRICS) | BUILTIN, (panel["title"], names - set(METRICS))
            used |= names
    for wanted in ("osac_http_requests_total", "osac_rpc_duration_seconds_bucket",
                   "osac_gateway_rpc_duration_seconds_bucket", "osac_outbox_backlog",
                   "osac_sla_open_deadlines", "osac_sla_breached_deadlines",
                   "osac_events_consumed_total"):
        assert wanted in used

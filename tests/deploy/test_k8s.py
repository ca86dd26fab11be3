"""The Kubernetes manifests (deploy/k8s/), rendered and checked without a cluster.

Rendering: ``render`` below is a small Kustomize for the subset the manifests keep to
(resources, namespace, namePrefix, labels, images, strategic-merge patches); it refuses any other
field. Where ``kubectl`` is installed, ``test_renderer_matches_kubectl_kustomize`` proves that it
renders every kustomization exactly as kustomize does.
Validation: every core object against the Kubernetes JSON schemas that kubernetes-validate ships
(strict, offline: the network is cut while it runs); the operators' custom resources
(RabbitmqCluster, Vhost/User/Permission/TopicPermission, CloudNativePG Cluster) by the fields
we rely on.
Then the platform's own rules: every registry service has its overlay and probed, bounded,
non-root Deployment; Secrets name the environment variables config.yml reads and point at the
bus user and database IT provides; the bus has 3 nodes and quorum queues; the gateway scales.
"""
import copy
import json
import re
import shutil
import socket
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import kubernetes_validate
import pytest
import yaml

from osac_shared.registry import SERVICES, db_env_var

REPO = Path(__file__).resolve().parents[2]
K8S = REPO / "deploy" / "k8s"
K8S_VERSION = "1.30"      # the oldest Kubernetes the manifests are meant for
PLACEHOLDER = "CHANGE_ME"
PRINCIPALS = [*SERVICES, "gateway"]     # each has its own bus user and its own database


def dash(name):
    return name.replace("_", "-")


def overlay_of(name):
    return K8S / "overlays" / ("platform/sla" if name == "sla" else name)


# ---- a small Kustomize ---------------------------------------------------------------------
FIELDS = {"apiVersion", "kind", "resources", "namespace", "namePrefix", "labels", "images",
          "patches"}
MERGE_KEYS = {"containers": "name", "initContainers": "name", "env": "name", "volumes": "name",
              "volumeMounts": "mountPath", "ports": "containerPort"}
CLUSTER_SCOPED = {"Namespace"}
# where kustomize's `labels` put selector labels (create: add the field when it is missing)
SELECTORS = {
    "Deployment": [(("spec", "selector", "matchLabels"), True),
                   (("spec", "template", "metadata", "labels"), True)],
    "Job": [(("spec", "selector", "matchLabels"), False),
            (("spec", "template", "metadata", "labels"), True)],
    "PodDisruptionBudget": [(("spec", "selector", "matchLabels"), False)],
    "Service": [(("spec", "selector"), True)],
    "ConfigMap": [], "Secret": [],
}
TEMPLATES = {"Deployment": ("spec", "template", "metadata", "labels"),
             "Job": ("spec", "template", "metadata", "labels")}


def is_core(doc):
    """Kubernetes' own API groups (core, apps, ..., *.k8s.io) as opposed to an operator's."""
    group = doc["apiVersion"].rpartition("/")[0]
    return "." not in group or group.endswith(".k8s.io")


def load_docs(path):
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def strategic_merge(target, patch):
    """Maps merge, lists of containers/env/volumes merge by their key, other lists replace."""
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            strategic_merge(target[key], value)
        elif key in MERGE_KEYS and isinstance(value, list) and isinstance(target.get(key), list):
            by_key = {item[MERGE_KEYS[key]]: item for item in target[key]}
            for item in value:
                if item[MERGE_KEYS[key]] in by_key:
                    strategic_merge(by_key[item[MERGE_KEYS[key]]], item)
                else:
                    target[key].append(copy.deepcopy(item))
        else:
            target[key] = copy.deepcopy(value)
    return target


def dig(doc, path, create=False):
    for key in path:
        if key not in doc:
            if not create:
                return None
            doc[key] = {}
        doc = doc[key]
    return doc


def pod_specs(doc):
    spec = dig(doc, ("spec", "template", "spec"))
    return [spec] if spec else []


def containers(doc):
    return [c for spec in pod_specs(doc)
            for c in spec.get("initContainers", []) + spec.get("containers", [])]


def fix_references(docs, renamed):
    """kustomize's name references, for the kinds the manifests refer to."""
    def new(kind, name):
        return renamed.get((kind, name), name)

    for doc in docs:
        for spec in pod_specs(doc):
            for c in spec.get("initContainers", []) + spec.get("containers", []):
                for source in c.get("envFrom", []):
                    for field, kind in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
                        if field in source:
                            source[field]["name"] = new(kind, source[field]["name"])
                for env in c.get("env", []):
                    ref = env.get("valueFrom", {})
                    for field, kind in (("configMapKeyRef", "ConfigMap"),
                                        ("secretKeyRef", "Secret")):
                        if field in ref:
                            ref[field]["name"] = new(kind, ref[field]["name"])
            for volume in spec.get("volumes", []):
                if "configMap" in volume:
                    volume["configMap"]["name"] = new("ConfigMap", volume["configMap"]["name"])
                if "secret" in volume:
                    volume["secret"]["secretName"] = new("Secret", volume["secret"]["secretName"])
        if doc["kind"] == "HorizontalPodAutoscaler":
            target = doc["spec"]["scaleTargetRef"]
            target["name"] = new(target["kind"], target["name"])


def render(directory):
    """The objects ``kubectl kustomize <directory>`` prints, for the subset we use."""
    directory = Path(directory)
    kust = yaml.safe_load((directory / "kustomization.yaml").read_text(encoding="utf-8"))
    unknown = set(kust) - FIELDS
    assert not unknown, f"{directory}: fields outside the renderer's subset: {unknown}"
    docs = []
    for entry in kust.get("resources", []):
        path = directory / entry
        docs += render(path) if path.is_dir() else load_docs(path)
    for entry in kust.get("patches", []):
        assert set(entry) == {"path"}, f"{directory}: only `patches: - path:` is supported"
        for patch in load_docs(directory / entry["path"]):
            hits = [d for d in docs if (d["apiVersion"], d["kind"], d["metadata"]["name"]) ==
                    (patch["apiVersion"], patch["kind"], patch["metadata"]["name"])]
            assert len(hits) == 1, f"{entry['path']}: patches {len(hits)} objects"
            strategic_merge(hits[0], patch)
    if "namespace" in kust:
        for doc in docs:
            if doc["kind"] not in CLUSTER_SCOPED:
                doc["metadata"]["namespace"] = kust["namespace"]
    renamed = {}
    if "namePrefix" in kust:
        for doc in docs:
            if doc["kind"] not in CLUSTER_SCOPED:
                old = doc["metadata"]["name"]
                doc["metadata"]["name"] = kust["namePrefix"] + old
                renamed[(doc["kind"], old)] = doc["metadata"]["name"]
    for entry in kust.get("labels", []):
        assert set(entry) <= {"pairs", "includeSelectors", "includeTemplates"}, entry
        for doc in docs:
            dig(doc, ("metadata", "labels"), create=True).update(entry["pairs"])
            if entry.get("includeSelectors"):
                assert doc["kind"] in SELECTORS or not is_core(doc), \
                    f"the renderer does not know where kustomize puts {doc['kind']}'s selectors"
                for path, create in SELECTORS.get(doc["kind"], []):
                    labels = dig(doc, path, create)
                    if labels is not None:
                        labels.update(entry["pairs"])
            elif entry.get("includeTemplates") and doc["kind"] in TEMPLATES:
                dig(doc, TEMPLATES[doc["kind"]], create=True).update(entry["pairs"])
    for image in kust.get("images", []):
        assert set(image) <= {"name", "newName", "newTag"}, image
        for c in (c for doc in docs for c in containers(doc)):
            name, _, tag = c["image"].partition(":")
            if name == image["name"]:
                c["image"] = f"{image.get('newName', name)}:{image.get('newTag', tag)}".rstrip(":")
    fix_references(docs, renamed)
    return docs


def kustomizations():
    return sorted(p.parent for p in K8S.rglob("kustomization.yaml"))


def ids(paths):
    return [str(p.relative_to(K8S)) for p in paths]


RENDERED = {}


def rendered(directory):
    if directory not in RENDERED:
        RENDERED[directory] = render(directory)
    return copy.deepcopy(RENDERED[directory])


def find(docs, kind, name):
    hits = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(hits) == 1, f"expected one {kind} {name}, found {len(hits)}"
    return hits[0]


PLATFORM = K8S / "overlays" / "platform"


# ---- the renderer itself --------------------------------------------------------------------
@pytest.mark.parametrize("target, patch, expected", [
    ({"a": {"b": 1, "c": 2}}, {"a": {"b": 3}}, {"a": {"b": 3, "c": 2}}),
    ({"a": [1, 2]}, {"a": [3]}, {"a": [3]}),                      # plain lists replace
    ({"a": 1, "b": 2}, {"b": None}, {"a": 1}),                    # null deletes
    ({"containers": [{"name": "x", "args": [1], "image": "i"}, {"name": "y"}]},
     {"containers": [{"name": "x", "args": [2]}]},
     {"containers": [{"name": "x", "args": [2], "image": "i"}, {"name": "y"}]}),
    ({"env": [{"name": "A", "value": "1"}]}, {"env": [{"name": "B", "value": "2"}]},
     {"env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]}),
])
def test_strategic_merge(target, patch, expected):
    assert strategic_merge(target, patch) == expected


@pytest.mark.parametrize("directory", kustomizations(), ids=ids(kustomizations()))
def test_every_kustomization_renders_with_unique_names(directory):
    docs = rendered(directory)
    keys = [(d["kind"], d["metadata"].get("namespace"), d["metadata"]["name"]) for d in docs]
    assert docs and len(keys) == len(set(keys))
    if directory.parent.name == "overlays" or directory.name == "sla":
        assert {d["metadata"].get("namespace") for d in docs
                if d["kind"] not in CLUSTER_SCOPED} == {"osac"}


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed here")
@pytest.mark.parametrize("directory", kustomizations(), ids=ids(kustomizations()))
def test_renderer_matches_kubectl_kustomize(directory):
    out = subprocess.run(["kubectl", "kustomize", str(directory)], capture_output=True,
                         text=True, timeout=60, check=True).stdout
    def key(doc):
        return (doc["kind"], doc["metadata"]["name"])
    assert sorted(rendered(directory), key=key) == sorted(
        (d for d in yaml.safe_load_all(out) if d), key=key)


# ---- schemas --------------------------------------------------------------------------------
CUSTOM = {   # (apiVersion, kind): the spec fields we rely on; every other field is refused
    ("rabbitmq.com/v1beta1", "RabbitmqCluster"): (
        {"replicas", "image", "resources", "persistence"},
        {"replicas", "image", "resources", "persistence", "rabbitmq", "override", "service",
         "tls", "affinity", "tolerations", "terminationGracePeriodSeconds"}),
    ("rabbitmq.com/v1beta1", "Vhost"): (
        {"name", "defaultQueueType", "rabbitmqClusterReference"},
        {"name", "defaultQueueType", "rabbitmqClusterReference", "deletionPolicy", "limits",
         "tags", "tracing"}),
    ("rabbitmq.com/v1beta1", "User"): (
        {"rabbitmqClusterReference", "importCredentialsSecret"},
        {"rabbitmqClusterReference", "importCredentialsSecret", "tags", "limits"}),
    ("rabbitmq.com/v1beta1", "Permission"): (
        {"vhost", "userReference", "permissions", "rabbitmqClusterReference"},
        {"vhost", "userReference", "user", "permissions", "rabbitmqClusterReference"}),
    ("rabbitmq.com/v1beta1", "TopicPermission"): (
        {"vhost", "userReference", "permissions", "rabbitmqClusterReference"},
        {"vhost", "userReference", "user", "permissions", "rabbitmqClusterReference"}),
    ("postgresql.cnpg.io/v1", "Cluster"): (
        {"instances", "imageName", "storage", "bootstrap", "resources"},
        {"instances", "imageName", "storage", "walStorage", "bootstrap", "resources",
         "postgresql", "backup", "monitoring", "affinity", "enablePDB", "description"}),
}


def all_docs():
    return [d for directory in kustomizations() for d in rendered(directory)]


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection or resolve a name fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args}")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_core_objects_match_the_kubernetes_schemas_offline(no_network):
    checked, errors = set(), []
    for doc in all_docs():
        if not is_core(doc):
            continue
        key = yaml.safe_dump(doc, sort_keys=True)
        if key in checked:
            continue
        checked.add(key)
        try:
            kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
        except kubernetes_validate.ValidationError as err:
            errors.append(f"{doc['kind']}/{doc['metadata']['name']}: "
                          f"{'.'.join(map(str, err.path))}: {err.message}")
    assert not errors, "\n".join(errors)
    kinds = {yaml.safe_load(k)["kind"] for k in checked}
    assert {"Deployment", "Job", "Secret", "ConfigMap", "Service", "Ingress",
            "HorizontalPodAutoscaler", "PodDisruptionBudget", "Namespace"} <= kinds


def test_custom_resources_have_the_fields_we_rely_on():
    seen = set()
    for doc in all_docs():
        if is_core(doc):
            continue
        key = (doc["apiVersion"], doc["kind"])
        assert key in CUSTOM, f"unexpected custom resource {key}"
        required, allowed = CUSTOM[key]
        spec = doc["spec"]
        where = f"{doc['kind']}/{doc['metadata']['name']}"
        assert required <= set(spec), f"{where} lacks {required - set(spec)}"
        assert set(spec) <= allowed, f"{where} has unknown fields {set(spec) - allowed}"
        seen.add(doc["kind"])
    assert seen == {k for _, k in CUSTOM}


# ---- the platform's rules -------------------------------------------------------------------
def test_every_registry_service_has_its_overlay():
    overlays = {p.name for p in (K8S / "overlays").iterdir() if p.is_dir()} - {"platform"}
    assert overlays == set(SERVICES) - {"sla"}
    assert (K8S / "overlays" / "platform" / "sla" / "kustomization.yaml").exists()


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_service_deployment_is_probed_bounded_and_non_root(name):
    docs = rendered(overlay_of(name))
    deployment = find(docs, "Deployment", f"{dash(name)}-service")
    spec = deployment["spec"]
    assert spec["strategy"] == {"type": "RollingUpdate",
                                "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}}
    assert spec["selector"]["matchLabels"]["app.kubernetes.io/name"] == dash(name)
    pod = spec["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0
    [container] = pod["containers"]
    assert container["image"].split(":")[0] == f"osac-{dash(name)}"
    assert ":" in container["image"], "every release names its tag"
    # both probes ask this pod's own process on its port `metrics` (never another replica)
    assert container["readinessProbe"]["httpGet"] == {"path": "/healthz", "port": "metrics"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz/live",
                                                     "port": "metrics"}
    for bound in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(container["resources"][bound])
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert {e[next(iter(e))]["name"] for e in container["envFrom"]} == {
        f"{dash(name)}-config", f"{dash(name)}-secrets"}
    job = find(docs, "Job", f"{dash(name)}-migrate")
    [migrate] = job["spec"]["template"]["spec"]["containers"]
    assert migrate["command"] == ["osac-service", "--config", "/app/config.yml",
                                  SERVICES[name][0], "--migrate-only"]
    assert migrate["image"] == container["image"]
    assert find(docs, "PodDisruptionBudget", f"{dash(name)}-service")["spec"]["selector"] == \
        spec["selector"]


def config_db_var(name):
    """The environment variable services/<name>/config.yml reads its DB_URL from."""
    config = REPO / SERVICES[name][1]
    if not config.exists():
        pytest.skip(f"{SERVICES[name][1]} is not written yet")
    match = re.search(r"^DB_URL:\s*\$\{(\w+):", config.read_text(encoding="utf-8"), re.M)
    assert match, f"{config}: DB_URL is not read from an environment variable"
    return match.group(1)


def platform_by_name(kind):
    return {d["metadata"]["labels"]["app.kubernetes.io/name"]: d
            for d in rendered(PLATFORM) if d["kind"] == kind}


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_secret_keys_match_config_and_point_at_its_bus_user_and_database(name):
    var = config_db_var(name)
    assert var == db_env_var(name)
    secret = find(rendered(overlay_of(name)), "Secret", f"{dash(name)}-secrets")["stringData"]
    assert set(secret) == {"AMQP_URI", var}
    amqp, db = urlsplit(secret["AMQP_URI"]), urlsplit(secret[var])
    credentials = find(rendered(PLATFORM), "Secret", f"bus-{dash(name)}-credentials")
    assert (amqp.scheme, amqp.username, amqp.hostname, amqp.path) == (
        "amqp", credentials["stringData"]["username"], "osac-bus.osac.svc", "/osac")
    initdb = platform_by_name("Cluster")[dash(name)]["spec"]["bootstrap"]["initdb"]
    assert (db.scheme, db.username, db.hostname, db.path) == (
        "postgresql", initdb["owner"], f"pg-{dash(name)}-rw.osac.svc", f"/{initdb['database']}")


def test_secrets_hold_placeholders_only():
    for doc in all_docs():
        if doc["kind"] != "Secret":
            continue
        for key, value in doc["stringData"].items():
            if "://" in value:
                assert urlsplit(value).password == PLACEHOLDER, (doc["metadata"]["name"], key)
            elif key != "username":
                assert value == PLACEHOLDER, (doc["metadata"]["name"], key)


def test_bus_has_three_nodes_and_quorum_queues():
    docs = rendered(PLATFORM)
    [cluster] = [d for d in docs if d["kind"] == "RabbitmqCluster"]
    assert cluster["spec"]["replicas"] == 3
    [vhost] = [d for d in docs if d["kind"] == "Vhost"]
    assert (vhost["spec"]["name"], vhost["spec"]["defaultQueueType"]) == ("osac", "quorum")
    users, permissions = platform_by_name("User"), platform_by_name("Permission")
    assert set(users) == set(permissions) == {dash(n) for n in PRINCIPALS}
    for name, permission in permissions.items():
        assert permission["spec"]["vhost"] == "osac"
        assert permission["spec"]["userReference"]["name"] == users[name]["metadata"]["name"]
        for doc in (permission, users[name], vhost):
            assert doc["spec"]["rabbitmqClusterReference"]["name"] == cluster["metadata"]["name"]


# what each service's RabbitMQ user may touch (nameko's names: rpc-<svc>, <svc>.events,
# evt-<source>-<event>--<svc>.<method>, rpc.reply-<svc|standalone_rpc_proxy>-<uuid>)
UUID = "0b0e4c1e-8d3a-4f51-9a1c-2b7c9d3e5f60"
ACCESS = [
    ("aid", "configure", "rpc-aid", True),
    ("aid", "configure", "rpc-finance", False),
    ("aid", "configure", "evt-finance-payment.recorded--aid.on_payment", False),  # no such handler
    ("aid", "configure", "evt-finance-aid.awarded--finance.on_aid_awarded", False),
    ("aid", "write", "aid.events", True),
    ("aid", "write", "finance.events", False),             # publishes its own events only
    ("aid", "write", "nameko-rpc", True),
    ("aid", "read", f"rpc.reply-standalone_rpc_proxy-{UUID}", True),   # its health probe
    ("aid", "read", f"rpc.reply-finance-{UUID}", False),
    ("finance", "configure", "evt-aid-aid.awarded--finance.on_aid_awarded", True),
    ("finance", "configure", "aid.events", True),          # declares the exchange it binds to
    ("student_affairs", "read", "rpc-student_affairs", True),
    ("gateway", "write", "nameko-rpc", True),
    ("gateway", "read", f"rpc.reply-standalone_rpc_proxy-{UUID}", True),
    ("gateway", "configure", "aid.events", False),
]


@pytest.mark.parametrize("name, action, resource, allowed", ACCESS)
def test_bus_permissions(name, action, resource, allowed):
    pattern = platform_by_name("Permission")[dash(name)]["spec"]["permissions"][action]
    assert bool(re.search(pattern, resource)) is allowed


# what each user may publish and bind on the topic exchanges (routing keys)
TOPIC_ACCESS = [
    ("hall", "nameko-rpc", "write", "logistics.get_case", True),     # rates a case
    ("hall", "nameko-rpc", "write", "sla.report", True),             # the on-time rates
    ("hall", "nameko-rpc", "write", "logistics.list_cases", False),
    ("hall", "nameko-rpc", "read", "hall.*", True),
    ("hall", "nameko-rpc", "read", "logistics.*", False),
    ("sunshine", "nameko-rpc", "write", "finance.get_case", True),   # a case a complaint cites
    ("sunshine", "nameko-rpc", "write", "sla.report", False),
    ("student_affairs", "nameko-rpc", "write", "security.activity_approval_status", True),
    ("student_affairs", "nameko-rpc", "write", "security.get_case", False),
    ("logistics", "nameko-rpc", "write", "logistics.health", True),  # its container's probe
    ("logistics", "nameko-rpc", "write", "finance.charge", False),
    ("finance", "aid.events", "read", "aid.awarded", True),
    ("finance", "aid.events", "read", "case.*", False),
    ("gateway", "nameko-rpc", "write", "finance.pay", True),
]


def topic_permissions():
    return {(d["metadata"]["labels"]["app.kubernetes.io/name"],
             d["spec"]["permissions"]["exchange"]): d
            for d in rendered(PLATFORM) if d["kind"] == "TopicPermission"}


@pytest.mark.parametrize("name, exchange, action, key, allowed", TOPIC_ACCESS)
def test_bus_topic_permissions(name, exchange, action, key, allowed):
    pattern = topic_permissions()[(dash(name), exchange)]["spec"]["permissions"][action]
    assert bool(re.search(pattern, key)) is allowed


def test_bus_users_are_those_of_the_definitions():
    """Each user's permissions and topic permissions are exactly definitions.json's (what the
    tests' platforms, make run and compose load), on vhost osac."""
    defs = json.loads((REPO / "deploy" / "rabbitmq" / "definitions.json").read_text())
    users, permissions = platform_by_name("User"), platform_by_name("Permission")
    secrets = {d["metadata"]["name"]: d for d in rendered(PLATFORM) if d["kind"] == "Secret"}
    assert set(users) == {dash(u["name"]) for u in defs["users"]}
    for row in defs["permissions"]:
        spec = permissions[dash(row["user"])]["spec"]
        assert spec["permissions"] == {k: row[k] for k in ("configure", "write", "read")}
        credentials = users[dash(row["user"])]["spec"]["importCredentialsSecret"]["name"]
        assert secrets[credentials]["stringData"]["username"] == row["user"]
    topics = topic_permissions()
    assert set(topics) == {(dash(t["user"]), t["exchange"]) for t in defs["topic_permissions"]}
    for row in defs["topic_permissions"]:
        spec = topics[(dash(row["user"]), row["exchange"])]["spec"]
        assert spec["vhost"] == "osac"
        assert spec["userReference"]["name"] == users[dash(row["user"])]["metadata"]["name"]
        assert spec["permissions"] == {k: row[k] for k in ("exchange", "write", "read")}


def test_one_database_cluster_per_service_and_the_gateway():
    clusters = platform_by_name("Cluster")
    assert set(clusters) == {dash(n) for n in PRINCIPALS}
    for name in PRINCIPALS:
        initdb = clusters[dash(name)]["spec"]["bootstrap"]["initdb"]
        assert (initdb["database"], initdb["owner"]) == (f"osac_{name}", name)
        assert clusters[dash(name)]["metadata"]["name"] == f"pg-{dash(name)}"


def test_gateway_probes_scaling_and_ingress():
    docs = rendered(PLATFORM)
    deployment = find(docs, "Deployment", "gateway")
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    assert "replicas" not in deployment["spec"], "the HPA owns the replica count"
    pod = deployment["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    [container] = pod["containers"]
    assert container["image"].split(":")[0] == "osac-gateway"
    assert container["ports"] == [{"name": "http", "containerPort": 8000}]
    assert container["readinessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz/live", "port": "http"}
    for bound in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(container["resources"][bound])
    secret = find(docs, "Secret", "gateway-secrets")["stringData"]
    assert set(secret) == {"AMQP_URI", "GATEWAY_DB_URL", "SECRET_KEY"}
    config = find(docs, "ConfigMap", "gateway-config")["data"]
    assert "RPC_TIMEOUT" in config
    # 2 gunicorn workers per pod: /metrics adds them up from a directory on a writable volume
    mounts = {m["mountPath"] for m in container["volumeMounts"]}
    assert any(config["PROMETHEUS_MULTIPROC_DIR"].startswith(m + "/") for m in mounts)

    hpa = find(docs, "HorizontalPodAutoscaler", "gateway")
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment",
                                             "name": "gateway"}
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 10)
    assert hpa["spec"]["metrics"] == [{"type": "Resource", "resource": {
        "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]

    service = find(docs, "Service", "gateway")
    assert service["spec"]["selector"].items() <= \
        deployment["spec"]["template"]["metadata"]["labels"].items()
    ingress = find(docs, "Ingress", "gateway")
    assert ingress["apiVersion"] == "networking.k8s.io/v1"
    [rule] = ingress["spec"]["rules"]
    [path] = rule["http"]["paths"]
    assert path["backend"]["service"]["name"] == "gateway"
    assert path["backend"]["service"]["port"]["name"] in {p["name"] for p in
                                                          service["spec"]["ports"]}


# ---- metrics: every service sets METRICS_PORT, names the port, and Prometheus finds it -------
PROMETHEUS = REPO / "deploy" / "prometheus"


def workloads():
    """Every Deployment of every kustomization, once: {(namespace, name): rendered object}."""
    return {(d["metadata"].get("namespace"), d["metadata"]["name"]): d
            for d in all_docs() if d["kind"] == "Deployment"}


def pod_targets(deployment):
    """The targets Prometheus's ``kubernetes_sd_configs: role: pod`` makes of one pod of this
    Deployment: one per declared container port, one port-free per container without any;
    each as the meta labels the relabelling sees."""
    template = deployment["spec"]["template"]
    base = {"__meta_kubernetes_namespace": deployment["metadata"].get("namespace", ""),
            "__meta_kubernetes_pod_name": deployment["metadata"]["name"] + "-5d9c7-x2x4q",
            **{"__meta_kubernetes_pod_label_" + re.sub(r"[^a-zA-Z0-9_]", "_", key): value
               for key, value in template["metadata"].get("labels", {}).items()},
            **{"__meta_kubernetes_pod_annotation_" + re.sub(r"[^a-zA-Z0-9_]", "_", key): value
               for key, value in template["metadata"].get("annotations", {}).items()}}
    for container in template["spec"]["containers"]:
        for port in container.get("ports") or [None]:
            meta = {**base, "__meta_kubernetes_pod_container_name": container["name"],
                    "__address__": "10.1.2.3"}
            if port is not None:
                meta.update({"__meta_kubernetes_pod_container_port_name": port.get("name", ""),
                             "__meta_kubernetes_pod_container_port_number":
                                 str(port["containerPort"]),
                             "__address__": f"10.1.2.3:{port['containerPort']}"})
            yield meta


def relabel(labels, rules):
    """Prometheus's relabelling for the actions the scrape configs use (keep, drop, replace):
    None when the target is dropped."""
    labels = dict(labels)
    for rule in rules:
        value = rule.get("separator", ";").join(labels.get(name, "")
                                                 for name in rule.get("source_labels", []))
        match = re.fullmatch(rule.get("regex", "(.*)"), value)
        action = rule.get("action", "replace")
        if action == "keep" and not match or action == "drop" and match:
            return None
        if action == "replace" and match:
            labels[rule["target_label"]] = match.expand(
                rule.get("replacement", "$1").replace("$1", r"\g<1>"))
        assert action in ("keep", "drop", "replace"), action
    return labels


def scraped(job, deployments):
    """{(Deployment name, port)} the job scrapes (of the namespaces it discovers: base/ is a
    template, never applied, so it has none)."""
    namespaces = {n for sd in job["kubernetes_sd_configs"] for n in sd["namespaces"]["names"]}
    found = set()
    for (namespace, name), deployment in deployments.items():
        if namespace not in namespaces:
            continue
        for meta in pod_targets(deployment):
            labels = relabel(meta, job.get("relabel_configs", []))
            if labels is not None:
                assert labels["__address__"].count(":") == 1, f"{job['job_name']}: no port"
                found.add((name, int(labels["__address__"].rsplit(":", 1)[1])))
    return found


def metrics_port(name):
    """(METRICS_PORT from the service's ConfigMap, its container port named `metrics`)."""
    docs = rendered(overlay_of(name))
    config = find(docs, "ConfigMap", f"{dash(name)}-config")["data"]
    [container] = find(docs, "Deployment", f"{dash(name)}-service")["spec"]["template"][
        "spec"]["containers"]
    named = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
    return int(config.get("METRICS_PORT", 0)), named.get("metrics")


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_service_sets_metrics_port_and_names_it(name):
    configured, port = metrics_port(name)
    assert configured > 0, f"{name}: METRICS_PORT is not set (metrics and health are off)"
    assert port == configured, f"{name}: container port `metrics` is not METRICS_PORT"


def k8s_jobs():
    doc = yaml.safe_load((PROMETHEUS / "prometheus-k8s.yml").read_text(encoding="utf-8"))
    assert doc["rule_files"] == ["alerts.yml"]
    return {job["job_name"]: job for job in doc["scrape_configs"]}


def test_prometheus_finds_every_service_pod_and_the_gateway():
    jobs = k8s_jobs()
    compose = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text(encoding="utf-8"))
    assert set(jobs) == {job["job_name"] for job in compose["scrape_configs"]}, \
        "the same job names as compose: alerts.yml and the dashboard use them"
    for job in jobs.values():
        assert [sd["role"] for sd in job["kubernetes_sd_configs"]] == ["pod"]
        assert job.get("metrics_path", "/metrics") == "/metrics"
    deployments = workloads()
    assert scraped(jobs["osac-services"], deployments) == {
        (f"{dash(name)}-service", metrics_port(name)[1]) for name in SERVICES}
    gateway = find(rendered(PLATFORM), "Deployment", "gateway")
    [http] = [p for p in gateway["spec"]["template"]["spec"]["containers"][0]["ports"]
              if p["name"] == "http"]
    assert scraped(jobs["osac-gateway"], deployments) == {("gateway", http["containerPort"])}


def test_relabel_keeps_only_what_matches():
    rules = [{"source_labels": ["a", "b"], "regex": "x;y", "action": "keep"},
             {"source_labels": ["c"], "target_label": "instance"}]
    assert relabel({"a": "x", "b": "y", "c": "pod-1"}, rules)["instance"] == "pod-1"
    assert relabel({"a": "x", "b": "yy", "c": "pod-1"}, rules) is None
    assert relabel({"a": "x"}, rules) is None

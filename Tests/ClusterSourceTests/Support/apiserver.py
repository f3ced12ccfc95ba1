#!/usr/bin/env python3
"""A loopback stand-in for kube-apiserver, for ClusterSource's tests and benchmark.

It serves a snapshot directory (fixtures/cluster layout: snapshot.json + one list file per kind) the way
the API server does (research/kubeapi.md §3, §6.3): HTTPS with a test CA, bearer-token and client-certificate
authentication (CN = user), a small deny table (403 Status naming verb and resource), discovery, lists with
limit/continue (real-format base64url tokens) and expiry (410 Expired), lists as a meta.k8s.io Table (PV columns as
kubectl prints them), GET of one object, Status error bodies, plain-text 404
for unknown group/versions, node stats through /api/v1/nodes/N/proxy/stats/summary, and failure injection
(429 + Retry-After, 5xx, slow and trickled responses, dropped and cut connections, truncated or non-JSON
bodies) through /_control endpoints. Python 3 standard library only.

Usage: apiserver.py --snapshot DIR [--cert C --key K --client-ca CA | --http] [--token TOKEN=USER]...
                    [--generate statefulsets=N,persistentvolumeclaims=N,persistentvolumes=N]
                    [--fleet N [--write-snapshot DIR] [--write-repo DIR] [--no-serve]]
Prints "PORT <n>" once listening on 127.0.0.1.

--fleet N serves a consistent fleet: N StatefulSets (3 replicas, one volume claim template) in 100 namespaces,
their 3N bound PVCs and 3N PVs, a headless Service per StatefulSet, and the Namespaces; --write-snapshot writes
it as a snapshot directory (`ballast drift --snapshot DIR`) and --write-repo the matching GitOps manifests (one
file per namespace), so `drift` against the server and against the snapshot read the same state.
"""
import argparse, base64, json, os, socket, ssl, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qs

# Resources the stand-in knows: (group, version, plural, kind, namespaced)
RESOURCES = [
    ("", "v1", "namespaces", "Namespace", False),
    ("", "v1", "nodes", "Node", False),
    ("", "v1", "persistentvolumes", "PersistentVolume", False),
    ("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", True),
    ("", "v1", "services", "Service", True),
    ("", "v1", "configmaps", "ConfigMap", True),
    ("", "v1", "secrets", "Secret", True),
    ("apps", "v1", "statefulsets", "StatefulSet", True),
    ("batch", "v1", "cronjobs", "CronJob", True),
    ("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", True),
    ("storage.k8s.io", "v1", "storageclasses", "StorageClass", False),
    ("snapshot.storage.k8s.io", "v1", "volumesnapshots", "VolumeSnapshot", True),
    # Kinds outside Ballast's catalog's in-scope set, and CRD groups, for reading "every kind git holds".
    ("apps", "v1", "deployments", "Deployment", True),
    ("", "v1", "serviceaccounts", "ServiceAccount", True),
    ("autoscaling", "v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler", True),
    ("autoscaling", "v1", "horizontalpodautoscalers", "HorizontalPodAutoscaler", True),
    ("velero.io", "v1", "schedules", "Schedule", True),
    ("velero.io", "v1", "backups", "Backup", True),
    ("monitoring.coreos.com", "v1", "prometheusrules", "PrometheusRule", True),
    ("monitoring.coreos.com", "v1", "servicemonitors", "ServiceMonitor", True),
    ("monitoring.coreos.com", "v1", "podmonitors", "PodMonitor", True),
    ("rbac.authorization.k8s.io", "v1", "roles", "Role", True),
    ("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", True),
    ("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", True),
    # An operator whose kinds live in different versions: Widget in its preferred v1, Gadget only in v1alpha1.
    ("ops.example.com", "v1", "widgets", "Widget", True),
    ("ops.example.com", "v1alpha1", "widgets", "Widget", True),
    ("ops.example.com", "v1alpha1", "gadgets", "Gadget", False),
]
# The version a group prefers when it serves several (the real server lists it first).
PREFERRED = {"autoscaling": "v2", "ops.example.com": "v1"}
# Subresources listed after their resource, as the real server does (their kind is often the parent's).
SUBRESOURCES = {"statefulsets": ["status", "scale"], "deployments": ["status", "scale"],
                "horizontalpodautoscalers": ["status"], "widgets": ["status"]}
VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.tokens = {}            # bearer token -> user
        self.deny = {}              # user -> ["list statefulsets.apps", "get nodes/proxy", ...]
        self.items = {}             # (group, plural) -> sorted [(key, namespace, json bytes)]
        self.served_groups = set()  # groups with at least one resource served
        self.disabled = set()       # (group, plural) not served at all
        self.stats = {}             # node -> bytes
        self.rv = 1000
        self.expire_before = 0      # continue tokens with rv < this are expired
        self.expire_with_token = True
        self.expire_always = False  # every continue token is expired on arrival
        self.faults = []            # [{"path": p, "type": t, "when": "continue"|None, ...}]
        self.requests = []          # [{"path", "query", "user", "auth", "accept"}]
        self.bytes_sent = 0         # response body bytes of API requests (control calls excluded)
        self.connections = 0

    def load_snapshot(self, directory):
        meta = json.load(open(os.path.join(directory, "snapshot.json")))
        for entry in meta["lists"]:
            data = json.load(open(os.path.join(directory, entry["file"])))
            group = entry["apiVersion"].rpartition("/")[0]
            plural = next(r[2] for r in RESOURCES if r[0] == group and r[3] == entry["kind"])
            self.put(group, plural, data["items"])
        stats_dir = os.path.join(directory, "stats")
        if os.path.isdir(stats_dir):
            for name in os.listdir(stats_dir):
                if name.endswith(".json"):
                    self.stats[name[:-5]] = open(os.path.join(stats_dir, name), "rb").read()
        if self.stats and ("", "nodes") not in self.items:
            self.put("", "nodes", [{"metadata": {"name": n, "uid": "node-" + n, "resourceVersion": "1"}}
                                   for n in sorted(self.stats)])
        if meta.get("resourceVersion"):
            self.rv = int(meta["resourceVersion"])

    def put(self, group, plural, items):
        rows = []
        for item in items:
            md = item.get("metadata", {})
            ns = md.get("namespace", "")
            key = (ns + "/" if ns else "") + md.get("name", "")
            rows.append((key, ns, json.dumps(item, separators=(",", ":")).encode()))
        rows.sort(key=lambda r: r[0])
        self.items[(group, plural)] = rows

    def generate(self, spec):
        for part in spec.split(","):
            plural, n = part.split("=")
            n = int(n)
            self.put(*generated(plural, n))


def generated(plural, n):
    """Synthetic objects of realistic size for the benchmark."""
    items = []
    for i in range(n):
        ns = "ns-%03d" % (i % 100)
        name = "obj-%06d" % i
        md = {"name": name, "uid": "6c0f1d2e-8a4b-4a43-9d1e-%012d" % i, "resourceVersion": str(100000 + i),
              "creationTimestamp": "2026-03-01T10:00:00Z", "labels": {"app.kubernetes.io/name": name}}
        if plural == "statefulsets":
            md["namespace"] = ns
            md["generation"] = 3
            md["managedFields"] = [{"manager": "argocd-controller", "operation": "Apply", "apiVersion": "apps/v1",
                                    "time": "2026-03-01T10:00:00Z", "fieldsType": "FieldsV1",
                                    "fieldsV1": {"f:spec": {"f:replicas": {}, "f:template": {}}}}]
            items.append({"metadata": md, "spec": {
                "replicas": 3, "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
                "template": {"metadata": {"labels": {"app.kubernetes.io/name": name}}, "spec": {
                    "containers": [{"name": "db", "image": "postgres:17.2", "resources": {"requests": {"cpu": "500m", "memory": "1Gi"}},
                                    "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
                                    "imagePullPolicy": "IfNotPresent",
                                    "volumeMounts": [{"name": "data", "mountPath": "/var/lib/postgresql/data"}]}],
                    "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
                    "securityContext": {}, "schedulerName": "default-scheduler"}},
                "volumeClaimTemplates": [{"kind": "PersistentVolumeClaim", "apiVersion": "v1", "metadata": {"name": "data"},
                                          "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "fast-ssd",
                                                   "resources": {"requests": {"storage": "20Gi"}}, "volumeMode": "Filesystem"},
                                          "status": {"phase": "Pending"}}],
                "serviceName": name, "podManagementPolicy": "OrderedReady",
                "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}, "revisionHistoryLimit": 10,
                "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"}},
                "status": {"observedGeneration": 3, "replicas": 3, "readyReplicas": 3, "currentReplicas": 3,
                           "updatedReplicas": 3, "currentRevision": name + "-7d9f8c6b5d",
                           "updateRevision": name + "-7d9f8c6b5d", "collisionCount": 0, "availableReplicas": 3}})
        elif plural == "persistentvolumeclaims":
            md["namespace"] = ns
            md["annotations"] = {"pv.kubernetes.io/bind-completed": "yes", "volume.kubernetes.io/storage-provisioner": "pd.csi.storage.gke.io"}
            md["finalizers"] = ["kubernetes.io/pvc-protection"]
            items.append({"metadata": md, "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "20Gi"}},
                                                   "volumeName": "pvc-%012d" % i, "storageClassName": "fast-ssd", "volumeMode": "Filesystem"},
                          "status": {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "20Gi"}}})
        elif plural == "persistentvolumes":
            md["name"] = "pvc-%012d" % i
            md["finalizers"] = ["kubernetes.io/pv-protection"]
            items.append({"metadata": md, "spec": {
                "capacity": {"storage": "20Gi"}, "csi": {"driver": "pd.csi.storage.gke.io", "fsType": "ext4",
                                                          "volumeHandle": "projects/p/zones/z/disks/pvc-%012d" % i},
                "accessModes": ["ReadWriteOnce"], "claimRef": {"kind": "PersistentVolumeClaim", "namespace": ns, "name": name,
                                                               "apiVersion": "v1", "uid": md["uid"], "resourceVersion": "1"},
                "persistentVolumeReclaimPolicy": "Retain", "storageClassName": "fast-ssd", "volumeMode": "Filesystem"},
                "status": {"phase": "Bound"}})
        else:
            raise SystemExit("cannot generate " + plural)
    group = next(r[0] for r in RESOURCES if r[2] == plural)
    return group, plural, items


def fleet(n):
    """N StatefulSets with 3 bound PVCs and 3 PVs each, made by substituting names into JSON templates (10,000
    StatefulSets, 30,000 PVCs and 30,000 PVs in about a second): {ns}, {name}, {i}, {uid}, {pv}, {pvc}."""
    sts_t = json.dumps(generated("statefulsets", 1)[2][0], separators=(",", ":"))
    sts_t = sts_t.replace("ns-000", "{ns}").replace("obj-000000", "{name}").replace("%012d" % 0, "{uid}")
    pvc_t = json.dumps({"metadata": {
        "name": "{pvc}", "namespace": "{ns}", "uid": "0b7c1d2e-8a4b-4a43-9d1e-{uid}", "resourceVersion": "2{uid}",
        "creationTimestamp": "2026-03-01T10:00:00Z", "labels": {"app.kubernetes.io/name": "{name}"},
        "annotations": {"pv.kubernetes.io/bind-completed": "yes", "pv.kubernetes.io/bound-by-controller": "yes",
                        "volume.kubernetes.io/storage-provisioner": "pd.csi.storage.gke.io"},
        "finalizers": ["kubernetes.io/pvc-protection"]},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "20Gi"}}, "volumeName": "{pv}",
                 "storageClassName": "fast-ssd", "volumeMode": "Filesystem"},
        "status": {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "20Gi"}}}, separators=(",", ":"))
    pv_t = json.dumps({"metadata": {
        "name": "{pv}", "uid": "1c8d2e3f-8a4b-4a43-9d1e-{uid}", "resourceVersion": "3{uid}",
        "creationTimestamp": "2026-03-01T10:00:00Z", "finalizers": ["kubernetes.io/pv-protection"],
        "annotations": {"pv.kubernetes.io/provisioned-by": "pd.csi.storage.gke.io"}},
        "spec": {"capacity": {"storage": "20Gi"}, "csi": {"driver": "pd.csi.storage.gke.io", "fsType": "ext4",
                                                          "volumeHandle": "projects/p/zones/z/disks/{pv}"},
                 "accessModes": ["ReadWriteOnce"], "claimRef": {"kind": "PersistentVolumeClaim", "namespace": "{ns}",
                                                                "name": "{pvc}", "apiVersion": "v1",
                                                                "uid": "0b7c1d2e-8a4b-4a43-9d1e-{uid}"},
                 "persistentVolumeReclaimPolicy": "Retain", "storageClassName": "fast-ssd", "volumeMode": "Filesystem"},
        "status": {"phase": "Bound"}}, separators=(",", ":"))
    svc_t = json.dumps({"metadata": {"name": "{name}", "namespace": "{ns}", "uid": "2d9e3f40-8a4b-4a43-9d1e-{uid}",
                                     "resourceVersion": "4{uid}", "creationTimestamp": "2026-03-01T10:00:00Z"},
                        "spec": {"clusterIP": "None", "clusterIPs": ["None"], "selector": {"app.kubernetes.io/name": "{name}"},
                                 "ports": [{"name": "db", "port": 5432, "protocol": "TCP", "targetPort": 5432}],
                                 "type": "ClusterIP", "sessionAffinity": "None", "ipFamilies": ["IPv4"],
                                 "ipFamilyPolicy": "SingleStack", "internalTrafficPolicy": "Cluster"},
                        "status": {"loadBalancer": {}}}, separators=(",", ":"))

    def fill(template, **values):
        out = template
        for k, v in values.items():
            out = out.replace("{" + k + "}", v)
        return out

    rows = {"statefulsets": [], "persistentvolumeclaims": [], "persistentvolumes": [], "services": []}
    for i in range(n):
        ns, name = "ns-%03d" % (i % 100), "sts-%06d" % i
        rows["statefulsets"].append((ns + "/" + name, ns, fill(sts_t, ns=ns, name=name, uid="%012d" % i).encode()))
        rows["services"].append((ns + "/" + name, ns, fill(svc_t, ns=ns, name=name, uid="%012d" % i).encode()))
        for r in range(3):
            k = i * 3 + r
            pvc, pv = "data-%s-%d" % (name, r), "pvc-%012d" % k
            values = dict(ns=ns, name=name, pvc=pvc, pv=pv, uid="%012d" % k)
            rows["persistentvolumeclaims"].append((ns + "/" + pvc, ns, fill(pvc_t, **values).encode()))
            rows["persistentvolumes"].append((pv, "", fill(pv_t, **values).encode()))
    namespaces = sorted({"ns-%03d" % (i % 100) for i in range(n)})
    rows["namespaces"] = [(ns, "", json.dumps({"metadata": {"name": ns, "uid": "ns-" + ns, "resourceVersion": "1"},
                                               "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}},
                                              separators=(",", ":")).encode()) for ns in namespaces]
    for plural, items in rows.items():
        items.sort(key=lambda r: r[0])
        STATE.items[("apps" if plural == "statefulsets" else "", plural)] = items


def write_snapshot(directory):
    """The served state as a snapshot directory (the layout `ballast snapshot` writes)."""
    os.makedirs(directory, mode=0o700, exist_ok=True)
    lists = []
    for (group, plural), rows in sorted(STATE.items.items()):
        res = next(r for r in RESOURCES if r[0] == group and r[2] == plural)
        gv = f"{group}/{res[1]}" if group else res[1]
        name = (f"{plural}.{group}" if group else plural) + ".json"
        with open(os.open(os.path.join(directory, name), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as f:
            f.write(b'{"kind":"' + res[3].encode() + b'List","apiVersion":"' + gv.encode()
                    + b'","metadata":{"resourceVersion":"' + str(STATE.rv).encode() + b'"},"items":[\n'
                    + b",\n".join(r[2] for r in rows) + b"\n]}\n")
        lists.append({"kind": res[3], "apiVersion": gv, "file": name, "count": len(rows), "resourceVersion": str(STATE.rv)})
    meta = {"apiVersion": "ballast.dev/v1alpha1", "kind": "ClusterSnapshot", "serverVersion": "v1.32.4",
            "readAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "complete": True, "lists": lists,
            "incomplete": [], "notes": []}
    with open(os.open(os.path.join(directory, "snapshot.json"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
        json.dump(meta, f, indent=1)


def write_repo(directory):
    """GitOps manifests for the fleet's StatefulSets, headless Services and Namespaces: one file per namespace."""
    os.makedirs(directory, exist_ok=True)
    by_ns = {}
    for key, ns, raw in STATE.items.get(("apps", "statefulsets"), []):
        by_ns.setdefault(ns, []).append(json.loads(raw)["metadata"]["name"])
    for ns, names in sorted(by_ns.items()):
        docs = ["apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n" % ns]
        for name in names:
            docs.append(REPO_STS % {"ns": ns, "name": name})
        with open(os.path.join(directory, ns + ".yaml"), "w") as f:
            f.write("---\n".join(docs))


REPO_STS = """apiVersion: v1
kind: Service
metadata:
  name: %(name)s
  namespace: %(ns)s
spec:
  clusterIP: None
  selector:
    app.kubernetes.io/name: %(name)s
  ports:
  - name: db
    port: 5432
    targetPort: 5432
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: %(name)s
  namespace: %(ns)s
  labels:
    app.kubernetes.io/name: %(name)s
spec:
  replicas: 3
  serviceName: %(name)s
  selector:
    matchLabels:
      app.kubernetes.io/name: %(name)s
  template:
    metadata:
      labels:
        app.kubernetes.io/name: %(name)s
    spec:
      containers:
      - name: db
        image: postgres:17.2
        resources:
          requests:
            cpu: 500m
            memory: 1Gi
        volumeMounts:
        - name: data
          mountPath: /var/lib/postgresql/data
  volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      accessModes: ["ReadWriteOnce"]
      storageClassName: fast-ssd
      resources:
        requests:
          storage: 20Gi
  persistentVolumeClaimRetentionPolicy:
    whenDeleted: Retain
    whenScaled: Retain
"""


STATE = State()


def status_body(code, reason, message, details=None, cont=None):
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {"continue": cont} if cont else {},
            "status": "Failure", "message": message, "reason": reason}
    if details is not None:
        body["details"] = details
    body["code"] = code
    return json.dumps(body, separators=(",", ":")).encode()


# The columns `kubectl get` prints, as the server's Table conversion makes them (kubernetes
# pkg/printers/internalversion/printers.go); kinds without their own columns get Name and Created At.
PV_COLUMNS = [("Name", "string", "name"), ("Capacity", "string", ""), ("Access Modes", "string", ""),
              ("Reclaim Policy", "string", ""), ("Status", "string", ""), ("Claim", "string", ""),
              ("StorageClass", "string", ""), ("VolumeAttributesClass", "string", ""), ("Reason", "string", ""),
              ("Age", "string", ""), ("VolumeMode", "string", "")]
MODES = {"ReadWriteOnce": "RWO", "ReadOnlyMany": "ROX", "ReadWriteMany": "RWX", "ReadWriteOncePod": "RWOP"}


def table_body(res, page, meta, include_object):
    """A meta.k8s.io/v1 Table of one list page (Accept: application/json;as=Table;v=v1;g=meta.k8s.io)."""
    plural = res[2]
    columns = PV_COLUMNS if plural == "persistentvolumes" else [("Name", "string", "name"), ("Created At", "date", "")]
    rows = []
    for _, _, raw in page:
        obj = json.loads(raw)
        md, spec, status = obj.get("metadata", {}), obj.get("spec", {}), obj.get("status", {})
        if plural == "persistentvolumes":
            claim = spec.get("claimRef")
            phase = "Terminating" if md.get("deletionTimestamp") else status.get("phase", "")
            cells = [md.get("name", ""), spec.get("capacity", {}).get("storage", ""),
                     ",".join(MODES.get(m, m) for m in spec.get("accessModes", [])),
                     spec.get("persistentVolumeReclaimPolicy", ""), phase,
                     (claim.get("namespace", "") + "/" + claim.get("name", "")) if claim else "",
                     spec.get("storageClassName", ""), spec.get("volumeAttributesClassName", "<unset>"),
                     status.get("reason", ""), "270d", spec.get("volumeMode", "<unset>")]
        else:
            cells = [md.get("name", ""), md.get("creationTimestamp", "")]
        row = {"cells": cells, "object": None}
        if include_object != "None":
            row["object"] = {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": md}
        rows.append(row)
    table = {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": meta,
             "columnDefinitions": [{"name": n, "type": t, "format": f, "description": n, "priority": 0} for n, t, f in columns],
             "rows": rows}
    return json.dumps(table, separators=(",", ":")).encode()


def make_token(rv, start):
    raw = json.dumps({"v": "meta.k8s.io/v1", "rv": rv, "start": start}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def read_token(token):
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    data = json.loads(raw)
    if data.get("v") != "meta.k8s.io/v1" or not data.get("start", "").endswith("\u0000"):
        raise ValueError("bad token")
    return int(data["rv"]), data["start"]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "standin"
    sys_version = ""

    def log_message(self, *args):
        pass

    def send(self, code, body, ctype="application/json", headers=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Audit-Id", "00000000-0000-0000-0000-%012d" % len(STATE.requests))
        for k, v in list(headers) + getattr(self, "extra_headers", []):
            self.send_header(k, v)
        self.end_headers()
        if not self.path.startswith("/_control/"):
            with STATE.lock:
                STATE.bytes_sent += len(body)
        self.wfile.write(body)

    def user(self):
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            with STATE.lock:
                return STATE.tokens.get(auth[7:]), "bearer"
        if auth.startswith("Basic "):
            return None, "basic"
        try:
            cert = self.connection.getpeercert()
        except (AttributeError, ValueError):
            cert = None
        if cert:
            for rdn in cert.get("subject", ()):
                for k, v in rdn:
                    if k == "commonName":
                        return v, "cert"
        return None, "none"

    def do_GET(self):
        self.extra_headers = []
        url = urlsplit(self.path)
        path, query = url.path, parse_qs(url.query)
        if path.startswith("/_control/"):
            return self.control(path, query)
        user, auth = self.user()
        with STATE.lock:
            STATE.requests.append({"path": path, "query": url.query, "user": user, "auth": auth,
                                   "accept": self.headers.get("Accept", ""), "agent": self.headers.get("User-Agent", "")})
            fault = None
            for i, f in enumerate(STATE.faults):
                when = f.get("when")
                if f["path"] == path and (when is None or (when == "continue" and "continue" in query)
                                          or (when == "full" and "limit" not in query)):
                    # "times": answer that many requests (-1: every one) instead of one.
                    times = f.get("times", 1)
                    if times == 1:
                        fault = STATE.faults.pop(i)
                    else:
                        fault = f
                        if times > 1:
                            f["times"] = times - 1
                    break
        if fault and self.apply_fault(fault):
            return
        if auth == "none" or user is None:
            return self.send(401, status_body(401, "Unauthorized", "Unauthorized"))
        self.route(path, query, user)

    def apply_fault(self, f):
        """Returns True when the fault answered the request."""
        t = f["type"]
        self.extra_headers = []
        if t == "warning":         # a Warning header on an otherwise normal response
            self.extra_headers = [("Warning", '299 - "%s"' % f["text"])]
            return False
        if t == "status":
            headers = [("Retry-After", str(f["retryAfter"]))] if "retryAfter" in f else []
            if f.get("text"):
                return self.send(f["code"], (f.get("body", "Too many requests, please try again later.") + "\n").encode(),
                                 "text/plain; charset=utf-8", headers) or True
            reason = {429: "TooManyRequests", 500: "InternalError", 503: "ServiceUnavailable", 504: "Timeout"}.get(f["code"], "Unknown")
            return self.send(f["code"], status_body(f["code"], reason, f.get("message", "injected failure")), headers=headers) or True
        if t == "drop":            # close without a response: CURLE 52
            self.close_connection = True
            return True
        if t == "cut":             # promise a body, send half, close: CURLE 18
            body = b'{"kind":"StatefulSetList","apiVersion":"apps/v1","metadata":{},"items":[]}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body) * 2))
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
            self.close_connection = True
            return True
        if t == "slow":            # delay before the status line
            time.sleep(f.get("delay", 2))
            return False
        if t == "trickle":         # headers, then a byte every few seconds
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.flush()
            try:
                for _ in range(5):
                    time.sleep(f.get("interval", 3))
                    self.wfile.write(b" ")
                    self.wfile.flush()
            except OSError:
                pass
            self.close_connection = True
            return True
        if t == "truncate":        # a complete HTTP response whose JSON is cut short
            return self.send(200, b'{"kind":"StatefulSetList","apiVersion":"apps/v1","metadata":{"resourceVersion":"1"},"items":[{"metadata":{"na') or True
        if t == "garbage":
            return self.send(200, b"<html><body>login required</body></html>", "text/html") or True
        if t == "expire":          # 410 for this continue request
            return self.send(410, status_body(410, "Expired", "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.")) or True
        return False

    def denied(self, user, verb, resource):
        with STATE.lock:
            return f"{verb} {resource}" in STATE.deny.get(user, [])

    def forbidden(self, user, verb, plural, group, namespace, name=None):
        resource = plural if not group else f"{plural}.{group}"
        subject = f'{resource} "{name}"' if name else resource
        where = f'in the namespace "{namespace}"' if namespace else "at the cluster scope"
        msg = f'{subject} is forbidden: User "{user}" cannot {verb} resource "{plural}" in API group "{group}" {where}'
        details = {"group": group, "kind": plural} if group else {"kind": plural}
        if name:
            details["name"] = name
        return self.send(403, status_body(403, "Forbidden", msg, details))

    def route(self, path, query, user):
        parts = [p for p in path.split("/") if p]
        if path == "/version":
            return self.send(200, json.dumps({"major": "1", "minor": "32", "gitVersion": "v1.32.4", "platform": "linux/amd64"}).encode())
        if path == "/api":
            return self.send(200, json.dumps({"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [
                {"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"}]}).encode())
        if path == "/apis":
            groups = []
            for g in sorted({r[0] for r in RESOURCES if r[0] and (r[0], r[2]) not in STATE.disabled}):
                versions = sorted({r[1] for r in RESOURCES if r[0] == g}, key=lambda v: (v != PREFERRED.get(g, v), v))
                gvs = [{"groupVersion": f"{g}/{v}", "version": v} for v in versions]
                groups.append({"name": g, "versions": gvs, "preferredVersion": gvs[0]})
            return self.send(200, json.dumps({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}).encode())
        if parts[:2] == ["api", "v1"]:
            group, version, rest = "", "v1", parts[2:]
        elif len(parts) >= 3 and parts[0] == "apis":
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            return self.send(404, b"404 page not found\n", "text/plain; charset=utf-8")
        served = [r for r in RESOURCES if r[0] == group and r[1] == version and (r[0], r[2]) not in STATE.disabled]
        if not served:
            return self.send(404, b"404 page not found\n", "text/plain; charset=utf-8")
        if not rest:
            gv = f"{group}/{version}" if group else version
            res = []
            for r in served:
                res.append({"name": r[2], "singularName": r[3].lower(), "namespaced": r[4], "kind": r[3], "verbs": VERBS})
                for sub in SUBRESOURCES.get(r[2], []):
                    res.append({"name": f"{r[2]}/{sub}", "singularName": "", "namespaced": r[4],
                                "kind": "Scale" if sub == "scale" else r[3], "verbs": ["get", "patch", "update"]})
            return self.send(200, json.dumps({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": res}).encode())
        namespace = None
        if rest[0] == "namespaces" and len(rest) >= 3:
            namespace, rest = rest[1], rest[2:]
        if group == "" and rest[0] == "nodes" and len(rest) >= 4 and rest[2] == "proxy":
            node = rest[1]
            if self.denied(user, "get", "nodes/proxy"):
                return self.forbidden(user, "get", "nodes/proxy", "", None, node)
            if "/".join(rest[3:]) != "stats/summary" or node not in STATE.stats:
                return self.send(503, status_body(503, "ServiceUnavailable", f"error trying to reach service: dial tcp 192.0.2.12:10250: i/o timeout"))
            return self.send(200, STATE.stats[node])
        res = next((r for r in served if r[2] == rest[0]), None)
        if res is None or len(rest) not in (1, 2):
            return self.send(404, status_body(404, "NotFound", "the server could not find the requested resource", {}))
        resource = res[2] if not group else f"{res[2]}.{group}"
        if len(rest) == 2:
            return self.get_one(res, namespace, rest[1], user)
        if self.denied(user, "list", resource) or (namespace is None and res[4] and self.denied(user, "list", resource + " cluster")):
            return self.forbidden(user, "list", res[2], group, namespace)
        return self.list(res, namespace, query)

    def list(self, res, namespace, query):
        group, version, plural, kind, _ = res
        rows = STATE.items.get((group, plural), [])
        if namespace is not None:
            rows = [r for r in rows if r[1] == namespace]
        limit = int(query.get("limit", ["0"])[0] or 0)
        rv_param = query.get("resourceVersion", [""])[0]
        cont = query.get("continue", [""])[0]
        if cont and rv_param not in ("", "0"):
            return self.send(400, status_body(400, "BadRequest", "specifying resource version is not allowed when using continue"))
        rv = STATE.rv
        start_key = ""
        if cont:
            try:
                rv, start_key = read_token(cont)
            except Exception as e:
                return self.send(400, status_body(400, "BadRequest", f"invalid continue token: {e}"))
            if rv < STATE.expire_before or STATE.expire_always:
                if STATE.expire_with_token:
                    return self.send(410, status_body(410, "Expired", "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.", cont=make_token(-1, start_key)))
                return self.send(410, status_body(410, "Expired", "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter."))
        if rv_param == "0":
            limit = 0   # the watch cache ignores limit for rv=0
        begin = 0
        if start_key:
            while begin < len(rows) and rows[begin][0] < start_key:
                begin += 1
        page = rows[begin:begin + limit] if limit > 0 else rows[begin:]
        meta = {"resourceVersion": str(rv)}
        if limit > 0 and begin + limit < len(rows):
            meta["continue"] = make_token(rv, page[-1][0] + "\u0000")
            meta["remainingItemCount"] = len(rows) - begin - limit
        gv = f"{group}/{version}" if group else version
        if "as=Table" in self.headers.get("Accept", ""):
            return self.send(200, table_body(res, page, meta, query.get("includeObject", ["Metadata"])[0]))
        body = (b'{"kind":"' + kind.encode() + b'List","apiVersion":"' + gv.encode() + b'","metadata":'
                + json.dumps(meta, separators=(",", ":")).encode() + b',"items":[' + b",".join(r[2] for r in page) + b"]}")
        return self.send(200, body)

    def get_one(self, res, namespace, name, user):
        """GET of one object (`kubectl get pv NAME`): the object with its apiVersion and kind, or 404 NotFound."""
        group, version, plural, kind, namespaced = res
        resource = plural if not group else f"{plural}.{group}"
        if self.denied(user, "get", resource):
            return self.forbidden(user, "get", plural, group, namespace, name)
        key = (namespace + "/" if namespaced and namespace else "") + name
        row = next((r for r in STATE.items.get((group, plural), []) if r[0] == key), None)
        if row is None:
            return self.send(404, status_body(404, "NotFound", f'{resource} "{name}" not found',
                                              {"name": name, "group": group, "kind": plural}))
        gv = f"{group}/{version}" if group else version
        return self.send(200, b'{"kind":"' + kind.encode() + b'","apiVersion":"' + gv.encode() + b'",' + row[2][1:])

    # --- control plane (tests only): GET /_control/NAME?data=<json> ---
    def control(self, path, query):
        data = json.loads(query.get("data", ["{}"])[0])
        with STATE.lock:
            if path == "/_control/stats":
                return self.send(200, json.dumps({"requests": STATE.requests, "connections": STATE.connections,
                                                  "bytes": STATE.bytes_sent}).encode())
            if path == "/_control/faults":
                STATE.faults.extend(data["faults"])
            elif path == "/_control/tokens":
                STATE.tokens = data["tokens"]
            elif path == "/_control/deny":
                STATE.deny = data["deny"]
            elif path == "/_control/expire":
                STATE.rv += 1
                STATE.expire_before = STATE.rv
                STATE.expire_with_token = data.get("withToken", True)
                STATE.expire_always = data.get("always", False)
            elif path == "/_control/disable":
                STATE.disabled = {(d["group"], d["plural"]) for d in data["resources"]}
            elif path == "/_control/put":      # replace the objects of one resource: {group, plural, items}
                STATE.put(data["group"], data["plural"], data["items"])
            elif path == "/_control/reset":
                STATE.requests = []
                STATE.connections = 0
                STATE.bytes_sent = 0
            else:
                return self.send(404, b"no such control\n", "text/plain")
        return self.send(200, b"{}")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    context = None

    def finish_request(self, request, client_address):
        with STATE.lock:
            STATE.connections += 1
        if self.context is not None:
            try:
                request = self.context.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                return   # the client refused our certificate, or spoke no TLS
        try:
            self.RequestHandlerClass(request, client_address, self)
        except (ConnectionError, ssl.SSLError, OSError):
            pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--snapshot")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--client-ca")
    ap.add_argument("--http", action="store_true")
    ap.add_argument("--token", action="append", default=[])
    ap.add_argument("--generate")
    ap.add_argument("--fleet", type=int)
    ap.add_argument("--write-snapshot")
    ap.add_argument("--write-repo")
    ap.add_argument("--no-serve", action="store_true")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--exit-with-stdin", action="store_true")
    args = ap.parse_args()
    for t in args.token:
        token, _, user = t.partition("=")
        STATE.tokens[token] = user
    if args.snapshot:
        STATE.load_snapshot(args.snapshot)
    if args.generate:
        STATE.generate(args.generate)
    if args.fleet:
        fleet(args.fleet)
    if args.write_snapshot:
        write_snapshot(args.write_snapshot)
    if args.write_repo:
        write_repo(args.write_repo)
    if args.no_serve:
        return
    server = Server(("127.0.0.1", args.port), Handler)
    if not args.http:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)
        if args.client_ca:
            ctx.load_verify_locations(args.client_ca)
            ctx.verify_mode = ssl.CERT_OPTIONAL
        server.context = ctx
    if args.exit_with_stdin:
        # The test process holds our stdin: when it dies (even killed), we go too.
        threading.Thread(target=lambda: (sys.stdin.buffer.read(), os._exit(0)), daemon=True).start()
    print("PORT", server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""A snapshot directory (the layout `ballast snapshot` writes) of a live cluster consistent with a corpus.

    ci/corpus-snapshot.py CORPUS OUT

Used by ci/bench for `ballast check --snapshot OUT CORPUS`. Every object of CORPUS (every *.yaml/*.yml below it,
.git skipped) is live, with what the API server adds: uid, resourceVersion, creationTimestamp, generation, and a
status (StatefulSets ready and rolled out, CronJobs with a recent success, claims Bound). Each StatefulSet's
volumeClaimTemplates have their claims (one per ordinal) and every claim a bound PersistentVolume whose reclaim
policy is its class's. So `check` compares every object of the corpus with a live one, and lists the VCT claims
and PVs besides. Deterministic apart from the read time (readAt, and the CronJobs' last success one hour before).
Streams: items are written as they are read, so memory stays small at 50,000 apps (needs PyYAML with libyaml).
"""
import datetime
import hashlib
import json
import os
import sys

import yaml

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# (kind, apiVersion, file): the in-scope kinds of KindCatalog (Secrets never), and HPAs (replicas delegated).
KINDS = [("Namespace", "v1", "namespaces"), ("ConfigMap", "v1", "configmaps"), ("Service", "v1", "services"),
         ("PersistentVolumeClaim", "v1", "persistentvolumeclaims"), ("PersistentVolume", "v1", "persistentvolumes"),
         ("StatefulSet", "apps/v1", "statefulsets.apps"), ("CronJob", "batch/v1", "cronjobs.batch"),
         ("PodDisruptionBudget", "policy/v1", "poddisruptionbudgets.policy"),
         ("StorageClass", "storage.k8s.io/v1", "storageclasses.storage.k8s.io"),
         ("HorizontalPodAutoscaler", "autoscaling/v2", "horizontalpodautoscalers.autoscaling")]
FILES = {kind: name for kind, _, name in KINDS}
CREATED = "2026-03-01T10:00:00Z"


def uid(*parts):
    h = hashlib.sha1("/".join(parts).encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-8{h[17:20]}-{h[20:32]}"


class Lists:
    """One open list file per kind; items appended as they come."""

    def __init__(self, out):
        self.out, self.files, self.counts, self.rv = out, {}, {}, 1000

    def add(self, kind, item):
        if kind not in self.files:
            path = os.path.join(self.out, FILES[kind] + ".json")
            self.files[kind] = open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w")
            self.counts[kind] = 0
        f = self.files[kind]
        f.write("\n" if self.counts[kind] == 0 else ",\n")
        f.write(json.dumps(item, separators=(",", ":")))
        self.counts[kind] += 1

    def next_rv(self):
        self.rv += 1
        return str(self.rv)


def live(obj, lists, read_at, last_success):
    kind = obj.get("kind")
    if kind not in FILES:
        return None
    meta = obj.setdefault("metadata", {})
    ns = meta.get("namespace", "" if kind in ("Namespace", "PersistentVolume", "StorageClass") else "default")
    if ns:
        meta["namespace"] = ns
    meta["uid"] = uid(kind, ns, meta.get("name", ""))
    meta["resourceVersion"] = lists.next_rv()
    meta["creationTimestamp"] = CREATED
    spec = obj.get("spec") or {}
    if kind == "StatefulSet":
        meta["generation"] = 1
        replicas = spec.get("replicas", 1)
        obj["status"] = {"observedGeneration": 1, "replicas": replicas, "readyReplicas": replicas,
                         "currentReplicas": replicas, "updatedReplicas": replicas, "availableReplicas": replicas,
                         "currentRevision": meta["name"] + "-5d8f7c9b6", "updateRevision": meta["name"] + "-5d8f7c9b6",
                         "collisionCount": 0}
    elif kind == "CronJob":
        obj["status"] = {"lastScheduleTime": last_success, "lastSuccessfulTime": last_success}
    elif kind == "PersistentVolumeClaim":
        obj["status"] = {"phase": "Bound", "accessModes": spec.get("accessModes", ["ReadWriteOnce"]),
                         "capacity": {"storage": ((spec.get("resources") or {}).get("requests") or {}).get("storage", "1Gi")}}
    elif kind == "Namespace":
        obj["spec"] = {"finalizers": ["kubernetes"]}
        obj["status"] = {"phase": "Active"}
    elif kind == "PodDisruptionBudget":
        meta["generation"] = 1
        obj["status"] = {"observedGeneration": 1, "disruptionsAllowed": 1, "currentHealthy": 3, "desiredHealthy": 2,
                         "expectedPods": 3}
    return kind


def main():
    corpus, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, mode=0o700, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    read_at = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    last_success = (now - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    lists = Lists(out)
    classes = {}      # StorageClass name -> reclaimPolicy
    default_class = None
    claims = []       # (namespace, claim, class, size, accessModes, volumeMode): each gets a PV at the end
    for top, dirs, files in os.walk(corpus):
        dirs[:] = sorted(d for d in dirs if d != ".git")
        for name in sorted(files):
            if not name.endswith((".yaml", ".yml")):
                continue
            with open(os.path.join(top, name), "rb") as f:
                docs = list(yaml.load_all(f, Loader=Loader))
            for obj in docs:
                if not isinstance(obj, dict):
                    continue
                kind = live(obj, lists, read_at, last_success)
                if kind is None:
                    continue
                meta, spec = obj["metadata"], obj.get("spec") or {}
                if kind == "StorageClass":
                    classes[meta["name"]] = obj.get("reclaimPolicy", "Delete")
                    if (meta.get("annotations") or {}).get("storageclass.kubernetes.io/is-default-class") == "true":
                        default_class = meta["name"]
                if kind == "PersistentVolumeClaim":
                    pv = "pvc-" + meta["uid"]
                    spec["volumeName"] = pv
                    claims.append((meta["namespace"], meta["name"], spec.get("storageClassName"),
                                   obj["status"]["capacity"]["storage"], spec.get("accessModes", ["ReadWriteOnce"]),
                                   spec.get("volumeMode", "Filesystem")))
                if kind == "StatefulSet":
                    for vct in spec.get("volumeClaimTemplates") or []:
                        vspec = dict(vct.get("spec") or {})
                        for ordinal in range(spec.get("replicas", 1)):
                            claim = f"{vct['metadata']['name']}-{meta['name']}-{ordinal}"
                            cuid = uid("PersistentVolumeClaim", meta["namespace"], claim)
                            size = ((vspec.get("resources") or {}).get("requests") or {}).get("storage", "1Gi")
                            labels = dict((spec.get("selector") or {}).get("matchLabels") or {})
                            labels.update(vct["metadata"].get("labels") or {})
                            item = {"metadata": {"name": claim, "namespace": meta["namespace"], "uid": cuid,
                                                 "resourceVersion": lists.next_rv(), "creationTimestamp": CREATED,
                                                 "labels": labels,
                                                 "annotations": {"pv.kubernetes.io/bind-completed": "yes",
                                                                 "pv.kubernetes.io/bound-by-controller": "yes"},
                                                 "finalizers": ["kubernetes.io/pvc-protection"]},
                                    "spec": dict(vspec, volumeName="pvc-" + cuid,
                                                 volumeMode=vspec.get("volumeMode", "Filesystem")),
                                    "status": {"phase": "Bound", "accessModes": vspec.get("accessModes", ["ReadWriteOnce"]),
                                               "capacity": {"storage": size}}}
                            lists.add("PersistentVolumeClaim", item)
                            claims.append((meta["namespace"], claim, vspec.get("storageClassName"), size,
                                           vspec.get("accessModes", ["ReadWriteOnce"]), vspec.get("volumeMode", "Filesystem")))
                obj.pop("apiVersion", None)
                obj.pop("kind", None)
                lists.add(kind, obj)
    for ns, claim, cls, size, modes, mode in claims:
        cls = cls or default_class
        cuid = uid("PersistentVolumeClaim", ns, claim)
        pv = {"metadata": {"name": "pvc-" + cuid, "uid": uid("PersistentVolume", cuid), "resourceVersion": lists.next_rv(),
                           "creationTimestamp": CREATED, "finalizers": ["kubernetes.io/pv-protection"],
                           "annotations": {"pv.kubernetes.io/provisioned-by": "ebs.csi.aws.com"}},
              "spec": {"capacity": {"storage": size}, "accessModes": modes, "volumeMode": mode,
                       "csi": {"driver": "ebs.csi.aws.com", "fsType": "ext4", "volumeHandle": "vol-" + cuid[:17]},
                       "claimRef": {"kind": "PersistentVolumeClaim", "namespace": ns, "name": claim, "apiVersion": "v1",
                                    "uid": cuid},
                       "persistentVolumeReclaimPolicy": classes.get(cls, "Delete"), "storageClassName": cls or ""},
              "status": {"phase": "Bound"}}
        lists.add("PersistentVolume", pv)
    rv = str(lists.rv)
    records = []
    for kind, gv, name in KINDS:
        head = '{"kind":%s,"apiVersion":%s,"metadata":{"resourceVersion":%s},"items":[' % (
            json.dumps(kind + "List"), json.dumps(gv), json.dumps(rv))
        if kind in lists.files:
            lists.files[kind].close()
            path = os.path.join(out, name + ".json")
            with open(path) as f:
                body = f.read()
            with open(path, "w") as f:
                f.write(head + body + "\n]}\n")
        else:
            with open(os.open(os.path.join(out, name + ".json"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
                f.write(head + "]}\n")
        records.append({"kind": kind, "apiVersion": gv, "file": name + ".json", "count": lists.counts.get(kind, 0),
                        "resourceVersion": rv})
    meta = {"apiVersion": "ballast.dev/v1alpha1", "kind": "ClusterSnapshot", "serverVersion": "v1.32.4",
            "readAt": read_at, "complete": True, "resourceVersion": rv, "lists": records, "incomplete": [], "notes": []}
    with open(os.open(os.path.join(out, "snapshot.json"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
        json.dump(meta, f, indent=1)
    print("corpus-snapshot: " + ", ".join(f"{r['count']} {r['kind']}" for r in records if r["count"]), file=sys.stderr)


if __name__ == "__main__":
    main()

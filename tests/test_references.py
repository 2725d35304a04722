"""References between objects (kubelint.references and the rules using it):
when a dangling reference is reported, the did-you-mean, the namespace and
directory policy, and the `strict` option."""

from __future__ import annotations

from kubelint.config import Settings
from kubelint.engine import check
from kubelint.references import related_directories
from kubelint.sources import Source

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}{namespace}}}
spec:
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec: {{containers: [{{name: web, image: "nginx:1.27"}}]}}
"""
HPA = """\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {{name: web{namespace}}}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {target}}}
  maxReplicas: 5
"""


def _ns(namespace: str | None) -> str:
    return f", namespace: {namespace}" if namespace else ""


def deployment(name: str, namespace: str | None = None) -> str:
    return DEPLOYMENT.format(name=name, namespace=_ns(namespace))


def hpa(target: str, namespace: str | None = None) -> str:
    return HPA.format(target=target, namespace=_ns(namespace))


def messages(files: dict[str, str], **settings) -> list[str]:
    sources = [Source(name, text.encode()) for name, text in files.items()]
    settings.setdefault("select", ["hpa-target-unknown"])
    return [f"{f.file}:{f.line}: {f.message}" for f in check(sources, Settings(**settings)).findings]


def test_a_dangling_reference_names_the_nearest_existing_object():
    text = deployment("web-frontend") + "---\n" + hpa("web-fronted")
    assert messages({"app/all.yaml": text}) == [
        'app/all.yaml:14: HorizontalPodAutoscaler web: scaleTargetRef names Deployment "web-fronted", '
        'which the run does not define; did you mean "web-frontend"?'
    ]


def test_without_a_close_name_the_finding_lists_what_the_run_has():
    text = deployment("api") + "---\n" + deployment("db") + "---\n" + hpa("frontend")
    assert messages({"app/all.yaml": text}) == [
        "app/all.yaml:23: HorizontalPodAutoscaler web: scaleTargetRef names Deployment \"frontend\", "
        "which the run does not define (the run has 'api', 'db')"
    ]


def test_silent_when_the_run_has_nothing_of_that_kind_in_the_namespace_unless_strict():
    files = {"app/hpa.yaml": hpa("web", "shop"), "app/deploy.yaml": deployment("api", "web")}
    assert messages(files) == []
    strict = {"hpa-target-unknown": {"strict": True}}
    assert messages(files, rule_options=strict) == [
        'app/hpa.yaml:5: HorizontalPodAutoscaler shop/web: scaleTargetRef names Deployment "web", which the run does not define'
    ]


def test_a_match_in_any_namespace_it_may_share_clears_the_reference():
    # The Deployment names no namespace: it lands wherever it is applied.
    files = {"app/hpa.yaml": hpa("web", "shop"), "app/deploy.yaml": deployment("web")}
    assert messages(files, rule_options={"hpa-target-unknown": {"strict": True}}) == []


def test_objects_of_unrelated_directories_are_not_one_namespace():
    # Two applications checked in one run, neither naming a namespace.
    files = {"one/deploy.yaml": deployment("api"), "two/hpa.yaml": hpa("web")}
    assert messages(files) == []
    # The same files side by side are one application.
    files = {"one/deploy.yaml": deployment("api"), "one/hpa.yaml": hpa("web")}
    assert len(messages(files)) == 1
    # With the same namespace named, one directory tree is enough.
    files = {"app/deploy.yaml": deployment("api", "shop"), "app/autoscaling/hpa.yaml": hpa("web", "shop")}
    assert len(messages(files)) == 1
    files = {"one/deploy.yaml": deployment("api", "shop"), "two/hpa.yaml": hpa("web", "shop")}
    assert messages(files) == []


def test_related_directories():
    assert related_directories("app", "app")
    assert related_directories("app", "app/hpa")
    assert related_directories("app/hpa", "app")
    assert not related_directories("app", "apps")
    assert not related_directories("one", "two")


def test_service_account_default_always_exists_and_the_strict_option_reports_others():
    pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  serviceAccountName: %s\n  containers: [{name: web, image: \"nginx:1.27\"}]\n"
    strict = {"service-account-unknown": {"strict": True}}
    assert messages({"a.yaml": pod % "default"}, select=["service-account-unknown"], rule_options=strict) == []
    assert messages({"a.yaml": pod % "reader"}, select=["service-account-unknown"], rule_options=strict) == [
        'a.yaml:5: Pod web: ServiceAccount "reader" is not defined in the run: the pods will not be created'
    ]


def test_env_reference_to_a_secret_a_role_may_create_is_not_reported():
    secret = "apiVersion: v1\nkind: Secret\nmetadata: {name: web-secrets}\nstringData: {A: b}\n"
    pod = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n    - name: web\n"
        "      image: \"nginx:1.27\"\n      envFrom:\n        - secretRef: {name: redis-auth}\n"
    )
    role = (
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: init}\nrules:\n"
        "  - apiGroups: [\"\"]\n    resources: [secrets]\n    verbs: [create]\n"
    )
    select = ["env-reference-unknown"]
    assert len(messages({"app/a.yaml": secret + "---\n" + pod}, select=select)) == 1
    assert messages({"app/a.yaml": secret + "---\n" + pod + "---\n" + role}, select=select) == []

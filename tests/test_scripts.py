"""Remote applies in scripts, Makefiles, Dockerfiles, Markdown and CI
workflows: reported at the URL's exact line and column."""

from __future__ import annotations

import json

import pytest

from kubelint.sources.scripts import text_kind
from kubelint.sources.trust import host_trusted, parse_remote, url_trusted

WEAVE = "https://cloud.weave.works/k8s/net?k8s-version=$(kubectl version | base64 | tr -d '\\n')"


def found(run_cli, path, *args):
    code, out, err = run_cli("check", "--config", "/dev/null", "-f", "json", "--fail-on", "none", "--select", "remote", *args, path)
    assert code == 0, err
    return [(f["name"], f["line"], f["column"]) for f in json.loads(out)["findings"]]


def test_shell_script(run_cli, tmp_path):
    script = tmp_path / "install.sh"
    script.write_text(
        "#!/bin/sh\n"
        f'kubectl apply -n kube-system -f "{WEAVE}"\n'
        "kubectl apply \\\n"
        "   -f https://raw.githubusercontent.com/acme/deploy/main/all.yaml\n"
        "# kubectl apply -f https://commented.example/x.yaml\n"
        "curl -sSL http://get.example.com/x.yaml | kubectl apply -f -\n"
        "curl -sSL https://get.example.com/y.yaml -o y.yaml\n"
        "kubectl kustomize github.com/acme/deploy//dir?ref=v1 | kubectl apply -f -\n"
        "helm upgrade --install web chart --repo https://charts.example.com\n"
        "helm repo add bitnami https://charts.bitnami.com/bitnami\n"
        "kubectl apply -f ./local.yaml -f https://trusted.example/ok.yaml --filename=https://x.example/a.yaml\n"
        "kubectl apply -f $MANIFEST_URL -f https://$HOST/x.yaml\n"
        "kubectl get -f https://example.com/x.yaml\n"
    )
    assert found(run_cli, script, "--trusted-host", "trusted.example") == [
        ("remote-untrusted-host", 2, 34),
        ("remote-untrusted-host", 4, 7),
        ("remote-unpinned-ref", 4, 7),
        ("remote-untrusted-host", 6, 11),
        ("remote-insecure-transport", 6, 11),
        ("remote-untrusted-host", 8, 19),
        ("remote-untrusted-host", 9, 41),
        ("remote-untrusted-host", 10, 23),
        ("remote-untrusted-host", 11, 77),
    ]


def test_weave_message_names_host_and_command(run_cli, tmp_path):
    script = tmp_path / "setup.sh"
    script.write_text(f'kubectl apply -n kube-system -f "{WEAVE}"\n')
    code, out, err = run_cli("check", "--config", "/dev/null", "--select", "remote", script)
    assert code == 1
    assert out.splitlines()[0] == (
        f'{script}:1:34: error [remote-untrusted-host] `kubectl apply -f` installs from "cloud.weave.works", '
        f"which is not a trusted host: {WEAVE}"
    )


def test_makefile_dockerfile_markdown_workflow(run_cli, tmp_path):
    make = tmp_path / "Makefile"
    make.write_text("deploy:\n\tkubectl apply -f https://example.com/crds.yaml\n\t$(KUBECTL) apply -f https://example.com/x.yaml\n")
    docker = tmp_path / "Dockerfile"
    docker.write_text("FROM alpine\nRUN curl -fsSL https://example.com/x.yaml | kubectl create -f -\n")
    readme = tmp_path / "README.md"
    readme.write_text(
        "# Install\n\nRun `kubectl apply -f https://example.com/a.yaml` or:\n\n```sh\n"
        "$ kubectl apply -f \\\n    https://example.com/b.yaml\n```\n"
    )
    workflow = tmp_path / ".github" / "workflows" / "deploy.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(
        "on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: kubectl apply -f https://example.com/c.yaml\n"
        "      - run: |\n          helm repo add x http://charts.example.com\n"
    )
    assert found(run_cli, make) == [("remote-untrusted-host", 2, 19), ("remote-untrusted-host", 3, 22)]
    assert found(run_cli, docker) == [("remote-untrusted-host", 2, 16)]
    assert found(run_cli, readme) == [("remote-untrusted-host", 3, 23), ("remote-untrusted-host", 7, 5)]
    assert found(run_cli, workflow) == [
        ("remote-untrusted-host", 6, 31),
        ("remote-untrusted-host", 8, 27),
        ("remote-insecure-transport", 8, 27),
    ]
    assert found(run_cli, workflow, "--trusted-host", "*.example.com", "--trusted-host", "example.com") == [
        ("remote-insecure-transport", 8, 27),
    ]


def test_suppression_comment_in_a_script(run_cli, tmp_path):
    script = tmp_path / "ok.sh"
    script.write_text("# kubelint: ignore[remote-untrusted-host] reviewed, pinned below\nkubectl apply -f https://example.com/x.yaml\n")
    assert found(run_cli, script) == []


@pytest.mark.parametrize(
    "path, kind",
    [
        ("install.sh", "script"), ("deploy/Makefile", "script"), ("Dockerfile", "script"),
        ("build/Dockerfile.prod", "script"), ("docs/README.md", "markdown"),
        (".github/workflows/ci.yml", "workflow"), (".gitlab-ci.yml", "workflow"),
        ("deploy/app.yaml", None), ("kustomization.yaml", None),
    ],
)
def test_text_kind(path, kind):
    assert text_kind(path) == kind


@pytest.mark.parametrize(
    "url, trusted",
    [
        ("https://trusted.example/x.yaml", True),
        ("https://TRUSTED.Example/x.yaml", True),
        ("https://trusted.example:8443/x.yaml", True),
        ("https://trusted.example@evil.example/", False),
        ("https://user@trusted.example/", False),
        ("https://trusted.example.evil.example/", False),
        ("https://trusted.example./", False),
        ("https://eviltrusted.example/", False),
        ("https://93.184.216.34/", False),
        ("https://[::1]/", False),
        ("https://sub.wild.example/", True),
        ("https://a.b.wild.example/", True),
        ("https://wild.example/", False),
        ("https://bücher.example/", True),
    ],
)
def test_url_trusted(url, trusted):
    patterns = ["trusted.example", "*.wild.example", "xn--bcher-kva.example"]
    assert url_trusted(url, patterns) is trusted


def test_ip_patterns_match_exactly():
    assert host_trusted("127.0.0.1", ["127.0.0.1"])
    assert not host_trusted("127.0.0.2", ["127.0.0.1"])
    assert not host_trusted("127.0.0.1", ["*.0.0.1"])


@pytest.mark.parametrize(
    "text, host, git, ref, unpinned",
    [
        ("github.com/org/repo//path?ref=v1.2.3", "github.com", True, "v1.2.3", None),
        ("https://github.com/org/repo.git//dir?ref=main", "github.com", True, "main", 'ref "main" is a branch, not a tag or commit'),
        ("https://github.com/org/repo.git//dir", "github.com", True, None, "no ref: it follows the default branch"),
        ("git@gitlab.com:org/repo.git//dir?ref=3f4c2a9", "gitlab.com", True, "3f4c2a9", None),
        ("https://example.com/install.yaml", "example.com", False, None, None),
    ],
)
def test_parse_remote(text, host, git, ref, unpinned):
    r = parse_remote(text, scheme_less=True)
    assert (r.host, r.git, r.ref, r.unpinned()) == (host, git, ref, unpinned)


@pytest.mark.parametrize("text", ["../base", "deployment.yaml", "overlays/prod", "./crds", "file:///tmp/x.yaml"])
def test_local_paths_are_not_remote(text):
    assert parse_remote(text, scheme_less=True) is None


def test_plugins_placeholders_and_global_flags(run_cli, tmp_path):
    doc = tmp_path / "INSTALL.md"
    doc.write_text(
        "kubectl kubelint apply -f https://example.com/a.yaml\n"
        "kubectl apply -f https://.../manifest.yaml and https://<your-host>/x.yaml\n"
        "kubectl apply -f https://<your-host>/x.yaml\n"
        "kubectl --context prod -n web apply -f https://example.com/b.yaml\n"
    )
    assert found(run_cli, doc) == [("remote-untrusted-host", 4, 40)]


def test_a_manifest_starting_with_a_ytt_comment_is_not_a_script(tmp_path):
    # ytt writes comments as `#!`; a .yaml file is a manifest whatever its first line.
    from kubelint.sources import read

    path = tmp_path / "app.yaml"
    path.write_text("#! Define and use variables.\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
    (source,) = read([str(path)])
    assert source.manifest and source.findings == ()

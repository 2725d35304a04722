"""Smoke run over ../shared/corpus (real public manifests): kubelint must
never crash on any of them.  Skipped where the corpus is absent."""

from __future__ import annotations

import pytest
from conftest import SHARED

from kubelint.config import Settings
from kubelint.engine import check
from kubelint.sources import expand, read

CORPUS = SHARED / "corpus"
pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not here")


def test_whole_corpus_every_rule():
    result = check(read(expand([str(CORPUS)])), Settings(select=["ALL"]))
    assert result.files > 1500 and result.objects > 3000
    tabs = {f.file.split("corpus/", 1)[1] for f in result.findings if f.name == "yaml-tab-whitespace"}
    assert tabs == {
        "GoogleCloudPlatform__kubernetes-engine-samples/ai-ml/vllm-tpu/vllm-llama3-70b.yaml",
        "kubernetes__examples/_archived/scheduler-policy/scheduler-policy-config-with-extender.json",
    }
    # Rendered manifests carry {{ }} in strings (alert annotations, dashboards,
    # Kyverno variables): not templates.  The corpus's only templates are ytt's.
    templates = {f.file for f in result.findings if f.name == "template-unrendered"}
    assert templates and all("/k8s/ytt/" in f for f in templates)

package main

import rego.v1

trusted_hosts_settings := {"trusted_hosts": ["github.com", "charts.example.com"]}

test_hosts_of_urls if {
	trusted_hosts_host("https://github.com/acme/deploy.git") == "github.com"
	trusted_hosts_host("ssh://git@gitlab.com:22/acme/deploy.git") == "gitlab.com"
	trusted_hosts_host("git@bitbucket.org:acme/deploy.git") == "bitbucket.org"
	trusted_hosts_host("oci://ghcr.io/acme/charts") == "ghcr.io"
}

test_argo_application_untrusted if {
	app := {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": "shop"},
		"spec": {"source": {"repoURL": "https://gitlab.evil.example/acme/shop.git"}}}
	results := trusted_hosts_untrusted(app, trusted_hosts_settings)
	count(results) == 1
	some r in results
	r.path == ["spec", "source", "repoURL"]
}

test_argo_multiple_sources if {
	app := {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": "shop"},
		"spec": {"sources": [{"repoURL": "https://github.com/acme/shop.git"}, {"repoURL": "https://charts.other.io"}]}}
	results := trusted_hosts_untrusted(app, trusted_hosts_settings)
	count(results) == 1
	some r in results
	r.path == ["spec", "sources", 1, "repoURL"]
}

test_flux_git_repository_trusted if {
	repo := {"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository", "metadata": {"name": "shop"},
		"spec": {"url": "https://github.com/acme/shop"}}
	count(trusted_hosts_untrusted(repo, trusted_hosts_settings)) == 0
}

test_flux_helm_repository_untrusted if {
	repo := {"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "HelmRepository", "metadata": {"name": "x"},
		"spec": {"url": "https://charts.bitnami.com/bitnami"}}
	count(trusted_hosts_untrusted(repo, trusted_hosts_settings)) == 1
}

test_other_groups_not_checked if {
	obj := {"apiVersion": "example.com/v1", "kind": "GitRepository", "metadata": {"name": "x"}, "spec": {"url": "https://evil.example/x"}}
	count(trusted_hosts_untrusted(obj, trusted_hosts_settings)) == 0
}

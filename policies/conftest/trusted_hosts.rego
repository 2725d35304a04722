# Trusted source hosts for GitOps: the repositories that Argo CD
# Applications, ApplicationSets and AppProjects, and Flux GitRepository,
# HelmRepository, OCIRepository and Bucket sources pull from are on a host in
# data.kubelint.trusted_hosts (e.g. "github.com", "charts.example.com").
# Fields: Argo CD Application spec.source(s).repoURL, AppProject
# spec.sourceRepos; Flux source-controller spec.url (spec.endpoint for Bucket).
package main

import rego.v1

# The host of a repository URL: https://host/..., oci://host/..., ssh://git@host:22/...,
# and scp-like git@host:org/repo.
trusted_hosts_host(url) := host if {
	contains(url, "://")
	rest := split(url, "://")[1]
	authority := split(rest, "/")[0]
	userless := trusted_hosts_last(split(authority, "@"))
	host := split(userless, ":")[0]
} else := host if {
	userless := trusted_hosts_last(split(url, "@"))
	host := split(userless, ":")[0]
}

trusted_hosts_last(parts) := parts[count(parts) - 1]

# {"path": [...], "url": ...} of every repository URL of the object.
trusted_hosts_urls(obj) := {u |
	obj.kind in {"Application", "ApplicationSet", "AppProject"}
	startswith(obj.apiVersion, "argoproj.io/")
	some u in trusted_hosts_argo_urls(obj)
} | {u |
	obj.kind in {"GitRepository", "HelmRepository", "OCIRepository", "Bucket"}
	startswith(obj.apiVersion, "source.toolkit.fluxcd.io/")
	field := trusted_hosts_flux_field(obj.kind)
	url := object.get(obj, ["spec", field], null)
	is_string(url)
	u := {"path": ["spec", field], "url": url}
}

trusted_hosts_flux_field(kind) := "endpoint" if kind == "Bucket"

trusted_hosts_flux_field(kind) := "url" if kind != "Bucket"

trusted_hosts_spec_path(obj) := ["spec", "template", "spec"] if obj.kind == "ApplicationSet"

trusted_hosts_spec_path(obj) := ["spec"] if obj.kind != "ApplicationSet"

trusted_hosts_argo_urls(obj) := {u |
	base := trusted_hosts_spec_path(obj)
	url := object.get(obj, array.concat(base, ["source", "repoURL"]), null)
	is_string(url)
	u := {"path": array.concat(base, ["source", "repoURL"]), "url": url}
} | {u |
	base := trusted_hosts_spec_path(obj)
	source := object.get(obj, array.concat(base, ["sources"]), [])[i]
	url := object.get(source, "repoURL", null)
	is_string(url)
	u := {"path": array.concat(base, ["sources", i, "repoURL"]), "url": url}
} | {u |
	obj.kind == "AppProject"
	url := object.get(obj, ["spec", "sourceRepos"], [])[i]
	url != "*"
	u := {"path": ["spec", "sourceRepos", i], "url": url}
}

trusted_hosts_kinds := {"Application", "ApplicationSet", "AppProject", "GitRepository", "HelmRepository", "OCIRepository", "Bucket"}

trusted_hosts_untrusted(obj, settings) := {r |
	trusted := object.get(settings, "trusted_hosts", null)
	trusted != null
	u := trusted_hosts_urls(obj)[_]
	host := trusted_hosts_host(u.url)
	count({t | t := trusted[_]; t == host}) == 0
	r := {
		"msg": concat("", [kl_label(obj), " pulls from \"", u.url, "\" on host ", host, ", which is not trusted (", concat(", ", trusted), ")"]),
		"path": u.path,
	}
}

deny_untrusted_source contains r if {
	kl_settings.trusted_hosts
	trusted_hosts_kinds[input.kind]
	some r in trusted_hosts_untrusted(kl_object, kl_settings)
}

package main

import rego.v1

ingress_hosts_ingress := {"kind": "Ingress", "metadata": {"name": "web"}, "spec": {
	"rules": [{"host": "shop.example.com"}, {"host": "shop.evil.example"}],
	"tls": [{"hosts": ["example.com", "evil.example"]}],
}}

test_hosts_outside_domains_denied if {
	results := ingress_hosts_not_allowed(ingress_hosts_ingress, {"ingress_domains": ["example.com"]})
	{r.path | some r in results} == {["spec", "rules", 1, "host"], ["spec", "tls", 0, "hosts", 1]}
}

test_subdomain_and_domain_allowed if {
	ingress_hosts_allowed("example.com", ["example.com"])
	ingress_hosts_allowed("a.b.example.com", ["example.com"])
	not ingress_hosts_allowed("badexample.com", ["example.com"])
}

test_not_configured_no_finding if {
	count(ingress_hosts_not_allowed(ingress_hosts_ingress, {})) == 0
}

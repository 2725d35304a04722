# Ingress host allowlist: every host of an Ingress (spec.rules[].host and
# spec.tls[].hosts[]) is one of data.kubelint.ingress_domains or below one of
# them ("example.com" allows "example.com" and "shop.example.com").
package main

import rego.v1

ingress_hosts_allowed(host, domains) if {
	some d in domains
	host == d
}

ingress_hosts_allowed(host, domains) if {
	some d in domains
	endswith(host, concat("", [".", d]))
}

ingress_hosts_of(obj) := {h |
	rule := object.get(obj, ["spec", "rules"], [])[i]
	host := object.get(rule, "host", null)
	is_string(host)
	h := {"path": ["spec", "rules", i, "host"], "host": host}
} | {h |
	tls := object.get(obj, ["spec", "tls"], [])[i]
	host := object.get(tls, "hosts", [])[j]
	h := {"path": ["spec", "tls", i, "hosts", j], "host": host}
}

ingress_hosts_not_allowed(obj, settings) := {r |
	obj.kind == "Ingress"
	domains := object.get(settings, "ingress_domains", null)
	domains != null
	h := ingress_hosts_of(obj)[_]
	not ingress_hosts_allowed(h.host, domains)
	r := {
		"msg": concat("", [kl_label(obj), " serves host ", h.host, ", outside the allowed domains (", concat(", ", domains), ")"]),
		"path": h.path,
	}
}

deny_ingress_host_not_allowed contains r if {
	input.kind == "Ingress"
	kl_settings.ingress_domains
	some r in ingress_hosts_not_allowed(kl_object, kl_settings)
}

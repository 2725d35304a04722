package main

import rego.v1

test_default_namespace_denied if {
	results := default_namespace_used({"kind": "Service", "metadata": {"name": "web", "namespace": "default"}})
	results == {{
		"msg": "Service web is in the default namespace",
		"path": ["metadata", "namespace"],
		"fix": "Put the object in a namespace of its own.",
	}}
}

test_own_namespace_passes if {
	count(default_namespace_used({"kind": "Service", "metadata": {"name": "web", "namespace": "shop"}})) == 0
}

test_namespace_not_allowed if {
	obj := {"kind": "Service", "metadata": {"name": "web", "namespace": "tmp"}}
	count(namespace_not_allowed(obj, {"allowed_namespaces": ["shop", "payments"]})) == 1
}

test_allowed_namespace_passes if {
	obj := {"kind": "Service", "metadata": {"name": "web", "namespace": "shop"}}
	count(namespace_not_allowed(obj, {"allowed_namespaces": ["shop"]})) == 0
}

test_any_namespace_when_not_configured if {
	count(namespace_not_allowed({"kind": "Service", "metadata": {"name": "web", "namespace": "tmp"}}, {})) == 0
}

package main

import rego.v1

test_default_namespace_denied if {
	default_namespace_used("Service web", "default") == {{
		"msg": "Service web is in the default namespace",
		"path": ["metadata", "namespace"],
		"fix": "Put the object in a namespace of its own.",
	}}
}

test_own_namespace_passes if {
	count(default_namespace_used("Service web", "shop")) == 0
}

test_default_namespace_rule if {
	count(deny_default_namespace) == 1 with input as {"kind": "Service", "metadata": {"name": "web", "namespace": "default"}}
}

test_namespace_not_allowed if {
	namespace_not_allowed("Service web", "tmp", ["shop", "payments"]) == {{
		"msg": "Service web is in namespace \"tmp\", not one of the allowed namespaces (shop, payments)",
		"path": ["metadata", "namespace"],
	}}
}

test_allowed_namespace_passes if {
	count(namespace_not_allowed("Service web", "shop", ["shop"])) == 0
}

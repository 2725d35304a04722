# Namespaces: objects are not put in the `default` namespace, and, when
# data.kubelint.allowed_namespaces is set, only in one of those namespaces.
package main

import rego.v1

default_namespace_used(obj) := {r |
	object.get(obj, ["metadata", "namespace"], "") == "default"
	r := {
		"msg": concat(" ", [kl_label(obj), "is in the default namespace"]),
		"path": ["metadata", "namespace"],
		"fix": "Put the object in a namespace of its own.",
	}
}

namespace_not_allowed(obj, settings) := {r |
	allowed := object.get(settings, "allowed_namespaces", null)
	allowed != null
	ns := object.get(obj, ["metadata", "namespace"], null)
	ns != null
	count({a | a := allowed[_]; a == ns}) == 0
	r := {
		"msg": concat("", [kl_label(obj), " is in namespace \"", ns, "\", not one of the allowed namespaces (", concat(", ", allowed), ")"]),
		"path": ["metadata", "namespace"],
	}
}

deny_default_namespace contains r if {
	input.metadata.namespace == "default"
	some r in default_namespace_used(kl_head)
}

deny_namespace_not_allowed contains r if {
	kl_settings.allowed_namespaces
	input.metadata.namespace
	some r in namespace_not_allowed(kl_head, kl_settings)
}

# Namespaces: objects are not put in the `default` namespace, and, when
# data.kubelint.allowed_namespaces is set, only in one of those namespaces.
package main

import rego.v1

# The results for an object (`label`: its kind and name) in `namespace`.
default_namespace_used(label, namespace) := {r |
	namespace == "default"
	r := {
		"msg": concat(" ", [label, "is in the default namespace"]),
		"path": ["metadata", "namespace"],
		"fix": "Put the object in a namespace of its own.",
	}
}

namespace_not_allowed(label, namespace, allowed) := {r |
	not namespace in allowed
	r := {
		"msg": concat("", [label, " is in namespace \"", namespace, "\", not one of the allowed namespaces (", concat(", ", allowed), ")"]),
		"path": ["metadata", "namespace"],
	}
}

deny_default_namespace contains r if {
	input.metadata.namespace == "default"
	some r in default_namespace_used(kl_input_label, input.metadata.namespace)
}

deny_namespace_not_allowed contains r if {
	allowed := data.kubelint.allowed_namespaces
	namespace := input.metadata.namespace
	some r in namespace_not_allowed(kl_input_label, namespace, allowed)
}

# Allowed registries: every container image comes from one of the registry
# prefixes in data.kubelint.allowed_registries (e.g. "ghcr.io/acme/").  An
# image without a registry host is a Docker Hub image (docker.io/library/ for
# a bare name), as the container runtime reads it.
package main

import rego.v1

# The full reference of an image as the runtime pulls it.
registries_full_image(image) := image if {
	first := split(image, "/")[0]
	registries_is_host(first)
} else := concat("/", ["docker.io", image]) if {
	contains(image, "/")
} else := concat("/", ["docker.io/library", image])

# A first path part is a registry host when it has a dot or a port, or is localhost.
registries_is_host(part) if contains(part, ".")

registries_is_host(part) if contains(part, ":")

registries_is_host("localhost")

registries_not_allowed(obj, settings) := registries_check(kl_containers(obj), settings)

# The results for containers as kl_containers (or kl_input_images) gives them.
registries_check(containers, settings) := {r |
	allowed := object.get(settings, "allowed_registries", null)
	allowed != null
	c := containers[_]
	image := object.get(c.container, "image", "")
	full := registries_full_image(image)
	count({a | a := allowed[_]; startswith(full, a)}) == 0
	r := {
		"msg": concat("", ["container \"", object.get(c.container, "name", ""), "\" uses image \"", image, "\" from a registry that is not allowed (", concat(", ", allowed), ")"]),
		"path": array.concat(c.path, ["image"]),
	}
}

deny_registry_not_allowed contains r if {
	kl_settings.allowed_registries
	kl_pod_spec_path[input.kind]
	some r in registries_check(kl_input_images, kl_settings)
}

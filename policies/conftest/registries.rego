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

registries_allowed(image, allowed) if {
	full := registries_full_image(image)
	some prefix in allowed
	startswith(full, prefix)
}

# The result for a container as kl_input_images gives it, whose image is not
# under a prefix of `allowed`.
registries_result(c, allowed) := {
	"msg": concat("", ["container \"", c.name, "\" uses image \"", c.image, "\" from a registry that is not allowed (", concat(", ", allowed), ")"]),
	"path": array.concat(c.path, ["image"]),
}

deny_registry_not_allowed contains r if {
	kl_pod_kinds[input.kind]
	allowed := data.kubelint.allowed_registries
	some c in kl_input_images
	is_string(c.image)
	not registries_allowed(c.image, allowed)
	r := registries_result(c, allowed)
}

package main

import rego.v1

registries_pod(image) := {"kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "app", "image": image}]}}

test_docker_hub_image_not_allowed if {
	results := registries_not_allowed(registries_pod("nginx:1.25"), {"allowed_registries": ["ghcr.io/acme/"]})
	results == {{
		"msg": "container \"app\" uses image \"nginx:1.25\" from a registry that is not allowed (ghcr.io/acme/)",
		"path": ["spec", "containers", 0, "image"],
	}}
}

test_allowed_prefix_passes if {
	count(registries_not_allowed(registries_pod("ghcr.io/acme/web:1.0"), {"allowed_registries": ["ghcr.io/acme/"]})) == 0
}

test_bare_name_is_docker_library if {
	registries_full_image("nginx") == "docker.io/library/nginx"
	registries_full_image("bitnami/redis") == "docker.io/bitnami/redis"
	registries_full_image("localhost:5000/x") == "localhost:5000/x"
}

test_init_container_of_deployment if {
	obj := {"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": {
		"initContainers": [{"name": "init", "image": "quay.io/x/y:1"}],
		"containers": [{"name": "app", "image": "ghcr.io/acme/web:1"}],
	}}}}
	results := registries_not_allowed(obj, {"allowed_registries": ["ghcr.io/acme/"]})
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec", "initContainers", 0, "image"]
}

test_no_setting_no_finding if {
	count(registries_not_allowed(registries_pod("nginx"), {})) == 0
}

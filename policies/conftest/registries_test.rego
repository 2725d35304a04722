package main

import rego.v1

test_docker_hub_image_not_allowed if {
	not registries_allowed("nginx:1.25", ["ghcr.io/acme/"])
	registries_result({"path": ["spec", "containers", 0], "name": "app", "image": "nginx:1.25"}, ["ghcr.io/acme/"]) == {
		"msg": "container \"app\" uses image \"nginx:1.25\" from a registry that is not allowed (ghcr.io/acme/)",
		"path": ["spec", "containers", 0, "image"],
	}
}

test_allowed_prefix_passes if {
	registries_allowed("ghcr.io/acme/web:1.0", ["ghcr.io/acme/"])
}

test_bare_name_is_docker_library if {
	registries_full_image("nginx") == "docker.io/library/nginx"
	registries_full_image("bitnami/redis") == "docker.io/bitnami/redis"
	registries_full_image("localhost:5000/x") == "localhost:5000/x"
}

test_containers_of_a_pod if {
	kl_input_images == {{"path": ["spec", "containers", 0], "name": "app", "image": "nginx"}} with input as {"kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "app", "image": "nginx"}]}}
}

test_init_container_of_deployment if {
	{c.path | some c in kl_input_images} == {["spec", "template", "spec", "initContainers", 0], ["spec", "template", "spec", "containers", 0]} with input as {"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": {"initContainers": [{"name": "init", "image": "quay.io/x/y:1"}], "containers": [{"name": "app", "image": "ghcr.io/acme/web:1"}]}}}}
}

test_containers_of_a_cronjob if {
	{c.image | some c in kl_input_images} == {"busybox"} with input as {"kind": "CronJob", "metadata": {"name": "c"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "busybox"}]}}}}}}
}

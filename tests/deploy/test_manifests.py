"""The example configuration, the Kubernetes manifests and the Prometheus scrape configuration.

Kubernetes: no cluster and no schema validator (kubeconform, kubeval) is packaged in Debian 12,
so these tests check well-formed YAML (python3-yaml) and the structure that matters here: kinds,
probe paths, ports and grace periods consistent with the configuration in the ConfigMap, the
non-root read-only security context, and the Secret the Deployment reads. Prometheus: promtool.
"""

import os
import re
import subprocess
import tempfile
import tomllib
import unittest

from deploy_testing import (config_check, deploy_path, duration_seconds, listen_port, load_yaml_documents, read,
                            stop_budget_seconds, tool)

KUBERNETES = deploy_path("kubernetes")


class ExampleConfigTest(unittest.TestCase):
    def test_config_check_accepts_it(self):
        result = config_check(deploy_path("jobsched.toml"))

        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn(f"# configuration file: {deploy_path('jobsched.toml')}", result.stdout)

    def test_every_value_it_sets_is_taken_from_the_file(self):
        written = tomllib.loads(read(deploy_path("jobsched.toml")))

        effective = tomllib.loads(config_check(deploy_path("jobsched.toml")).stdout)

        for key, value in written.items():
            self.assertEqual(effective[key], value, key)


class ShippedNodesRequireAuthenticationTest(unittest.TestCase):
    """Issue #14: the load balancer configurations put nodes on 127.0.0.1 behind a public port, where
    a node without keys (or whose last key was revoked) served everyone. Every shipped node
    configuration requires authentication whatever it listens on."""

    def test_every_shipped_node_configuration_requires_authentication(self):
        configmap = load_yaml_documents(os.path.join(KUBERNETES, "configmap.yaml"))[0]
        texts = {"jobsched.toml": read(deploy_path("jobsched.toml")),
                 "cluster-node.toml": read(deploy_path("cluster-node.toml")),
                 "kubernetes/configmap.yaml": configmap["data"]["jobsched.toml"]}

        for name, text in texts.items():
            self.assertIs(tomllib.loads(text).get("require_auth"), True, name)

    def test_the_load_balancers_run_their_nodes_with_the_cluster_node_configuration(self):
        for name in ("nginx.conf", "haproxy.cfg"):
            text = read(deploy_path(name))

            self.assertIn("jobsched serve --config deploy/cluster-node.toml --listen 127.0.0.1:8001", text, name)

    def test_config_check_accepts_the_cluster_node_configuration(self):
        result = config_check(deploy_path("cluster-node.toml"))

        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(tomllib.loads(result.stdout)["require_auth"], True)
        self.assertEqual(tomllib.loads(result.stdout)["listen"], "127.0.0.1:8001")


def manifests():
    """Every object in deploy/kubernetes, by (kind, name)."""
    objects = {}
    for name in sorted(os.listdir(KUBERNETES)):
        if not name.endswith(".yaml") or name == "kustomization.yaml":
            continue
        for document in load_yaml_documents(os.path.join(KUBERNETES, name)):
            objects[(document["kind"], document["metadata"]["name"])] = document
    return objects


class KubernetesManifestsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.objects = manifests()
        cls.deployment = cls.objects[("Deployment", "jobsched")]
        cls.pod = cls.deployment["spec"]["template"]["spec"]
        cls.container = cls.pod["containers"][0]
        cls.config_text = cls.objects[("ConfigMap", "jobsched-config")]["data"]["jobsched.toml"]

    def test_has_the_objects_a_deployment_needs(self):
        self.assertEqual(set(self.objects), {("ConfigMap", "jobsched-config"), ("Secret", "jobsched-db"),
                                             ("Deployment", "jobsched"), ("Service", "jobsched"),
                                             ("PodDisruptionBudget", "jobsched")})
        api_versions = {kind: document["apiVersion"] for (kind, _), document in self.objects.items()}
        self.assertEqual(api_versions, {"ConfigMap": "v1", "Secret": "v1", "Deployment": "apps/v1",
                                        "Service": "v1", "PodDisruptionBudget": "policy/v1"})

    def test_kustomization_lists_every_manifest(self):
        kustomization = load_yaml_documents(os.path.join(KUBERNETES, "kustomization.yaml"))[0]

        files = {name for name in os.listdir(KUBERNETES) if name.endswith(".yaml") and name != "kustomization.yaml"}
        self.assertEqual(set(kustomization["resources"]), files)

    def test_the_config_map_holds_a_valid_configuration(self):
        with tempfile.NamedTemporaryFile("w", suffix=".toml") as file:
            file.write(self.config_text)
            file.flush()

            result = config_check(file.name)

        self.assertEqual(result.returncode, 0, result.stderr)

    def test_config_is_mounted_where_the_arguments_read_it(self):
        mount = next(m for m in self.container["volumeMounts"] if m["name"] == "config")
        volume = next(v for v in self.pod["volumes"] if v["name"] == "config")

        self.assertEqual(self.container["args"], ["serve", "--config", f"{mount['mountPath']}/jobsched.toml"])
        self.assertTrue(mount["readOnly"])
        self.assertEqual(volume["configMap"]["name"], "jobsched-config")

    def test_probes_use_readyz_and_healthz_on_the_configured_port(self):
        port = listen_port(self.config_text)
        ports = {p["name"]: p["containerPort"] for p in self.container["ports"]}

        self.assertEqual(ports, {"http": port})
        self.assertEqual(self.container["readinessProbe"]["httpGet"], {"path": "/readyz", "port": "http"})
        self.assertEqual(self.container["livenessProbe"]["httpGet"], {"path": "/healthz", "port": "http"})
        self.assertEqual(self.container["startupProbe"]["httpGet"], {"path": "/healthz", "port": "http"})
        annotations = self.deployment["spec"]["template"]["metadata"]["annotations"]
        self.assertEqual(annotations["prometheus.io/port"], str(port))

    def test_the_service_targets_the_http_port_of_the_pods(self):
        service = self.objects[("Service", "jobsched")]

        self.assertEqual(service["spec"]["selector"], self.deployment["spec"]["selector"]["matchLabels"])
        self.assertEqual(service["spec"]["ports"][0]["targetPort"], "http")
        template_labels = self.deployment["spec"]["template"]["metadata"]["labels"]
        for key, value in self.deployment["spec"]["selector"]["matchLabels"].items():
            self.assertEqual(template_labels[key], value)

    def test_termination_grace_covers_drain_and_shutdown_grace(self):
        budget_s = stop_budget_seconds(self.config_text)

        self.assertGreater(self.pod["terminationGracePeriodSeconds"], budget_s)
        self.assertGreater(duration_seconds(tomllib.loads(self.config_text)["drain_delay"]), 0,
                           "behind a Service, a node must drain before it closes")

    def test_runs_as_non_root_with_a_read_only_root_file_system(self):
        pod_security = self.pod["securityContext"]
        container_security = self.container["securityContext"]

        self.assertTrue(pod_security["runAsNonRoot"])
        self.assertNotEqual(pod_security["runAsUser"], 0)
        self.assertEqual(pod_security["seccompProfile"]["type"], "RuntimeDefault")
        self.assertTrue(container_security["readOnlyRootFilesystem"])
        self.assertFalse(container_security["allowPrivilegeEscalation"])
        self.assertEqual(container_security["capabilities"]["drop"], ["ALL"])

    def test_has_resource_requests_and_a_memory_limit(self):
        resources = self.container["resources"]

        self.assertIn("cpu", resources["requests"])
        self.assertIn("memory", resources["requests"])
        self.assertIn("memory", resources["limits"])

    def test_reads_the_database_url_from_the_secret(self):
        secret = self.objects[("Secret", "jobsched-db")]
        env = {variable["name"]: variable for variable in self.container["env"]}

        reference = env["JOBSCHED_DB"]["valueFrom"]["secretKeyRef"]
        self.assertEqual(reference["name"], "jobsched-db")
        self.assertTrue(secret["stringData"][reference["key"]].startswith("postgresql://"))
        self.assertNotIn("db", tomllib.loads(self.config_text), "the database URL belongs in the Secret")


class PrometheusConfigTest(unittest.TestCase):
    def test_promtool_accepts_it(self):
        promtool = tool("promtool", "prometheus")

        result = subprocess.run([promtool, "check", "config", deploy_path("prometheus.yml")], capture_output=True,
                                text=True, timeout=60, stdin=subprocess.DEVNULL)

        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_scrapes_metrics_of_the_three_local_nodes(self):
        config = load_yaml_documents(deploy_path("prometheus.yml"))[0]

        job = next(job for job in config["scrape_configs"] if job["job_name"] == "jobsched")
        self.assertEqual(job["metrics_path"], "/metrics")
        self.assertEqual(job["static_configs"][0]["targets"], ["127.0.0.1:8001", "127.0.0.1:8002", "127.0.0.1:8003"])

    def test_scrapes_the_nodes_the_load_balancers_route_to(self):
        config = load_yaml_documents(deploy_path("prometheus.yml"))[0]
        targets = next(job for job in config["scrape_configs"] if job["job_name"] == "jobsched")
        scraped = set(targets["static_configs"][0]["targets"])

        nginx_nodes = set(re.findall(r"^\s*server (\S+) ", read(deploy_path("nginx.conf")), re.MULTILINE))
        haproxy_nodes = set(re.findall(r"^\s*server \S+ (\S+)", read(deploy_path("haproxy.cfg")), re.MULTILINE))

        self.assertEqual(nginx_nodes, scraped)
        self.assertEqual(haproxy_nodes, scraped)


if __name__ == "__main__":
    unittest.main()

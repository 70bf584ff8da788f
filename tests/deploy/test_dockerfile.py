"""deploy/Dockerfile, checked without docker (not available on this machine or in CI).

What can be checked here: the instructions parse and say what the deployment guide promises
(multi-stage on debian:12, the project's own build scripts, non-root user, health check on
/healthz at the configured port, data volume where the configured database lives); the runtime
stage installs a Debian package for every shared library the built binary needs (readelf + dpkg);
and `cmake --install`, the Dockerfile's install step, gives a tree the binary runs from, Swagger UI
assets included. Not checked: that the image builds and starts (no container runtime here).
"""

import os
import re
import shlex
import subprocess
import tempfile
import tomllib
import unittest

from deploy_testing import binary_path, clean_environment, deploy_path, listen_port, read, source_dir, tool

CONFIG_IN_IMAGE = "/etc/jobsched/jobsched.toml"


def instructions(text):
    """The Dockerfile as (INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    result = []
    current = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue  # a comment inside a continued instruction
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        current += stripped
        keyword, _, arguments = current.partition(" ")
        result.append((keyword.upper(), arguments.strip()))
        current = ""
    if current:
        raise AssertionError(f"the Dockerfile ends inside an instruction: {current!r}")
    return result


def stages(parsed):
    """Lists of instructions, one per FROM."""
    found = []
    for keyword, arguments in parsed:
        if keyword == "FROM":
            found.append([(keyword, arguments)])
        elif not found:
            if keyword != "ARG":
                raise AssertionError(f"{keyword} before the first FROM")
        else:
            found[-1].append((keyword, arguments))
    return found


def apt_packages(stage):
    """Packages named by `apt-get install` in the RUN instructions of a stage."""
    packages = []
    for keyword, arguments in stage:
        if keyword != "RUN":
            continue
        for command in re.split(r"&&|;", arguments):
            words = shlex.split(command)
            if words[:2] == ["apt-get", "install"]:
                packages += [word for word in words[2:] if not word.startswith("-")]
    return packages


def needed_libraries(binary):
    output = subprocess.run(["readelf", "-d", binary], capture_output=True, text=True, check=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", output)


def resolved_libraries(binary):
    """NEEDED library name -> the file the dynamic loader picks for it (ldd)."""
    output = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    return dict(re.findall(r"^\s*(\S+) => (/\S+)", output, re.MULTILINE))


def package_of_file(path):
    """The Debian package that ships `path` (tried with and without the merged-/usr prefix)."""
    real = os.path.realpath(path)
    candidates = []
    for candidate in (path, real):
        candidates += [candidate, candidate.removeprefix("/usr"), "/usr" + candidate]
    for candidate in candidates:
        result = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if result.returncode == 0:
            return result.stdout.split(":")[0]
    raise AssertionError(f"no Debian package ships {path}")


class DockerfileTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.parsed = instructions(read(deploy_path("Dockerfile")))
        cls.stages = stages(cls.parsed)
        cls.build = cls.stages[0]
        cls.runtime = cls.stages[-1]
        cls.config_text = read(deploy_path("jobsched.toml"))

    def values(self, stage, keyword):
        return [arguments for name, arguments in stage if name == keyword]

    def test_builds_on_debian_12_in_two_stages(self):
        self.assertEqual(len(self.stages), 2)
        self.assertEqual(self.values(self.build, "FROM"), ["debian:12 AS build"])
        self.assertRegex(self.values(self.runtime, "FROM")[0], r"^debian:12(-slim)? AS runtime$")

    def test_builds_with_the_project_scripts(self):
        runs = " ".join(self.values(self.build, "RUN"))

        self.assertIn("bash scripts/install-deps.sh", runs)
        self.assertIn("make build-binary", runs)
        self.assertIn("cmake --install build --prefix /usr/local", runs)

    def test_copies_only_files_that_exist(self):
        for stage in self.stages:
            for arguments in self.values(stage, "COPY"):
                if arguments.startswith("--from="):
                    continue
                for source in shlex.split(arguments)[:-1]:
                    if source != ".":
                        self.assertTrue(os.path.exists(os.path.join(source_dir(), source)), source)

    def test_runtime_installs_a_package_for_every_library_the_binary_links(self):
        packages = set(apt_packages(self.runtime))
        essential = {"libc6", "libgcc-s1"}  # in every Debian image

        resolved = resolved_libraries(binary_path())
        # The image is built from the release preset; under `make test-asan` this
        # binary also links the sanitizer runtimes, which the image never has.
        libraries = [library for library in needed_libraries(binary_path())
                     if not library.startswith(("libasan", "libubsan", "libtsan"))]
        needed = {package_of_file(resolved[library]) for library in libraries} - essential

        self.assertEqual(needed - packages, set(), "runtime stage lacks these packages")
        self.assertTrue({"tzdata", "ca-certificates", "curl"} <= packages)

    def test_runtime_packages_are_real_debian_packages(self):
        for package in apt_packages(self.runtime):
            result = subprocess.run(["dpkg-query", "-W", "-f=${Package}", package], capture_output=True, text=True)

            self.assertEqual(result.stdout, package, f"{package} is not a package on this Debian 12 machine")

    def test_runtime_has_no_build_tools(self):
        packages = set(apt_packages(self.runtime))

        self.assertFalse({p for p in packages if p.endswith("-dev")} | ({"build-essential", "cmake", "npm"} & packages))

    def test_runs_as_a_non_root_user(self):
        user = self.values(self.runtime, "USER")[-1]

        self.assertNotIn(user.split(":")[0], ("0", "root"))
        self.assertRegex(user, r"^\d+:\d+$", "a numeric user lets Kubernetes check runAsNonRoot")
        self.assertIn(f"--uid {user.split(':')[0]}", " ".join(self.values(self.runtime, "RUN")))

    def test_serves_the_example_config_on_the_exposed_port(self):
        port = listen_port(self.config_text)

        self.assertIn(f"deploy/jobsched.toml {CONFIG_IN_IMAGE}", self.values(self.runtime, "COPY"))
        self.assertEqual(self.values(self.runtime, "EXPOSE"), [str(port)])
        self.assertEqual(self.values(self.runtime, "ENTRYPOINT"), ['["/usr/local/bin/jobsched"]'])
        self.assertEqual(self.values(self.runtime, "CMD"), [f'["serve", "--config", "{CONFIG_IN_IMAGE}"]'])
        self.assertEqual(self.values(self.runtime, "STOPSIGNAL"), ["SIGTERM"])

    def test_health_check_asks_healthz_on_the_configured_port(self):
        healthcheck = self.values(self.runtime, "HEALTHCHECK")

        self.assertEqual(len(healthcheck), 1)
        self.assertIn(f"http://127.0.0.1:{listen_port(self.config_text)}/healthz", healthcheck[0])
        self.assertIn("--fail", healthcheck[0])

    def test_the_database_lives_on_the_data_volume(self):
        database = tomllib.loads(self.config_text)["db"].removeprefix("sqlite:")

        volumes = self.values(self.runtime, "VOLUME")

        self.assertEqual(volumes, ['["/var/lib/jobsched"]'])
        self.assertTrue(database.startswith("/var/lib/jobsched/"), database)

    def test_the_build_context_leaves_out_build_output(self):
        ignored = read(deploy_path("Dockerfile.dockerignore")).split()

        self.assertIn("build", ignored)
        self.assertIn(".git", ignored)


class InstalledTreeTest(unittest.TestCase):
    """`cmake --install` (the Dockerfile's install step) into a scratch prefix, then the installed binary."""

    def test_installed_binary_finds_its_swagger_ui_assets(self):
        build_dir = os.environ.get("JOBSCHED_BUILD_DIR")
        self.assertTrue(build_dir, "JOBSCHED_BUILD_DIR is not set")
        cmake = tool("cmake", "cmake")
        with tempfile.TemporaryDirectory(prefix="jobsched-install-") as scratch:
            prefix = os.path.join(scratch, "usr/local")
            subprocess.run([cmake, "--install", build_dir, "--prefix", prefix], check=True, capture_output=True,
                           timeout=120)
            installed = os.path.join(prefix, "bin/jobsched")
            self.assertTrue(os.access(installed, os.X_OK))
            self.assertTrue(os.path.isfile(os.path.join(prefix, "share/jobsched/swagger-ui/swagger-ui.css")))

            status = self.fetch_from(installed, os.path.join(scratch, "jobs.db"), "/docs/swagger-ui.css")

        self.assertEqual(status, 200)

    def fetch_from(self, binary, database, path):
        """Starts `binary serve` on a free port and returns the status of GET `path`."""
        import http.client
        process = subprocess.Popen([binary, "serve", "--listen", "127.0.0.1:0", "--db", f"sqlite:{database}"],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                   env=clean_environment(), stdin=subprocess.DEVNULL)
        try:
            port = None
            for line in process.stdout:
                match = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
                if match:
                    port = int(match.group(1))
                    break
            self.assertIsNotNone(port, "the installed binary did not start")
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", path)
            status = connection.getresponse().status
            connection.close()
            return status
        finally:
            process.terminate()
            process.wait(timeout=30)
            process.stdout.close()


if __name__ == "__main__":
    unittest.main()

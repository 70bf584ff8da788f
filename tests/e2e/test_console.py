"""The web console as HTTP (decision 0008): the binary serves it from the files the build installed
next to it, every answer checked against docs/openapi.yaml by the harness. What the pages do in a
browser is tests/web.
"""

import gzip
import http.client
import os
import re
import shutil
import tempfile

from harness import Service, ServiceTestCase

PAGES = ["/ui/", "/ui", "/ui/jobs", "/ui/jobs/new", "/ui/jobs/7", "/ui/jobs/7/edit", "/ui/runs", "/ui/runs/9",
         "/ui/admin", "/ui/signin"]


def raw_get(port, path, headers=None):
    """GET outside the harness's client, for the bytes of a gzipped body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers or {})
        answer = connection.getresponse()
        return answer.status, {name.lower(): value for name, value in answer.getheaders()}, answer.read()
    finally:
        connection.close()


def version_of(page):
    match = re.search(r'src="/ui/assets/([^/]+)/main\.js"', page)
    if match is None:
        raise AssertionError(f"the page names no main.js: {page[:500]!r}")
    return match.group(1)


class ConsoleHttpTest(ServiceTestCase):

    def test_the_root_redirects_to_the_console(self):
        response = self.service.request("GET", "/")

        self.assertEqual(response.status, 302)
        self.assertEqual(response.headers["location"], "/ui/")

    def test_every_page_is_the_same_document_naming_the_build_version(self):
        bodies = set()
        for path in PAGES:
            with self.subTest(path=path):
                response = self.service.request("GET", path)
                self.assertEqual(response.status, 200)
                self.assertTrue(response.headers["content-type"].startswith("text/html"))
                # The build bundles the modules (decision 0016): two module scripts, early.js (the
                # first screen's requests) then the bundle, and no inline script, so the policy
                # allows scripts from the service alone, with no hash.
                self.assertNotIn("<script type=\"importmap\">", response.body)
                scripts = re.findall(r"<script[^>]*>", response.body)
                self.assertEqual([re.sub(r"/ui/assets/[0-9a-f]{12}/", "", tag) for tag in scripts],
                                 ['<script type="module" src="early.js">', '<script type="module" src="main.js">'])
                self.assertIn("script-src 'self';", response.headers["content-security-policy"])
                bodies.add(response.body)
        self.assertEqual(len(bodies), 1)
        self.assertRegex(version_of(bodies.pop()), r"^[0-9a-f]{12}$")

    def test_assets_are_versioned_cached_for_a_year_and_gzipped(self):
        version = version_of(self.service.request("GET", "/ui/").body)

        plain = self.service.request("GET", f"/ui/assets/{version}/main.js")
        status, headers, body = raw_get(self.service.port, f"/ui/assets/{version}/preact.mjs",
                                        {"Accept-Encoding": "gzip"})
        identity = raw_get(self.service.port, f"/ui/assets/{version}/preact.mjs")[2]

        self.assertEqual(plain.status, 200)
        self.assertEqual(plain.headers["cache-control"], "public, max-age=31536000, immutable")
        self.assertTrue(plain.headers["content-type"].startswith("text/javascript"))
        self.assertEqual((status, headers["content-encoding"], headers["vary"]), (200, "gzip", "Accept-Encoding"))
        self.assertLess(len(body), len(identity))
        self.assertEqual(gzip.decompress(body), identity)

    def test_a_page_revalidates_to_304(self):
        first = self.service.request("GET", "/ui/jobs")

        again = self.service.request("GET", "/ui/runs", headers={"If-None-Match": first.headers["etag"]})

        self.assertEqual(first.headers["cache-control"], "no-cache")
        self.assertEqual(again.status, 304)

    def test_another_version_or_an_unknown_file_is_not_found(self):
        version = version_of(self.service.request("GET", "/ui/").body)

        for path in ("/ui/assets/000000000000/main.js", f"/ui/assets/{version}/missing.js",
                     f"/ui/assets/{version}/index.html"):
            with self.subTest(path=path):
                self.assertProblem(self.service.request("GET", path), 404)

    def test_the_console_is_open_while_the_api_needs_a_key(self):
        self.service.create_key("ops", "admin")
        self.service.restart()

        page = self.service.request("GET", "/ui/jobs")
        jobs = self.service.request("GET", "/jobs")

        self.assertEqual(page.status, 200)
        self.assertEqual(jobs.status, 401)


class ConsoleDevFolderTest(ServiceTestCase):
    """--console-dir serves a folder of the console's own files, re-read on every request."""

    def setUp(self):
        built = os.path.join(os.path.dirname(os.environ["JOBSCHED_BINARY"]), "share", "console")
        self.folder = tempfile.mkdtemp(prefix="jobsched-console-dev-")
        self.addCleanup(shutil.rmtree, self.folder)
        for name in ("index.html", "main.js"):
            shutil.copy(os.path.join(built, name), self.folder)
        self.service = Service(extra_args=["--console-dir", self.folder])
        self.addCleanup(self.service.close)
        self.service.start()

    def test_edits_show_on_the_next_request_and_nothing_is_cached(self):
        before = self.service.request("GET", "/ui/assets/dev/main.js")
        with open(os.path.join(self.folder, "main.js"), "w", encoding="utf-8") as script:
            script.write("// edited\n")

        after = self.service.request("GET", "/ui/assets/dev/main.js")
        vendor = self.service.request("GET", "/ui/assets/dev/preact.mjs")
        page = self.service.request("GET", "/ui/")

        self.assertNotEqual(before.body, "// edited\n")
        self.assertEqual(after.body, "// edited\n")
        self.assertEqual(after.headers["cache-control"], "no-store")
        self.assertEqual(vendor.status, 200, "vendor files come from the installed folder")
        self.assertEqual(version_of(page.body), "dev")

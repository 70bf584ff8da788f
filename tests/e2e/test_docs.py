"""The contract and Swagger UI as the real service serves them (every answer is checked against the spec)."""

import unittest

import yaml

import contract
from harness import ServiceTestCase

SWAGGER_ASSETS = {
    "swagger-ui.css": "text/css",
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-standalone-preset.js": "text/javascript",
    "favicon-32x32.png": "image/png",
}


def media_type(headers):
    return headers.get("content-type", "").split(";")[0].strip()


class DocsTest(ServiceTestCase):

    def test_openapi_json_is_the_spec_in_the_source_tree(self):
        response = self.service.get_json("/openapi.json")

        self.assertEqual(response.status, 200)
        self.assertEqual(response.body, contract.shared().spec)

    def test_openapi_yaml_is_the_spec_as_written(self):
        response = self.service.get_json("/openapi.yaml")

        self.assertEqual(response.status, 200)
        self.assertEqual(media_type(response.headers), "application/yaml")
        self.assertEqual(yaml.safe_load(response.body), contract.shared().spec)

    def test_an_unchanged_document_answers_304(self):
        etag = self.service.get_json("/openapi.json").headers["etag"]

        response = self.service.request("GET", "/openapi.json", headers={"If-None-Match": etag})

        self.assertEqual((response.status, response.body), (304, ""))

    def test_docs_page_loads_every_asset_from_the_service(self):
        page = self.service.get_json("/docs")

        self.assertEqual(page.status, 200)
        self.assertIn('url: "/openapi.json"', page.body)
        for name, expected_type in SWAGGER_ASSETS.items():
            with self.subTest(asset=name):
                self.assertIn(f"/docs/{name}", page.body)
                asset = self.service.get_json(f"/docs/{name}")
                self.assertEqual(asset.status, 200)
                self.assertEqual(media_type(asset.headers), expected_type)
                self.assertGreater(len(asset.body), 0)

    def test_an_unchanged_asset_answers_304(self):
        etag = self.service.get_json("/docs/swagger-ui.css").headers["etag"]

        response = self.service.request("GET", "/docs/swagger-ui.css", headers={"If-None-Match": etag})

        self.assertEqual(response.status, 304)

    def test_an_unknown_asset_is_404(self):
        self.assertProblem(self.service.get_json("/docs/index.html"), 404)

    def test_the_original_swagger_path_redirects_to_docs(self):
        for path in ("/swagger", "/swagger/"):
            with self.subTest(path=path):
                response = self.service.get_json(path)

                self.assertEqual(response.status, 308)
                self.assertEqual(response.headers["location"], "/docs")

    def test_head_is_answered_like_get_without_a_body(self):
        job = self.create_job()
        for path in ("/jobs", f"/jobs/{job['id']}", "/healthz", "/openapi.json"):
            with self.subTest(path=path):
                get = self.service.request("GET", path)

                head = self.service.request("HEAD", path)

                self.assertEqual((head.status, head.body), (get.status, ""))
                self.assertEqual(head.headers.get("etag"), get.headers.get("etag"))


if __name__ == "__main__":
    unittest.main()

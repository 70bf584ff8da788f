"""Checks every answer the end-to-end tests receive against the contract, docs/openapi.yaml.

harness.Client calls `check()` for each response, so every suite checks the contract as a side
effect of what it already does. An answer fails the test (AssertionError) when:

- no operation of the spec matches the request's method and path (HEAD is checked as GET);
- its status is not documented for that operation: listed exactly (`'404'`) or as a range
  (`'4XX'`); `default` stands only for 5xx, so every 4xx the service gives must be listed;
- a header the spec marks `required: true` is missing, or a documented header's value does not
  match its schema;
- its Content-Type is not one the spec lists for that status, or it has a body where the spec
  lists no content (204, 304, HEAD);
- its body does not match the schema of that status and media type (problem+json included).

Schemas are JSON Schema 2020-12 (OpenAPI 3.1), checked with Debian's python3-jsonschema; `$ref`s
resolve inside the spec. Formats are asserted for `date-time` (RFC 3339), `int64` and `email`;
other formats stay annotations.

A request that is garbage on purpose (an unknown path, a method the path does not have) passes
`unchecked="reason"` to the harness: no operation is looked up, but a problem+json answer must
still be a valid `Problem`.
"""

import datetime
import json
import os
import re
import threading
import urllib.parse

import jsonschema
import yaml
from jsonschema.exceptions import best_match

SPEC_PATH = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs",
                                          "openapi.yaml"))
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_SHOWN_BODY_CHARS = 600


def _is_date_time(instance):
    if not isinstance(instance, str):
        return True
    if not _RFC3339.match(instance):
        return False
    text = instance.upper().replace("Z", "+00:00")
    # fromisoformat takes at most 6 fraction digits (before 3.11); the digits were matched above.
    text = re.sub(r"\.\d+", "", text)
    try:
        datetime.datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def _is_int64(instance):
    return not isinstance(instance, int) or -2**63 <= instance < 2**63


def _is_email(instance):
    return not isinstance(instance, str) or "@" in instance


def _format_checker():
    checker = jsonschema.FormatChecker(formats=())
    checker.checks("date-time")(_is_date_time)
    checker.checks("int64")(_is_int64)
    checker.checks("email")(_is_email)
    return checker


def _shown(body):
    text = body if isinstance(body, str) else json.dumps(body)
    return text if len(text) <= _SHOWN_BODY_CHARS else text[:_SHOWN_BODY_CHARS] + f"... ({len(text)} chars)"


def _pointer(*parts):
    return "#/" + "/".join(str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def _closest_branch(error):
    """For an anyOf/oneOf that nothing matched, the error inside the branch that came closest.

    jsonschema's best_match stops at "is not valid under any of the given schemas"; for a task
    with one unknown member the useful error is the one from the task type it has. The closest
    branch is the one with the fewest errors, a plain type or const miss at its root counting
    as further off (`task: null` vs. a task, `type: http` vs. the noop branch).
    """
    while error.context:
        branches = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)

        def distance(errors):
            only_misses = all(sub.validator in ("type", "const") and not sub.relative_path for sub in errors)
            return (len(errors), only_misses)

        error = max(min(branches.values(), key=distance), key=lambda sub: len(sub.absolute_path))
    return error


def _instance_path(error):
    path = "$"
    for part in error.absolute_path:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


class ContractViolation(AssertionError):
    pass


class Contract:
    """The spec, loaded once; `check()` may be called from several threads."""

    def __init__(self, spec_path=SPEC_PATH):
        self.spec_path = spec_path
        with open(spec_path, encoding="utf-8") as source:
            # libyaml's loader when there is one: the pure-Python one takes over a second for the spec.
            self.spec = yaml.load(source, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        self._resolver = jsonschema.RefResolver.from_schema(self.spec)
        self._formats = _format_checker()
        # RefResolver keeps a scope stack while it resolves: one validation at a time.
        self._lock = threading.Lock()
        self._paths = [(template, self._segments(template), item) for template, item in self.spec["paths"].items()]

    # -- looking things up -------------------------------------------------------------------

    @staticmethod
    def _segments(path):
        path = path.strip("/")
        return path.split("/") if path else []

    def _resolve(self, node):
        with self._lock:
            while isinstance(node, dict) and "$ref" in node:
                _, node = self._resolver.resolve(node["$ref"])
        return node

    def operation(self, method, path):
        """(template, method, operation) for a request, or None. Literal segments beat templated ones."""
        method = "get" if method.upper() == "HEAD" else method.lower()
        segments = self._segments(urllib.parse.urlsplit(path).path)
        best = None
        for template, pattern, item in self._paths:
            if method not in item or len(pattern) != len(segments):
                continue
            literal = 0
            for expected, actual in zip(pattern, segments):
                if expected.startswith("{") and expected.endswith("}"):
                    if not actual:
                        break
                elif expected == actual:
                    literal += 1
                else:
                    break
            else:
                if best is None or literal > best[0]:
                    best = (literal, template, item[method])
        return None if best is None else (best[1], method, best[2])

    # -- checking ----------------------------------------------------------------------------

    def _errors(self, schema, instance):
        validator = jsonschema.Draft202012Validator(schema, resolver=self._resolver, format_checker=self._formats)
        with self._lock:
            return list(validator.iter_errors(instance))

    def _schema_problem(self, schema, instance, where):
        """A description of why `instance` does not match `schema`, or None."""
        errors = self._errors(schema, instance)
        if not errors:
            return None
        error = _closest_branch(best_match(errors))
        return f"{where}: at {_instance_path(error)}: {error.message}"

    def check(self, method, path, status, headers, body, unchecked=None):
        """Raises ContractViolation when the answer does not keep the contract. `headers` has lower-case names."""
        request = f"{method} {path}"
        media_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if unchecked is not None:
            if not unchecked:
                raise ValueError("unchecked= needs the reason why this request is not in the contract")
            if media_type == "application/problem+json":
                self._fail_on(self._schema_problem({"$ref": "#/components/schemas/Problem"}, body,
                                                   "the Problem schema"), request, status, body)
            return
        found = self.operation(method, path)
        if found is None:
            raise ContractViolation(
                f"contract: {request} answered {status}, but {self.spec_path} has no operation for it; a test "
                f"that sends such a request on purpose passes unchecked='why' to the harness")
        template, spec_method, operation = found
        name = operation.get("operationId", f"{spec_method.upper()} {template}")
        responses = operation.get("responses", {})
        key = next((candidate for candidate in (str(status), f"{status // 100}XX")
                    if candidate in responses), None)
        if key is None and status >= 500 and "default" in responses:
            key = "default"
        if key is None:
            raise ContractViolation(
                f"contract: {request} answered {status}, which {name} does not document (it lists "
                f"{', '.join(responses)}; `default` stands only for 5xx). Body: {_shown(body)}")
        response = self._resolve(responses[key])
        where = _pointer("paths", template, spec_method, "responses", key)

        for header_name, header in (response.get("headers") or {}).items():
            header = self._resolve(header)
            lower = header_name.lower()
            if lower == "content-type":
                continue  # described by `content`, never by `headers` (OpenAPI 3.1, 4.8.17.2)
            if lower not in headers:
                if header.get("required"):
                    raise ContractViolation(f"contract: {request} answered {status} without the {header_name} "
                                            f"header, which {where} requires")
                continue
            if "schema" in header:
                self._fail_on(self._schema_problem(header["schema"], headers[lower],
                                                   f"header {header_name} ({where}/headers)"), request, status, body)

        content = response.get("content") or {}
        empty = body in ("", b"", None)
        if method.upper() == "HEAD" or not content:
            if not empty:
                raise ContractViolation(f"contract: {request} answered {status} with a body, but {where} has no "
                                        f"content (or the request was HEAD): {_shown(body)}")
            return
        if media_type not in content:
            raise ContractViolation(f"contract: {request} answered {status} with Content-Type "
                                    f"{headers.get('content-type')!r}; {where} lists {', '.join(content)}. "
                                    f"Body: {_shown(body)}")
        schema = content[media_type].get("schema")
        if schema is not None:
            self._fail_on(self._schema_problem(schema, body, f"{where}/content/{media_type}"), request, status, body)

    def check_schema(self, schema_name, instance, what):
        """Raises ContractViolation unless `instance` matches components/schemas/`schema_name`.

        For what reaches a test other than as an HTTP answer: the JSON `jobsched job get -o json` prints.
        """
        problem = self._schema_problem({"$ref": f"#/components/schemas/{schema_name}"}, instance,
                                       f"the {schema_name} schema")
        if problem is not None:
            raise ContractViolation(f"contract: {what} breaks {self.spec_path} {problem}. Value: {_shown(instance)}")

    def _fail_on(self, problem, request, status, body):
        if problem is not None:
            raise ContractViolation(f"contract: {request} answered {status}, which breaks {self.spec_path} "
                                    f"{problem}. Body: {_shown(body)}")


_shared = None
_shared_lock = threading.Lock()


def shared():
    """The contract of this source tree, loaded on first use."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Contract()
        return _shared

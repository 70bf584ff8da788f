"""End-to-end tests of the jobs API: the real binary, a temporary SQLite file, HTTP on loopback."""

import datetime
import threading
import unittest

from harness import (RFC3339_UTC, ServiceTestCase, count_jobs, form_body, list_all_jobs, next_link)

UTC = datetime.timezone.utc
ONE_MIB = 1 << 20


def parse_time(text):
    """An RFC 3339 UTC timestamp as the service writes it ('...Z') -> aware datetime."""
    if not isinstance(text, str) or not RFC3339_UTC.match(text):
        raise AssertionError(f"not an RFC 3339 UTC timestamp ending in Z: {text!r}")
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


# The next run of each named interval strictly after `after`, all in UTC.

def next_top_of_hour(after):
    return after.replace(minute=0, second=0, microsecond=0) + datetime.timedelta(hours=1)


def next_daily_at_10(after):
    candidate = after.replace(hour=10, minute=0, second=0, microsecond=0)
    return candidate if candidate > after else candidate + datetime.timedelta(days=1)


def next_monday_at_10(after):
    candidate = next_daily_at_10(after)
    return candidate + datetime.timedelta(days=(7 - candidate.weekday()) % 7)


def next_first_of_month_at_10(after):
    candidate = after.replace(day=1, hour=10, minute=0, second=0, microsecond=0)
    if candidate > after:
        return candidate
    if candidate.month == 12:
        return candidate.replace(year=candidate.year + 1, month=1)
    return candidate.replace(month=candidate.month + 1)


def next_utc_midnight(after):
    return after.replace(hour=0, minute=0, second=0, microsecond=0) + datetime.timedelta(days=1)


EXPECTED_FIRST_RUN = {
    "hourly": next_top_of_hour,
    "daily": next_daily_at_10,
    "weekly": next_monday_at_10,
    "monthly": next_first_of_month_at_10,
}

# (request value, canonical form, period)
DURATIONS = [
    ("30s", "30s", datetime.timedelta(seconds=30)),
    ("15m", "15m", datetime.timedelta(minutes=15)),
    ("1h30m", "1h30m", datetime.timedelta(hours=1, minutes=30)),
    ("90m", "1h30m", datetime.timedelta(minutes=90)),
    ("1d", "1d", datetime.timedelta(days=1)),
    ("1w", "1w", datetime.timedelta(weeks=1)),
]


class JobsApiTestCase(ServiceTestCase):
    """Helpers shared by the jobs API tests."""

    def assert_rejected(self, response, expected_status, field):
        """A rejected request: a problem naming `field`, the server still answers, no job was written."""
        self.assertProblem(response, expected_status, field)
        self.assert_server_healthy()
        self.assertEqual(count_jobs(self.service), self.jobs_before)

    def assert_server_healthy(self):
        status, _, body = self.service.request("GET", "/healthz")
        self.assertEqual((status, body), (200, {"status": "ok"}))

    def post_raw(self, body, content_type="application/json", path="/jobs"):
        return self.service.request("POST", path, body=body, headers={"Content-Type": content_type})

    def setUp(self):
        super().setUp()
        self.create_job(name="already there")  # so that "nothing written" is not trivially "empty"
        self.jobs_before = count_jobs(self.service)


class CreateJobTest(JobsApiTestCase):

    def test_create_returns_201_with_location(self):
        response = self.service.post_json("/jobs", {"name": "Number Crunching", "interval": "daily"})

        self.assertEqual(response.status, 201, response.body)
        self.assertEqual(response.headers.get("location"), f"/jobs/{response.body['id']}")

    def test_create_returns_version_1_and_the_etag_a_get_will_return(self):
        response = self.service.post_json("/jobs", {"name": "a", "interval": "daily"})

        self.assertEqual(response.status, 201, response.body)
        self.assertEqual(response.body["version"], 1)
        fetched = self.service.get_json(f"/jobs/{response.body['id']}")
        self.assertRegex(response.headers.get("etag"), r'^"\d+-[0-9a-f]{16}"$')
        self.assertEqual(response.headers.get("etag"), fetched.headers.get("etag"))

    def test_create_returns_the_stored_job(self):
        response = self.service.post_json("/jobs", {"name": "Number Crunching", "interval": "weekly"})

        job = response.body
        self.assertEqual(response.headers["content-type"].split(";")[0], "application/json")
        self.assertIsInstance(job["id"], int)
        self.assertEqual(job["name"], "Number Crunching")
        self.assertEqual(job["interval"], "weekly")
        self.assertIsNone(job["task"])
        self.assertIs(job["is_active"], True)
        self.assertIsNone(job["last_run"])
        self.assertEqual(job["version"], 1)
        self.assertNotIn("every", job)
        self.assertNotIn("end_at", job)

    def test_create_sets_created_at_to_now_and_updated_at_equal(self):
        before = datetime.datetime.now(UTC)

        job = self.create_job()

        after = datetime.datetime.now(UTC)
        created_at = parse_time(job["created_at"])
        self.assertEqual(job["updated_at"], job["created_at"])
        slack = datetime.timedelta(seconds=1)  # the server may round to milliseconds
        self.assertTrue(before - slack <= created_at <= after + slack, (before, created_at, after))

    def test_created_job_reads_back_identically(self):
        task = {"type": "compute", "function": "prime_count", "n": 100}
        created = self.create_job(name="read me", every="15m", task=task)

        status, _, body = self.service.get_json(f"/jobs/{created['id']}")

        self.assertEqual(status, 200)
        self.assertEqual(body, created)

    def test_create_stores_task_object(self):
        task = {"type": "compute", "function": "factorial_sum", "n": 1000}

        job = self.create_job(task=task)

        self.assertEqual(job["task"], task)

    def test_create_accepts_null_task(self):
        job = self.create_job(task=None)

        self.assertIsNone(job["task"])

    def test_create_gives_each_job_a_new_increasing_id(self):
        ids = [self.create_job(name=f"job {i}")["id"] for i in range(5)]

        self.assertEqual(ids, sorted(set(ids)))

    def test_create_honours_is_active_false(self):
        job = self.create_job(is_active=False)

        self.assertIs(job["is_active"], False)
        self.assertIsNone(job["next_run"])

    def test_create_ignores_read_only_last_run_and_next_run(self):
        job = self.create_job(interval="hourly", last_run="2001-01-01T00:00:00Z", next_run="2001-01-01T01:00:00Z")

        self.assertIsNone(job["last_run"])
        self.assertEqual(parse_time(job["next_run"]), next_top_of_hour(parse_time(job["created_at"])))

    def test_create_accepts_name_of_255_characters(self):
        for name in ("n" * 255, "\u00e9" * 255, "\U0001F600" * 255):
            with self.subTest(name=name[:3]):
                self.assertEqual(self.create_job(name=name)["name"], name)

    def test_create_keeps_unicode_and_quotes_in_name(self):
        name = 'Zahlen "knacken" \u00fcber Nacht \u2013 \u65e5\u672c \\ /'

        job = self.create_job(name=name)

        self.assertEqual(job["name"], name)
        self.assertEqual(self.service.get_json(f"/jobs/{job['id']}").body["name"], name)

    def test_create_accepts_form_post(self):
        response = self.post_raw("name=Number+Crunching&interval=weekly", "application/x-www-form-urlencoded")

        self.assertEqual(response.status, 201, response.body)
        self.assertEqual(response.body["name"], "Number Crunching")
        self.assertEqual(response.body["interval"], "weekly")

    def test_create_accepts_a_form_typed_with_spaces_as_the_original_did(self):
        # `curl -d 'name=Send Email Notification&interval=weekly' .../jobs/`, spaces unencoded.
        response = self.post_raw("name=Send Email Notification&interval=weekly", "application/x-www-form-urlencoded",
                                 path="/jobs/")

        self.assertEqual(response.status, 201, response.body)
        self.assertEqual(response.body["name"], "Send Email Notification")
        self.assertEqual(response.body["interval"], "weekly")

    def test_create_decodes_percent_escapes_in_form_post(self):
        body = form_body({"name": "50% & more = fun", "every": "1h"})

        response = self.post_raw(body, "application/x-www-form-urlencoded")

        self.assertEqual(response.status, 201, response.body)
        self.assertEqual(response.body["name"], "50% & more = fun")
        self.assertEqual(response.body["every"], "1h")

    def test_create_reads_json_sent_with_form_content_type(self):
        response = self.post_raw('{"name": "curl -d", "interval": "daily"}', "application/x-www-form-urlencoded")

        self.assertEqual(response.status, 201, response.body)
        self.assertEqual(response.body["name"], "curl -d")

    def test_create_accepts_json_content_type_with_charset(self):
        response = self.post_raw('{"name": "utf8", "interval": "daily"}', "application/json; charset=utf-8")

        self.assertEqual(response.status, 201, response.body)

    def test_create_rejects_other_content_types_with_415(self):
        for content_type in ("text/plain", "application/xml", "multipart/form-data; boundary=x"):
            with self.subTest(content_type=content_type):
                response = self.post_raw('{"name": "a", "interval": "daily"}', content_type)

                self.assert_rejected(response, 415, "Content-Type")


class ScheduleTest(JobsApiTestCase):

    def test_named_interval_first_run_is_next_occurrence_after_creation(self):
        for interval, expected_first_run in EXPECTED_FIRST_RUN.items():
            with self.subTest(interval=interval):
                job = self.create_job(interval=interval)

                self.assertEqual(job["interval"], interval)
                self.assertEqual(parse_time(job["next_run"]), expected_first_run(parse_time(job["created_at"])))

    def test_hourly_for_today_ends_at_next_utc_midnight(self):
        job = self.create_job(interval="hourly_for_today")

        self.assertEqual(parse_time(job["end_at"]), next_utc_midnight(parse_time(job["created_at"])))

    def test_hourly_for_today_first_run_is_next_hour_before_midnight(self):
        job = self.create_job(interval="hourly_for_today")

        created_at = parse_time(job["created_at"])
        expected = next_top_of_hour(created_at)
        if expected >= next_utc_midnight(created_at):
            self.assertIsNone(job["next_run"])  # created in the day's last hour: nothing left today
        else:
            self.assertEqual(parse_time(job["next_run"]), expected)

    def test_every_first_run_is_creation_plus_period(self):
        for text, _, period in DURATIONS:
            with self.subTest(every=text):
                job = self.create_job(every=text)

                self.assertEqual(parse_time(job["next_run"]), parse_time(job["created_at"]) + period)

    def test_every_is_returned_in_canonical_form(self):
        for text, canonical, _ in DURATIONS:
            with self.subTest(every=text):
                job = self.create_job(every=text)

                self.assertEqual(job["every"], canonical)
                self.assertIsNone(job["interval"])

    def test_timestamps_are_rfc3339_utc(self):
        job = self.create_job(interval="hourly_for_today")

        for field in ("next_run", "created_at", "updated_at", "end_at"):
            with self.subTest(field=field):
                if job[field] is not None:
                    parse_time(job[field])


class CreateValidationTest(JobsApiTestCase):

    def assert_json_rejected(self, body, field):
        self.assert_rejected(self.service.post_json("/jobs", body), 400, field)

    def test_invalid_name_is_rejected_naming_name(self):
        cases = {
            "missing": {"interval": "daily"},
            "empty": {"name": "", "interval": "daily"},
            "blank": {"name": "   ", "interval": "daily"},
            "256 characters": {"name": "n" * 256, "interval": "daily"},
            "256 two-byte characters": {"name": "\u00e9" * 256, "interval": "daily"},
        }
        for case, body in cases.items():
            with self.subTest(case=case):
                self.assert_json_rejected(body, "name")

    def test_name_with_control_character_is_rejected_naming_name(self):
        # Unicode general category Cc: C0 (U+0000-U+001F), DEL (U+007F) and C1 (U+0080-U+009F).
        for character in ("\u0000", "\t", "\n", "\r", "\u001b", "\u007f", "\u0080", "\u0085", "\u009b"):
            with self.subTest(character=f"U+{ord(character):04X}"):
                self.assert_json_rejected({"name": f"a{character}b", "interval": "daily"}, "name")

    def test_missing_schedule_is_rejected_naming_interval(self):
        self.assert_json_rejected({"name": "a"}, "interval")

    def test_both_interval_and_every_are_rejected_naming_every(self):
        self.assert_json_rejected({"name": "a", "interval": "daily", "every": "1h"}, "every")

    def test_unknown_interval_is_rejected_naming_interval(self):
        for interval in ("fortnightly", "", "Daily", "daily ", "every 5m"):
            with self.subTest(interval=interval):
                self.assert_json_rejected({"name": "a", "interval": interval}, "interval")

    def test_bad_duration_is_rejected_naming_every(self):
        for every in ("", "abc", "10", "0s", "0m0s", "-5m", "1x", "1.5h", "30m1h", "1h1h", "h", " 5m", "11000d"):
            with self.subTest(every=every):
                self.assert_json_rejected({"name": "a", "every": every}, "every")

    def test_wrong_types_are_rejected_naming_the_field(self):
        cases = [
            ({"name": 5, "interval": "daily"}, "name"),
            ({"name": None, "interval": "daily"}, "name"),
            ({"name": "a", "interval": ["daily"]}, "interval"),
            ({"name": "a", "every": 30}, "every"),
            ({"name": "a", "interval": "daily", "is_active": "yes"}, "is_active"),
            ({"name": "a", "interval": "daily", "is_active": 1}, "is_active"),
            ({"name": "a", "interval": "daily", "task": "email"}, "task"),
            ({"name": "a", "interval": "daily", "task": ["email"]}, "task"),
        ]
        for body, field in cases:
            with self.subTest(body=body):
                self.assert_json_rejected(body, field)

    def test_unknown_field_is_rejected_with_suggestion(self):
        response = self.service.post_json("/jobs", {"name": "a", "intervall": "daily"})

        self.assert_rejected(response, 400, "intervall")
        self.assertIn("did you mean 'interval'", response.body["detail"])

    def test_malformed_json_is_rejected_naming_body(self):
        for body in ("{", '{"name": }', '{"name": "a", "interval": "daily"', "{'name': 'a'}", "",
                     '{"name": "a", "interval": "daily"} trailing', b"\xff\xfe{"):
            with self.subTest(body=body):
                self.assert_rejected(self.post_raw(body), 400, "body")

    def test_non_object_json_is_rejected_naming_body(self):
        for body in ("[]", '[{"name": "a", "interval": "daily"}]', '"job"', "42", "null", "true"):
            with self.subTest(body=body):
                self.assert_rejected(self.post_raw(body), 400, "body")

    def test_invalid_form_post_is_rejected_naming_the_field(self):
        cases = [
            ("interval=daily", "name"),
            ("name=a", "interval"),
            ("name=a&interval=yearly", "interval"),
            ("name=a&every=soon", "every"),
            ("name=a&interval=daily&is_active=maybe", "is_active"),
            ("name=a&interval=daily&task=email", "task"),
            ("name=a&intervall=daily", "intervall"),
        ]
        for body, field in cases:
            with self.subTest(body=body):
                self.assert_rejected(self.post_raw(body, "application/x-www-form-urlencoded"), 400, field)


class GetJobTest(JobsApiTestCase):

    def test_get_returns_job_with_etag_and_no_cache(self):
        job = self.create_job()

        status, headers, body = self.service.get_json(f"/jobs/{job['id']}")

        self.assertEqual(status, 200)
        self.assertEqual(body, job)
        self.assertRegex(headers.get("etag"), r'^"\d+-[0-9a-f]{16}"$')
        self.assertEqual(headers.get("cache-control"), "no-cache")

    def test_get_with_matching_if_none_match_returns_304_without_body(self):
        job = self.create_job()
        etag = self.service.get_json(f"/jobs/{job['id']}").headers["etag"]

        status, headers, body = self.service.request("GET", f"/jobs/{job['id']}", headers={"If-None-Match": etag})

        self.assertEqual(status, 304)
        self.assertEqual(body, "")
        self.assertEqual(headers.get("etag"), etag)

    def test_get_with_other_if_none_match_returns_200(self):
        job = self.create_job()

        status, _, body = self.service.request("GET", f"/jobs/{job['id']}", headers={"If-None-Match": '"999"'})

        self.assertEqual(status, 200)
        self.assertEqual(body, job)

    def test_get_unknown_id_returns_404_problem(self):
        response = self.service.get_json("/jobs/999999")

        self.assertProblem(response, 404)

    def test_get_non_numeric_id_returns_404_problem(self):
        for raw_id in ("abc", "0", "-1", "1.0", "1e3", "0x1", "99999999999999999999999", "%20"):
            with self.subTest(id=raw_id):
                self.assertProblem(self.service.get_json(f"/jobs/{raw_id}"), 404)

    def test_get_with_trailing_slash_works_like_without(self):
        job = self.create_job()

        status, _, body = self.service.get_json(f"/jobs/{job['id']}/")

        self.assertEqual(status, 200)
        self.assertEqual(body, job)


class ListJobsTest(JobsApiTestCase):

    def create_jobs(self, count, **fields):
        return [self.create_job(**fields) for _ in range(count)]

    def test_list_returns_all_jobs_ordered_by_id(self):
        created = self.create_jobs(5)

        status, headers, body = self.service.get_json("/jobs")

        self.assertEqual(status, 200)
        self.assertEqual([job["id"] for job in body], sorted(job["id"] for job in body))
        self.assertEqual(body[-5:], created)
        self.assertIsNone(headers.get("link"))

    def test_list_etag_changes_with_any_job_of_the_page_and_only_then(self):
        first, second = self.create_jobs(2)
        self.service.get_json(f"/jobs/{second['id']}")  # cached, with its encoded form

        def page(path="/jobs"):
            response = self.service.get_json(path)
            self.assertEqual(response.status, 200)
            return response.headers["etag"], response.body

        etag, body = page()
        self.assertEqual(page(), (etag, body))
        status, _, _ = self.service.request("GET", "/jobs", headers={"If-None-Match": etag})
        self.assertEqual(status, 304)

        response = self.service.request("PATCH", f"/jobs/{second['id']}", body={"name": "renamed"})
        self.assertEqual(response.status, 200)
        changed_etag, changed_body = page()
        self.assertNotEqual(changed_etag, etag)
        self.assertEqual(changed_body[-1]["name"], "renamed")
        self.assertEqual(changed_body[-1], self.service.get_json(f"/jobs/{second['id']}").body)

        response = self.service.request("POST", f"/jobs/{first['id']}/pause", body={})
        self.assertEqual(response.status, 200)
        paused_etag, paused_body = page()
        self.assertNotIn(paused_etag, (etag, changed_etag))
        self.assertFalse(paused_body[-2]["is_active"])
        # The same jobs with their recent runs are another body, so another tag.
        self.assertNotEqual(page("/jobs?include=recent_runs")[0], paused_etag)

    def test_list_with_trailing_slash_works_like_without(self):
        self.create_jobs(2)

        self.assertEqual(self.service.get_json("/jobs/").body, self.service.get_json("/jobs").body)

    def test_list_default_limit_is_100(self):
        self.create_jobs(100)  # 101 with the one from setUp

        status, headers, body = self.service.get_json("/jobs")

        self.assertEqual(status, 200)
        self.assertEqual(len(body), 100)
        self.assertEqual(next_link(headers), f"/jobs?limit=100&cursor={body[-1]['id']}")

    def test_list_pages_return_every_job_exactly_once_in_order(self):
        self.create_jobs(24)  # 25 with the one from setUp
        expected_ids = [job["id"] for job in list_all_jobs(self.service)]

        pages = []
        path = "/jobs?limit=10"
        while path is not None:
            status, headers, body = self.service.get_json(path)
            self.assertEqual(status, 200, body)
            pages.append(body)
            path = next_link(headers)

        self.assertEqual([len(page) for page in pages], [10, 10, 5])
        self.assertEqual([job["id"] for page in pages for job in page], expected_ids)
        self.assertEqual(len(expected_ids), 25)

    def test_list_next_link_has_limit_and_cursor(self):
        self.create_jobs(2)

        _, headers, body = self.service.get_json("/jobs?limit=2")

        self.assertRegex(headers.get("link", ""), r'^</jobs\?limit=2&cursor=[^&>]+>; rel="next"$')

    def test_list_last_full_page_has_no_link(self):
        self.create_jobs(19)  # 20 with the one from setUp

        _, first_headers, _ = self.service.get_json("/jobs?limit=10")
        status, last_headers, last_page = self.service.get_json(next_link(first_headers))

        self.assertEqual(status, 200)
        self.assertEqual(len(last_page), 10)
        self.assertIsNone(last_headers.get("link"))

    def test_list_filters_by_is_active(self):
        active = self.create_jobs(3)
        inactive = self.create_jobs(2, is_active=False)
        all_active_ids = {job["id"] for job in list_all_jobs(self.service) if job["is_active"]}

        active_listed = self.service.get_json("/jobs?is_active=true").body
        inactive_listed = self.service.get_json("/jobs?is_active=false").body

        self.assertEqual({job["id"] for job in active_listed}, all_active_ids)
        self.assertTrue({job["id"] for job in active} <= all_active_ids)
        self.assertEqual(inactive_listed, inactive)

    def test_list_link_keeps_is_active_filter(self):
        inactive = self.create_jobs(5, is_active=False)
        self.create_jobs(5)

        seen = list_all_jobs(self.service, "/jobs?is_active=false&limit=2")
        _, headers, _ = self.service.get_json("/jobs?is_active=false&limit=2")

        self.assertIn("is_active=false", next_link(headers))
        self.assertEqual(seen, inactive)

    def test_list_accepts_limit_bounds(self):
        for limit in (1, 1000):
            with self.subTest(limit=limit):
                status, _, body = self.service.get_json(f"/jobs?limit={limit}")

                self.assertEqual(status, 200, body)
                self.assertEqual(len(body), 1)

    def test_list_rejects_bad_limit(self):
        for limit in ("0", "1001", "-1", "abc", "", "1.5", "10abc"):
            with self.subTest(limit=limit):
                self.assertProblem(self.service.get_json(f"/jobs?limit={limit}"), 400, "limit")

    def test_list_rejects_garbage_cursor(self):
        for cursor in ("abc", "-1", "1.5", "%00", "zzz==", ""):
            with self.subTest(cursor=cursor):
                self.assertProblem(self.service.get_json(f"/jobs?cursor={cursor}"), 400, "cursor")

    def test_list_rejects_bad_is_active(self):
        for value in ("yes", "1", "TRUE", ""):
            with self.subTest(is_active=value):
                self.assertProblem(self.service.get_json(f"/jobs?is_active={value}"), 400, "is_active")


class RoutingTest(JobsApiTestCase):

    def test_unknown_route_returns_404_problem(self):
        # "/" is the web console's front door (a redirect to /ui/, test_console.py).
        for path in ("/nope", "/jobs/1/chronicle", "/job", "/healthz/x", "/ui/nope", "/ui/jobs/1/runs"):
            with self.subTest(path=path):
                self.assertProblem(self.service.get_json(path, unchecked="a path the contract does not have"), 404)

    def test_wrong_method_returns_405_with_allow(self):
        cases = [
            ("DELETE", "/jobs", {"GET", "POST"}),
            ("PUT", "/jobs", {"GET", "POST"}),
            ("POST", "/jobs/1", {"GET", "PATCH", "DELETE"}),
            ("PUT", "/jobs/1", {"GET", "PATCH", "DELETE"}),
            ("GET", "/jobs/1/pause", {"POST"}),
        ]
        for method, path, allowed in cases:
            with self.subTest(method=method, path=path):
                response = self.service.request(method, path, unchecked="a method the path does not have")

                self.assertProblem(response, 405)
                allow = {part.strip() for part in response.headers.get("allow", "").split(",")}
                self.assertEqual(allow, allowed)

    def test_body_over_1_mib_returns_413_problem(self):
        body = '{"name": "' + "x" * ONE_MIB + '", "interval": "daily"}'

        response = self.post_raw(body)

        self.assert_rejected(response, 413, None)

    def test_body_of_exactly_1_mib_is_read(self):
        prefix = '{"name": "padded", "interval": "daily"}'
        body = prefix + " " * (ONE_MIB - len(prefix))

        response = self.post_raw(body)

        self.assertEqual(response.status, 201, response.body)

    def test_healthz_returns_ok(self):
        status, headers, body = self.service.get_json("/healthz")

        self.assertEqual(status, 200)
        self.assertEqual(body, {"status": "ok"})


class ConcurrencyTest(JobsApiTestCase):

    def test_parallel_creates_get_distinct_readable_ids(self):
        threads_count, jobs_per_thread = 20, 10
        created = []
        failures = []
        lock = threading.Lock()

        def create_some(thread_index):
            client = self.service.client()
            try:
                for i in range(jobs_per_thread):
                    response = client.post_json("/jobs", {"name": f"t{thread_index} j{i}", "every": "1h"})
                    with lock:
                        (created if response.status == 201 else failures).append(response)
            except Exception as error:  # reported below; a thread must not die silently
                with lock:
                    failures.append(error)
            finally:
                client.close()

        threads = [threading.Thread(target=create_some, args=(n,)) for n in range(threads_count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        self.assertEqual(failures, [])
        ids = {response.body["id"] for response in created}
        self.assertEqual(len(ids), threads_count * jobs_per_thread)
        for response in created:
            status, _, body = self.service.get_json(f"/jobs/{response.body['id']}")
            self.assertEqual((status, body), (200, response.body))


class ShutdownTest(JobsApiTestCase):

    def test_sigterm_exits_zero(self):
        self.assertEqual(self.service.stop(), 0)

    def test_sigterm_with_idle_keep_alive_connection_exits_zero(self):
        idle = self.service.client()
        self.addCleanup(idle.close)
        self.assertEqual(idle.request("GET", "/healthz").status, 200)  # connection now idle, kept open

        self.assertEqual(self.service.stop(), 0)


if __name__ == "__main__":
    unittest.main()

"""Alerts in cluster mode (issue #18): three nodes on one real PostgreSQL raise alerts as their
runs fail, and send each alert once to a real webhook receiver on loopback (the sender's claim
locks with FOR UPDATE SKIP LOCKED; a receiver may still de-duplicate by Jobsched-Alert-Id)."""

import collections
import json
import unittest

from harness import wait_until
from test_cluster import ClusterTestCase

DEADLINE_S = 60.0


class AlertClusterTest(ClusterTestCase):

    JOBS = 20

    def run(self, result=None):
        result = result if result is not None else self.defaultTestResult()
        before = len(result.failures) + len(result.errors)
        outcome = super().run(result)
        if len(result.failures) + len(result.errors) > before:
            import sys
            for i, node in enumerate(getattr(self, "nodes", [])):
                sys.stderr.write(f"\n===== node {i} =====\n{node.log_text()[-6000:]}")
        return outcome

    def test_three_nodes_send_each_alert_once(self):
        self.start_nodes(3)
        self.endpoint.route("/work", status=503)
        jobs = []
        for i in range(self.JOBS):
            node = self.nodes[i % 3]
            response = node.post_json("/jobs", {
                "name": f"flapping {i}", "every": "1s", "overlap": "allow",
                "task": {"type": "http", "url": self.endpoint.url("/work"), "method": "POST"},
                "alerts": {"on": ["failed"], "channels": [{"type": "webhook", "url": self.endpoint.url("/hook")}]}})
            self.assertEqual(response.status, 201, response.body)
            jobs.append(response.body)

        # Each job's failure streak alerts once, at its first failure, on whichever node ran it.
        wait_until(lambda: int(self.sql("SELECT count(*) FROM alerts") or 0) >= self.JOBS, DEADLINE_S,
                   "alerts raised")
        for i, job in enumerate(jobs):
            response = self.nodes[i % 3].request("PATCH", f"/jobs/{job['id']}", body={"is_active": False})
            self.assertEqual(response.status, 200, response.body)
        wait_until(lambda: self.sql("SELECT count(*) FROM runs WHERE state IN ('queued', 'running')") == "0",
                   DEADLINE_S, "the last runs to end")
        wait_until(lambda: self.sql("SELECT count(*) FROM alerts WHERE state <> 'sent'") == "0", DEADLINE_S,
                   "every alert sent")

        raised = {int(row[0]) for row in self.sql_rows("SELECT id FROM alerts")}
        self.assertEqual(len(raised), self.JOBS)  # once per streak, though every run failed, on every node
        hooks = self.endpoint.requests_to("/hook")
        sent = collections.Counter(int(request.headers["jobsched-alert-id"]) for request in hooks)
        self.assertEqual(set(sent), raised)
        self.assertEqual([id for id, count in sent.items() if count > 1], [])
        self.assertEqual({json.loads(request.body)["alert_id"] for request in hooks}, raised)
        # The work was shared: alerts were raised, and sent, by more than one node.
        def counted(node, prefix):
            text = node.request("GET", "/metrics").body
            text = text if isinstance(text, str) else text.decode()
            return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(prefix))
        self.assertEqual(sum(counted(node, "jobsched_alerts_raised_total{") for node in self.nodes), len(raised))
        self.assertEqual(sum(counted(node, "jobsched_alerts_sent_total{") for node in self.nodes), len(raised))
        self.assertGreater(sum(1 for node in self.nodes if counted(node, "jobsched_alerts_sent_total{") > 0), 1)


if __name__ == "__main__":
    unittest.main()

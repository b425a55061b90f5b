#!/usr/bin/python3
# Copyright 2026 gridroute authors.
"""An independent client: Debian's python3-grpcio calls every RPC of a running
gridroute-server, with stubs generated from proto/ at test time. Proves the
.proto is usable outside C++ (and health + reflection work for grpcurl and
grpc_health_probe).

Usage (ctest does this): python_client_test.py REPO_DIR BIN_DIR"""
import csv
import os
import sys
import tempfile
import unittest

REPO, BIN = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

TMP = tempfile.TemporaryDirectory(prefix="gridroute-pytest-")
harness.make_stubs(REPO, TMP.name)

import grpc  # noqa: E402
from google.protobuf import timestamp_pb2  # noqa: E402
from gridroute.v1 import admin_pb2, admin_pb2_grpc, routing_pb2, routing_pb2_grpc  # noqa: E402
import health_pb2  # noqa: E402
import health_pb2_grpc  # noqa: E402
import reflection_pb2  # noqa: E402
import reflection_pb2_grpc  # noqa: E402

TIMEOUT = 30  # seconds, per call: a bound, never a pacing


class PythonClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pack = harness.make_pack(BIN, os.path.join(TMP.name, "pack"))
        with open(os.path.join(cls.pack, "..", "pack", "events.csv")) as f:
            rows = [r for r in csv.DictReader(f)]
        cls.event = next(r for r in rows if r["category_type"] == "event" and r["crs"] == "wgs84"
                         and r["category"] == "0102")
        cls.server = harness.Server(BIN, cls.pack).start()
        cls.channel = grpc.insecure_channel(cls.server.address)
        cls.routing = routing_pb2_grpc.RoutingServiceStub(cls.channel)
        cls.admin = admin_pb2_grpc.AdminServiceStub(cls.channel)

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        code = cls.server.stop()
        assert code == 0, "gridroute-server exited %r on SIGTERM" % code

    def request(self, **kw):
        e = self.event
        ts = timestamp_pb2.Timestamp()
        ts.FromJsonString("2026-03-04T02:00:00Z")
        r = routing_pb2.RouteRequest(
            point=routing_pb2.Point(x=float(e["lon"]), y=float(e["lat"]), crs="wgs84"),
            category="0102", reported_at=ts)
        for k, v in kw.items():
            if k == "point":
                r.point.CopyFrom(v)
            else:
                setattr(r, k, v)
        return r

    def test_info(self):
        info = self.admin.Info(admin_pb2.InfoRequest(), timeout=TIMEOUT)
        self.assertEqual(info.grids, 200)
        self.assertTrue(info.snapshot.version)
        self.assertEqual(info.snapshot.generation, 1)
        self.assertGreater(info.memory_bytes, 0)
        self.assertEqual(list(info.levels), ["district", "street", "community"])

    def test_locate(self):
        e = self.event
        r = self.routing.Locate(routing_pb2.LocateRequest(
            point=routing_pb2.Point(x=float(e["lon"]), y=float(e["lat"]))), timeout=TIMEOUT)
        self.assertIn(r.location.how, (routing_pb2.HOW_INSIDE, routing_pb2.HOW_ON_EDGE))
        self.assertTrue(r.location.grid_code)
        self.assertEqual(len(r.location.chain), 3)

    def test_route(self):
        r = self.routing.Route(self.request(), timeout=TIMEOUT)
        d = r.decision
        self.assertEqual(d.outcome, routing_pb2.OUTCOME_ROUTED)
        self.assertTrue(d.lead.code)
        self.assertTrue(d.rule_id)
        self.assertTrue(d.HasField("deadline"))
        self.assertGreater(d.deadline.seconds, 1772589600)  # after the report
        self.assertTrue(any(m.role == "leader" for m in d.team))
        self.assertEqual(r.snapshot.time_zone, "Asia/Shanghai")

    def test_route_outside_and_errors(self):
        r = self.routing.Route(self.request(point=routing_pb2.Point(x=100.0, y=20.0)), timeout=TIMEOUT)
        self.assertEqual(r.decision.outcome, routing_pb2.OUTCOME_OUTSIDE_COVERAGE)
        with self.assertRaises(grpc.RpcError) as cm:
            self.routing.Route(self.request(category="nope"), timeout=TIMEOUT)
        self.assertEqual(cm.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("category", cm.exception.details())
        bad = self.request()
        bad.ClearField("reported_at")
        with self.assertRaises(grpc.RpcError) as cm:
            self.routing.Route(bad, timeout=TIMEOUT)
        self.assertEqual(cm.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("reported_at", cm.exception.details())

    def test_route_batch(self):
        req = routing_pb2.RouteBatchRequest(events=[self.request(), self.request(category="nope")])
        r = self.routing.RouteBatch(req, timeout=TIMEOUT)
        self.assertEqual(len(r.results), 2)
        self.assertEqual(r.results[0].WhichOneof("result"), "decision")
        self.assertEqual(r.results[1].error.code, grpc.StatusCode.INVALID_ARGUMENT.value[0])
        too_many = routing_pb2.RouteBatchRequest(events=[self.request()] * 10001)
        with self.assertRaises(grpc.RpcError) as cm:
            self.routing.RouteBatch(too_many, timeout=TIMEOUT)
        self.assertEqual(cm.exception.code(), grpc.StatusCode.RESOURCE_EXHAUSTED)

    def test_route_stream_batches_with_correlation_ids(self):
        e = self.event
        ts = timestamp_pb2.Timestamp()
        ts.FromJsonString("2026-03-04T02:00:00Z")

        def batch(b):
            return routing_pb2.DetectionBatch(detections=[
                routing_pb2.Detection(correlation_id="b%d-%d" % (b, i), camera_id="cam-%d" % i,
                                      frame_time=ts, category="0102",
                                      point=routing_pb2.Point(x=float(e["lon"]), y=float(e["lat"])))
                for i in range(64)])
        # All five batches are handed to grpc up front (the client runs ahead
        # over TCP); the answers come back one per batch, in order.
        answers = list(self.routing.RouteStream(iter([batch(b) for b in range(5)]), timeout=TIMEOUT))
        self.assertEqual(len(answers), 5)
        for b, out in enumerate(answers):
            self.assertEqual([r.correlation_id for r in out.results], ["b%d-%d" % (b, i) for i in range(64)])
            self.assertTrue(all(r.WhichOneof("result") == "decision" for r in out.results))
            self.assertTrue(out.snapshot.version)

    def test_reload(self):
        r = self.admin.Reload(admin_pb2.ReloadRequest(), timeout=TIMEOUT)
        self.assertGreaterEqual(r.snapshot.generation, 2)
        self.assertEqual(r.previous.version, r.snapshot.version)
        with self.assertRaises(grpc.RpcError) as cm:
            self.admin.Reload(admin_pb2.ReloadRequest(pack_dir="/nonexistent"), timeout=TIMEOUT)
        # Outside --pack-root (default: the parent of --pack): refused.
        self.assertEqual(cm.exception.code(), grpc.StatusCode.PERMISSION_DENIED)
        with self.assertRaises(grpc.RpcError) as cm:
            missing = os.path.join(os.path.dirname(os.path.abspath(self.pack)), "nonexistent")
            self.admin.Reload(admin_pb2.ReloadRequest(pack_dir=missing), timeout=TIMEOUT)
        self.assertEqual(cm.exception.code(), grpc.StatusCode.NOT_FOUND)
        # Still serving.
        self.routing.Route(self.request(), timeout=TIMEOUT)

    def test_health(self):
        stub = health_pb2_grpc.HealthStub(self.channel)
        r = stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=TIMEOUT)
        self.assertEqual(r.status, health_pb2.HealthCheckResponse.SERVING)

    def test_reflection_lists_services(self):
        stub = reflection_pb2_grpc.ServerReflectionStub(self.channel)
        req = reflection_pb2.ServerReflectionRequest(list_services="")
        names = set()
        for resp in stub.ServerReflectionInfo(iter([req]), timeout=TIMEOUT):
            names.update(s.name for s in resp.list_services_response.service)
        self.assertIn("gridroute.v1.RoutingService", names)
        self.assertIn("gridroute.v1.AdminService", names)
        self.assertIn("grpc.health.v1.Health", names)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])

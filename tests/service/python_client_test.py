#!/usr/bin/python3
# Copyright 2026 gridroute authors.
"""An independent client: Debian's python3-grpcio calls every RPC of a running
gridroute-server, with stubs generated from proto/ at test time. Proves the
.proto is usable outside C++ (and health + reflection work for grpcurl and
grpc_health_probe).

The server runs as deployed (README "Deploying"): TLS with a test CA and a
server certificate for 127.0.0.1/localhost made here with the openssl CLI, and
--auth-tokens with random tokens (the file holds their SHA-256). Also checks
a call without a token (UNAUTHENTICATED), a token without `personal` (no
names or phones in the answer bytes), a plaintext channel to the TLS port
(UNAVAILABLE) and a route-only token calling Reload (PERMISSION_DENIED).

Exits 77 (ctest: skipped) with a message if the openssl CLI is missing.
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
TLS = harness.make_tls(os.path.join(TMP.name, "tls"))
if TLS is None:
    TMP.cleanup()
    print("SKIPPED: the openssl CLI is not installed (tools/setup.sh installs it: apt-get install openssl)")
    sys.exit(77)
harness.make_stubs(REPO, TMP.name)

import grpc  # noqa: E402
from google.protobuf import timestamp_pb2  # noqa: E402
from gridroute.v1 import admin_pb2, admin_pb2_grpc, routing_pb2, routing_pb2_grpc  # noqa: E402
import health_pb2  # noqa: E402
import health_pb2_grpc  # noqa: E402
import reflection_pb2  # noqa: E402
import reflection_pb2_grpc  # noqa: E402

TIMEOUT = 30  # seconds, per call: a bound, never a pacing
PRINCIPALS = {"all": "route personal cases-read cases-write admin", "router": "route"}


def tls_channel(address, token=None):
    """A TLS channel trusting the test CA; with a token every call carries
    `authorization: Bearer <token>`."""
    with open(TLS["ca"], "rb") as f:
        creds = grpc.ssl_channel_credentials(root_certificates=f.read())
    if token is not None:
        creds = grpc.composite_channel_credentials(creds, grpc.access_token_call_credentials(token))
    return grpc.secure_channel(address, creds)


class PythonClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pack = harness.make_pack(BIN, os.path.join(TMP.name, "pack"))
        with open(os.path.join(cls.pack, "..", "pack", "events.csv")) as f:
            rows = [r for r in csv.DictReader(f)]
        cls.event = next(r for r in rows if r["category_type"] == "event" and r["crs"] == "wgs84"
                         and r["category"] == "0102")
        tokens_csv = os.path.join(TMP.name, "tokens.csv")
        cls.tokens = harness.make_tokens(tokens_csv, PRINCIPALS)
        cls.server = harness.Server(BIN, cls.pack, extra=[
            "--tls-cert", TLS["cert"], "--tls-key", TLS["key"], "--auth-tokens", tokens_csv]).start()
        cls.addClassCleanup(cls.stop_server)
        cls.channel = tls_channel(cls.server.address, cls.tokens["all"])
        cls.addClassCleanup(cls.channel.close)
        cls.routing = routing_pb2_grpc.RoutingServiceStub(cls.channel)
        cls.admin = admin_pb2_grpc.AdminServiceStub(cls.channel)

    @classmethod
    def stop_server(cls):
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

    def test_no_token_is_unauthenticated(self):
        with tls_channel(self.server.address) as ch:
            for call in (lambda: routing_pb2_grpc.RoutingServiceStub(ch).Route(self.request(), timeout=TIMEOUT),
                         lambda: admin_pb2_grpc.AdminServiceStub(ch).Info(admin_pb2.InfoRequest(),
                                                                          timeout=TIMEOUT)):
                with self.assertRaises(grpc.RpcError) as cm:
                    call()
                self.assertEqual(cm.exception.code(), grpc.StatusCode.UNAUTHENTICATED)
                self.assertIn("authorization", cm.exception.details())
            # An unknown token is the same as none.
            with self.assertRaises(grpc.RpcError) as cm:
                routing_pb2_grpc.RoutingServiceStub(ch).Route(
                    self.request(), timeout=TIMEOUT, metadata=harness.bearer("0" * 64))
            self.assertEqual(cm.exception.code(), grpc.StatusCode.UNAUTHENTICATED)
            # Health stays open (it carries no data).
            h = health_pb2_grpc.HealthStub(ch).Check(health_pb2.HealthCheckRequest(), timeout=TIMEOUT)
            self.assertEqual(h.status, health_pb2.HealthCheckResponse.SERVING)

    def test_without_personal_no_names_or_phones(self):
        full = self.routing.Route(self.request(), timeout=TIMEOUT)
        d = full.decision
        personal = ([m.name for m in d.team] + [m.phone for m in d.team] + [l.owner for l in d.layers]
                    + [l.owner_contact for l in d.layers])
        personal = sorted({v for v in personal if v})
        self.assertTrue(personal, "the all-roles answer names nobody: the check below would prove nothing")
        with tls_channel(self.server.address, self.tokens["router"]) as ch:
            r = routing_pb2_grpc.RoutingServiceStub(ch).Route(self.request(), timeout=TIMEOUT)
        self.assertEqual(r.decision.outcome, routing_pb2.OUTCOME_ROUTED)
        self.assertEqual([m.person_id for m in r.decision.team], [m.person_id for m in full.decision.team])
        self.assertTrue(all(not m.name and not m.phone for m in r.decision.team))
        self.assertTrue(all(not l.owner and not l.owner_contact for l in r.decision.layers))
        raw = r.SerializeToString()
        for value in personal:
            self.assertNotIn(value.encode(), raw)

    def test_plaintext_to_tls_port_fails(self):
        with grpc.insecure_channel(self.server.address) as ch:
            with self.assertRaises(grpc.RpcError) as cm:
                admin_pb2_grpc.AdminServiceStub(ch).Info(admin_pb2.InfoRequest(), timeout=TIMEOUT,
                                                         metadata=harness.bearer(self.tokens["all"]))
        self.assertEqual(cm.exception.code(), grpc.StatusCode.UNAVAILABLE)

    def test_route_only_token_cannot_reload(self):
        with tls_channel(self.server.address, self.tokens["router"]) as ch:
            with self.assertRaises(grpc.RpcError) as cm:
                admin_pb2_grpc.AdminServiceStub(ch).Reload(admin_pb2.ReloadRequest(), timeout=TIMEOUT)
        self.assertEqual(cm.exception.code(), grpc.StatusCode.PERMISSION_DENIED)
        self.assertIn("'admin'", cm.exception.details())  # "... needs the role 'admin'"


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])

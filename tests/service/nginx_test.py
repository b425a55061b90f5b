#!/usr/bin/python3
# Copyright 2026 gridroute authors.
"""Scale-out, natively: two gridroute-server replicas and nginx with
docker/nginx.conf (its @upstream/@listen lines rewritten to loopback), calls
routed through nginx. Checks that both replicas answer, that unary calls,
batches, streams and health pass through, and that one HTTP/2 connection
survives more than nginx's default 1000 calls (keepalive_requests raised).

As deployed (README "Deploying"): nginx speaks TLS to clients with a test
certificate made here with the openssl CLI (the "@tls-cert"/"@tls-key" lines
rewritten to it) and cleartext HTTP/2 to the replicas, as docker/nginx.conf
does; the replicas run with --auth-tokens (random tokens), so every call
proves nginx passes the `authorization` metadata through, and a call without
a token is UNAUTHENTICATED through nginx.

Exits 77 (ctest: skipped) with a message if nginx or the openssl CLI is not
installed.
Usage: nginx_test.py REPO_DIR BIN_DIR"""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import unittest

REPO, BIN = sys.argv[1], sys.argv[2]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
if NGINX is None:
    print("SKIPPED: nginx is not installed (tools/setup.sh installs it: apt-get install nginx)")
    sys.exit(77)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

TMP = tempfile.TemporaryDirectory(prefix="gridroute-nginx-")
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

TIMEOUT = 30


def tls_channel(address, token=None):
    """A TLS channel to nginx trusting the test CA; with a token every call
    carries `authorization: Bearer <token>`."""
    with open(TLS["ca"], "rb") as f:
        creds = grpc.ssl_channel_credentials(root_certificates=f.read())
    if token is not None:
        creds = grpc.composite_channel_credentials(creds, grpc.access_token_call_credentials(token))
    return grpc.secure_channel(address, creds)


def port_is_free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


class NginxTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # Two replicas with different pack versions, so answers tell who served.
        tokens_csv = os.path.join(TMP.name, "tokens.csv")
        cls.tokens = harness.make_tokens(tokens_csv, {"ops": "route admin"})
        cls.servers = []
        for slot, seed in ((1, 7), (2, 8)):
            pack = harness.make_pack(BIN, os.path.join(TMP.name, "pack%d" % seed), seed=seed)
            server = harness.Server(BIN, pack, slot=slot, extra=["--auth-tokens", tokens_csv]).start()
            cls.servers.append(server)
            cls.addClassCleanup(stop_replica, server)
        with open(os.path.join(REPO, "docker", "nginx.conf")) as f:
            conf = f.read()
        upstream = "".join("    server %s;\n" % s.address for s in cls.servers)
        conf, n1 = re.subn(r"^.*# @upstream\n", upstream, conf, flags=re.M)
        port = next(p for p in harness.free_port_candidates(3) if port_is_free(p))
        conf, n2 = re.subn(r"^(\s*listen )\S+( ssl http2;)\s*# @listen", r"\g<1>127.0.0.1:%d\2" % port, conf,
                           flags=re.M)
        conf, n3 = re.subn(r"^(\s*ssl_certificate )\S+;\s*# @tls-cert", r"\g<1>%s;" % TLS["cert"], conf, flags=re.M)
        conf, n4 = re.subn(r"^(\s*ssl_certificate_key )\S+;\s*# @tls-key", r"\g<1>%s;" % TLS["key"], conf,
                           flags=re.M)
        assert (n1, n2, n3, n4) == (1, 1, 1, 1), \
            "docker/nginx.conf lost its @upstream/@listen/@tls-cert/@tls-key markers"
        prefix = os.path.join(TMP.name, "nginx")
        os.makedirs(prefix)
        os.chmod(TMP.name, 0o755)
        os.chmod(prefix, 0o777)  # workers may run as nobody
        # The master reads the certificate and key (before dropping privileges).
        conf = conf.replace("/tmp/nginx", prefix).replace("worker_processes auto;", "worker_processes 1;")
        conf_path = os.path.join(prefix, "nginx.conf")
        with open(conf_path, "w") as f:
            f.write(conf)
        cls.nginx_log = open(os.path.join(prefix, "stderr.log"), "w+")
        cls.addClassCleanup(cls.nginx_log.close)
        cls.nginx = subprocess.Popen([NGINX, "-p", prefix, "-c", conf_path, "-g", "daemon off;"],
                                     stdout=cls.nginx_log, stderr=cls.nginx_log)
        cls.addClassCleanup(cls.stop_nginx)
        cls.address = "127.0.0.1:%d" % port
        cls.channel = tls_channel(cls.address, cls.tokens["ops"])
        cls.addClassCleanup(cls.channel.close)
        try:
            # Bounded wait for nginx to accept: channel readiness, not a sleep.
            grpc.channel_ready_future(cls.channel).result(timeout=TIMEOUT)
        except grpc.FutureTimeoutError:
            cls.nginx_log.seek(0)
            raise RuntimeError("nginx did not start: " + cls.nginx_log.read())
        cls.routing = routing_pb2_grpc.RoutingServiceStub(cls.channel)
        cls.admin = admin_pb2_grpc.AdminServiceStub(cls.channel)
        cls.versions = {s_version(cls, s) for s in cls.servers}

    @classmethod
    def stop_nginx(cls):
        cls.nginx.terminate()
        try:
            cls.nginx.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            cls.nginx.kill()
            cls.nginx.wait()
            raise

    def test_calls_reach_both_replicas(self):
        seen = set()
        for _ in range(20):
            seen.add(self.admin.Info(admin_pb2.InfoRequest(), timeout=TIMEOUT).snapshot.version)
        self.assertEqual(seen, self.versions)

    def test_route_batch_stream_and_health_pass_through(self):
        ts = timestamp_pb2.Timestamp()
        ts.FromJsonString("2026-03-04T02:00:00Z")
        req = routing_pb2.RouteRequest(point=routing_pb2.Point(x=120.63, y=31.30), category="0102",
                                       reported_at=ts)
        r = self.routing.Route(req, timeout=TIMEOUT)
        self.assertIn(r.snapshot.version, self.versions)
        b = self.routing.RouteBatch(routing_pb2.RouteBatchRequest(events=[req] * 100), timeout=TIMEOUT)
        self.assertEqual(len(b.results), 100)
        det = routing_pb2.Detection(correlation_id="x", camera_id="c", frame_time=ts, category="0102",
                                    point=routing_pb2.Point(x=120.63, y=31.30))
        batches = [routing_pb2.DetectionBatch(detections=[det] * 256) for _ in range(8)]
        out = list(self.routing.RouteStream(iter(batches), timeout=TIMEOUT))
        self.assertEqual([len(o.results) for o in out], [256] * 8)
        self.assertEqual(len({o.snapshot.version for o in out}), 1)  # a stream sticks to one replica
        with self.assertRaises(grpc.RpcError) as cm:
            self.routing.Route(routing_pb2.RouteRequest(category="0102"), timeout=TIMEOUT)
        self.assertEqual(cm.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        h = health_pb2_grpc.HealthStub(self.channel).Check(health_pb2.HealthCheckRequest(), timeout=TIMEOUT)
        self.assertEqual(h.status, health_pb2.HealthCheckResponse.SERVING)

    def test_one_connection_outlives_1000_calls(self):
        # nginx's default keepalive_requests (1000) would close the client's
        # connection here and fail calls; docker/nginx.conf raises it.
        channel = tls_channel(self.address, self.tokens["ops"])
        stub = admin_pb2_grpc.AdminServiceStub(channel)
        futures = [stub.Info.future(admin_pb2.InfoRequest(), timeout=TIMEOUT) for _ in range(1500)]
        failed = [f.exception() for f in futures if f.exception() is not None]
        channel.close()
        self.assertEqual(failed, [])

    def test_without_token_unauthenticated_through_nginx(self):
        # nginx forwards the call; the replica refuses it (nginx has no
        # opinion on tokens), and the status comes back through nginx.
        with tls_channel(self.address) as ch:
            for _ in range(2):  # both replicas (round robin)
                with self.assertRaises(grpc.RpcError) as cm:
                    admin_pb2_grpc.AdminServiceStub(ch).Info(admin_pb2.InfoRequest(), timeout=TIMEOUT)
                self.assertEqual(cm.exception.code(), grpc.StatusCode.UNAUTHENTICATED)
                self.assertIn("authorization", cm.exception.details())


def stop_replica(server):
    code = server.stop()
    assert code == 0, "gridroute-server exited %r on SIGTERM" % code


def s_version(cls, server):
    # Straight to the replica (cleartext on loopback, as nginx reaches it).
    with grpc.insecure_channel(server.address) as ch:
        return admin_pb2_grpc.AdminServiceStub(ch).Info(
            admin_pb2.InfoRequest(), timeout=TIMEOUT, metadata=harness.bearer(cls.tokens["ops"])).snapshot.version


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])

# Copyright 2026 gridroute authors.
"""Shared by the Python integration tests: stubs generated at test time,
gridroute-server processes on loopback ports 24000-24999, a test CA and
server certificate (openssl CLI), random bearer tokens, bounded waits.

Nothing here sleeps for a fixed time: a server is ready when it prints its
"serving" line; every wait has an upper bound and fails loudly past it."""
import hashlib
import os
import secrets
import select
import shutil
import signal
import subprocess
import sys
import tempfile

PORT_BASE = 24000  # ports 24000-24999: below the ephemeral range 32768-60999
PORT_SPAN = 600    # start offsets; 30 candidates 13 apart stay below 25000


def make_stubs(repo, out_dir):
    """Generates gridroute.v1 + health + reflection Python stubs into out_dir
    (never a directory named grpc/: it would shadow the grpc package) and puts
    it on sys.path."""
    flat = os.path.join(out_dir, "flat")
    os.makedirs(flat)
    # grpc-proto's files live under grpc/...: copy them flat so the generated
    # modules are health_pb2 / reflection_pb2, not a package named grpc.
    shutil.copy("/usr/share/grpc-proto/grpc/health/v1/health.proto", os.path.join(flat, "health.proto"))
    shutil.copy("/usr/share/grpc-proto/grpc/reflection/v1alpha/reflection.proto",
                os.path.join(flat, "reflection.proto"))
    shutil.copy("/usr/share/grpc-proto/grpc/reflection/v1/reflection.proto",
                os.path.join(flat, "reflection_v1.proto"))
    stubs = os.path.join(out_dir, "stubs")
    os.makedirs(stubs)
    cmd = ["protoc", "-I", os.path.join(repo, "proto"), "-I", flat, "-I", "/usr/include",
           "--python_out=" + stubs, "--grpc_out=" + stubs,
           "--plugin=protoc-gen-grpc=/usr/bin/grpc_python_plugin",
           "gridroute/v1/routing.proto", "gridroute/v1/admin.proto", "health.proto", "reflection.proto",
           "reflection_v1.proto"]
    subprocess.run(cmd, check=True)
    sys.path.insert(0, stubs)


def make_pack(bin_dir, out_dir, grids=200, seed=7):
    subprocess.run([os.path.join(bin_dir, "gridroute-gen"), "--grids", str(grids), "--seed", str(seed),
                    "--out", out_dir, "--points", "10", "--events", "50"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return out_dir


def free_port_candidates(slot=0):
    """Ports in [24000, 25000) spread by pid so parallel tests rarely collide."""
    start = PORT_BASE + (os.getpid() * 37 + slot * 101) % PORT_SPAN
    return [start + i * 13 for i in range(30)]


def make_tls(out_dir):
    """A test CA and a server certificate for localhost / 127.0.0.1 made with
    the openssl CLI (the commands of tests/service/tls_test.cc and README
    "Deploying"). Returns {"ca", "cert", "key"} paths, or None when the openssl
    CLI is missing (the caller skips)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    os.makedirs(out_dir, exist_ok=True)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    with open(os.path.join(out_dir, "server.ext"), "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1")
    steps = [
        ["req", "-x509"] + ec + ["-days", "1", "-subj", "/CN=gridroute-test-ca", "-keyout", "ca.key",
                                 "-out", "ca.crt"],
        ["req"] + ec + ["-subj", "/CN=localhost", "-keyout", "server.key", "-out", "server.csr"],
        ["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
         "-days", "1", "-extfile", "server.ext", "-out", "server.crt"],
    ]
    for args in steps:
        r = subprocess.run([openssl] + args, cwd=out_dir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if r.returncode != 0:
            raise RuntimeError("openssl %s failed: %s" % (" ".join(args), r.stdout.decode()[-2000:]))
    return {k: os.path.join(out_dir, f) for k, f in (("ca", "ca.crt"), ("cert", "server.crt"),
                                                      ("key", "server.key"))}


def make_tokens(path, principals):
    """Writes a --auth-tokens file for {principal: "role role ..."}: a fresh
    random token per principal, the file holding only its SHA-256 (hex).
    Returns {principal: token}."""
    tokens = {who: secrets.token_hex(32) for who in principals}
    with open(path, "w") as f:
        f.write("token_sha256,principal,roles,departments\n")
        for who, roles in principals.items():
            f.write("%s,%s,%s,\n" % (hashlib.sha256(tokens[who].encode()).hexdigest(), who, roles))
    return tokens


def bearer(token):
    """Call metadata carrying a bearer token."""
    return (("authorization", "Bearer " + token),)


class Server:
    """A gridroute-server process. Use start() then stop()."""

    def __init__(self, bin_dir, pack, slot=0, extra=(), preexec_fn=None):
        self.bin = os.path.join(bin_dir, "gridroute-server")
        self.pack = pack
        self.slot = slot
        self.extra = list(extra)
        self.preexec_fn = preexec_fn  # run in the child before exec (e.g. setrlimit)
        self.proc = None
        self.port = None
        self.stderr = tempfile.TemporaryFile()

    def start(self, timeout_s=30):
        for port in free_port_candidates(self.slot):
            proc = subprocess.Popen([self.bin, "--pack", self.pack, "--listen", "127.0.0.1:%d" % port]
                                    + self.extra, stdout=subprocess.PIPE, stderr=self.stderr,
                                    preexec_fn=self.preexec_fn)
            ready, _, _ = select.select([proc.stdout], [], [], timeout_s)
            line = proc.stdout.readline().decode() if ready else ""
            if "serving" in line:
                self.proc, self.port = proc, port
                return self
            proc.kill()
            proc.wait()
        self.stderr.seek(0)
        raise RuntimeError("gridroute-server did not start: " + self.stderr.read().decode()[-2000:])

    @property
    def address(self):
        return "127.0.0.1:%d" % self.port

    def log(self):
        """What the server wrote to stderr so far (pread: the file offset is
        shared with the running child, so it is not moved)."""
        fd = self.stderr.fileno()
        return os.pread(fd, os.fstat(fd).st_size, 0).decode(errors="replace")

    def stop(self, timeout_s=30):
        """SIGTERM; returns the exit code (0 = drained cleanly)."""
        if self.proc is None:
            return None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise
        finally:
            self.proc.stdout.close()
            self.proc = None

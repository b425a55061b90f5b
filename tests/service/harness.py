# Copyright 2026 gridroute authors.
"""Shared by the Python integration tests: stubs generated at test time,
gridroute-server processes on loopback ports below 32768, bounded waits.

Nothing here sleeps for a fixed time: a server is ready when it prints its
"serving" line; every wait has an upper bound and fails loudly past it."""
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile

PORT_BASE = 20000  # below the ephemeral range (TOOLCHAIN.md)


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
    stubs = os.path.join(out_dir, "stubs")
    os.makedirs(stubs)
    cmd = ["protoc", "-I", os.path.join(repo, "proto"), "-I", flat, "-I", "/usr/include",
           "--python_out=" + stubs, "--grpc_out=" + stubs,
           "--plugin=protoc-gen-grpc=/usr/bin/grpc_python_plugin",
           "gridroute/v1/routing.proto", "gridroute/v1/admin.proto", "health.proto", "reflection.proto"]
    subprocess.run(cmd, check=True)
    sys.path.insert(0, stubs)


def make_pack(bin_dir, out_dir, grids=200, seed=7):
    subprocess.run([os.path.join(bin_dir, "gridroute-gen"), "--grids", str(grids), "--seed", str(seed),
                    "--out", out_dir, "--points", "10", "--events", "50"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return out_dir


def free_port_candidates(slot=0):
    """Ports in [20000, 32000) spread by pid so parallel tests rarely collide."""
    start = PORT_BASE + ((os.getpid() * 37 + slot * 101) % 6000) * 2
    return [start + i * 13 for i in range(30)]


class Server:
    """A gridroute-server process. Use start() then stop()."""

    def __init__(self, bin_dir, pack, slot=0, extra=()):
        self.bin = os.path.join(bin_dir, "gridroute-server")
        self.pack = pack
        self.slot = slot
        self.extra = list(extra)
        self.proc = None
        self.port = None
        self.stderr = tempfile.TemporaryFile()

    def start(self, timeout_s=30):
        for port in free_port_candidates(self.slot):
            proc = subprocess.Popen([self.bin, "--pack", self.pack, "--listen", "127.0.0.1:%d" % port]
                                    + self.extra, stdout=subprocess.PIPE, stderr=self.stderr)
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

// Copyright 2026 gridroute authors.
//
// gridroute-pgbench: PostGIS as a peer, on the same points as gridroute_bench.
//
//   build/bin/gridroute-pgbench --pack build/bench-data/200000 --points 100000
//       [--batch 1000] [--clients 1,2] [--json out.json]
//
// Starts a throwaway PostgreSQL 15 cluster (initdb into a temp dir, as the
// `postgres` user when run as root; Unix socket only, in that dir; removed
// afterwards, also on error or SIGINT/SIGTERM), loads the pack's grids with
// COPY (WKT written exactly from the engine's lattice), builds a GiST index,
// prewarms table and index, then measures points/s of a batched lookup over
// libpq with 1 and 2 concurrent backends:
//
//   SELECT p.i, (SELECT g.code FROM grids g
//                WHERE ST_Covers(g.geom, ST_Point(p.x, p.y))
//                ORDER BY g.code LIMIT 1)           -- smallest code wins
//   FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS p(x, y, i)
//
// Every answer is checked against the engine (snapshot->locator()) on the same
// points; the mismatch count is printed and a mismatch makes the exit status 1.
// The points are the first N of gridroute_bench's points (same seed).
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <latch>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "bench_data.h"
#include "index/locator.h"
#include "snapshot/snapshot.h"

namespace gridroute::bench {
namespace {

namespace fs = std::filesystem;

double Since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Exact decimal of a lattice coordinate (1e-9 degree units): "120.6012345".
void AppendLattice(std::string* out, int64_t v) {
  if (v < 0) {
    out->push_back('-');
    v = -v;
  }
  const int64_t whole = v / 1'000'000'000, frac = v % 1'000'000'000;
  absl::StrAppend(out, whole);
  if (frac != 0) {
    char buf[16];
    std::snprintf(buf, sizeof(buf), ".%09lld", static_cast<long long>(frac));
    size_t len = std::strlen(buf);
    while (buf[len - 1] == '0') --len;
    out->append(buf, len);
  }
}

// Runs argv (no shell) with stdout+stderr appended to `log`; returns the exit
// status (or -1 if it could not run).
int Run(const std::vector<std::string>& argv, const std::string& log) {
  const pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    FILE* f = std::fopen(log.c_str(), "a");
    if (f != nullptr) {
      dup2(fileno(f), 1);
      dup2(fileno(f), 2);
    }
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string Tail(const std::string& path) {
  std::ifstream in(path);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return all.size() > 2000 ? all.substr(all.size() - 2000) : all;
}

// A PostgreSQL cluster in a temporary directory, removed by Stop() (also
// called by the destructor and by the signal thread).
class TempCluster {
 public:
  explicit TempCluster(std::string pg_bin) : pg_bin_(std::move(pg_bin)) {}
  ~TempCluster() { Stop(); }

  absl::Status Start() {
    char tmpl[] = "/tmp/gridroute-pgbench-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) return absl::InternalError("mkdtemp failed");
    {
      std::lock_guard<std::mutex> lock(mu_);
      dir_ = tmpl;
    }
    data_ = dir_ + "/data";
    log_ = dir_ + "/log.txt";
    // PostgreSQL refuses to run as root: run it as `postgres`.
    if (geteuid() == 0) {
      const passwd* pw = getpwnam("postgres");
      if (pw == nullptr) return absl::FailedPreconditionError("running as root and no 'postgres' user");
      if (chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
        return absl::InternalError(absl::StrCat("chown ", dir_, " failed"));
      }
      prefix_ = {"runuser", "-u", "postgres", "--"};
    }
    std::vector<std::string> initdb = prefix_;
    for (const char* a : {"-D", "", "-A", "trust", "-U", "postgres", "--no-sync",
                          "-E", "UTF8", "--locale=C"}) {
      initdb.push_back(a);
    }
    initdb.insert(initdb.begin() + prefix_.size(), pg_bin_ + "/initdb");
    initdb[prefix_.size() + 2] = data_;
    if (Run(initdb, log_) != 0) {
      return absl::InternalError(absl::StrCat("initdb failed:\n", Tail(log_)));
    }
    // Unix socket only (no TCP); the port only names the socket file. Below
    // 32768, out of the ephemeral range (32768-60999) whose TIME-WAIT
    // sockets collide with test servers. Durability off: a throwaway DB.
    port_ = 20000 + static_cast<int>(getpid() % 10000);
    const std::string opts = absl::StrCat(
        "-p ", port_, " -k ", dir_,
        " -c listen_addresses='' -c shared_buffers=2GB -c fsync=off"
        " -c synchronous_commit=off -c full_page_writes=off -c wal_level=minimal"
        " -c max_wal_senders=0 -c max_wal_size=8GB -c maintenance_work_mem=1GB"
        " -c jit=off -c max_parallel_workers_per_gather=0");
    std::vector<std::string> start = prefix_;
    for (const std::string& a : {pg_bin_ + "/pg_ctl", std::string("-D"), data_,
                                 std::string("-l"), dir_ + "/server.log", std::string("-o"),
                                 opts, std::string("-w"), std::string("start")}) {
      start.push_back(a);
    }
    if (Run(start, log_) != 0) {
      return absl::InternalError(
          absl::StrCat("pg_ctl start failed:\n", Tail(log_), Tail(dir_ + "/server.log")));
    }
    started_ = true;
    return absl::OkStatus();
  }

  // Idempotent; safe from the signal thread.
  void Stop() {
    std::lock_guard<std::mutex> lock(mu_);
    if (dir_.empty()) return;
    if (started_) {
      std::vector<std::string> stop = prefix_;
      for (const std::string& a : {pg_bin_ + "/pg_ctl", std::string("-D"), data_,
                                   std::string("-m"), std::string("immediate"),
                                   std::string("-w"), std::string("stop")}) {
        stop.push_back(a);
      }
      Run(stop, "/dev/null");
      started_ = false;
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
    dir_.clear();
  }

  std::string ConnInfo() const {
    return absl::StrCat("host=", dir_, " port=", port_, " user=postgres dbname=postgres");
  }

 private:
  std::mutex mu_;
  std::string pg_bin_, dir_, data_, log_;
  std::vector<std::string> prefix_;
  int port_ = 0;
  bool started_ = false;
};

class Conn {
 public:
  explicit Conn(const std::string& conninfo) : c_(PQconnectdb(conninfo.c_str())) {}
  ~Conn() { PQfinish(c_); }
  bool ok() const { return PQstatus(c_) == CONNECTION_OK; }
  std::string error() const { return PQerrorMessage(c_); }
  PGconn* get() { return c_; }

  absl::Status Exec(const std::string& sql) {
    PGresult* r = PQexec(c_, sql.c_str());
    const ExecStatusType st = PQresultStatus(r);
    absl::Status s = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK
                         ? absl::OkStatus()
                         : absl::InternalError(absl::StrCat(sql.substr(0, 80), ": ",
                                                            PQresultErrorMessage(r)));
    PQclear(r);
    return s;
  }

 private:
  PGconn* c_;
};

constexpr char kQuery[] =
    "SELECT p.i, (SELECT g.code FROM grids g"
    " WHERE ST_Covers(g.geom, ST_Point(p.x, p.y)) ORDER BY g.code LIMIT 1)"
    " FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS p(x, y, i)";

struct Options {
  std::string pack;
  int64_t points = 100000;
  int64_t batch = 1000;
  std::vector<int> clients = {1, 2};
  std::string json;
  std::string pg_bin = "/usr/lib/postgresql/15/bin";
};

// The two array parameters of one batch, as text.
struct Batch {
  size_t begin = 0, end = 0;
  std::string xs, ys;
};

absl::Status LoadGrids(Conn& conn, const Snapshot& s) {
  const GridGeometry& g = s.geometry();
  for (const char* sql : {"CREATE EXTENSION postgis",
                          "CREATE TABLE grids (code text COLLATE \"C\" NOT NULL,"
                          " geom geometry NOT NULL)"}) {
    if (absl::Status st = conn.Exec(sql); !st.ok()) return st;
  }
  PGresult* r = PQexec(conn.get(), "COPY grids (code, geom) FROM STDIN");
  if (PQresultStatus(r) != PGRES_COPY_IN) {
    std::string e = PQresultErrorMessage(r);
    PQclear(r);
    return absl::InternalError("COPY: " + e);
  }
  PQclear(r);
  std::string buf;
  for (uint32_t id = 0; id < g.num_grids(); ++id) {
    // Codes are digits in practice; escape COPY's specials anyway.
    for (char c : s.grid_code(id)) {
      if (c == '\\' || c == '\t' || c == '\n') buf.push_back('\\');
      buf.push_back(c == '\t' ? 't' : c == '\n' ? 'n' : c);
    }
    buf += "\tMULTIPOLYGON(";
    bool first_poly = true;
    for (uint32_t rg = g.grid_ring_begin(id); rg < g.grid_ring_begin(id + 1); ++rg) {
      if (!g.ring_is_hole(rg)) {
        if (!first_poly) buf += "),";
        buf += "(";
        first_poly = false;
      } else {
        buf += ",";
      }
      buf += "(";
      const IPoint* pts = g.ring(rg);
      const uint32_t n = g.ring_size(rg);
      for (uint32_t k = 0; k <= n; ++k) {
        if (k > 0) buf += ",";
        AppendLattice(&buf, pts[k % n].x);
        buf += " ";
        AppendLattice(&buf, pts[k % n].y);
      }
      buf += ")";
    }
    buf += "))\n";
    if (buf.size() > (1 << 20)) {
      if (PQputCopyData(conn.get(), buf.data(), static_cast<int>(buf.size())) != 1) {
        return absl::InternalError(absl::StrCat("COPY data: ", conn.error()));
      }
      buf.clear();
    }
  }
  if (!buf.empty() &&
      PQputCopyData(conn.get(), buf.data(), static_cast<int>(buf.size())) != 1) {
    return absl::InternalError(absl::StrCat("COPY data: ", conn.error()));
  }
  if (PQputCopyEnd(conn.get(), nullptr) != 1) {
    return absl::InternalError(absl::StrCat("COPY end: ", conn.error()));
  }
  absl::Status st = absl::OkStatus();
  while ((r = PQgetResult(conn.get())) != nullptr) {
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
      st = absl::InternalError(absl::StrCat("COPY: ", PQresultErrorMessage(r)));
    }
    PQclear(r);
  }
  return st;
}

struct RunResult {
  int clients = 0;
  double seconds = 0;
  double points_per_second = 0;
  int64_t mismatches = 0;
};

absl::Status RunClients(const std::string& conninfo, const std::vector<Batch>& batches,
                        size_t num_points, int clients, std::vector<std::string>* got,
                        RunResult* result) {
  got->assign(num_points, std::string());
  std::atomic<size_t> next{0};
  std::latch ready(clients + 1);
  std::vector<std::string> errors(clients);
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      Conn conn(conninfo);
      bool ok = conn.ok();
      if (!ok) errors[c] = conn.error();
      if (ok) {
        PGresult* r = PQprepare(conn.get(), "locate", kQuery, 2, nullptr);
        ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        if (!ok) errors[c] = PQresultErrorMessage(r);
        PQclear(r);
      }
      // Warm-up past the prepared statement's first custom plans.
      for (int w = 0; ok && w < 6; ++w) {
        const char* params[2] = {batches[0].xs.c_str(), batches[0].ys.c_str()};
        PGresult* r = PQexecPrepared(conn.get(), "locate", 2, params, nullptr, nullptr, 0);
        PQclear(r);
      }
      ready.arrive_and_wait();
      while (ok) {
        const size_t b = next.fetch_add(1);
        if (b >= batches.size()) break;
        const Batch& batch = batches[b];
        const char* params[2] = {batch.xs.c_str(), batch.ys.c_str()};
        PGresult* r = PQexecPrepared(conn.get(), "locate", 2, params, nullptr, nullptr, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
          errors[c] = PQresultErrorMessage(r);
          PQclear(r);
          break;
        }
        for (int row = 0; row < PQntuples(r); ++row) {
          int64_t i = 0;
          if (!absl::SimpleAtoi(PQgetvalue(r, row, 0), &i) || i < 1 ||
              static_cast<size_t>(i) > batch.end - batch.begin) {
            errors[c] = "bad ordinality in answer";
            break;
          }
          if (!PQgetisnull(r, row, 1)) (*got)[batch.begin + i - 1] = PQgetvalue(r, row, 1);
        }
        PQclear(r);
      }
    });
  }
  ready.arrive_and_wait();
  const auto t0 = std::chrono::steady_clock::now();
  for (std::thread& t : threads) t.join();
  result->clients = clients;
  result->seconds = Since(t0);
  result->points_per_second = static_cast<double>(num_points) / result->seconds;
  for (const std::string& e : errors) {
    if (!e.empty()) return absl::InternalError(absl::StrCat("query: ", e));
  }
  return absl::OkStatus();
}

absl::StatusOr<Options> ParseArgs(int argc, char** argv) {
  Options o;
  if (const char* env = std::getenv("PG_BIN"); env != nullptr) o.pg_bin = env;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> absl::StatusOr<std::string> {
      if (i + 1 >= argc) return absl::InvalidArgumentError(a + " needs a value");
      return std::string(argv[++i]);
    };
    auto number = [&](int64_t* out) -> absl::Status {
      absl::StatusOr<std::string> v = value();
      if (!v.ok()) return v.status();
      if (!absl::SimpleAtoi(*v, out) || *out < 1) {
        return absl::InvalidArgumentError(absl::StrCat(a, ": '", *v, "' is not a positive number"));
      }
      return absl::OkStatus();
    };
    absl::Status st;
    if (a == "--pack") {
      absl::StatusOr<std::string> v = value();
      if (!v.ok()) return v.status();
      o.pack = *v;
    } else if (a == "--points") {
      st = number(&o.points);
    } else if (a == "--batch") {
      st = number(&o.batch);
    } else if (a == "--clients") {
      absl::StatusOr<std::string> v = value();
      if (!v.ok()) return v.status();
      o.clients.clear();
      for (absl::string_view part : absl::StrSplit(*v, ',', absl::SkipEmpty())) {
        int c = 0;
        if (!absl::SimpleAtoi(part, &c) || c < 1 || c > 64) {
          return absl::InvalidArgumentError(absl::StrCat("--clients: bad count '", part, "'"));
        }
        o.clients.push_back(c);
      }
      if (o.clients.empty()) return absl::InvalidArgumentError("--clients: empty");
    } else if (a == "--json") {
      absl::StatusOr<std::string> v = value();
      if (!v.ok()) return v.status();
      o.json = *v;
    } else if (a == "--pg_bin") {
      absl::StatusOr<std::string> v = value();
      if (!v.ok()) return v.status();
      o.pg_bin = *v;
    } else {
      return absl::InvalidArgumentError(
          "usage: gridroute-pgbench --pack DIR [--points N] [--batch 1000] "
          "[--clients 1,2] [--json FILE] [--pg_bin DIR]; unknown argument " + a);
    }
    if (!st.ok()) return st;
  }
  if (o.pack.empty()) return absl::InvalidArgumentError("--pack DIR is required");
  return o;
}

int Main(int argc, char** argv) {
  absl::StatusOr<Options> parsed = ParseArgs(argc, argv);
  if (!parsed.ok()) {
    std::fprintf(stderr, "gridroute-pgbench: %s\n", std::string(parsed.status().message()).c_str());
    return 2;
  }
  const Options& o = *parsed;

  auto t0 = std::chrono::steady_clock::now();
  absl::StatusOr<std::shared_ptr<const Snapshot>> loaded = LoadPack(o.pack);
  if (!loaded.ok()) {
    std::fprintf(stderr, "gridroute-pgbench: %s\n", std::string(loaded.status().message()).c_str());
    return 1;
  }
  const Snapshot& s = **loaded;
  std::vector<QueryPoint> pts = MakeQueryPoints(s, static_cast<size_t>(o.points), kPointSeed);
  std::vector<std::string> want(pts.size());
  for (size_t i = 0; i < pts.size(); ++i) {
    const uint32_t g = s.locator().Locate(pts[i].pt).grid;
    if (g != kNoGrid) want[i] = std::string(s.grid_code(g));
  }
  std::vector<Batch> batches;
  for (size_t b = 0; b < pts.size(); b += static_cast<size_t>(o.batch)) {
    Batch batch;
    batch.begin = b;
    batch.end = std::min(pts.size(), b + static_cast<size_t>(o.batch));
    batch.xs = "{";
    batch.ys = "{";
    for (size_t i = batch.begin; i < batch.end; ++i) {
      if (i > batch.begin) {
        batch.xs += ",";
        batch.ys += ",";
      }
      AppendLattice(&batch.xs, pts[i].pt.x);
      AppendLattice(&batch.ys, pts[i].pt.y);
    }
    batch.xs += "}";
    batch.ys += "}";
    batches.push_back(std::move(batch));
  }
  std::fprintf(stderr, "pgbench: %u grids, %zu points, engine answers ready [%.1f s]\n",
               s.num_grids(), pts.size(), Since(t0));

  // Signals go to a thread that removes the cluster before exiting.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  TempCluster cluster(o.pg_bin);
  std::thread([&cluster, set] {
    int sig = 0;
    sigwait(&set, &sig);
    std::fprintf(stderr, "gridroute-pgbench: signal %d, removing the cluster\n", sig);
    cluster.Stop();
    _exit(128 + sig);
  }).detach();

  auto fail = [&](const absl::Status& st) {
    std::fprintf(stderr, "gridroute-pgbench: %s\n", std::string(st.message()).c_str());
    cluster.Stop();
    return 1;
  };
  t0 = std::chrono::steady_clock::now();
  if (absl::Status st = cluster.Start(); !st.ok()) return fail(st);
  const double start_s = Since(t0);
  Conn conn(cluster.ConnInfo());
  if (!conn.ok()) return fail(absl::InternalError(conn.error()));
  t0 = std::chrono::steady_clock::now();
  if (absl::Status st = LoadGrids(conn, s); !st.ok()) return fail(st);
  const double load_s = Since(t0);
  t0 = std::chrono::steady_clock::now();
  for (const char* sql : {"CREATE INDEX grids_geom_gist ON grids USING gist (geom)",
                          "ANALYZE grids"}) {
    if (absl::Status st = conn.Exec(sql); !st.ok()) return fail(st);
  }
  const double index_s = Since(t0);
  // Hot caches, as for the in-memory peers.
  if (!conn.Exec("CREATE EXTENSION pg_prewarm").ok() ||
      !conn.Exec("SELECT pg_prewarm('grids'), pg_prewarm('grids_geom_gist')").ok()) {
    std::fprintf(stderr, "pgbench: pg_prewarm unavailable, first pass reads from disk cache\n");
  }
  double table_mb = 0, index_mb = 0;
  {
    PGresult* r = PQexec(conn.get(),
                         "SELECT pg_total_relation_size('grids') - pg_indexes_size('grids'),"
                         " pg_relation_size('grids_geom_gist')");
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
      table_mb = std::atof(PQgetvalue(r, 0, 0)) / 1e6;
      index_mb = std::atof(PQgetvalue(r, 0, 1)) / 1e6;
    }
    PQclear(r);
  }
  std::fprintf(stderr,
               "pgbench: PostgreSQL 15 started [%.1f s], %u grids loaded [%.1f s], GiST + "
               "ANALYZE [%.1f s], table %.0f MB, index %.0f MB\n",
               start_s, s.num_grids(), load_s, index_s, table_mb, index_mb);
  {
    // The plan, so a reader can see the GiST index is used.
    const std::string explain = absl::StrCat(
        "EXPLAIN ", absl::StrReplaceAll(kQuery, {{"$1", "'" + batches[0].xs + "'"},
                                                 {"$2", "'" + batches[0].ys + "'"}}));
    PGresult* r = PQexec(conn.get(), explain.c_str());
    for (int row = 0; PQresultStatus(r) == PGRES_TUPLES_OK && row < PQntuples(r); ++row) {
      std::fprintf(stderr, "  plan: %s\n", PQgetvalue(r, row, 0));
    }
    PQclear(r);
  }

  std::vector<RunResult> results;
  int64_t total_mismatches = 0;
  std::vector<std::string> got;
  {
    // One untimed pass over every point: the in-memory peers are timed hot,
    // so PostGIS is too (buffers, backend caches, plans).
    RunResult warm;
    if (absl::Status st = RunClients(cluster.ConnInfo(), batches, pts.size(), 1, &got, &warm);
        !st.ok()) {
      return fail(st);
    }
    std::fprintf(stderr, "pgbench: warm-up pass %.0f points/s\n", warm.points_per_second);
  }
  for (int clients : o.clients) {
    RunResult rr;
    if (absl::Status st = RunClients(cluster.ConnInfo(), batches, pts.size(), clients, &got, &rr);
        !st.ok()) {
      return fail(st);
    }
    for (size_t i = 0; i < pts.size(); ++i) {
      if (got[i] == want[i]) continue;
      if (++rr.mismatches <= 5) {
        std::fprintf(stderr, "pgbench: mismatch at point %zu (%.9f, %.9f): PostGIS '%s', engine '%s'\n",
                     i, pts[i].lon, pts[i].lat, got[i].c_str(), want[i].c_str());
      }
    }
    total_mismatches += rr.mismatches;
    std::printf("postgis grids=%u clients=%d points=%zu batch=%lld: %.0f points/s "
                "(%.2f us/point per client) mismatches=%lld\n",
                s.num_grids(), clients, pts.size(), static_cast<long long>(o.batch),
                rr.points_per_second, 1e6 * clients / rr.points_per_second,
                static_cast<long long>(rr.mismatches));
    std::fflush(stdout);
    results.push_back(rr);
  }
  cluster.Stop();

  if (!o.json.empty()) {
    std::vector<std::string> runs;
    for (const RunResult& rr : results) {
      runs.push_back(absl::StrFormat(
          "{\"clients\": %d, \"seconds\": %.4f, \"points_per_second\": %.1f, \"mismatches\": %d}",
          rr.clients, rr.seconds, rr.points_per_second, rr.mismatches));
    }
    std::ofstream out(o.json);
    out << absl::StrFormat(
        "{\"grids\": %u, \"points\": %zu, \"batch\": %d, \"load_s\": %.3f, \"index_s\": %.3f,"
        " \"table_mb\": %.1f, \"index_mb\": %.1f, \"runs\": [%s]}\n",
        s.num_grids(), pts.size(), o.batch, load_s, index_s, table_mb, index_mb,
        absl::StrJoin(runs, ", "));
  }
  return total_mismatches == 0 ? 0 : 1;
}

}  // namespace
}  // namespace gridroute::bench

int main(int argc, char** argv) { return gridroute::bench::Main(argc, argv); }

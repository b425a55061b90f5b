// Copyright 2026 gridroute authors.
//
// NatsDispatcher: publishes case dispatch messages to NATS JetStream and
// keeps retrying each one until the stream has acknowledged it.
//
//   NatsDispatcherOptions o;
//   o.url = "nats://127.0.0.1:4222";
//   ASSIGN_OR_RETURN(std::unique_ptr<NatsDispatcher> d,
//                    NatsDispatcher::Create(o));
//   RETURN_IF_ERROR(
//       d->Enqueue({"D0107", "CJ320508-20260312-000042/filed/1", json}));
//   d->Flush(absl::Seconds(5));  // optional: wait until the stream has it
//
// Each message goes to the subject "<subject_prefix>.<escaped department
// code>" (see DispatchSubject) of the stream `stream` (file storage, created
// or updated by Create), with the header Nats-Msg-Id = msg_id. A background
// thread publishes asynchronously (up to max_in_flight awaiting their
// PubAck), and a message that gets no PubAck (server down, restarting,
// timeout, stream missing) is published again with exponential backoff,
// across reconnects and nats-server restarts, for as long as the dispatcher
// lives. A retry never dispatches twice: JetStream drops a message whose
// Nats-Msg-Id it has stored within the stream's duplicate window and answers
// with PubAck.Duplicate (counted in Stats::duplicates). The same holds when
// the caller enqueues the same msg_id again (for example a journal replay
// after a restart of gridroute). So within the duplicate window every
// enqueued msg_id is stored in the stream exactly once.
//
// Not guaranteed: the order of stored messages (a retried message lands
// after messages enqueued later; consumers order by the version in msg_id),
// and messages still unacknowledged when the dispatcher is destroyed (they
// are counted in a log line; the caller re-enqueues them from its journal,
// see DISPATCH.md for that contract).
//
// Thread-safety: Enqueue, Flush and stats are safe from any number of
// threads. Enqueue never blocks on the network: it validates, takes a mutex
// and appends to an in-memory queue (one allocation for the subject).
// Memory: at most max_queue unacknowledged messages are held. Cost and
// throughput: DISPATCH.md.
#ifndef GRIDROUTE_DISPATCH_NATS_DISPATCHER_H_
#define GRIDROUTE_DISPATCH_NATS_DISPATCHER_H_

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

// cnats types, kept out of this header's includers.
typedef struct __natsConnection natsConnection;
typedef struct __natsOptions natsOptions;
typedef struct __natsMsg natsMsg;
typedef struct __jsCtx jsCtx;
struct jsPubAck;
struct jsPubAckErr;

namespace gridroute {

// One message for one department.
struct DispatchMessage {
  std::string department_code;  // required; any bytes (escaped in the subject)
  // Required, unique per dispatch: the JetStream de-duplication id, e.g.
  // "<case id>/<state>/<version>". Printable, no control characters, at most
  // 512 bytes.
  std::string msg_id;
  std::string payload;  // opaque bytes (the lead sends JSON)
};

// Reported once per message when JetStream has acknowledged it.
struct DispatchAck {
  std::string msg_id;
  std::string department_code;
  uint64_t stream_sequence = 0;  // the stream sequence of the stored copy
  bool duplicate = false;        // the stream already held this msg_id
};

struct NatsDispatcherOptions {
  // Required. "nats://host:port" or "tls://host:port" (user:password@ allowed),
  // or a comma-separated list of them for a cluster. A bare "host:port" means
  // nats://.
  std::string url;
  // The JetStream stream; created with subjects "<subject_prefix>.>" and file
  // storage, or updated to this configuration if it exists.
  std::string stream = "GRIDROUTE_DISPATCH";
  std::string subject_prefix = "gridroute.dispatch";
  // JetStream's duplicate window: a msg_id seen again within this time of the
  // stored copy is dropped as a duplicate. It must exceed the longest NATS
  // outage (and gridroute restart-and-replay) you want to ride through
  // without a double dispatch; the server keeps one entry per message
  // within the window. JetStream's own default is 2 minutes.
  absl::Duration duplicate_window = absl::Hours(2);
  // Stream retention by age (ZeroDuration: keep forever, JetStream default).
  absl::Duration max_age = absl::ZeroDuration();
  // Messages accepted but not yet acknowledged (queued, in flight, waiting
  // to retry). Enqueue answers RESOURCE_EXHAUSTED beyond this.
  size_t max_queue = size_t{1} << 20;
  // Asynchronous publishes awaiting their PubAck at once. Larger hides more
  // round trips; each in-flight message costs one retry if the server dies.
  int max_in_flight = 256;
  // How long one publish waits for its PubAck before it is retried.
  absl::Duration ack_timeout = absl::Seconds(5);
  // Retry delay of a message: retry_backoff_min doubled per failed attempt,
  // capped at retry_backoff_max. retry_backoff_max is also the client's
  // reconnect wait.
  absl::Duration retry_backoff_min = absl::Milliseconds(50);
  absl::Duration retry_backoff_max = absl::Seconds(2);
  // TCP connect timeout, and how long Create waits for the stream request.
  absl::Duration connect_timeout = absl::Seconds(2);
  // true (default): Create fails with UNAVAILABLE if the server cannot be
  // reached (and FAILED_PRECONDITION if JetStream is off or the stream
  // cannot be created), so a wrong --nats shows at start. false: Create
  // succeeds without a server; the client keeps connecting in the
  // background and messages wait in the queue.
  bool require_server_at_start = true;
  // false (default): the client's flusher thread batches writes, which
  // delays a lone message (by the flusher's period) but raises throughput
  // with many messages in flight. true: every publish is written at once,
  // better when few messages are in flight (window 1). Figures: DISPATCH.md,
  // "Numbers".
  bool send_asap = false;
  // Connection name shown by the server's monitoring.
  std::string client_name = "gridroute-dispatch";
  // Called once per acknowledged message, on the dispatcher's thread (or in
  // the destructor for the last ones); keep it short. May be empty.
  std::function<void(const DispatchAck&)> on_ack;
  // Where the dispatcher logs connection trouble and the shutdown summary.
  // Default: common/log.h's Log(kInfo, "dispatch", line).
  std::function<void(absl::string_view)> log;
};

// A department code as one NATS subject token: the bytes [A-Za-z0-9_-] are
// kept, every other byte (including '.', '*', '>', ' ', '%' and each byte of
// a UTF-8 character) becomes "%XX" (upper-case hex). Deterministic and
// injective, so distinct codes never share a subject. "D0107" -> "D0107",
// "城管.A" -> "%E5%9F%8E%E7%AE%A1%2EA", "" -> "" (Enqueue rejects it).
std::string EscapeSubjectToken(absl::string_view department_code);

// "<prefix>.<EscapeSubjectToken(department_code)>".
std::string DispatchSubject(absl::string_view prefix,
                            absl::string_view department_code);

class NatsDispatcher {
 public:
  // Validates `options` (INVALID_ARGUMENT naming the field, e.g. a malformed
  // url), connects with unlimited reconnect attempts, creates or updates the
  // stream and starts the publishing thread. See require_server_at_start for
  // a server that is down. Cost: one connect and one stream request.
  static absl::StatusOr<std::unique_ptr<NatsDispatcher>> Create(
      NatsDispatcherOptions options);

  // Stops the publishing thread, waits (at most ack_timeout) for the
  // publishes in flight to resolve, delivers the remaining on_ack calls and
  // closes the connection. Messages not yet acknowledged are dropped from
  // memory and counted in one log line: the caller owns re-sending them
  // (gridroute replays them from the case journal; dedupe makes a re-send of
  // an already stored message harmless). Call Flush first to drain.
  ~NatsDispatcher();

  NatsDispatcher(const NatsDispatcher&) = delete;
  NatsDispatcher& operator=(const NatsDispatcher&) = delete;

  // Queues `m` for publishing and returns at once. INVALID_ARGUMENT for an
  // empty department code, a bad msg_id or a payload over the server's
  // max_payload; RESOURCE_EXHAUSTED when max_queue messages are pending.
  absl::Status Enqueue(DispatchMessage m);

  // Blocks until every message enqueued before the call has been
  // acknowledged by the stream (true) or `timeout` has passed (false).
  bool Flush(absl::Duration timeout);

  struct Stats {
    uint64_t enqueued = 0;    // accepted by Enqueue
    uint64_t published = 0;   // publish attempts, retries included
    uint64_t acked = 0;       // stored by the stream, duplicates included
    uint64_t duplicates = 0;  // acks saying the stream already had the msg_id
    uint64_t retries = 0;     // failed attempts that were scheduled again
    uint64_t pending = 0;     // not yet acked: in_flight + queued + backoff
    uint64_t in_flight = 0;   // published, awaiting the PubAck
    uint64_t queued = 0;      // waiting for a publish slot (new or retry due)
    uint64_t backoff = 0;     // failed, waiting for their retry time
    bool connected = false;   // the client is connected right now
    std::string last_error;   // the latest publish or stream error, if any
  };
  Stats stats() const;

  const NatsDispatcherOptions& options() const { return options_; }

 private:
  struct Pending {
    uint64_t seq = 0;  // local order of Enqueue, for Flush
    std::string subject;
    DispatchMessage msg;
    int attempts = 0;  // failed attempts so far
  };

  explicit NatsDispatcher(NatsDispatcherOptions options);

  absl::Status Connect();
  absl::Status EnsureStream();
  bool Connected() const;
  void Run();                  // the publishing thread
  void PublishOne(Pending p);  // called without mu_
  void RetryLocked(Pending p, const std::string& error);  // REQUIRES: mu_ held
  void Log(absl::string_view line) const;
  // The cnats PubAck callback (a cnats thread): success or error of one
  // publish.
  static void OnPubAck(jsCtx* js, natsMsg* msg, jsPubAck* pa, jsPubAckErr* pae,
                       void* closure);
  void HandlePubAck(const natsMsg* msg, const jsPubAck* pa,
                    const jsPubAckErr* pae);

  // Constant after Create.
  const NatsDispatcherOptions options_;
  size_t max_payload_ = 1 << 20;
  natsOptions* nats_options_ = nullptr;
  natsConnection* nc_ = nullptr;
  jsCtx* js_ = nullptr;
  std::thread thread_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;   // the publishing thread waits here
  std::condition_variable flush_cv_;  // Flush and the destructor wait here
  // Protected by mu_.
  bool stop_ = false;
  bool need_stream_ = false;  // (re)create the stream before the next publish
  bool failing_ = false;      // a publish failed since the last success
  uint64_t next_seq_ = 1;
  std::deque<Pending> ready_;        // new messages, FIFO
  std::deque<Pending> retry_ready_;  // retries whose backoff has passed
  std::multimap<absl::Time, Pending> backoff_;
  absl::flat_hash_map<const natsMsg*, Pending> in_flight_;
  std::set<uint64_t> unacked_;     // seq of every pending message
  std::vector<DispatchAck> acks_;  // not yet passed to on_ack
  Stats stats_;
};

}  // namespace gridroute

#endif  // GRIDROUTE_DISPATCH_NATS_DISPATCHER_H_

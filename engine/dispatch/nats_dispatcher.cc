// Copyright 2026 gridroute authors.
#include "dispatch/nats_dispatcher.h"

#include <nats/nats.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"
#include "common/log.h"

namespace gridroute {
namespace {

constexpr size_t kMaxMsgIdBytes = 512;
// Room left in the server's max_payload for the subject-independent headers
// (NATS/1.0 line, Nats-Msg-Id, Nats-Expected-Stream).
constexpr size_t kHeaderReserve = 256;
// While the client is disconnected, the publishing thread looks at the
// connection state this often (at most; retry_backoff_max if smaller).
constexpr absl::Duration kDisconnectedPoll = absl::Milliseconds(100);

int64_t Ms(absl::Duration d) {
  return std::max<int64_t>(1, absl::ToInt64Milliseconds(d));
}

// natsStatus text plus the library's thread-local detail, if any.
std::string NatsError(natsStatus s) {
  std::string text = natsStatus_GetText(s);
  natsStatus last = NATS_OK;
  const char* detail = nats_GetLastError(&last);
  if (detail != nullptr && *detail != '\0' && last == s && text != detail) {
    absl::StrAppend(&text, " (", detail, ")");
  }
  return text;
}

bool IsSubjectTokenByte(char c) {
  return absl::ascii_isalnum(c) || c == '_' || c == '-';
}

// One entry of NatsDispatcherOptions::url:
// [scheme://][user[:pass]@]host[:port].
absl::Status ValidateUrlEntry(absl::string_view entry) {
  const std::string shown(entry);
  absl::string_view rest = entry;
  const size_t scheme_end = rest.find("://");
  if (scheme_end != absl::string_view::npos) {
    const absl::string_view scheme = rest.substr(0, scheme_end);
    if (scheme != "nats" && scheme != "tls") {
      return absl::InvalidArgumentError(absl::StrCat(
          "NatsDispatcherOptions.url: \"", shown, "\" has scheme \"", scheme,
          "\"; want nats://host:port or tls://host:port"));
    }
    rest.remove_prefix(scheme_end + 3);
  }
  const size_t at = rest.rfind('@');
  if (at != absl::string_view::npos) rest.remove_prefix(at + 1);
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  absl::string_view host = rest, port;
  if (!rest.empty() && rest.front() == '[') {  // [IPv6]:port
    const size_t close = rest.find(']');
    if (close == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          "NatsDispatcherOptions.url: \"", shown, "\" has an unclosed '['"));
    }
    host = rest.substr(1, close - 1);
    absl::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return absl::InvalidArgumentError(absl::StrCat(
            "NatsDispatcherOptions.url: \"", shown, "\" is not host:port"));
      }
      port = after.substr(1);
      if (port.empty()) port = "?";
    }
  } else if (const size_t colon = rest.rfind(':');
             colon != absl::string_view::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
    if (port.empty()) port = "?";
  }
  if (host.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("NatsDispatcherOptions.url: \"", shown, "\" has no host"));
  }
  for (char c : host) {
    if (!(absl::ascii_isalnum(c) || c == '.' || c == '-' || c == '_' ||
          c == ':')) {
      return absl::InvalidArgumentError(
          absl::StrCat("NatsDispatcherOptions.url: \"", shown,
                       "\" has an invalid host \"", host, "\""));
    }
  }
  if (!port.empty()) {
    int p = 0;
    if (!absl::SimpleAtoi(port, &p) || p < 1 || p > 65535) {
      return absl::InvalidArgumentError(
          absl::StrCat("NatsDispatcherOptions.url: \"", shown,
                       "\" has an invalid port \"", port, "\""));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateOptions(const NatsDispatcherOptions& o) {
  if (absl::StripAsciiWhitespace(o.url).empty()) {
    return absl::InvalidArgumentError(
        "NatsDispatcherOptions.url is empty (want nats://host:port)");
  }
  for (absl::string_view entry : absl::StrSplit(o.url, ',')) {
    RETURN_IF_ERROR(ValidateUrlEntry(absl::StripAsciiWhitespace(entry)));
  }
  if (o.stream.empty())
    return absl::InvalidArgumentError("NatsDispatcherOptions.stream is empty");
  for (char c : o.stream) {
    if (c == '.' || c == '*' || c == '>' || c == '/' || c == '\\' ||
        static_cast<unsigned char>(c) <= ' ' || c == 0x7f) {
      return absl::InvalidArgumentError(
          absl::StrCat("NatsDispatcherOptions.stream \"", o.stream,
                       "\": a stream name may not contain '.', '*', '>', '/', "
                       "'\\', spaces or control bytes"));
    }
  }
  if (o.subject_prefix.empty()) {
    return absl::InvalidArgumentError(
        "NatsDispatcherOptions.subject_prefix is empty");
  }
  for (absl::string_view token : absl::StrSplit(o.subject_prefix, '.')) {
    bool ok = !token.empty();
    for (char c : token) {
      ok = ok && c != '*' && c != '>' && static_cast<unsigned char>(c) > ' ' &&
           c != 0x7f;
    }
    if (!ok) {
      return absl::InvalidArgumentError(absl::StrCat(
          "NatsDispatcherOptions.subject_prefix \"", o.subject_prefix,
          "\": want dot-separated non-empty tokens without '*', '>' or "
          "spaces"));
    }
  }
  if (o.duplicate_window <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "NatsDispatcherOptions.duplicate_window must be positive");
  }
  if (o.max_age < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "NatsDispatcherOptions.max_age is negative");
  }
  if (o.max_queue == 0)
    return absl::InvalidArgumentError("NatsDispatcherOptions.max_queue is 0");
  if (o.max_in_flight < 1) {
    return absl::InvalidArgumentError(
        "NatsDispatcherOptions.max_in_flight must be >= 1");
  }
  if (o.ack_timeout <= absl::ZeroDuration() ||
      o.connect_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "NatsDispatcherOptions.ack_timeout and connect_timeout must be "
        "positive");
  }
  if (o.retry_backoff_min <= absl::ZeroDuration() ||
      o.retry_backoff_max < o.retry_backoff_min) {
    return absl::InvalidArgumentError(
        "NatsDispatcherOptions.retry_backoff_min must be positive and <= "
        "retry_backoff_max");
  }
  return absl::OkStatus();
}

absl::Status ValidateMessage(const DispatchMessage& m, size_t max_payload) {
  if (m.department_code.empty()) {
    return absl::InvalidArgumentError(
        "DispatchMessage.department_code is empty");
  }
  if (m.msg_id.empty())
    return absl::InvalidArgumentError("DispatchMessage.msg_id is empty");
  if (m.msg_id.size() > kMaxMsgIdBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("DispatchMessage.msg_id is ", m.msg_id.size(),
                     " bytes (at most ", kMaxMsgIdBytes, ")"));
  }
  for (size_t i = 0; i < m.msg_id.size(); ++i) {
    const unsigned char c = m.msg_id[i];
    if (c < ' ' || c == 0x7f) {
      return absl::InvalidArgumentError(
          absl::StrCat("DispatchMessage.msg_id has a control byte at offset ",
                       i, " (a NATS header value)"));
    }
  }
  const size_t limit = max_payload > kHeaderReserve + m.msg_id.size()
                           ? max_payload - kHeaderReserve - m.msg_id.size()
                           : 0;
  if (m.payload.size() > limit) {
    return absl::InvalidArgumentError(
        absl::StrCat("DispatchMessage.payload is ", m.payload.size(),
                     " bytes; the NATS server's ", "max_payload allows ", limit,
                     " with this msg_id"));
  }
  return absl::OkStatus();
}

}  // namespace

std::string EscapeSubjectToken(absl::string_view department_code) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(department_code.size());
  for (char c : department_code) {
    if (IsSubjectTokenByte(c)) {
      out.push_back(c);
    } else {
      const unsigned char u = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

std::string DispatchSubject(absl::string_view prefix,
                            absl::string_view department_code) {
  return absl::StrCat(prefix, ".", EscapeSubjectToken(department_code));
}

NatsDispatcher::NatsDispatcher(NatsDispatcherOptions options)
    : options_(std::move(options)) {}

absl::StatusOr<std::unique_ptr<NatsDispatcher>> NatsDispatcher::Create(
    NatsDispatcherOptions options) {
  RETURN_IF_ERROR(ValidateOptions(options));
  if (!options.log) {
    options.log = [](absl::string_view line) { gridroute::Log(LogLevel::kInfo, "dispatch", line); };
  }
  std::unique_ptr<NatsDispatcher> d(new NatsDispatcher(std::move(options)));
  RETURN_IF_ERROR(d->Connect());
  d->thread_ = std::thread([p = d.get()] { p->Run(); });
  return d;
}

absl::Status NatsDispatcher::Connect() {
  const NatsDispatcherOptions& o = options_;
  natsStatus s = natsOptions_Create(&nats_options_);
  if (s == NATS_OK) s = natsOptions_SetURL(nats_options_, o.url.c_str());
  if (s == NATS_OK)
    s = natsOptions_SetName(nats_options_, o.client_name.c_str());
  if (s == NATS_OK)
    s = natsOptions_SetTimeout(nats_options_, Ms(o.connect_timeout));
  if (s == NATS_OK) s = natsOptions_SetAllowReconnect(nats_options_, true);
  if (s == NATS_OK)
    s = natsOptions_SetMaxReconnect(nats_options_, -1);  // forever
  if (s == NATS_OK)
    s = natsOptions_SetReconnectWait(nats_options_, Ms(o.retry_backoff_max));
  // A half-open TCP connection (no RST) is noticed after ~3 missed pings.
  if (s == NATS_OK) s = natsOptions_SetPingInterval(nats_options_, 10000);
  if (s == NATS_OK) s = natsOptions_SetMaxPingsOut(nats_options_, 3);
  if (s == NATS_OK && o.send_asap) {
    s = natsOptions_SetSendAsap(nats_options_, true);
  }
  if (s == NATS_OK && !o.require_server_at_start) {
    // A (no-op) connected callback makes the first connect asynchronous; a
    // null one would block here until the server appears. The publishing
    // thread watches the connection state itself.
    s = natsOptions_SetRetryOnFailedConnect(
        nats_options_, true, [](natsConnection*, void*) {}, nullptr);
  }
  if (s != NATS_OK) {
    return absl::InvalidArgumentError(absl::StrCat(
        "NatsDispatcherOptions.url \"", o.url, "\": ", NatsError(s)));
  }
  s = natsConnection_Connect(&nc_, nats_options_);
  const bool not_yet =
      s == NATS_NOT_YET_CONNECTED && !o.require_server_at_start;
  if (s != NATS_OK && !not_yet) {
    return absl::UnavailableError(absl::StrCat("cannot connect to NATS at \"",
                                               o.url, "\": ", NatsError(s)));
  }
  if (!not_yet) {
    const int64_t mp = natsConnection_GetMaxPayload(nc_);
    if (mp > 0) max_payload_ = static_cast<size_t>(mp);
  }

  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = Ms(o.connect_timeout);
  jo.PublishAsync.AckHandler = &NatsDispatcher::OnPubAck;
  jo.PublishAsync.AckHandlerClosure = this;
  // We keep max_in_flight ourselves; the library's limit is only a backstop
  // (an ack is removed from our map a moment before the library counts it).
  jo.PublishAsync.MaxPending = 2 * static_cast<int64_t>(o.max_in_flight) + 64;
  s = natsConnection_JetStream(&js_, nc_, &jo);
  if (s != NATS_OK) {
    return absl::InternalError(
        absl::StrCat("cannot create a JetStream context: ", NatsError(s)));
  }
  if (not_yet) {
    need_stream_ = true;  // created once connected, by the publishing thread
    Log(absl::StrCat("NATS at ", o.url,
                     " is not reachable yet; connecting in the background"));
    return absl::OkStatus();
  }
  return EnsureStream();
}

absl::Status NatsDispatcher::EnsureStream() {
  const NatsDispatcherOptions& o = options_;
  const std::string subjects = o.subject_prefix + ".>";
  const char* subject_list[] = {subjects.c_str()};
  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  cfg.Name = o.stream.c_str();
  cfg.Subjects = subject_list;
  cfg.SubjectsLen = 1;
  cfg.Storage = js_FileStorage;
  cfg.Duplicates = absl::ToInt64Nanoseconds(o.duplicate_window);
  cfg.MaxAge = absl::ToInt64Nanoseconds(o.max_age);
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = Ms(o.connect_timeout);
  jsStreamInfo* si = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_AddStream(&si, js_, &cfg, &jo, &jerr);
  if (s != NATS_OK &&
      jerr == JSStreamNameExistErr) {  // exists with another config
    jerr = static_cast<jsErrCode>(0);
    s = js_UpdateStream(&si, js_, &cfg, &jo, &jerr);
  }
  jsStreamInfo_Destroy(si);
  if (s == NATS_OK) return absl::OkStatus();
  const std::string text = NatsError(s);
  if (jerr == JSNotEnabledErr || jerr == JSNotEnabledForAccountErr ||
      s == NATS_NO_RESPONDERS) {
    return absl::FailedPreconditionError(
        absl::StrCat("JetStream is not enabled on the NATS server at \"", o.url,
                     "\" (start nats-server with -js): ", text));
  }
  if (s == NATS_TIMEOUT) {
    return absl::UnavailableError(
        absl::StrCat("no answer from JetStream at \"", o.url,
                     "\" within connect_timeout creating stream ", o.stream));
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "cannot create or update JetStream stream ", o.stream, " (subjects ",
      subjects, ", file storage): ", text,
      jerr != 0
          ? absl::StrCat(" [JetStream error ", static_cast<int>(jerr), "]")
          : ""));
}

NatsDispatcher::~NatsDispatcher() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  if (thread_.joinable()) thread_.join();

  std::vector<DispatchAck> last_acks;
  uint64_t unacked = 0, in_flight = 0;
  {
    // Every in-flight publish resolves within ack_timeout (the library's
    // MaxWait timer); waiting for that means no PubAck callback can still be
    // about to touch this object once js_PublishAsyncComplete returns below.
    std::unique_lock<std::mutex> l(mu_);
    flush_cv_.wait_for(
        l, absl::ToChronoNanoseconds(options_.ack_timeout + absl::Seconds(1)),
        [&] { return in_flight_.empty(); });
    last_acks.swap(acks_);
    unacked = unacked_.size();
    in_flight = in_flight_.size();
  }
  if (js_ != nullptr) {
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MaxWait = Ms(options_.ack_timeout + absl::Seconds(1));
    js_PublishAsyncComplete(js_, &po);
  }
  if (options_.on_ack) {
    for (const DispatchAck& a : last_acks) options_.on_ack(a);
  }
  if (unacked > 0) {
    Log(absl::StrCat(
        "closing with ", unacked, " message(s) not acknowledged by stream ",
        options_.stream, " (", in_flight,
        " still in flight); they must be re-sent from the case journal"));
  }
  if (js_ != nullptr) jsCtx_Destroy(js_);
  if (nc_ != nullptr) natsConnection_Destroy(nc_);
  if (nats_options_ != nullptr) natsOptions_Destroy(nats_options_);
}

absl::Status NatsDispatcher::Enqueue(DispatchMessage m) {
  RETURN_IF_ERROR(ValidateMessage(m, max_payload_));
  Pending p;
  p.subject = DispatchSubject(options_.subject_prefix, m.department_code);
  p.msg = std::move(m);
  {
    std::lock_guard<std::mutex> l(mu_);
    if (unacked_.size() >= options_.max_queue) {
      return absl::ResourceExhaustedError(
          absl::StrCat("dispatch queue full: ", unacked_.size(),
                       " messages not yet acknowledged by NATS "
                       "(NatsDispatcherOptions.max_queue)"));
    }
    p.seq = next_seq_++;
    unacked_.insert(unacked_.end(), p.seq);
    ready_.push_back(std::move(p));
    ++stats_.enqueued;
  }
  work_cv_.notify_one();
  return absl::OkStatus();
}

bool NatsDispatcher::Flush(absl::Duration timeout) {
  std::unique_lock<std::mutex> l(mu_);
  const uint64_t target = next_seq_ - 1;
  return flush_cv_.wait_for(
      l, absl::ToChronoNanoseconds(std::max(timeout, absl::ZeroDuration())),
      [&] { return unacked_.empty() || *unacked_.begin() > target; });
}

NatsDispatcher::Stats NatsDispatcher::stats() const {
  Stats s;
  {
    std::lock_guard<std::mutex> l(mu_);
    s = stats_;
    s.pending = unacked_.size();
    s.in_flight = in_flight_.size();
    s.queued = ready_.size() + retry_ready_.size();
    s.backoff = backoff_.size();
  }
  s.connected = Connected();
  return s;
}

bool NatsDispatcher::Connected() const {
  return nc_ != nullptr &&
         natsConnection_Status(nc_) == NATS_CONN_STATUS_CONNECTED;
}

void NatsDispatcher::Log(absl::string_view line) const {
  if (options_.log) options_.log(line);
}

void NatsDispatcher::Run() {
  const auto poll = absl::ToChronoNanoseconds(
      std::min(kDisconnectedPoll, options_.retry_backoff_max));
  const size_t window = static_cast<size_t>(options_.max_in_flight);
  std::unique_lock<std::mutex> l(mu_);
  for (;;) {
    if (!acks_.empty()) {
      std::vector<DispatchAck> acks;
      acks.swap(acks_);
      l.unlock();
      if (options_.on_ack) {
        for (const DispatchAck& a : acks) options_.on_ack(a);
      }
      l.lock();
      continue;
    }
    if (stop_) return;
    const absl::Time now = absl::Now();
    while (!backoff_.empty() && backoff_.begin()->first <= now) {
      retry_ready_.push_back(std::move(backoff_.begin()->second));
      backoff_.erase(backoff_.begin());
    }
    const bool has_work = !retry_ready_.empty() || !ready_.empty();
    if (has_work && in_flight_.size() < window) {
      const bool ensure = need_stream_;
      l.unlock();
      bool can_send = Connected();
      absl::Status stream_status;
      if (can_send && ensure) {
        stream_status = EnsureStream();
        can_send = stream_status.ok();
      }
      l.lock();
      if (ensure && can_send) need_stream_ = false;
      if (!stream_status.ok() &&
          stats_.last_error != stream_status.ToString()) {
        stats_.last_error = stream_status.ToString();  // logged once per error
        l.unlock();
        Log(absl::StrCat(
            "stream ", options_.stream,
            " unavailable, will retry: ", stream_status.ToString()));
        l.lock();
      }
      if (!can_send) {
        // Disconnected (the client reconnects on its own) or no stream:
        // look again shortly, or as soon as there is an ack to report or a
        // stop.
        work_cv_.wait_for(l,
                          stream_status.ok() ? poll
                                             : absl::ToChronoNanoseconds(
                                                   options_.retry_backoff_max),
                          [&] { return stop_ || !acks_.empty(); });
        continue;
      }
      // Take one window's worth (retries first: they are the oldest).
      std::vector<Pending> batch;
      while (in_flight_.size() + batch.size() < window &&
             (!retry_ready_.empty() || !ready_.empty())) {
        std::deque<Pending>& q = !retry_ready_.empty() ? retry_ready_ : ready_;
        batch.push_back(std::move(q.front()));
        q.pop_front();
      }
      l.unlock();
      for (Pending& p : batch) PublishOne(std::move(p));
      l.lock();
      continue;
    }
    // Nothing sendable: wait for a new message, an ack, a stop, or the next
    // backoff to expire. Every notify of work_cv_ follows a change of this
    // state, so one wait (no predicate) and a fresh look at everything is
    // right; a predicate would sleep on through a retry added to an empty
    // backoff_ while this thread waits without a deadline.
    if (backoff_.empty()) {
      work_cv_.wait(l);
    } else {
      work_cv_.wait_until(l, absl::ToChronoTime(backoff_.begin()->first));
    }
  }
}

void NatsDispatcher::PublishOne(Pending p) {
  natsMsg* m = nullptr;
  natsStatus s =
      natsMsg_Create(&m, p.subject.c_str(), nullptr, p.msg.payload.data(),
                     static_cast<int>(p.msg.payload.size()));
  if (s == NATS_OK)
    s = natsMsgHeader_Set(m, "Nats-Msg-Id", p.msg.msg_id.c_str());
  if (s != NATS_OK) {
    natsMsg_Destroy(m);
    std::lock_guard<std::mutex> l(mu_);
    RetryLocked(std::move(p), NatsError(s));
    return;
  }
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MaxWait = Ms(options_.ack_timeout);
  po.ExpectStream =
      options_.stream.c_str();  // a stream stealing our subjects is an error
  const natsMsg* key = m;
  {
    // In the map before the publish: the PubAck may arrive before
    // js_PublishMsgAsync returns.
    std::lock_guard<std::mutex> l(mu_);
    in_flight_.emplace(key, std::move(p));
  }
  s = js_PublishMsgAsync(js_, &m,
                         &po);  // on success the library owns m (m = NULL)
  std::string error;
  if (s != NATS_OK) error = NatsError(s);
  {
    std::lock_guard<std::mutex> l(mu_);
    if (s == NATS_OK) {
      ++stats_.published;
    } else {
      // Not sent and no callback will come (the library says so by
      // returning an error); we still own m.
      auto node = in_flight_.extract(key);
      if (!node.empty()) RetryLocked(std::move(node.mapped()), error);
    }
  }
  natsMsg_Destroy(m);
  if (s != NATS_OK)
    flush_cv_.notify_all();  // the destructor may wait for in_flight_
}

void NatsDispatcher::RetryLocked(Pending p, const std::string& error) {
  ++stats_.retries;
  stats_.last_error = error;
  ++p.attempts;
  absl::Duration delay = options_.retry_backoff_min;
  for (int i = 1; i < p.attempts && delay < options_.retry_backoff_max; ++i)
    delay *= 2;
  delay = std::min(delay, options_.retry_backoff_max);
  backoff_.emplace(absl::Now() + delay, std::move(p));
}

void NatsDispatcher::OnPubAck(jsCtx* js, natsMsg* msg, jsPubAck* pa,
                              jsPubAckErr* pae, void* closure) {
  static_cast<NatsDispatcher*>(closure)->HandlePubAck(msg, pa, pae);
  natsMsg_Destroy(msg);  // with an AckHandler the message is ours to free
}

void NatsDispatcher::HandlePubAck(const natsMsg* msg, const jsPubAck* pa,
                                  const jsPubAckErr* pae) {
  std::string log_line;
  {
    std::lock_guard<std::mutex> l(mu_);
    auto node = in_flight_.extract(msg);
    if (node.empty()) return;  // not ours (cannot happen) or already resolved
    Pending& p = node.mapped();
    if (pa != nullptr) {
      ++stats_.acked;
      if (pa->Duplicate) ++stats_.duplicates;
      const bool was_oldest = !unacked_.empty() && *unacked_.begin() == p.seq;
      unacked_.erase(p.seq);
      if (options_.on_ack) {
        acks_.push_back(DispatchAck{std::move(p.msg.msg_id),
                                    std::move(p.msg.department_code),
                                    pa->Sequence, pa->Duplicate});
      }
      if (failing_) {
        failing_ = false;
        log_line =
            absl::StrCat("publishing to stream ", options_.stream, " again");
      }
      if (was_oldest || in_flight_.empty()) flush_cv_.notify_all();
    } else {
      std::string error =
          pae != nullptr ? NatsError(pae->Err) : "unknown publish error";
      if (pae != nullptr && pae->ErrText != nullptr && *pae->ErrText != '\0' &&
          error != pae->ErrText && !absl::StrContains(error, pae->ErrText)) {
        absl::StrAppend(&error, ": ", pae->ErrText);
      }
      if (pae != nullptr && pae->ErrCode != 0) {
        absl::StrAppend(&error, " [JetStream error ",
                        static_cast<int>(pae->ErrCode), "]");
      }
      // No stream listens on the subject (deleted, or the server lost its
      // store): create it again before the next publish.
      if (pae != nullptr && pae->Err == NATS_NO_RESPONDERS) need_stream_ = true;
      if (!failing_) {
        failing_ = true;
        log_line = absl::StrCat("publish of ", p.msg.msg_id, " to ", p.subject,
                                " failed, retrying with backoff: ", error);
      }
      RetryLocked(std::move(p), error);
      if (in_flight_.empty()) flush_cv_.notify_all();
    }
  }
  work_cv_.notify_one();
  if (!log_line.empty()) Log(log_line);
}

}  // namespace gridroute

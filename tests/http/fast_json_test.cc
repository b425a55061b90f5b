// Copyright 2026 gridroute authors.
//
// The fast JSON codec (engine/http/fast_json.h) against its oracle,
// protobuf's own JSON mapping (util::MessageToJsonString /
// JsonStringToMessage):
//   - printer: byte-for-byte equal output on real answers of the engine for
//     the generated city (Route/RouteBatch in FULL and CODES views, Locate,
//     Directory) and on randomly filled messages of every message type of
//     proto/gridroute/v1 (NaN, ±inf, -0.0, subnormals, int64 extremes,
//     control characters, quotes, '<', Chinese, emoji, U+2028, protobuf's
//     escaped code points, invalid UTF-8, out-of-range Timestamps); where it
//     says false, protobuf must be the one to answer;
//   - parser: protobuf's own output (JSON names, proto names, whitespace,
//     keys reordered) parses to an equal message; malformed and edge inputs
//     (and random mutations of valid ones) either give the message protobuf
//     gives or return false.
#include "http/fast_json.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <iterator>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/stubs/logging.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gridroute/v1/admin.pb.h"
#include "gridroute/v1/cases.pb.h"
#include "gridroute/v1/routing.pb.h"
#include "gtest/gtest.h"
#include "service/grpc_service.h"
#include "service/snapshot_store.h"
#include "testing/generated_city.h"

namespace gridroute {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using google::protobuf::util::JsonParseOptions;
using google::protobuf::util::JsonPrintOptions;
using google::protobuf::util::MessageDifferencer;

const absl::Time kNever = absl::InfiniteFuture();

std::string Protobuf(const Message& m, const JsonPrintOptions& o = JsonPrintOptions()) {
  std::string out;
  if (!google::protobuf::util::MessageToJsonString(m, &out, o).ok()) return "<protobuf failed>";
  return out;
}

// The printer's contract: true -> protobuf's bytes. Returns whether it was
// sure.
bool ExpectPrintsLikeProtobuf(const Message& m, const JsonPrintOptions& o = JsonPrintOptions()) {
  std::string fast;
  if (!FastMessageToJson(m, o, &fast)) return false;
  EXPECT_EQ(fast, Protobuf(m, o)) << m.GetTypeName() << ": " << m.ShortDebugString();
  return true;
}

// The parser's contract: true -> protobuf's message. Returns whether it
// accepted.
bool ExpectParsesLikeProtobuf(const std::string& json, const Message& prototype) {
  std::unique_ptr<Message> fast(prototype.New()), slow(prototype.New());
  if (!FastJsonToMessage(json, fast.get())) {
    EXPECT_EQ(fast->ByteSizeLong(), 0u) << "not cleared after false: " << json;
    return false;
  }
  JsonParseOptions po;
  po.ignore_unknown_fields = false;
  const auto st = google::protobuf::util::JsonStringToMessage(json, slow.get(), po);
  EXPECT_TRUE(st.ok()) << "accepted what protobuf refuses (" << st.ToString() << "): " << json;
  EXPECT_TRUE(MessageDifferencer::Equals(*fast, *slow))
      << json << "\nfast: " << fast->ShortDebugString() << "\nprotobuf: " << slow->ShortDebugString();
  // The wire bytes too: the differencer takes -0.0 for 0.0.
  EXPECT_EQ(fast->SerializeAsString(), slow->SerializeAsString()) << json;
  return true;
}

// ------------------------------------------------------------ unit cases

std::string Fast(const Message& m) {
  std::string out;
  EXPECT_TRUE(FastMessageToJson(m, JsonPrintOptions(), &out)) << m.ShortDebugString();
  return out;
}

TEST(FastJsonPrintTest, DoublesAsProtobufPrintsThem) {
  v1::Point p;
  p.set_x(-0.0);
  p.set_y(0.1);
  EXPECT_EQ(Fast(p), R"({"x":-0,"y":0.1})");
  EXPECT_EQ(Fast(p), Protobuf(p));
  p.set_x(std::numeric_limits<double>::quiet_NaN());
  p.set_y(-std::numeric_limits<double>::infinity());
  EXPECT_EQ(Fast(p), R"({"x":"NaN","y":"-Infinity"})");
  EXPECT_EQ(Fast(p), Protobuf(p));
  for (double v : {1e300, 1e-300, 5e-324, DBL_MAX, DBL_MIN, 1.0 / 3, 120.5650208, 1e15, 1e16,
                   123456789012345678.0, 0.30000000000000004, 2.5e-5, 100.0}) {
    p.set_x(v);
    p.set_y(-v);
    EXPECT_EQ(Fast(p), Protobuf(p)) << v;
  }
}

TEST(FastJsonPrintTest, StringsEscapedAsProtobufEscapesThem) {
  v1::ItemError e;
  e.set_message(std::string("a\"b\\c<d>e/f\x01\x1f\x7f\b\f\n\r\t", 18) + std::string(1, '\0') +
                "中文😀\u2028\u2029\u00ad\u0600\u06dd\u070f\u17b4\u200b\u2060\u206a\ufeff\ufff9"
                "\u0085\u00a0é\U000E0001\U0001D173\U000E0041\U0010FFFF");
  EXPECT_EQ(Fast(e), Protobuf(e));
  EXPECT_NE(Fast(e).find("\\u003c"), std::string::npos);
  e.set_message("bad \xff utf-8");
  std::string out;
  EXPECT_FALSE(FastMessageToJson(e, JsonPrintOptions(), &out));
  e.set_message("overlong \xc0\x80");
  EXPECT_FALSE(FastMessageToJson(e, JsonPrintOptions(), &out));
  e.set_message("surrogate \xed\xa0\x80");
  EXPECT_FALSE(FastMessageToJson(e, JsonPrintOptions(), &out));
}

TEST(FastJsonPrintTest, TimestampsEnumsAndPresence) {
  v1::RouteRequest r;
  for (int64_t s : {int64_t{0}, int64_t{-1}, int64_t{-62135596800}, int64_t{253402300799},
                    int64_t{951782400} /* 2000-02-29 */, int64_t{1796601600}}) {
    for (int32_t n : {0, 1, 1000, 1000000, 120000000, 999999999, 10}) {
      r.mutable_reported_at()->set_seconds(s);
      r.mutable_reported_at()->set_nanos(n);
      EXPECT_EQ(Fast(r), Protobuf(r));
    }
  }
  std::string out;
  r.mutable_reported_at()->set_seconds(253402300800);
  EXPECT_FALSE(FastMessageToJson(r, JsonPrintOptions(), &out));
  r.mutable_reported_at()->set_seconds(0);
  r.mutable_reported_at()->set_nanos(-1);
  EXPECT_FALSE(FastMessageToJson(r, JsonPrintOptions(), &out));
  r.clear_reported_at();
  r.set_view(static_cast<v1::DecisionView>(77));  // unknown: a number
  r.set_component_radius_m(0);                    // proto3 optional: present
  r.mutable_point();                              // empty message: {}
  EXPECT_EQ(Fast(r), R"({"point":{},"componentRadiusM":0,"view":77})");  // number order
  EXPECT_EQ(Fast(r), Protobuf(r));
  JsonPrintOptions o;
  o.preserve_proto_field_names = true;
  o.always_print_enums_as_ints = true;
  r.set_view(v1::DECISION_VIEW_CODES);
  EXPECT_TRUE(ExpectPrintsLikeProtobuf(r, o));
  o.always_print_primitive_fields = true;
  EXPECT_FALSE(FastMessageToJson(r, o, &out));
}

TEST(FastJsonParseTest, AcceptsWhatItIsSureOf) {
  v1::RouteRequest r;
  const char* kGood[] = {
      R"({"point":{"x":120.5650208,"y":31.3690391},"category":"0102","reportedAt":"2026-12-07T05:52:20Z"})",
      " {\n\t\"point\" : { \"x\" : 1 , \"y\" : -2.5e3 } , \"category\" : \"a\\u00e9\\ud83d\\ude00\\n\\/\" }\r\n",
      R"({"snap_m":1e-3,"component_radius_m":0,"view":"DECISION_VIEW_CODES","reported_at":"0001-01-01T00:00:00.5Z"})",
      R"({"reportedAt":"2000-02-29T23:59:59.123456789Z","categoryType":"CATEGORY_TYPE_EVENT"})",
      R"({})",
  };
  for (const char* j : kGood) EXPECT_TRUE(ExpectParsesLikeProtobuf(j, r)) << j;
  v1::DirectoryRequest d;
  EXPECT_TRUE(ExpectParsesLikeProtobuf(R"({"generation":"18446744073709551615","pageSize":-5})", d));
  EXPECT_TRUE(ExpectParsesLikeProtobuf(R"({"generation":12,"pageSize":"2147483647"})", d));
  v1::RouteBatchRequest b;
  EXPECT_TRUE(ExpectParsesLikeProtobuf(R"({"events":[{"category":"x"},{}],"view":"DECISION_VIEW_FULL"})", b));
}

TEST(FastJsonParseTest, LeavesToProtobufWhatItIsNotSureOf) {
  v1::RouteRequest r;
  const char* kUnsure[] = {
      "", "[]", "{", "{}x", "{} {}", R"({"point":null})", R"({"nope":1})", R"({"category":1})",
      R"({"category":"a","category":"b"})", R"({"snapM":1,"snap_m":2})",
      R"({"point":{"x":1,"x":2}})", R"({"snapM":"1"})", R"({"snapM":1e400})", R"({"snapM":-0})",
      R"({"snapM":01})", R"({"snapM":1.})", R"({"snapM":.5})", R"({"snapM":12345678901234567})",
      R"({"view":2})", R"({"view":"decision_view_codes"})", R"({"category":"a\x"})",
      R"({"category":"\ud800"})", R"({"category":"\udc00x"})", "{\"category\":\"\xff\"}",
      "{\"category\":\"a\x01\"}", R"({"reportedAt":"2026-02-29T00:00:00Z"})",
      R"({"reportedAt":"2026-12-07T05:52:20+08:00"})", R"({"reportedAt":"2026-12-07T05:52:60Z"})",
      R"({"reportedAt":"2026-12-07T05:52:20.1234567890Z"})",
      R"({"reportedAt":"2026-12-07T05:52:20.123456789012345678901Z"})",  // fuzz_json found an overflow R"({"reportedAt":{"seconds":1}})",
      R"({"point":{"x":1}]})", R"({"point":[{"x":1}]})", R"({"cate\u0067ory":"a"})",
      R"({"snapM":true})", R"({"snapM":1,})", R"({,})",
  };
  std::vector<std::string> unsure(std::begin(kUnsure), std::end(kUnsure));
  unsure.push_back(std::string("{\"snapM\":1}\0", 12));  // a NUL after the object
  unsure.push_back(std::string("{\"category\":\"a\0\"}", 17));  // a raw NUL in a string
  for (const std::string& j : unsure) {
    v1::RouteRequest m;
    EXPECT_FALSE(FastJsonToMessage(j, &m)) << j;
    EXPECT_EQ(m.ByteSizeLong(), 0u);
  }
  v1::RouteResult two;  // a oneof given twice
  EXPECT_FALSE(FastJsonToMessage(R"({"decision":{},"error":{}})", &two));
  v1::DirectoryRequest d;
  for (const char* j : {R"({"pageSize":2147483648})", R"({"generation":-1})", R"({"pageSize":"-0"})",
                        R"({"pageSize":1.0})", R"({"pageSize":" 1"})", R"({"generation":"1e3"})"}) {
    EXPECT_FALSE(FastJsonToMessage(j, &d)) << j;
  }
  // Nesting past the limit.
  std::string deep;
  for (int i = 0; i <= kMaxFastJsonDepth + 1; ++i) deep += "{\"decision\":";
  v1::RouteResult rr;
  EXPECT_FALSE(FastJsonToMessage(deep, &rr));
}

// Types our protos do not use (float, bytes, sint/fixed, maps, another
// well-known type), in a proto3 file built here and read through
// DynamicMessage (protobuf then resolves types from that pool).
class FastJsonOtherTypesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    google::protobuf::FileDescriptorProto file;
    google::protobuf::Timestamp::descriptor()->file()->CopyTo(&file);
    ASSERT_NE(pool_.BuildFile(file), nullptr);
    file.Clear();
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(R"pb(
      name: "t.proto" syntax: "proto3" package: "t" dependency: "google/protobuf/timestamp.proto"
      message_type {
        name: "T"
        field { name: "f" number: 1 type: TYPE_FLOAT label: LABEL_OPTIONAL json_name: "f" }
        field { name: "rf" number: 2 type: TYPE_FLOAT label: LABEL_REPEATED json_name: "rf" }
        field { name: "b" number: 3 type: TYPE_BYTES label: LABEL_OPTIONAL json_name: "b" }
        field { name: "s32" number: 4 type: TYPE_SINT32 label: LABEL_OPTIONAL json_name: "s32" }
        field { name: "f64" number: 5 type: TYPE_FIXED64 label: LABEL_OPTIONAL json_name: "f64" }
        field { name: "sf32" number: 6 type: TYPE_SFIXED32 label: LABEL_REPEATED json_name: "sf32" }
        field { name: "m" number: 7 type: TYPE_MESSAGE type_name: ".t.T.MEntry" label: LABEL_REPEATED json_name: "m" }
        field { name: "d" number: 8 type: TYPE_MESSAGE type_name: ".google.protobuf.Timestamp" label: LABEL_REPEATED json_name: "d" }
        field { name: "u32" number: 9 type: TYPE_UINT32 label: LABEL_OPTIONAL json_name: "u32" }
        nested_type {
          name: "MEntry" options { map_entry: true }
          field { name: "key" number: 1 type: TYPE_STRING label: LABEL_OPTIONAL json_name: "key" }
          field { name: "value" number: 2 type: TYPE_INT32 label: LABEL_OPTIONAL json_name: "value" }
        }
      })pb", &file));
    const google::protobuf::FileDescriptor* fd = pool_.BuildFile(file);
    ASSERT_NE(fd, nullptr);
    prototype_ = factory_.GetPrototype(fd->message_type(0));
  }

  google::protobuf::DescriptorPool pool_;
  google::protobuf::DynamicMessageFactory factory_{&pool_};
  const Message* prototype_ = nullptr;
};

TEST_F(FastJsonOtherTypesTest, FloatsBytesAndOtherIntegersPrintLikeProtobuf) {
  std::mt19937_64 rng(3);
  const Descriptor* d = prototype_->GetDescriptor();
  int sure = 0;
  for (int i = 0; i < 3000; ++i) {
    std::unique_ptr<Message> m(prototype_->New());
    const Reflection* r = m->GetReflection();
    uint32_t bits = static_cast<uint32_t>(rng());
    float f;
    std::memcpy(&f, &bits, sizeof f);
    static const float kFloats[] = {0.1f, 1.0f / 3, 1e-45f, 1e-40f, FLT_MAX, FLT_MIN, -0.0f, 16777217.0f,
                                    3.4e38f, 123456.7f, 1e7f, 1e-5f};
    r->SetFloat(m.get(), d->FindFieldByName("f"), i % 2 ? f : kFloats[i % std::size(kFloats)]);
    r->AddFloat(m.get(), d->FindFieldByName("rf"), static_cast<float>(rng() % 100000) / 1000);
    r->AddFloat(m.get(), d->FindFieldByName("rf"), std::ldexp(1.0f, static_cast<int>(rng() % 250) - 125));
    std::string bytes;
    for (int k = static_cast<int>(rng() % 8); k > 0; --k) bytes.push_back(static_cast<char>(rng()));
    r->SetString(m.get(), d->FindFieldByName("b"), bytes);
    r->SetInt32(m.get(), d->FindFieldByName("s32"), static_cast<int32_t>(rng()));
    r->SetUInt64(m.get(), d->FindFieldByName("f64"), rng());
    r->AddInt32(m.get(), d->FindFieldByName("sf32"), INT32_MIN);
    r->SetUInt32(m.get(), d->FindFieldByName("u32"), UINT32_MAX);
    sure += ExpectPrintsLikeProtobuf(*m);
    if (HasFailure()) return;
  }
  EXPECT_EQ(sure, 3000);
}

TEST_F(FastJsonOtherTypesTest, MapsAndOtherWellKnownTypesAreLeftToProtobuf) {
  const Descriptor* d = prototype_->GetDescriptor();
  std::string out;
  std::unique_ptr<Message> m(prototype_->New());
  Message* entry = m->GetReflection()->AddMessage(m.get(), d->FindFieldByName("m"));
  entry->GetReflection()->SetString(entry, entry->GetDescriptor()->FindFieldByName("key"), "k");
  EXPECT_FALSE(FastMessageToJson(*m, JsonPrintOptions(), &out));
  std::unique_ptr<Message> p(prototype_->New());
  EXPECT_FALSE(FastJsonToMessage(R"({"m":{"k":1}})", p.get()));
  EXPECT_FALSE(FastJsonToMessage(R"({"b":"AAEC"})", p.get()));  // bytes: protobuf's base64 dialects
  EXPECT_FALSE(FastJsonToMessage(R"({"f":1.5})", p.get()));      // float: protobuf's range checks
  EXPECT_TRUE(ExpectParsesLikeProtobuf(R"({"s32":-5,"f64":"18446744073709551615","sf32":[1,"-2"],"u32":7,"d":["1970-01-01T00:00:00Z"]})", *p));
  google::protobuf::Timestamp ts;  // a well-known type at the top: its own JSON form
  EXPECT_FALSE(FastMessageToJson(ts, JsonPrintOptions(), &out));
  EXPECT_FALSE(FastJsonToMessage(R"("1970-01-01T00:00:00Z")", &ts));
}

// -------------------------------------------- every message type, at random

enum class FillMode {
  kAnything,   // printer: whatever a message can hold
  kParseNice,  // parser: what protobuf prints and the fast parser must take
};

class Filler {
 public:
  Filler(uint64_t seed, FillMode mode) : rng_(seed), mode_(mode) {}

  void Fill(Message* m, int depth) {
    const Descriptor* d = m->GetDescriptor();
    const Reflection* r = m->GetReflection();
    for (int i = 0; i < d->field_count(); ++i) {
      const FieldDescriptor* f = d->field(i);
      if (rng_() % 3 == 0) continue;
      const auto* oneof = f->real_containing_oneof();
      if (oneof != nullptr && r->HasOneof(*m, oneof)) continue;
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && depth >= 4) continue;
      if (f->is_repeated()) {
        for (int k = static_cast<int>(rng_() % 4); k > 0; --k) Set(m, r, f, true, depth);
      } else {
        Set(m, r, f, false, depth);
      }
    }
  }

 private:
  bool OneIn(int n) { return rng_() % n == 0; }

  double Double() {
    static const double kSpecial[] = {0.0, 1e300, -1e-300, DBL_MAX, DBL_MIN, 0.1, 1.0 / 3, 120.5650208,
                                      1e15, 1e16, 123456789012345678.0, 2.5e-5, 1e21, 1e-7, 100.0, 7};
    static const double kUnsure[] = {-0.0, 5e-324, 1e-310, std::numeric_limits<double>::quiet_NaN(),
                                     std::numeric_limits<double>::infinity(),
                                     -std::numeric_limits<double>::infinity()};
    switch (rng_() % 6) {
      case 0: {
        const double v = kSpecial[rng_() % std::size(kSpecial)];
        if (mode_ == FillMode::kParseNice && std::abs(v) >= 1e15 && std::abs(v) < 1e17) return 0.5;
        return v;
      }
      case 1:
        if (mode_ == FillMode::kAnything) return kUnsure[rng_() % std::size(kUnsure)];
        [[fallthrough]];
      case 2: return std::uniform_real_distribution<double>(-180, 180)(rng_);
      case 3: return std::round(std::uniform_real_distribution<double>(-1e6, 1e6)(rng_)) / 100;
      case 4: return static_cast<double>(static_cast<int64_t>(rng_() % 2000000) - 1000000);
      default: {
        if (mode_ == FillMode::kAnything) {
          const uint64_t bits = rng_();
          double v;
          std::memcpy(&v, &bits, sizeof v);
          return v;
        }
        // Integral doubles of 16-17 digits print as integer literals that
        // protobuf converts with its own exactness check: left to it.
        const double v = std::ldexp(std::uniform_real_distribution<double>(0.5, 1)(rng_),
                                    static_cast<int>(rng_() % 2000) - 1000);
        return std::abs(v) >= 1e15 && std::abs(v) < 1e17 && v == std::floor(v) ? 0.25 : v;
      }
    }
  }

  int64_t Int64() {
    static const int64_t kSpecial[] = {0, -1, 1, std::numeric_limits<int64_t>::min(),
                                       std::numeric_limits<int64_t>::max(), 9007199254740993};
    return OneIn(2) ? kSpecial[rng_() % std::size(kSpecial)] : static_cast<int64_t>(rng_()) >> (rng_() % 63);
  }

  std::string String() {
    static const char* kPieces[] = {
        "abc", "\"", "\\", "<", ">", "&", "/", "\x01", "\x1f", "\x7f", "\n", "\t", "\b", "\r",
        "中文", "网格", "😀", "\u2028", "\u2029", "\u00ad", "\ufeff", "\u0085", "\u009f", "\u00a0",
        "\U000E0041", "\U0001D173", "\U0001D17B", "é", " ", "\u0603", "\u200f", "\u202e", "\uffff",
        "\U0010FFFF", "0102",
    };
    static const char* kBad[] = {"\xff", "\xc3", "\xed\xa0\x80", "\xc0\x80", "\xf4\x90\x80\x80", "\xe2\x82"};
    std::string s;
    for (int n = static_cast<int>(rng_() % 6); n > 0; --n) {
      if (mode_ == FillMode::kAnything && OneIn(25)) {
        s += kBad[rng_() % std::size(kBad)];
      } else if (OneIn(20)) {
        s.push_back('\0');
      } else {
        s += kPieces[rng_() % std::size(kPieces)];
      }
    }
    return s;
  }

  void Timestamp(Message* m) {
    auto* ts = static_cast<google::protobuf::Timestamp*>(m);
    const int64_t lo = -62135596800, hi = 253402300799;
    ts->set_seconds(OneIn(4) ? (OneIn(2) ? lo : hi) : lo + static_cast<int64_t>(rng_() % (hi - lo + 1)));
    static const int32_t kNanos[] = {0, 1, 1000, 1000000, 500000000, 999999999, 123456789, 120000};
    ts->set_nanos(kNanos[rng_() % std::size(kNanos)]);
    if (mode_ == FillMode::kAnything && OneIn(30)) ts->set_seconds(hi + 1);
    if (mode_ == FillMode::kAnything && OneIn(30)) ts->set_nanos(-1);
  }

  int Enum(const FieldDescriptor* f) {
    const auto* e = f->enum_type();
    if (mode_ == FillMode::kAnything && OneIn(8)) return 40 + static_cast<int>(rng_() % 10);
    return e->value(static_cast<int>(rng_() % e->value_count()))->number();
  }

  void Set(Message* m, const Reflection* r, const FieldDescriptor* f, bool add, int depth) {
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32: {
        const int32_t v = OneIn(3) ? (OneIn(2) ? INT32_MIN : INT32_MAX) : static_cast<int32_t>(rng_());
        add ? r->AddInt32(m, f, v) : r->SetInt32(m, f, v);
        break;
      }
      case FieldDescriptor::CPPTYPE_UINT32: {
        const uint32_t v = static_cast<uint32_t>(rng_());
        add ? r->AddUInt32(m, f, v) : r->SetUInt32(m, f, v);
        break;
      }
      case FieldDescriptor::CPPTYPE_INT64: {
        const int64_t v = Int64();
        add ? r->AddInt64(m, f, v) : r->SetInt64(m, f, v);
        break;
      }
      case FieldDescriptor::CPPTYPE_UINT64: {
        const uint64_t v = OneIn(3) ? UINT64_MAX : rng_() >> (rng_() % 64);
        add ? r->AddUInt64(m, f, v) : r->SetUInt64(m, f, v);
        break;
      }
      case FieldDescriptor::CPPTYPE_DOUBLE: {
        const double v = Double();
        add ? r->AddDouble(m, f, v) : r->SetDouble(m, f, v);
        break;
      }
      case FieldDescriptor::CPPTYPE_FLOAT: {
        const float v = static_cast<float>(Double());
        add ? r->AddFloat(m, f, v) : r->SetFloat(m, f, v);
        break;
      }
      case FieldDescriptor::CPPTYPE_BOOL: {
        const bool v = OneIn(2);
        add ? r->AddBool(m, f, v) : r->SetBool(m, f, v);
        break;
      }
      case FieldDescriptor::CPPTYPE_ENUM: {
        const int v = Enum(f);
        add ? r->AddEnumValue(m, f, v) : r->SetEnumValue(m, f, v);
        break;
      }
      case FieldDescriptor::CPPTYPE_STRING: {
        const std::string v = String();
        add ? r->AddString(m, f, v) : r->SetString(m, f, v);
        break;
      }
      case FieldDescriptor::CPPTYPE_MESSAGE: {
        Message* sub = add ? r->AddMessage(m, f) : r->MutableMessage(m, f);
        if (f->message_type()->full_name() == "google.protobuf.Timestamp") {
          Timestamp(sub);
        } else {
          Fill(sub, depth + 1);
        }
        break;
      }
    }
  }

  std::mt19937_64 rng_;
  const FillMode mode_;
};

// Every message type of proto/gridroute/v1, nested ones included.
std::vector<const Descriptor*> AllMessageTypes() {
  std::vector<const Descriptor*> out;
  std::vector<const Descriptor*> todo;
  for (const auto* file : {v1::RouteRequest::descriptor()->file(), v1::DirectoryRequest::descriptor()->file(),
                           v1::Case::descriptor()->file()}) {
    for (int i = 0; i < file->message_type_count(); ++i) todo.push_back(file->message_type(i));
  }
  while (!todo.empty()) {
    const Descriptor* d = todo.back();
    todo.pop_back();
    out.push_back(d);
    for (int i = 0; i < d->nested_type_count(); ++i) todo.push_back(d->nested_type(i));
  }
  return out;
}

std::unique_ptr<Message> NewMessage(const Descriptor* d) {
  return std::unique_ptr<Message>(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(d)->New());
}

TEST(FastJsonRandomTest, EveryMessageTypePrintsLikeProtobuf) {
  google::protobuf::LogSilencer quiet;  // protobuf logs each invalid UTF-8 string it serializes
  const auto types = AllMessageTypes();
  ASSERT_GT(types.size(), 40u);
  int sure = 0, unsure = 0;
  for (const Descriptor* d : types) {
    for (int seed = 0; seed < 200; ++seed) {
      auto m = NewMessage(d);
      Filler(seed * 7919 + d->index(), FillMode::kAnything).Fill(m.get(), 0);
      JsonPrintOptions o;
      o.preserve_proto_field_names = seed % 4 == 3;
      if (ExpectPrintsLikeProtobuf(*m, o)) {
        ++sure;
      } else {
        ++unsure;
      }
      // Without invalid UTF-8 or out-of-range Timestamps it is always sure.
      auto nice = NewMessage(d);
      Filler(seed, FillMode::kParseNice).Fill(nice.get(), 0);
      EXPECT_TRUE(ExpectPrintsLikeProtobuf(*nice, o)) << nice->ShortDebugString();
      if (HasFatalFailure() || HasFailure()) return;
    }
  }
  std::printf("random messages: %d printed fast, %d left to protobuf\n", sure, unsure);
  EXPECT_GT(sure, unsure);
}

// The object's top-level "key":value members, printed one field at a time,
// in a shuffled order.
std::string ReorderedJson(const Message& m, std::mt19937_64& rng, const JsonPrintOptions& o) {
  std::vector<std::string> members;
  const Descriptor* d = m.GetDescriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    std::unique_ptr<Message> one(m.New());
    one->CopyFrom(m);
    for (int k = 0; k < d->field_count(); ++k) {
      if (k != i) one->GetReflection()->ClearField(one.get(), d->field(k));
    }
    const std::string j(absl::StripAsciiWhitespace(Protobuf(*one, o)));
    if (j.size() > 2) members.push_back(j.substr(1, j.size() - 2));
  }
  std::shuffle(members.begin(), members.end(), rng);
  std::string out = "{";
  for (size_t i = 0; i < members.size(); ++i) out += (i > 0 ? " , " : "") + members[i];
  return out + "}";
}

TEST(FastJsonRandomTest, ProtobufsOutputParsesToAnEqualMessage) {
  google::protobuf::LogSilencer quiet;
  std::mt19937_64 rng(7);
  int accepted = 0;
  for (const Descriptor* d : AllMessageTypes()) {
    for (int seed = 0; seed < 100; ++seed) {
      auto m = NewMessage(d);
      Filler(seed * 31 + d->index(), FillMode::kParseNice).Fill(m.get(), 0);
      JsonPrintOptions o;
      o.preserve_proto_field_names = seed % 3 == 1;
      o.add_whitespace = seed % 5 == 2;
      const std::string json = Protobuf(*m, o);
      ASSERT_NE(json, "<protobuf failed>") << m->ShortDebugString();
      std::unique_ptr<Message> back(m->New());
      ASSERT_TRUE(FastJsonToMessage(json, back.get())) << json;
      EXPECT_TRUE(MessageDifferencer::Equals(*back, *m)) << json << "\n" << back->ShortDebugString();
      EXPECT_TRUE(ExpectParsesLikeProtobuf(json, *m));
      const std::string reordered = ReorderedJson(*m, rng, o);
      EXPECT_TRUE(ExpectParsesLikeProtobuf(reordered, *m)) << reordered;
      ++accepted;
      // Whatever it does with anything-goes messages' JSON must be right.
      auto any = NewMessage(d);
      Filler(seed * 13 + 5, FillMode::kAnything).Fill(any.get(), 0);
      ExpectParsesLikeProtobuf(Protobuf(*any), *any);
      if (HasFailure()) return;
    }
  }
  EXPECT_GT(accepted, 4000);
}

// Random edits of valid JSON (a small in-process version of the
// differential fuzz target tests/fuzz/fuzz_json.cc).
TEST(FastJsonRandomTest, MutatedJsonEitherParsesLikeProtobufOrIsLeftToIt) {
  std::mt19937_64 rng(11);
  static const char kBytes[] = "{}[]\":,\\u0123456789.eE+-tfnulNaIy \t\n\xff\xc3\xa9zZT";
  int accepted = 0, refused = 0;
  const auto types = AllMessageTypes();
  for (int iter = 0; iter < 20000; ++iter) {
    const Descriptor* d = types[rng() % types.size()];
    auto m = NewMessage(d);
    Filler(iter, FillMode::kParseNice).Fill(m.get(), 0);
    std::string json = Protobuf(*m);
    for (int k = static_cast<int>(rng() % 3) + 1; k > 0 && !json.empty(); --k) {
      const size_t at = rng() % json.size();
      switch (rng() % 3) {
        case 0: json.erase(at, 1 + rng() % 3); break;
        case 1: json.insert(at, 1, kBytes[rng() % (sizeof(kBytes) - 1)]); break;
        default: json[at] = kBytes[rng() % (sizeof(kBytes) - 1)]; break;
      }
    }
    (ExpectParsesLikeProtobuf(json, *m) ? accepted : refused)++;
    if (HasFailure()) return;
  }
  std::printf("mutated JSON: %d parsed fast, %d left to protobuf\n", accepted, refused);
  EXPECT_GT(accepted, 1000);
  EXPECT_GT(refused, 1000);
}

// --------------------------------------- real answers of the generated city

class FastJsonCityTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    store_ = new SnapshotStore();
    ASSERT_TRUE(store_->Load(testing::GetGeneratedCity(2000, 1).dir).ok());
    svc_ = new GridrouteService(store_, ServiceOptions());
  }
  static void TearDownTestSuite() {
    delete svc_;
    delete store_;
  }

  // Reports over the city's box, every category, some near components.
  static v1::RouteBatchRequest Reports(int n) {
    const auto& city = testing::GetGeneratedCity(2000, 1).city;
    const Snapshot& s = *store_->Current()->snapshot;
    std::mt19937_64 rng(42);
    std::uniform_real_distribution<double> lon(city.bbox_min.lon * 1e-7, city.bbox_max.lon * 1e-7);
    std::uniform_real_distribution<double> lat(city.bbox_min.lat * 1e-7, city.bbox_max.lat * 1e-7);
    v1::RouteBatchRequest batch;
    for (int i = 0; i < n; ++i) {
      v1::RouteRequest* r = batch.add_events();
      double x = lon(rng), y = lat(rng);
      int32_t ci = static_cast<int32_t>(rng() % s.categories().size());
      if (i % 3 == 0 && s.components().size() > 0) {
        const Component comp = s.components().at(static_cast<int32_t>(rng() % s.components().size()));
        x = s.quantizer().ToX(comp.point.x) + (static_cast<int>(rng() % 201) - 100) * 1e-7;
        y = s.quantizer().ToY(comp.point.y) + (static_cast<int>(rng() % 201) - 100) * 1e-7;
        ci = comp.category;
      }
      r->mutable_point()->set_x(x);
      r->mutable_point()->set_y(y);
      r->set_category(s.categories().at(ci).code);
      r->mutable_reported_at()->set_seconds(1772589600 + static_cast<int64_t>(rng() % (7 * 1440)) * 60);
      if (i % 10 == 0) r->set_snap_m(30);
    }
    return batch;
  }

  static SnapshotStore* store_;
  static GridrouteService* svc_;
};
SnapshotStore* FastJsonCityTest::store_ = nullptr;
GridrouteService* FastJsonCityTest::svc_ = nullptr;

TEST_F(FastJsonCityTest, RouteAnswersPrintLikeProtobufInBothViews) {
  v1::RouteBatchRequest req = Reports(1500);
  for (const auto view : {v1::DECISION_VIEW_FULL, v1::DECISION_VIEW_CODES}) {
    req.set_view(view);
    v1::RouteBatchResponse batch;
    ASSERT_TRUE(svc_->RouteBatch(kNever, req, &batch).ok());
    EXPECT_TRUE(ExpectPrintsLikeProtobuf(batch));
    int routed = 0;
    for (int i = 0; i < batch.results_size(); ++i) {
      ASSERT_TRUE(ExpectPrintsLikeProtobuf(batch.results(i)));
      routed += batch.results(i).has_decision() || batch.results(i).has_codes();
    }
    EXPECT_GT(routed, 1000);
    for (int i = 0; i < 300; ++i) {
      v1::RouteRequest one = req.events(i);
      one.set_view(view);
      v1::RouteResponse resp;
      const grpc::Status st = svc_->Route(kNever, one, &resp);
      if (!st.ok()) continue;
      ASSERT_TRUE(ExpectPrintsLikeProtobuf(resp));
      // And the request's own JSON parses back fast.
      EXPECT_TRUE(ExpectParsesLikeProtobuf(Protobuf(one), one));
    }
  }
}

TEST_F(FastJsonCityTest, LocateAndDirectoryAnswersPrintLikeProtobuf) {
  const v1::RouteBatchRequest req = Reports(300);
  for (const auto& e : req.events()) {
    v1::LocateRequest l;
    *l.mutable_point() = e.point();
    l.set_snap_m(e.snap_m());
    v1::LocateResponse resp;
    ASSERT_TRUE(svc_->Locate(kNever, l, &resp).ok());
    ASSERT_TRUE(ExpectPrintsLikeProtobuf(resp));
  }
  v1::DirectoryRequest d;
  d.set_page_size(500);
  int pages = 0;
  do {
    v1::DirectoryResponse page;
    ASSERT_TRUE(svc_->Directory(kNever, d, &page).ok());
    ASSERT_TRUE(ExpectPrintsLikeProtobuf(page));
    JsonPrintOptions o;
    o.preserve_proto_field_names = true;
    ASSERT_TRUE(ExpectPrintsLikeProtobuf(page, o));
    d.set_page_token(page.next_page_token());
    ++pages;
  } while (!d.page_token().empty() && pages < 20);
  EXPECT_GT(pages, 1);
}

}  // namespace
}  // namespace gridroute

#include "mock_crm/salesforce/salesforce_api.hpp"

#include <fmt/format.h>
#include <rapidjson/error/en.h>

#include <algorithm>
#include <charconv>
#include <regex>

#include "mock_crm/salesforce/jwt_assertion.hpp"
#include "mock_crm/salesforce/salesforce_id.hpp"
#include "mock_crm/salesforce/soql_evaluator.hpp"
#include "mock_crm/salesforce/soql_parser.hpp"

namespace leadrouter::mock_crm::salesforce {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

constexpr int kOldestVersion = 31;  // older versions are retired (410)
constexpr int kNewestVersion = 66;
constexpr std::size_t kMaxCursors = 500;
constexpr std::size_t kMaxCollectionRecords = 200;
constexpr std::size_t kMaxCompositeSubrequests = 25;
constexpr const char* kDefaultVersion = "v62.0";

HttpResponse json_response(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse error_response(int status, const SfError& e) {
  return json_response(status, error_array_json({e}));
}

HttpResponse not_found() {
  return error_response(404, {"NOT_FOUND", "The requested resource does not exist", {}});
}

HttpResponse method_not_allowed(const std::string& method, std::string_view allowed) {
  return error_response(
      405, {"METHOD_NOT_ALLOWED",
            fmt::format("HTTP Method '{}' not allowed. Allowed are {}", method, allowed),
            {}});
}

// HTTP status for an error a write produced.
int status_for(const SfError& e) {
  if (e.code == "NOT_FOUND" || e.code == "ENTITY_IS_DELETED") {
    return 404;
  }
  return 400;
}

std::string release_label(int version) {
  static constexpr const char* kSeasons[] = {"Summer", "Winter", "Spring"};
  int k = version - kOldestVersion;  // v31.0 was Summer '14
  int year = 14 + (k + 2) / 3;
  return fmt::format("{} '{:02}", kSeasons[k % 3], year);
}

// "v62.0" → 62; nullopt when it is not a version at all.
std::optional<int> parse_version(std::string_view segment) {
  if (segment.size() < 4 || segment[0] != 'v' || !segment.ends_with(".0")) {
    return std::nullopt;
  }
  int v = 0;
  auto digits = segment.substr(1, segment.size() - 3);
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec != std::errc{} || ptr != digits.data() + digits.size()) {
    return std::nullopt;
  }
  return v;
}

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> parts;
  while (!path.empty()) {
    std::size_t slash = path.find('/');
    parts.emplace_back(path.substr(0, slash));
    if (slash == std::string_view::npos) {
      break;
    }
    path.remove_prefix(slash + 1);
  }
  // "/query/" and "/query" are the same resource.
  while (!parts.empty() && parts.back().empty()) {
    parts.pop_back();
  }
  return parts;
}

// Deeper JSON than any Salesforce payload; refusing it keeps RapidJSON's
// recursive parser and writer off the end of the stack.
constexpr int kMaxJsonDepth = 64;

std::optional<std::size_t> too_deep_at(std::string_view body) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxJsonDepth) {
        return i;
      }
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return std::nullopt;
}

std::optional<SfError> parse_body(const std::string& body, rapidjson::Document& doc) {
  if (auto at = too_deep_at(body)) {
    return SfError{"JSON_PARSER_ERROR",
                   fmt::format("JSON nests deeper than {} levels at [line:1, column:{}]",
                               kMaxJsonDepth, *at + 1),
                   {}};
  }
  doc.Parse(body.c_str(), body.size());
  if (doc.HasParseError()) {
    return SfError{
        "JSON_PARSER_ERROR",
        fmt::format("{} at [line:1, column:{}]", rapidjson::GetParseError_En(doc.GetParseError()),
                    doc.GetErrorOffset() + 1),
        {}};
  }
  return std::nullopt;
}

void write_string(Writer& out, std::string_view s) {
  out.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

// The object facts both the global describe and an object's own describe open with.
void write_object_summary(Writer& out, const SObjectDef& def) {
  out.Key("name");
  write_string(out, def.name);
  out.Key("label");
  write_string(out, def.label);
  out.Key("labelPlural");
  write_string(out, def.label_plural);
  out.Key("keyPrefix");
  write_string(out, def.key_prefix);
  for (const char* flag : {"createable", "updateable", "deletable", "queryable"}) {
    out.Key(flag);
    out.Bool(true);
  }
  out.Key("custom");
  out.Bool(false);
}

// "/services/data/v59.0/sobjects/Lead" plus `suffix` ("/describe", "/{ID}").
std::string sobject_url(std::string_view version, std::string_view object,
                        std::string_view suffix = "") {
  return fmt::format("/services/data/{}/sobjects/{}{}", version, object, suffix);
}

std::string to_json(const rapidjson::Value& v) {
  rapidjson::StringBuffer buffer;
  Writer out(buffer);
  v.Accept(out);
  return buffer.GetString();
}

void write_collection_result(Writer& out, const std::optional<std::string>& id,
                             const std::vector<SfError>& errors) {
  out.StartObject();
  if (id) {
    out.Key("id");
    write_string(out, *id);
  }
  out.Key("success");
  out.Bool(errors.empty());
  out.Key("errors");
  out.StartArray();
  for (const auto& e : errors) {
    write_error(out, e, ErrorCodeKey::kStatusCode);
  }
  out.EndArray();
  out.EndObject();
}

const SfError kRolledBack{"ALL_OR_NONE_OPERATION_ROLLED_BACK",
                          "Record rolled back because not all records were valid and the request "
                          "was using AllOrNone header",
                          {}};

// Picklist values describe reports for the fields whose stock values matter
// to clients; the first is the default.
std::vector<std::string> picklist_values(const std::string& object, const std::string& field) {
  if (object == "Lead" && field == "Status") {
    return {"Open - Not Contacted", "Working - Contacted", "Closed - Converted",
            "Closed - Not Converted"};
  }
  if (object == "Task" && field == "Status") {
    return {"Not Started", "In Progress", "Completed", "Waiting on someone else", "Deferred"};
  }
  if (object == "Task" && field == "Priority") {
    return {"Normal", "High", "Low"};
  }
  return {};
}

}  // namespace

SalesforceApi::SalesforceApi() {
  oauth_.set_org_id(make_id("00D", 1));
}

std::unique_ptr<CrmApi> make_salesforce_api() {
  return std::make_unique<SalesforceApi>();
}

std::size_t SalesforceApi::api_usage(DateTime now) {
  while (!api_calls_.empty() && api_calls_.front() <= now - std::chrono::hours(24)) {
    api_calls_.pop_front();
  }
  return api_calls_.size();
}

std::optional<HttpResponse> SalesforceApi::handle(const HttpRequest& request, RequestContext& ctx) {
  const std::string& path = request.path;
  if (path == "/services/oauth2/token") {
    return oauth_.token(request, store_, ctx);
  }
  if (path == "/services/oauth2/revoke") {
    return oauth_.revoke(request, ctx);
  }
  if (path == "/services/data" || path == "/services/data/") {
    if (request.method != "GET" && request.method != "HEAD") {
      return method_not_allowed(request.method, "GET,HEAD");
    }
    return versions();
  }
  if (!path.starts_with("/services/")) {
    return std::nullopt;
  }
  if (!path.starts_with("/services/data/")) {
    return not_found();
  }
  std::vector<std::string> segments = split_path(std::string_view(path).substr(15));
  auto version = segments.empty() ? std::nullopt : parse_version(segments.front());
  if (!version || *version > kNewestVersion) {
    return not_found();
  }
  if (*version < kOldestVersion) {
    return error_response(
        410,
        {"API_VERSION_RETIRED", fmt::format("API version {}.0 has been retired", *version), {}});
  }
  DateTime now = to_datetime(ctx.clock.now());
  auto auth = request.header("Authorization");
  std::optional<std::string> user_id;
  if (auth) {
    std::string_view value(*auth);
    // Older clients still send "OAuth <token>".
    for (std::string_view scheme : {"Bearer ", "OAuth "}) {
      if (value.size() > scheme.size() &&
          std::equal(scheme.begin(), scheme.end(), value.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) ==
                   std::tolower(static_cast<unsigned char>(b));
          })) {
        user_id = oauth_.authenticate(value.substr(scheme.size()), now);
      }
    }
  }
  if (!user_id) {
    HttpResponse r = error_response(401, {"INVALID_SESSION_ID", "Session expired or invalid", {}});
    r.headers.emplace_back("WWW-Authenticate", "Token");
    return r;
  }
  ctx.principal = "salesforce:" + *user_id;
  std::size_t used = api_usage(now);
  HttpResponse response;
  if (ctx.rate_limits_on && used >= daily_api_limit_) {
    // Salesforce sends no Retry-After here.
    response = error_response(403, {"REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.", {}});
  } else {
    api_calls_.push_back(now);
    segments.erase(segments.begin());
    Call call{request, ctx, fmt::format("v{}.0", *version), std::move(segments), *user_id, now};
    response = dispatch(call);
    used = api_usage(now);
  }
  response.headers.emplace_back("Sforce-Limit-Info",
                                fmt::format("api-usage={}/{}", used, daily_api_limit_));
  return response;
}

HttpResponse SalesforceApi::dispatch(Call& call) {
  const auto& s = call.segments;
  const std::string& method = call.request.method;
  if (s.empty()) {
    return method == "GET" ? resources(call) : method_not_allowed(method, "GET,HEAD");
  }
  const std::string& head = s[0];
  if (head == "limits" && s.size() == 1) {
    return method == "GET" ? limits(call) : method_not_allowed(method, "GET,HEAD");
  }
  if ((head == "query" || head == "queryAll") && s.size() <= 2) {
    if (method != "GET") {
      return method_not_allowed(method, "GET,HEAD");
    }
    if (s.size() == 2) {
      return query_page(call, s[1]);
    }
    return query(call, head == "queryAll");
  }
  if (head == "sobjects") {
    if (s.size() == 1) {
      return method == "GET" ? describe_global(call) : method_not_allowed(method, "GET,HEAD");
    }
    const SObjectDef* object = store_.schema().object(s[1]);
    if (object == nullptr) {
      return error_response(
          404, {"NOT_FOUND", fmt::format("The requested resource does not exist"), {}});
    }
    if (s.size() == 2) {
      if (method == "GET") {
        return sobject_basic(call, *object);
      }
      return method == "POST" ? create_record(call, *object)
                              : method_not_allowed(method, "GET,HEAD,POST");
    }
    if (s.size() == 3 && (s[2] == "updated" || s[2] == "deleted")) {
      return method == "GET" ? changed_records(call, *object, s[2] == "deleted")
                             : method_not_allowed(method, "GET,HEAD");
    }
    if (s.size() == 3 && s[2] == "describe") {
      return method == "GET" ? describe(call, *object) : method_not_allowed(method, "GET,HEAD");
    }
    if (s.size() == 3) {
      if (method == "GET") {
        return get_record(call, *object, s[2]);
      }
      if (method == "PATCH") {
        return update_record(call, *object, s[2]);
      }
      if (method == "DELETE") {
        return delete_record(call, *object, s[2]);
      }
      return method_not_allowed(method, "GET,HEAD,PATCH,DELETE");
    }
    return not_found();
  }
  if (head == "composite") {
    if (s.size() == 1) {
      if (method == "GET") {
        std::string base = "/services/data/" + call.version + "/composite/";
        return json_response(
            200,
            fmt::format(
                R"({{"tree":"{0}tree","batch":"{0}batch","sobjects":"{0}sobjects","graph":"{0}graph"}})",
                base));
      }
      return method == "POST" ? composite(call) : method_not_allowed(method, "GET,HEAD,POST");
    }
    if (s.size() == 2 && s[1] == "sobjects") {
      if (method == "POST" || method == "PATCH" || method == "DELETE") {
        return collections(call);
      }
      return method_not_allowed(method, "POST,PATCH,DELETE");
    }
    return not_found();
  }
  if (s.size() == 3 && head == "actions" && s[1] == "standard" &&
      s[2] == "customNotificationAction") {
    if (method == "GET") {
      return json_response(
          200,
          R"({"name":"customNotificationAction","label":"Send Custom Notification","type":"CUSTOMNOTIFICATIONACTION","category":"Notifications"})");
    }
    return method == "POST" ? custom_notification(call)
                            : method_not_allowed(method, "GET,HEAD,POST");
  }
  return not_found();
}

HttpResponse SalesforceApi::versions() const {
  rapidjson::StringBuffer buffer;
  Writer out(buffer);
  out.StartArray();
  for (int v = kOldestVersion; v <= kNewestVersion; ++v) {
    out.StartObject();
    out.Key("label");
    write_string(out, release_label(v));
    out.Key("url");
    write_string(out, fmt::format("/services/data/v{}.0", v));
    out.Key("version");
    write_string(out, fmt::format("{}.0", v));
    out.EndObject();
  }
  out.EndArray();
  return json_response(200, buffer.GetString());
}

HttpResponse SalesforceApi::resources(const Call& call) const {
  rapidjson::StringBuffer buffer;
  Writer out(buffer);
  out.StartObject();
  for (const char* name : {"sobjects", "query", "queryAll", "composite", "limits", "actions"}) {
    out.Key(name);
    write_string(out, fmt::format("/services/data/{}/{}", call.version, name));
  }
  out.EndObject();
  return json_response(200, buffer.GetString());
}

HttpResponse SalesforceApi::limits(const Call& call) const {
  std::size_t used = 0;
  for (auto t : api_calls_) {
    if (t > call.now - std::chrono::hours(24)) {
      ++used;
    }
  }
  std::size_t remaining = used >= daily_api_limit_ ? 0 : daily_api_limit_ - used;
  return json_response(
      200,
      fmt::format(
          R"({{"DailyApiRequests":{{"Max":{},"Remaining":{}}},"DailyBulkV2QueryJobs":{{"Max":10000,"Remaining":10000}},"ConcurrentSyncReportRuns":{{"Max":20,"Remaining":20}}}})",
          daily_api_limit_, remaining));
}

std::size_t SalesforceApi::query_batch_size(const HttpRequest& request) const {
  auto options = request.header("Sforce-Query-Options");
  if (!options) {
    return default_batch_size_;
  }
  std::size_t at = options->find("batchSize=");
  if (at == std::string::npos) {
    return default_batch_size_;
  }
  std::size_t n = 0;
  const char* begin = options->data() + at + 10;
  auto [ptr, ec] = std::from_chars(begin, options->data() + options->size(), n);
  if (ec != std::errc{} || ptr == begin) {
    return default_batch_size_;
  }
  // Salesforce treats the header as a request and keeps within 200..2000.
  return std::clamp<std::size_t>(n, 200, 2000);
}

HttpResponse SalesforceApi::query(Call& call, bool include_deleted) {
  auto q = call.request.query_param("q");
  if (!q || q->empty()) {
    return error_response(400, {"MALFORMED_QUERY", "A query string has to be specified", {}});
  }
  auto parsed = SoqlParser::parse(*q);
  if (!parsed) {
    return error_response(400, parsed.error());
  }
  auto evaluator = SoqlEvaluator::create(std::move(*parsed), store_.schema(), call.now);
  if (!evaluator) {
    return error_response(400, evaluator.error());
  }
  auto candidates = store_.records(evaluator->object(), include_deleted);
  if (evaluator->query().count_only) {
    std::size_t n = evaluator->count(candidates);
    if (evaluator->query().limit) {
      n = std::min(n, static_cast<std::size_t>(*evaluator->query().limit));
    }
    return json_response(200, fmt::format(R"({{"totalSize":{},"done":true,"records":[]}})", n));
  }
  QueryCursor cursor;
  cursor.version = call.version;
  cursor.batch_size = query_batch_size(call.request);
  for (const SObjectRecord* row : evaluator->run(candidates)) {
    rapidjson::StringBuffer buffer;
    Writer out(buffer);
    write_record(out, evaluator->object(), *row, call.version, evaluator->fields());
    cursor.rows.emplace_back(buffer.GetString());
  }
  std::string locator = make_id("01g", next_cursor_++);
  cursors_[locator] = std::move(cursor);
  cursor_order_.push_back(locator);
  while (cursor_order_.size() > kMaxCursors) {
    cursors_.erase(cursor_order_.front());
    cursor_order_.pop_front();
  }
  return query_page(call, locator + "-0");
}

HttpResponse SalesforceApi::query_page(const Call& call, const std::string& locator) {
  std::size_t dash = locator.rfind('-');
  std::size_t offset = 0;
  auto it = cursors_.end();
  if (dash != std::string::npos) {
    auto [ptr, ec] =
        std::from_chars(locator.data() + dash + 1, locator.data() + locator.size(), offset);
    if (ec == std::errc{} && ptr == locator.data() + locator.size()) {
      it = cursors_.find(locator.substr(0, dash));
    }
  }
  if (it == cursors_.end() || offset > it->second.rows.size()) {
    return error_response(400, {"INVALID_QUERY_LOCATOR", "invalid query locator", {}});
  }
  const QueryCursor& cursor = it->second;
  std::size_t end = std::min(cursor.rows.size(), offset + cursor.batch_size);
  rapidjson::StringBuffer buffer;
  Writer out(buffer);
  out.StartObject();
  out.Key("totalSize");
  out.Uint64(cursor.rows.size());
  out.Key("done");
  out.Bool(end == cursor.rows.size());
  if (end < cursor.rows.size()) {
    out.Key("nextRecordsUrl");
    write_string(out, fmt::format("/services/data/{}/query/{}-{}", call.version, it->first, end));
  }
  out.Key("records");
  out.StartArray();
  for (std::size_t i = offset; i < end; ++i) {
    out.RawValue(cursor.rows[i].c_str(), cursor.rows[i].size(), rapidjson::kObjectType);
  }
  out.EndArray();
  out.EndObject();
  return json_response(200, buffer.GetString());
}

HttpResponse SalesforceApi::describe_global(const Call& call) const {
  rapidjson::StringBuffer buffer;
  Writer out(buffer);
  out.StartObject();
  out.Key("encoding");
  out.String("UTF-8");
  out.Key("maxBatchSize");
  out.Int(200);
  out.Key("sobjects");
  out.StartArray();
  for (const auto& def : store_.schema().objects()) {
    out.StartObject();
    write_object_summary(out, def);
    out.Key("urls");
    out.StartObject();
    out.Key("sobject");
    write_string(out, sobject_url(call.version, def.name));
    out.Key("describe");
    write_string(out, sobject_url(call.version, def.name, "/describe"));
    out.Key("rowTemplate");
    write_string(out, sobject_url(call.version, def.name, "/{ID}"));
    out.EndObject();
    out.EndObject();
  }
  out.EndArray();
  out.EndObject();
  return json_response(200, buffer.GetString());
}

HttpResponse SalesforceApi::sobject_basic(const Call& call, const SObjectDef& object) const {
  rapidjson::StringBuffer buffer;
  Writer out(buffer);
  out.StartObject();
  out.Key("objectDescribe");
  out.StartObject();
  out.Key("name");
  write_string(out, object.name);
  out.Key("label");
  write_string(out, object.label);
  out.Key("keyPrefix");
  write_string(out, object.key_prefix);
  out.Key("urls");
  out.StartObject();
  out.Key("describe");
  write_string(out, sobject_url(call.version, object.name, "/describe"));
  out.EndObject();
  out.EndObject();
  out.Key("recentItems");
  out.StartArray();
  out.EndArray();
  out.EndObject();
  return json_response(200, buffer.GetString());
}

HttpResponse SalesforceApi::describe(const Call& call, const SObjectDef& object) const {
  rapidjson::StringBuffer buffer;
  Writer out(buffer);
  out.StartObject();
  write_object_summary(out, object);
  out.Key("fields");
  out.StartArray();
  for (const auto& f : object.fields) {
    out.StartObject();
    out.Key("name");
    write_string(out, f.name);
    out.Key("label");
    write_string(out, f.label);
    out.Key("type");
    out.String(to_string(f.type));
    out.Key("length");
    out.Int(f.length);
    out.Key("createable");
    out.Bool(f.createable);
    out.Key("updateable");
    out.Bool(f.updateable);
    out.Key("nillable");
    out.Bool(f.nillable);
    out.Key("custom");
    out.Bool(f.custom);
    out.Key("defaultedOnCreate");
    out.Bool(f.name == "OwnerId" || f.name == "Status" || f.name == "Priority" ||
             f.name == "IsConverted" || f.name == "IsActive" || !f.createable);
    out.Key("referenceTo");
    out.StartArray();
    for (const auto& r : f.reference_to) {
      write_string(out, r);
    }
    out.EndArray();
    out.Key("picklistValues");
    out.StartArray();
    auto values = picklist_values(object.name, f.name);
    for (std::size_t i = 0; i < values.size(); ++i) {
      out.StartObject();
      out.Key("active");
      out.Bool(true);
      out.Key("defaultValue");
      out.Bool(i == 0);
      out.Key("label");
      write_string(out, values[i]);
      out.Key("value");
      write_string(out, values[i]);
      out.EndObject();
    }
    out.EndArray();
    out.EndObject();
  }
  out.EndArray();
  out.Key("urls");
  out.StartObject();
  out.Key("sobject");
  write_string(out, sobject_url(call.version, object.name));
  out.Key("rowTemplate");
  write_string(out, sobject_url(call.version, object.name, "/{ID}"));
  out.EndObject();
  out.EndObject();
  return json_response(200, buffer.GetString());
}

namespace {

// A URL id → the 18-character Id of `object`, or the response that refuses it.
std::expected<std::string, HttpResponse> record_id(const SObjectDef& object,
                                                   const std::string& raw) {
  auto id = normalize_id(raw);
  if (!id) {
    return std::unexpected(error_response(
        400, {"MALFORMED_ID",
              fmt::format("{} ID: id value of incorrect type: {}", object.label, raw),
              {"Id"}}));
  }
  if (!id->starts_with(object.key_prefix)) {
    return std::unexpected(error_response(
        404,
        {"NOT_FOUND",
         fmt::format("Provided external ID field does not exist or is not accessible: {}", raw),
         {}}));
  }
  return *id;
}

}  // namespace

HttpResponse SalesforceApi::get_record(const Call& call, const SObjectDef& object,
                                       const std::string& raw_id) const {
  auto id = record_id(object, raw_id);
  if (!id) {
    return id.error();
  }
  const SObjectRecord* record = store_.find(object, *id);
  if (record == nullptr) {
    return not_found();
  }
  if (record->deleted) {
    return error_response(404, {"ENTITY_IS_DELETED", "entity is deleted", {}});
  }
  std::vector<const FieldDef*> fields;
  if (auto list = call.request.query_param("fields"); list && !list->empty()) {
    std::string_view rest(*list);
    while (!rest.empty()) {
      std::size_t comma = rest.find(',');
      std::string name(rest.substr(0, comma));
      name.erase(0, name.find_first_not_of(' '));
      name.erase(name.find_last_not_of(' ') + 1);
      const FieldDef* f = object.field(name);
      if (f == nullptr) {
        return error_response(
            400, {"INVALID_FIELD",
                  fmt::format(
                      "No such column '{}' on entity '{}'. If you are attempting to use a custom "
                      "field, be sure to append the '__c' after the custom field name. Please "
                      "reference your WSDL or the describe call for the appropriate names.",
                      name, object.name),
                  {}});
      }
      if (std::find(fields.begin(), fields.end(), f) == fields.end()) {
        fields.push_back(f);
      }
      if (comma == std::string_view::npos) {
        break;
      }
      rest.remove_prefix(comma + 1);
    }
  }
  rapidjson::StringBuffer buffer;
  Writer out(buffer);
  write_record(out, object, *record, call.version, fields);
  return json_response(200, buffer.GetString());
}

HttpResponse SalesforceApi::changed_records(const Call& call, const SObjectDef& object,
                                            bool deleted) const {
  auto start_text = call.request.query_param("start");
  auto end_text = call.request.query_param("end");
  if (!start_text || !end_text) {
    return error_response(400, {"MISSING_ARGUMENT", "start and end parameters are required", {}});
  }
  auto start = parse_datetime(*start_text);
  auto end = parse_datetime(*end_text);
  if (!start || !end || *end < *start) {
    return error_response(
        400, {"INVALID_REPLICATION_DATE",
              "start and end must be ISO 8601 datetimes with a zone, end not before start",
              {}});
  }
  // Salesforce covers whole minutes and never the future.
  DateTime covered = std::min(std::chrono::floor<std::chrono::minutes>(*end),
                              std::chrono::floor<std::chrono::minutes>(call.now));
  rapidjson::StringBuffer buffer;
  Writer out(buffer);
  out.StartObject();
  out.Key(deleted ? "deletedRecords" : "ids");
  out.StartArray();
  for (const SObjectRecord* r : store_.records(object, deleted)) {
    const auto* stamp = std::get_if<DateTime>(&r->get("SystemModstamp"));
    if (r->deleted != deleted || stamp == nullptr || *stamp < *start || *stamp > covered) {
      continue;
    }
    if (deleted) {
      out.StartObject();
      out.Key("id");
      write_string(out, r->id());
      out.Key("deletedDate");
      write_string(out, format_datetime(*stamp));
      out.EndObject();
    } else {
      write_string(out, r->id());
    }
  }
  out.EndArray();
  if (deleted) {
    out.Key("earliestDateAvailable");
    write_string(out, format_datetime(std::chrono::floor<std::chrono::minutes>(*start)));
  }
  out.Key("latestDateCovered");
  write_string(out, format_datetime(covered));
  out.EndObject();
  return json_response(200, buffer.GetString());
}

HttpResponse SalesforceApi::create_record(Call& call, const SObjectDef& object) {
  rapidjson::Document body;
  if (auto e = parse_body(call.request.body, body)) {
    return error_response(400, *e);
  }
  auto id = store_.create(object, body, call.user_id, call.now);
  if (!id) {
    return error_response(status_for(id.error()), id.error());
  }
  HttpResponse r =
      json_response(201, fmt::format(R"({{"id":"{}","success":true,"errors":[]}})", *id));
  r.headers.emplace_back("Location", sobject_url(call.version, object.name, "/" + *id));
  return r;
}

HttpResponse SalesforceApi::update_record(Call& call, const SObjectDef& object,
                                          const std::string& raw_id) {
  auto id = record_id(object, raw_id);
  if (!id) {
    return id.error();
  }
  rapidjson::Document body;
  if (auto e = parse_body(call.request.body, body)) {
    return error_response(400, *e);
  }
  if (auto e = store_.update(object, *id, body, call.user_id, call.now)) {
    return error_response(status_for(*e), *e);
  }
  HttpResponse r;
  r.status = 204;
  return r;
}

HttpResponse SalesforceApi::delete_record(Call& call, const SObjectDef& object,
                                          const std::string& raw_id) {
  auto id = record_id(object, raw_id);
  if (!id) {
    return id.error();
  }
  if (object.name == "User") {
    return error_response(
        400, {"DELETE_FAILED", "Users cannot be deleted; deactivate them instead", {}});
  }
  if (auto e = store_.remove(object, *id, call.now)) {
    return error_response(status_for(*e), *e);
  }
  HttpResponse r;
  r.status = 204;
  return r;
}

HttpResponse SalesforceApi::collections(Call& call) {
  const std::string& method = call.request.method;
  bool all_or_none = false;
  struct Item {
    std::optional<std::string> id;
    std::vector<SfError> errors;
  };
  std::vector<Item> results;
  SalesforceStore::Snapshot before = store_.snapshot();

  if (method == "DELETE") {
    auto ids = call.request.query_param("ids").value_or("");
    all_or_none = call.request.query_param("allOrNone").value_or("false") == "true";
    std::vector<std::string> list;
    std::string_view rest(ids);
    while (!rest.empty()) {
      std::size_t comma = rest.find(',');
      list.emplace_back(rest.substr(0, comma));
      if (comma == std::string_view::npos) {
        break;
      }
      rest.remove_prefix(comma + 1);
    }
    if (list.empty()) {
      return error_response(400, {"MISSING_ARGUMENT", "ids parameter is required", {}});
    }
    if (list.size() > kMaxCollectionRecords) {
      return error_response(
          400, {"EXCEEDED_ID_LIMIT",
                "record limit reached. cannot submit more than 200 records into this call",
                {}});
    }
    for (const auto& raw : list) {
      Item item;
      auto id = normalize_id(raw);
      const SObjectDef* object = id ? store_.schema().object_for_id(*id) : nullptr;
      if (!id) {
        item.errors.push_back({"MALFORMED_ID", fmt::format("malformed id {}", raw), {}});
      } else if (object == nullptr || object->name == "User") {
        item.errors.push_back({"INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", {}});
      } else if (auto e = store_.remove(*object, *id, call.now)) {
        item.errors.push_back(*e);
      } else {
        item.id = *id;
      }
      results.push_back(std::move(item));
    }
  } else {
    rapidjson::Document body;
    if (auto e = parse_body(call.request.body, body)) {
      return error_response(400, *e);
    }
    if (!body.IsObject() || !body.HasMember("records") || !body["records"].IsArray()) {
      return error_response(
          400, {"JSON_PARSER_ERROR", "the body must be an object with a records array", {}});
    }
    if (body.HasMember("allOrNone")) {
      if (!body["allOrNone"].IsBool()) {
        return error_response(400, {"JSON_PARSER_ERROR", "allOrNone must be a boolean", {}});
      }
      all_or_none = body["allOrNone"].GetBool();
    }
    const auto& records = body["records"];
    if (records.Size() > kMaxCollectionRecords) {
      return error_response(
          400, {"EXCEEDED_ID_LIMIT",
                "record limit reached. cannot submit more than 200 records into this call",
                {}});
    }
    bool creating = method == "POST";
    for (const auto& record : records.GetArray()) {
      Item item;
      const SObjectDef* object = nullptr;
      if (record.IsObject() && record.HasMember("attributes") && record["attributes"].IsObject() &&
          record["attributes"].HasMember("type") && record["attributes"]["type"].IsString()) {
        object = store_.schema().object(record["attributes"]["type"].GetString());
      }
      if (object == nullptr) {
        item.errors.push_back(
            {"INVALID_TYPE", "Must specify a valid sObject type in attributes.type", {}});
      } else if (creating) {
        auto id = store_.create(*object, record, call.user_id, call.now);
        if (id) {
          item.id = *id;
        } else {
          item.errors.push_back(id.error());
        }
      } else {
        const rapidjson::Value* raw = record.HasMember("id")
                                          ? &record["id"]
                                          : (record.HasMember("Id") ? &record["Id"] : nullptr);
        auto id = raw != nullptr && raw->IsString() ? normalize_id(raw->GetString()) : std::nullopt;
        if (raw == nullptr) {
          item.errors.push_back({"MISSING_ARGUMENT", "Id not specified in an update call", {}});
        } else if (!id || !id->starts_with(object->key_prefix)) {
          item.errors.push_back({"MALFORMED_ID",
                                 fmt::format("{} ID: id value of incorrect type", object->label),
                                 {"Id"}});
        } else if (auto e = store_.update(*object, *id, record, call.user_id, call.now)) {
          item.errors.push_back(*e);
        } else {
          item.id = *id;
        }
      }
      results.push_back(std::move(item));
    }
  }
  bool any_failed =
      std::any_of(results.begin(), results.end(), [](const Item& i) { return !i.errors.empty(); });
  if (all_or_none && any_failed) {
    store_.restore(std::move(before));
    for (auto& item : results) {
      if (item.errors.empty()) {
        item.errors.push_back(kRolledBack);
      }
      item.id.reset();
    }
  }
  rapidjson::StringBuffer buffer;
  Writer out(buffer);
  out.StartArray();
  for (const auto& item : results) {
    write_collection_result(out, item.id, item.errors);
  }
  out.EndArray();
  return json_response(200, buffer.GetString());
}

namespace {

// Resolves "@{ref.path}" against earlier subresponse bodies; path segments
// are member names with optional [n] indexes ("records[0].Id").
std::optional<std::string> resolve_reference(
    const std::string& expr, const std::map<std::string, rapidjson::Document>& bodies) {
  std::size_t dot = expr.find('.');
  std::string ref = expr.substr(0, dot);
  auto it = bodies.find(ref);
  if (it == bodies.end() || dot == std::string::npos) {
    return std::nullopt;
  }
  const rapidjson::Value* v = &it->second;
  std::string_view rest = std::string_view(expr).substr(dot + 1);
  while (!rest.empty()) {
    std::size_t next = rest.find('.');
    std::string_view part = rest.substr(0, next);
    rest = next == std::string_view::npos ? std::string_view() : rest.substr(next + 1);
    std::size_t bracket = part.find('[');
    std::string name(part.substr(0, bracket));
    if (!name.empty()) {
      if (!v->IsObject() || !v->HasMember(name.c_str())) {
        return std::nullopt;
      }
      v = &(*v)[name.c_str()];
    }
    while (bracket != std::string_view::npos) {
      std::size_t close = part.find(']', bracket);
      if (close == std::string_view::npos) {
        return std::nullopt;
      }
      std::size_t index = 0;
      auto [ptr, ec] = std::from_chars(part.data() + bracket + 1, part.data() + close, index);
      if (ec != std::errc{} || ptr != part.data() + close || !v->IsArray() || index >= v->Size()) {
        return std::nullopt;
      }
      v = &(*v)[static_cast<rapidjson::SizeType>(index)];
      bracket = part.find('[', close);
    }
  }
  if (v->IsString()) {
    return std::string(v->GetString(), v->GetStringLength());
  }
  if (v->IsNumber() || v->IsBool() || v->IsNull()) {
    return to_json(*v);
  }
  return std::nullopt;
}

std::optional<std::string> substitute(const std::string& text,
                                      const std::map<std::string, rapidjson::Document>& bodies,
                                      std::string& failed) {
  std::string out;
  std::size_t pos = 0;
  while (true) {
    std::size_t at = text.find("@{", pos);
    if (at == std::string::npos) {
      out += text.substr(pos);
      return out;
    }
    std::size_t close = text.find('}', at);
    if (close == std::string::npos) {
      out += text.substr(pos);
      return out;
    }
    std::string expr = text.substr(at + 2, close - at - 2);
    auto value = resolve_reference(expr, bodies);
    if (!value) {
      failed = expr;
      return std::nullopt;
    }
    out += text.substr(pos, at - pos) + *value;
    pos = close + 1;
  }
}

}  // namespace

HttpResponse SalesforceApi::composite(Call& call) {
  rapidjson::Document body;
  if (auto e = parse_body(call.request.body, body)) {
    return error_response(400, *e);
  }
  if (!body.IsObject() || !body.HasMember("compositeRequest") ||
      !body["compositeRequest"].IsArray()) {
    return error_response(400, {"JSON_PARSER_ERROR", "compositeRequest must be an array", {}});
  }
  bool all_or_none =
      body.HasMember("allOrNone") && body["allOrNone"].IsBool() && body["allOrNone"].GetBool();
  const auto& subrequests = body["compositeRequest"];
  if (subrequests.Size() > kMaxCompositeSubrequests) {
    return error_response(
        400, {"INVALID_INPUT", "Composite requests cannot contain more than 25 subrequests", {}});
  }
  static const std::regex kReferenceId("[A-Za-z0-9][A-Za-z0-9_]*");
  std::set<std::string> seen;
  for (const auto& sub : subrequests.GetArray()) {
    if (!sub.IsObject() || !sub.HasMember("method") || !sub["method"].IsString() ||
        !sub.HasMember("url") || !sub["url"].IsString() || !sub.HasMember("referenceId") ||
        !sub["referenceId"].IsString()) {
      return error_response(
          400, {"INVALID_INPUT", "each subrequest needs method, url and referenceId strings", {}});
    }
    std::string ref = sub["referenceId"].GetString();
    if (!std::regex_match(ref, kReferenceId) || !seen.insert(ref).second) {
      return error_response(
          400, {"INVALID_INPUT", fmt::format("invalid or duplicate referenceId: {}", ref), {}});
    }
    std::string url = sub["url"].GetString();
    if (!url.starts_with("/services/data/v")) {
      return error_response(
          400, {"INVALID_INPUT",
                fmt::format("the url of {} must start with /services/data/vXX.X/", ref),
                {}});
    }
    if (sub.HasMember("httpHeaders") && sub["httpHeaders"].IsObject()) {
      for (const auto& h : sub["httpHeaders"].GetObject()) {
        std::string name = h.name.GetString();
        std::transform(name.begin(), name.end(), name.begin(), [](char c) {
          return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        });
        if (name == "accept" || name == "authorization" || name == "content-type") {
          return error_response(
              400, {"INVALID_INPUT",
                    fmt::format("header {} is not allowed in a subrequest", h.name.GetString()),
                    {}});
        }
      }
    }
  }

  struct SubResult {
    std::string reference_id;
    int status = 0;
    std::string body;  // JSON text, or empty for null
    std::vector<std::pair<std::string, std::string>> headers;
  };
  std::vector<SubResult> results;
  std::map<std::string, rapidjson::Document> bodies;
  SalesforceStore::Snapshot before = store_.snapshot();
  bool failed = false;
  const SfError halted{
      "PROCESSING_HALTED",
      "The transaction was rolled back since another operation in the same transaction failed.",
      {}};
  for (const auto& sub : subrequests.GetArray()) {
    SubResult result;
    result.reference_id = sub["referenceId"].GetString();
    if (failed && all_or_none) {
      result.status = 400;
      result.body = error_array_json({halted});
      results.push_back(std::move(result));
      continue;
    }
    std::string missing;
    auto url = substitute(sub["url"].GetString(), bodies, missing);
    std::optional<std::string> sub_body = std::string();
    if (sub.HasMember("body") && !sub["body"].IsNull()) {
      sub_body = substitute(to_json(sub["body"]), bodies, missing);
    }
    if (!url || !sub_body) {
      result.status = 400;
      result.body = error_array_json(
          {{"PROCESSING_HALTED",
            fmt::format("Invalid reference specified. No value for {} found", missing),
            {}}});
    } else {
      HttpRequest inner;
      inner.method = sub["method"].GetString();
      inner.target = *url;
      std::size_t qmark = url->find('?');
      inner.path = url->substr(0, qmark);
      if (qmark != std::string::npos) {
        for (auto& [k, v] : parse_urlencoded(url->substr(qmark + 1))) {
          inner.query.emplace(k, v);
        }
      }
      inner.body = *sub_body;
      if (sub.HasMember("httpHeaders") && sub["httpHeaders"].IsObject()) {
        for (const auto& h : sub["httpHeaders"].GetObject()) {
          if (h.value.IsString()) {
            inner.headers[h.name.GetString()] = h.value.GetString();
          }
        }
      }
      std::vector<std::string> segments = split_path(std::string_view(inner.path).substr(15));
      // 0 stands for "not a version"; an optional here trips GCC 12's maybe-uninitialized.
      int version = segments.empty() ? 0 : parse_version(segments.front()).value_or(0);
      HttpResponse r;
      if (version < kOldestVersion || version > kNewestVersion) {
        r = not_found();
      } else {
        segments.erase(segments.begin());
        Call inner_call{inner,        call.ctx, fmt::format("v{}.0", version), std::move(segments),
                        call.user_id, call.now};
        // Composite cannot nest.
        r = (inner_call.segments.size() == 1 && inner_call.segments.front() == "composite")
                ? not_found()
                : dispatch(inner_call);
      }
      result.status = r.status;
      result.body = r.body;
      for (const auto& [k, v] : r.headers) {
        if (k == "Location") {
          result.headers.emplace_back(k, v);
        }
      }
      if (r.status < 400 && !r.body.empty()) {
        rapidjson::Document parsed;
        parsed.Parse(r.body.c_str(), r.body.size());
        if (!parsed.HasParseError()) {
          bodies[result.reference_id] = std::move(parsed);
        }
      }
    }
    if (result.status >= 400) {
      failed = true;
    }
    results.push_back(std::move(result));
  }
  if (failed && all_or_none) {
    store_.restore(std::move(before));
    for (auto& r : results) {
      if (r.status < 400) {
        r.status = 400;
        r.body = error_array_json({halted});
        r.headers.clear();
      }
    }
  }
  rapidjson::StringBuffer buffer;
  Writer out(buffer);
  out.StartObject();
  out.Key("compositeResponse");
  out.StartArray();
  for (const auto& r : results) {
    out.StartObject();
    out.Key("body");
    if (r.body.empty()) {
      out.Null();
    } else {
      out.RawValue(r.body.c_str(), r.body.size(), rapidjson::kObjectType);
    }
    out.Key("httpHeaders");
    out.StartObject();
    for (const auto& [k, v] : r.headers) {
      out.Key(k.c_str());
      write_string(out, v);
    }
    out.EndObject();
    out.Key("httpStatusCode");
    out.Int(r.status);
    out.Key("referenceId");
    write_string(out, r.reference_id);
    out.EndObject();
  }
  out.EndArray();
  out.EndObject();
  return json_response(200, buffer.GetString());
}

HttpResponse SalesforceApi::custom_notification(Call& call) {
  rapidjson::Document body;
  if (auto e = parse_body(call.request.body, body)) {
    return error_response(400, *e);
  }
  if (!body.IsObject() || !body.HasMember("inputs") || !body["inputs"].IsArray() ||
      body["inputs"].Empty()) {
    return error_response(
        400, {"JSON_PARSER_ERROR", "the body must be an object with a non-empty inputs array", {}});
  }
  struct Result {
    std::vector<SfError> errors;
  };
  std::vector<Result> results;
  for (const auto& input : body["inputs"].GetArray()) {
    Result result;
    auto& errors = result.errors;
    if (!input.IsObject()) {
      errors.push_back({"INVALID_ARGUMENT", "each input must be an object", {}});
      results.push_back(std::move(result));
      continue;
    }
    auto text = [&](const char* name, std::size_t max) {
      if (!input.HasMember(name) || !input[name].IsString() || input[name].GetStringLength() == 0) {
        errors.push_back({"REQUIRED_FIELD_MISSING",
                          fmt::format("Missing required input parameter: {}", name),
                          {name}});
      } else if (input[name].GetStringLength() > max) {
        errors.push_back(
            {"STRING_TOO_LONG", fmt::format("{} is longer than {} characters", name, max), {name}});
      }
    };
    text("customNotifTypeId", 18);
    if (input.HasMember("customNotifTypeId") && input["customNotifTypeId"].IsString() &&
        !normalize_id(input["customNotifTypeId"].GetString())) {
      errors.push_back(
          {"INVALID_ARGUMENT", "customNotifTypeId is not a valid Id", {"customNotifTypeId"}});
    }
    text("title", 250);
    text("body", 750);
    if (!input.HasMember("recipientIds") || !input["recipientIds"].IsArray() ||
        input["recipientIds"].Empty()) {
      errors.push_back({"REQUIRED_FIELD_MISSING",
                        "Missing required input parameter: recipientIds",
                        {"recipientIds"}});
    } else if (input["recipientIds"].Size() > 500) {
      errors.push_back(
          {"INVALID_ARGUMENT", "recipientIds can hold at most 500 ids", {"recipientIds"}});
    } else {
      for (const auto& r : input["recipientIds"].GetArray()) {
        if (!r.IsString() || !normalize_id(r.GetString())) {
          errors.push_back({"INVALID_ARGUMENT",
                            fmt::format("recipientIds holds an invalid id: {}",
                                        r.IsString() ? r.GetString() : to_json(r)),
                            {"recipientIds"}});
          break;
        }
      }
    }
    bool has_target = input.HasMember("targetId") && !input["targetId"].IsNull();
    bool has_page = input.HasMember("targetPageRef") && !input["targetPageRef"].IsNull();
    if (has_target == has_page) {
      errors.push_back({"INVALID_ARGUMENT",
                        "Exactly one of targetId or targetPageRef must be provided",
                        {"targetId"}});
    } else if (has_target) {
      auto id =
          input["targetId"].IsString() ? normalize_id(input["targetId"].GetString()) : std::nullopt;
      const SObjectDef* object = id ? store_.schema().object_for_id(*id) : nullptr;
      const SObjectRecord* record = object != nullptr ? store_.find(*object, *id) : nullptr;
      if (!id || (object != nullptr && (record == nullptr || record->deleted))) {
        errors.push_back(
            {"INVALID_ARGUMENT", "targetId is not the Id of an existing record", {"targetId"}});
      }
    }
    if (errors.empty()) {
      notifications_.push_back({call.user_id, call.now, to_json(input)});
    }
    results.push_back(std::move(result));
  }
  bool any_failed = std::any_of(results.begin(), results.end(),
                                [](const Result& r) { return !r.errors.empty(); });
  rapidjson::StringBuffer buffer;
  Writer out(buffer);
  out.StartArray();
  for (const auto& r : results) {
    out.StartObject();
    out.Key("actionName");
    out.String("customNotificationAction");
    out.Key("errors");
    if (r.errors.empty()) {
      out.Null();
    } else {
      out.StartArray();
      for (const auto& e : r.errors) {
        write_error(out, e, ErrorCodeKey::kStatusCode);
      }
      out.EndArray();
    }
    out.Key("isSuccess");
    out.Bool(r.errors.empty());
    out.Key("outputValues");
    if (r.errors.empty()) {
      out.StartObject();
      out.Key("SuccessMessage");
      out.String("Your custom notification is processed successfully.");
      out.EndObject();
    } else {
      out.Null();
    }
    out.EndObject();
  }
  out.EndArray();
  return json_response(any_failed ? 400 : 200, buffer.GetString());
}

std::vector<std::string> SalesforceApi::load_seed(const rapidjson::Value& section,
                                                  const rapidjson::Value* limits) {
  std::vector<std::string> errors;
  store_.clear();
  oauth_.clear();
  cursors_.clear();
  cursor_order_.clear();
  api_calls_.clear();
  notifications_.clear();
  daily_api_limit_ = 15000;
  default_batch_size_ = 2000;
  oauth_.set_org_id(make_id("00D", 1));
  const std::string root = "/salesforce";

  if (limits != nullptr && limits->IsObject() && limits->HasMember("salesforce")) {
    const auto& l = (*limits)["salesforce"];
    auto positive = [&](const char* key, std::size_t& target) {
      if (!l.IsObject() || !l.HasMember(key)) {
        return;
      }
      if (!l[key].IsUint64() || l[key].GetUint64() == 0) {
        errors.push_back(fmt::format("/limits/salesforce/{}: expected a positive integer", key));
        return;
      }
      target = static_cast<std::size_t>(l[key].GetUint64());
    };
    if (!l.IsObject()) {
      errors.push_back("/limits/salesforce: expected an object");
    }
    positive("daily_api_requests", daily_api_limit_);
    positive("query_batch_size", default_batch_size_);
  }
  if (section.IsNull()) {
    return errors;
  }
  if (!section.IsObject()) {
    errors.push_back(root + ": expected an object");
    return errors;
  }
  if (section.HasMember("org_id")) {
    const auto& v = section["org_id"];
    auto id = v.IsString() ? normalize_id(v.GetString()) : std::nullopt;
    if (!id || !id->starts_with("00D")) {
      errors.push_back(root + "/org_id: expected a 15- or 18-character Id starting 00D");
    } else {
      oauth_.set_org_id(*id);
    }
  }
  if (section.HasMember("session_timeout_minutes")) {
    const auto& v = section["session_timeout_minutes"];
    if (!v.IsUint() || v.GetUint() == 0) {
      errors.push_back(root + "/session_timeout_minutes: expected a positive integer");
    } else {
      oauth_.set_session_timeout(std::chrono::minutes(v.GetUint()));
    }
  }
  if (section.HasMember("custom_fields")) {
    const auto& cf = section["custom_fields"];
    if (!cf.IsObject()) {
      errors.push_back(root + "/custom_fields: expected an object of sObject name → field list");
    } else {
      for (const auto& object : cf.GetObject()) {
        std::string path = root + "/custom_fields/" + object.name.GetString();
        if (!object.value.IsArray()) {
          errors.push_back(path + ": expected an array");
          continue;
        }
        for (rapidjson::SizeType i = 0; i < object.value.Size(); ++i) {
          const auto& f = object.value[i];
          std::string fpath = fmt::format("{}/{}", path, i);
          if (!f.IsObject() || !f.HasMember("name") || !f["name"].IsString() ||
              !f.HasMember("type") || !f["type"].IsString()) {
            errors.push_back(fpath +
                             ": expected {\"name\": \"X__c\", \"type\": \"string|double|...\"}");
            continue;
          }
          auto type = field_type_from_string(f["type"].GetString());
          if (!type || *type == FieldType::kId || *type == FieldType::kReference) {
            errors.push_back(fpath + "/type: unsupported field type " + f["type"].GetString());
            continue;
          }
          FieldDef def;
          def.name = f["name"].GetString();
          def.type = *type;
          if (f.HasMember("label") && f["label"].IsString()) {
            def.label = f["label"].GetString();
          }
          if (f.HasMember("length") && f["length"].IsInt()) {
            def.length = f["length"].GetInt();
          }
          if (auto e = store_.schema().add_custom_field(object.name.GetString(), def)) {
            errors.push_back(fpath + ": " + *e);
          }
        }
      }
    }
  }
  DateTime now = to_datetime(std::chrono::system_clock::now());
  auto load = [&](const char* key, const char* object_name, const std::set<std::string>& ignored,
                  const std::string& default_owner) {
    if (!section.HasMember(key)) {
      return;
    }
    const auto& array = section[key];
    if (!array.IsArray()) {
      errors.push_back(fmt::format("{}/{}: expected an array", root, key));
      return;
    }
    const SObjectDef& def = *store_.schema().object(object_name);
    for (rapidjson::SizeType i = 0; i < array.Size(); ++i) {
      store_.insert_seed(def, array[i], fmt::format("{}/{}/{}", root, key, i), default_owner, now,
                         ignored, errors);
    }
  };
  load("users", "User", {"password", "security_token"}, "");
  const SObjectDef& user_def = *store_.schema().object("User");
  auto users = store_.records(user_def, false);
  std::string default_owner = users.empty() ? std::string() : users.front()->id();
  if (section.HasMember("users") && section["users"].IsArray()) {
    for (rapidjson::SizeType i = 0; i < section["users"].Size(); ++i) {
      const auto& u = section["users"][i];
      if (u.IsObject() && u.HasMember("Username") && u["Username"].IsString() &&
          u.HasMember("password")) {
        if (!u["password"].IsString()) {
          errors.push_back(fmt::format("{}/users/{}/password: expected a string", root, i));
          continue;
        }
        UserCredentials cred{u["password"].GetString(), ""};
        if (u.HasMember("security_token") && u["security_token"].IsString()) {
          cred.security_token = u["security_token"].GetString();
        }
        oauth_.set_credentials(u["Username"].GetString(), cred);
      }
    }
  }
  bool needs_owner = false;
  for (const char* key : {"accounts", "contacts", "leads", "opportunities", "tasks"}) {
    needs_owner =
        needs_owner || (section.HasMember(key) && section[key].IsArray() && !section[key].Empty());
  }
  if (needs_owner && default_owner.empty()) {
    errors.push_back(root + "/users: at least one user is needed to own the seeded records");
    return errors;
  }
  load("accounts", "Account", {}, default_owner);
  load("contacts", "Contact", {}, default_owner);
  load("leads", "Lead", {}, default_owner);
  load("opportunities", "Opportunity", {}, default_owner);
  load("tasks", "Task", {}, default_owner);

  if (section.HasMember("connected_apps")) {
    const auto& apps = section["connected_apps"];
    if (!apps.IsArray()) {
      errors.push_back(root + "/connected_apps: expected an array");
    } else {
      for (rapidjson::SizeType i = 0; i < apps.Size(); ++i) {
        const auto& a = apps[i];
        std::string path = fmt::format("{}/connected_apps/{}", root, i);
        if (!a.IsObject()) {
          errors.push_back(path + ": expected an object");
          continue;
        }
        ConnectedApp app;
        auto str = [&](const char* key, std::string& target, bool required) {
          if (!a.HasMember(key)) {
            if (required) {
              errors.push_back(fmt::format("{}/{}: is required", path, key));
            }
            return;
          }
          if (!a[key].IsString()) {
            errors.push_back(fmt::format("{}/{}: expected a string", path, key));
            return;
          }
          target = a[key].GetString();
        };
        str("client_id", app.client_id, true);
        str("client_secret", app.client_secret, true);
        str("certificate_pem", app.certificate_pem, false);
        str("run_as", app.run_as, false);
        str("scope", app.scope, false);
        if (!app.certificate_pem.empty()) {
          if (auto e = check_certificate(app.certificate_pem)) {
            errors.push_back(path + "/certificate_pem: " + *e);
          }
        }
        if (!app.run_as.empty() && store_.find_user_by_username(app.run_as) == nullptr) {
          errors.push_back(path + "/run_as: no user has Username " + app.run_as);
        }
        if (a.HasMember("allowed_flows")) {
          if (!a["allowed_flows"].IsArray()) {
            errors.push_back(path + "/allowed_flows: expected an array");
          } else {
            for (const auto& f : a["allowed_flows"].GetArray()) {
              static const std::set<std::string> kFlows{"jwt_bearer", "client_credentials",
                                                        "refresh_token", "password"};
              if (!f.IsString() || !kFlows.contains(f.GetString())) {
                errors.push_back(path +
                                 "/allowed_flows: each flow is one of jwt_bearer, "
                                 "client_credentials, refresh_token, password");
                continue;
              }
              app.allowed_flows.insert(f.GetString());
            }
          }
        } else {
          app.allowed_flows = {"jwt_bearer", "client_credentials", "refresh_token"};
        }
        if (a.HasMember("rotate_refresh_tokens")) {
          if (!a["rotate_refresh_tokens"].IsBool()) {
            errors.push_back(path + "/rotate_refresh_tokens: expected a boolean");
          } else {
            app.rotate_refresh_tokens = a["rotate_refresh_tokens"].GetBool();
          }
        }
        if (a.HasMember("jwt_audiences") && a["jwt_audiences"].IsArray()) {
          for (const auto& aud : a["jwt_audiences"].GetArray()) {
            if (aud.IsString()) {
              oauth_.add_audience(aud.GetString());
            }
          }
        }
        oauth_.add_app(std::move(app));
      }
    }
  }
  if (section.HasMember("refresh_tokens")) {
    const auto& tokens = section["refresh_tokens"];
    if (!tokens.IsArray()) {
      errors.push_back(root + "/refresh_tokens: expected an array");
    } else {
      for (rapidjson::SizeType i = 0; i < tokens.Size(); ++i) {
        const auto& t = tokens[i];
        std::string path = fmt::format("{}/refresh_tokens/{}", root, i);
        if (!t.IsObject() || !t.HasMember("refresh_token") || !t["refresh_token"].IsString() ||
            !t.HasMember("client_id") || !t["client_id"].IsString() || !t.HasMember("username") ||
            !t["username"].IsString()) {
          errors.push_back(path + ": expected {refresh_token, client_id, username} strings");
          continue;
        }
        const SObjectRecord* user = store_.find_user_by_username(t["username"].GetString());
        if (user == nullptr) {
          errors.push_back(path + "/username: no user has Username " + t["username"].GetString());
          continue;
        }
        oauth_.add_refresh_token(t["refresh_token"].GetString(), t["client_id"].GetString(),
                                 user->id());
      }
    }
  }
  if (section.HasMember("jwt_audiences") && section["jwt_audiences"].IsArray()) {
    for (const auto& aud : section["jwt_audiences"].GetArray()) {
      if (aud.IsString()) {
        oauth_.add_audience(aud.GetString());
      }
    }
  }
  if (section.HasMember("notifications")) {
    const auto& list = section["notifications"];
    for (rapidjson::SizeType i = 0; list.IsArray() && i < list.Size(); ++i) {
      const auto& n = list[i];
      std::optional<DateTime> sent;
      if (n.IsObject() && n.HasMember("sentAt") && n["sentAt"].IsString()) {
        sent = parse_datetime(n["sentAt"].GetString());
      }
      if (!sent || !n.HasMember("senderId") || !n["senderId"].IsString() || !n.HasMember("input") ||
          !n["input"].IsObject()) {
        errors.push_back(
            fmt::format("{}/notifications/{}: expected {{senderId, sentAt, input}}", root, i));
        continue;
      }
      notifications_.push_back({n["senderId"].GetString(), *sent, to_json(n["input"])});
    }
  }
  // api_usage and oauth are informational parts of write_state's output,
  // which --state-file feeds back as a seed.
  static const std::set<std::string> kKnown{
      "org_id", "session_timeout_minutes", "custom_fields", "connected_apps", "jwt_audiences",
      "users",  "refresh_tokens",          "leads",         "contacts",       "accounts",
      "tasks",  "opportunities",           "notifications", "api_usage",      "oauth"};
  for (const auto& m : section.GetObject()) {
    if (!kKnown.contains(m.name.GetString())) {
      errors.push_back(fmt::format("{}/{}: unknown key", root, m.name.GetString()));
    }
  }
  return errors;
}

void SalesforceApi::write_state(Writer& out) const {
  // The output is a valid seed section, so --state-file can restore it.
  DateTime now = to_datetime(std::chrono::system_clock::now());
  const SObjectDef& user_def = *store_.schema().object("User");
  out.StartObject();
  out.Key("org_id");
  write_string(out, oauth_.org_id());
  oauth_.write_seed(out, [&](const std::string& user_id) {
    const SObjectRecord* u = store_.find(user_def, user_id);
    const auto* name = u != nullptr ? std::get_if<std::string>(&u->get("Username")) : nullptr;
    return name != nullptr ? *name : std::string();
  });
  out.Key("custom_fields");
  out.StartObject();
  for (const auto& def : store_.schema().objects()) {
    out.Key(def.name.c_str());
    out.StartArray();
    for (const auto& f : def.fields) {
      if (!f.custom) {
        continue;
      }
      out.StartObject();
      out.Key("name");
      write_string(out, f.name);
      out.Key("type");
      out.String(to_string(f.type));
      out.Key("label");
      write_string(out, f.label);
      out.Key("length");
      out.Int(f.length);
      out.EndObject();
    }
    out.EndArray();
  }
  out.EndObject();
  static constexpr std::pair<const char*, const char*> kCollections[] = {
      {"users", "User"}, {"accounts", "Account"},          {"contacts", "Contact"},
      {"leads", "Lead"}, {"opportunities", "Opportunity"}, {"tasks", "Task"}};
  for (const auto& [key, type] : kCollections) {
    const SObjectDef& def = *store_.schema().object(type);
    out.Key(key);
    out.StartArray();
    for (const SObjectRecord* r : store_.records(def, true)) {
      std::vector<std::pair<std::string, std::string>> extra;
      const auto* username = std::get_if<std::string>(&r->get("Username"));
      if (const UserCredentials* c =
              username != nullptr ? oauth_.credentials(*username) : nullptr) {
        extra = {{"password", c->password}, {"security_token", c->security_token}};
      }
      write_record(out, def, *r, kDefaultVersion, {}, extra);
    }
    out.EndArray();
  }
  out.Key("notifications");
  out.StartArray();
  for (const auto& n : notifications_) {
    out.StartObject();
    out.Key("senderId");
    write_string(out, n.sender_id);
    out.Key("sentAt");
    write_string(out, format_datetime(n.sent_at));
    out.Key("input");
    out.RawValue(n.input_json.c_str(), n.input_json.size(), rapidjson::kObjectType);
    out.EndObject();
  }
  out.EndArray();
  out.Key("api_usage");
  out.StartObject();
  out.Key("used");
  out.Uint64(api_calls_.size());
  out.Key("max");
  out.Uint64(daily_api_limit_);
  out.EndObject();
  out.Key("oauth");
  oauth_.write_state(out, now);
  out.EndObject();
}

}  // namespace leadrouter::mock_crm::salesforce

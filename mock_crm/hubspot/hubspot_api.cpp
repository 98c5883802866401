#include "mock_crm/hubspot/hubspot_api.hpp"

#include <openssl/evp.h>
#include <rapidjson/error/en.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "mock_crm/error_bodies.hpp"
#include "mock_crm/time_format.hpp"

namespace leadrouter::mock_crm::hubspot {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

namespace {

const std::set<std::string> kTaskStatuses = {"NOT_STARTED", "IN_PROGRESS", "WAITING", "COMPLETED",
                                             "DEFERRED"};
const std::set<std::string> kTaskPriorities = {"NONE", "LOW", "MEDIUM", "HIGH"};
const std::set<std::string> kTaskTypes = {"EMAIL", "CALL", "TODO", "LINKED_IN", "MEETING"};
const std::set<std::string> kDateProperties = {"hs_timestamp", "hs_task_reminders"};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
           return std::tolower(x) == std::tolower(y);
         });
}

std::string upper_singular(const ObjectType& type) {
  std::string out = type.singular;
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    auto pos = s.find(sep, start);
    std::string_view part = s.substr(start, pos == std::string_view::npos ? s.npos : pos - start);
    if (!part.empty()) {
      out.emplace_back(part);
    }
    if (pos == std::string_view::npos) {
      break;
    }
    start = pos + 1;
  }
  return out;
}

std::optional<std::uint64_t> parse_id(std::string_view s) {
  std::uint64_t v = 0;
  if (s.empty()) {
    return std::nullopt;
  }
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc{} || r.ptr != s.data() + s.size()) {
    return std::nullopt;
  }
  return v;
}

HttpResponse json(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse no_content() {
  HttpResponse r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

HttpResponse validation_error(std::string_view message) {
  return hubspot_error(400, "VALIDATION_ERROR", message);
}

HttpResponse not_found(const std::string& id) {
  return hubspot_error(404, "OBJECT_NOT_FOUND", "Object not found.  objectId are usually numeric.",
                       {{"id", {id}}});
}

HttpResponse method_not_allowed(const HttpRequest& req) {
  return hubspot_error(405, "METHOD_NOT_ALLOWED",
                       "HTTP method " + req.method + " is not supported by " + req.path);
}

std::expected<rapidjson::Document, HttpResponse> parse_json_body(const HttpRequest& req) {
  rapidjson::Document doc;
  doc.Parse(req.body.c_str(), req.body.size());
  if (doc.HasParseError()) {
    return std::unexpected(validation_error("Invalid input JSON on line 1, column " +
                                            std::to_string(doc.GetErrorOffset() + 1) + ": " +
                                            rapidjson::GetParseError_En(doc.GetParseError())));
  }
  if (!doc.IsObject()) {
    return std::unexpected(validation_error("Invalid input JSON: expected a JSON object"));
  }
  return doc;
}

// "properties=a,b&properties=c" -> [a, b, c]; nullopt when absent.
std::optional<std::vector<std::string>> list_param(const HttpRequest& req,
                                                   const std::string& name) {
  auto [begin, end] = req.query.equal_range(name);
  if (begin == end) {
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (auto it = begin; it != end; ++it) {
    for (auto& p : split(it->second, ',')) {
      out.push_back(p);
    }
  }
  return out;
}

std::string b64(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::optional<std::string> unb64(std::string_view in) {
  if (in.empty() || in.size() % 4 != 0) {
    return std::nullopt;
  }
  std::string out(3 * in.size() / 4, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  if (n < 0) {
    return std::nullopt;
  }
  std::size_t pad = static_cast<std::size_t>(std::count(in.end() - 2, in.end(), '='));
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

struct PageParams {
  int limit = 0;
  std::uint64_t after = 0;
};

// ?limit= (between 1 and `max`) and the ?after= cursor, which owners wrap in
// base64 while objects send the bare number.
std::expected<PageParams, HttpResponse> page_params(const HttpRequest& req, int default_limit,
                                                    int max_limit, bool base64_cursor) {
  PageParams page{default_limit, 0};
  if (auto l = req.query_param("limit")) {
    auto n = parse_id(*l);
    if (!n || *n < 1 || *n > static_cast<std::uint64_t>(max_limit)) {
      return std::unexpected(validation_error("limit: expected an integer between 1 and " +
                                              std::to_string(max_limit)));
    }
    page.limit = static_cast<int>(*n);
  }
  if (auto a = req.query_param("after"); a && !a->empty()) {
    auto decoded = base64_cursor ? unb64(*a) : std::optional<std::string>(*a);
    auto n = decoded ? parse_id(*decoded) : std::nullopt;
    if (!n) {
      return std::unexpected(validation_error("after: invalid paging cursor '" + *a + "'"));
    }
    page.after = *n;
  }
  return page;
}

// {"paging":{"next":{"after":..,"link":..}}}, inside the open response object.
void write_next_page(JsonWriter& w, const std::string& after, const std::string& link) {
  w.Key("paging");
  w.StartObject();
  w.Key("next");
  w.StartObject();
  w.Key("after");
  w.String(after.c_str());
  w.Key("link");
  w.String(link.c_str());
  w.EndObject();
  w.EndObject();
}

std::string association_label(const ObjectType& from, const std::string& to_type) {
  const ObjectType* to = find_object_type(to_type);
  return from.singular + "_to_" + (to != nullptr ? to->singular : to_type);
}

void write_properties(JsonWriter& w, const ObjectType& type, const Record& r,
                      const std::optional<std::vector<std::string>>& requested,
                      const std::set<std::string>& custom) {
  w.Key("properties");
  w.StartObject();
  const auto& names = requested ? *requested : type.default_properties;
  std::set<std::string> written;
  for (const auto& name : names) {
    if (!written.insert(name).second) {
      continue;
    }
    auto it = r.properties.find(name);
    if (it != r.properties.end()) {
      w.Key(name.c_str());
      w.String(it->second.c_str());
    } else if (type.properties.contains(name) || custom.contains(name)) {
      // Defined but without a value: HubSpot answers null.
      w.Key(name.c_str());
      w.Null();
    }
  }
  w.EndObject();
}

void write_record(JsonWriter& w, const ObjectType& type, const Record& r,
                  const std::optional<std::vector<std::string>>& requested,
                  const std::set<std::string>& custom,
                  const std::vector<std::string>& association_types) {
  w.StartObject();
  w.Key("id");
  w.String(std::to_string(r.id).c_str());
  write_properties(w, type, r, requested, custom);
  w.Key("createdAt");
  w.String(format_iso_ms(r.created_ms).c_str());
  w.Key("updatedAt");
  w.String(format_iso_ms(r.updated_ms).c_str());
  w.Key("archived");
  w.Bool(r.archived);
  if (r.archived) {
    w.Key("archivedAt");
    w.String(format_iso_ms(r.updated_ms).c_str());
  }
  bool any = false;
  for (const auto& at : association_types) {
    auto it = r.associations.find(at);
    if (it == r.associations.end() || it->second.empty()) {
      continue;
    }
    if (!any) {
      w.Key("associations");
      w.StartObject();
      any = true;
    }
    w.Key(at.c_str());
    w.StartObject();
    w.Key("results");
    w.StartArray();
    for (auto id : it->second) {
      w.StartObject();
      w.Key("id");
      w.String(std::to_string(id).c_str());
      w.Key("type");
      w.String(association_label(type, at).c_str());
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  if (any) {
    w.EndObject();
  }
  w.EndObject();
}

struct PropertyProblem {
  std::string name;
  std::string code;
  std::string message;
};

HttpResponse property_errors(const std::vector<PropertyProblem>& problems) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartArray();
  for (const auto& p : problems) {
    w.StartObject();
    w.Key("isValid");
    w.Bool(false);
    w.Key("message");
    w.String(p.message.c_str());
    w.Key("error");
    w.String(p.code.c_str());
    w.Key("name");
    w.String(p.name.c_str());
    w.EndObject();
  }
  w.EndArray();
  std::vector<HubspotErrorDetail> details;
  for (const auto& p : problems) {
    details.push_back({p.message, p.code, {{"propertyName", {p.name}}}});
  }
  return hubspot_error(400, "VALIDATION_ERROR",
                       std::string("Property values were not valid: ") + buf.GetString(), {},
                       details);
}

std::optional<std::string> property_text(const rapidjson::Value& v) {
  if (v.IsNull()) {
    return std::string();
  }
  if (v.IsDouble()) {
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.Double(v.GetDouble());
    return std::string(buf.GetString());
  }
  return exact_scalar_text(v);
}

void write_batch_times(JsonWriter& w, std::int64_t now) {
  w.Key("requestedAt");
  w.String(format_iso_ms(now).c_str());
  w.Key("startedAt");
  w.String(format_iso_ms(now).c_str());
  w.Key("completedAt");
  w.String(format_iso_ms(now).c_str());
}

struct BatchError {
  std::string category;
  std::string message;
  std::map<std::string, std::vector<std::string>> context;
};

void write_batch_errors(JsonWriter& w, const std::vector<BatchError>& errors) {
  w.Key("numErrors");
  w.Int(static_cast<int>(errors.size()));
  w.Key("errors");
  w.StartArray();
  for (const auto& e : errors) {
    w.StartObject();
    w.Key("status");
    w.String("error");
    w.Key("category");
    w.String(e.category.c_str());
    w.Key("message");
    w.String(e.message.c_str());
    w.Key("context");
    w.StartObject();
    for (const auto& [k, vs] : e.context) {
      w.Key(k.c_str());
      w.StartArray();
      for (const auto& v : vs) {
        w.String(v.c_str());
      }
      w.EndArray();
    }
    w.EndObject();
    w.Key("errors");
    w.StartArray();
    w.EndArray();
    w.Key("links");
    w.StartObject();
    w.EndObject();
    w.EndObject();
  }
  w.EndArray();
}

// The message of a validation-error response, for per-input batch errors.
std::string message_of(const HttpResponse& r) {
  rapidjson::Document d;
  d.Parse(r.body.c_str(), r.body.size());
  if (!d.HasParseError() && d.IsObject() && d.HasMember("message") && d["message"].IsString()) {
    return d["message"].GetString();
  }
  return r.body;
}

std::string category_of(const HttpResponse& r) {
  rapidjson::Document d;
  d.Parse(r.body.c_str(), r.body.size());
  if (!d.HasParseError() && d.IsObject() && d.HasMember("category") && d["category"].IsString()) {
    return d["category"].GetString();
  }
  return "VALIDATION_ERROR";
}

bool has_scope(const std::vector<std::string>& scopes, const std::string& scope) {
  if (std::find(scopes.begin(), scopes.end(), scope) != scopes.end()) {
    return true;
  }
  // A write scope implies the matching read scope.
  if (scope.ends_with(".read")) {
    std::string write = scope.substr(0, scope.size() - 5) + ".write";
    return std::find(scopes.begin(), scopes.end(), write) != scopes.end();
  }
  return false;
}

}  // namespace

std::unique_ptr<CrmApi> make_hubspot_api() {
  return std::make_unique<HubspotApi>();
}

std::optional<HttpResponse> HubspotApi::handle(const HttpRequest& req, RequestContext& ctx) {
  std::string path = req.path;
  // Date-versioned paths are aliases of the v3 handlers.
  if (path.starts_with("/crm/objects/20")) {
    auto slash = path.find('/', std::string("/crm/objects/").size());
    path = "/crm/v3/objects" + (slash == std::string::npos ? std::string() : path.substr(slash));
  } else if (path.starts_with("/crm/owners/20")) {
    auto slash = path.find('/', std::string("/crm/owners/").size());
    path = "/crm/v3/owners" + (slash == std::string::npos ? std::string() : path.substr(slash));
  }
  if (!path.starts_with("/oauth/") && !path.starts_with("/crm/") &&
      !path.starts_with("/webhooks/")) {
    return std::nullopt;
  }
  clock_ = &ctx.clock;
  dispatcher_.set_clock(&ctx.clock);
  std::int64_t now = to_epoch_ms(ctx.clock.now());

  if (path == "/oauth/authorize") {
    return req.method == "GET" ? oauth_.authorize_page(req) : method_not_allowed(req);
  }
  if (path == "/oauth/authorize/decision") {
    return req.method == "GET" ? oauth_.authorize_decision(req, now) : method_not_allowed(req);
  }
  if (path == "/oauth/v1/token" || path == "/oauth/v3/token") {
    return oauth_.token(req, now, path == "/oauth/v3/token");
  }
  if (path.starts_with("/oauth/v1/access-tokens/")) {
    if (req.method != "GET") {
      return method_not_allowed(req);
    }
    return oauth_.access_token_info(path.substr(std::string("/oauth/v1/access-tokens/").size()),
                                    now);
  }
  if (path.starts_with("/oauth/v1/refresh-tokens/")) {
    if (req.method != "GET" && req.method != "DELETE") {
      return method_not_allowed(req);
    }
    return oauth_.refresh_token_info(req,
                                     path.substr(std::string("/oauth/v1/refresh-tokens/").size()));
  }
  if (path.starts_with("/webhooks/v3/")) {
    return webhook_settings(req, split(path, '/'));
  }
  if (path.starts_with("/crm/v3/")) {
    return crm(req, path, ctx, now);
  }
  return hubspot_error(404, "OBJECT_NOT_FOUND", "No HubSpot API serves " + req.path);
}

std::expected<HubspotApi::Principal, HttpResponse> HubspotApi::authenticate(const HttpRequest& req,
                                                                            std::int64_t now) {
  auto header = req.header("Authorization");
  std::string token;
  if (header && header->size() > 7 && lower(header->substr(0, 7)) == "bearer ") {
    token = header->substr(7);
  }
  if (token.empty()) {
    return std::unexpected(hubspot_error(
        401, "INVALID_AUTHENTICATION",
        "Authentication credentials not found. This API supports OAuth 2.0 authentication and "
        "you can find more details at "
        "https://developers.hubspot.com/docs/methods/auth/oauth-overview"));
  }
  if (std::find(private_app_tokens_.begin(), private_app_tokens_.end(), token) !=
      private_app_tokens_.end()) {
    Principal p;
    p.key = "private-app:" + token;
    p.label = "private-app:" + token.substr(0, std::min<std::size_t>(token.size(), 12)) + "...";
    p.all_scopes = true;
    return p;
  }
  AccessGrant grant;
  switch (oauth_.find_access(token, now, grant)) {
    case HubspotOAuth::Lookup::kValid: {
      Principal p;
      p.key = "oauth:" + grant.client_id;  // the burst limit counts per app and account
      p.label = "oauth:" + std::to_string(grant.app_id) +
                (grant.user_id != 0 ? "/user:" + std::to_string(grant.user_id) : "");
      p.oauth = true;
      p.scopes = grant.scopes;
      return p;
    }
    case HubspotOAuth::Lookup::kExpired:
      return std::unexpected(hubspot_error(401, "EXPIRED_AUTHENTICATION",
                                           "The OAuth token used to make this call expired " +
                                               std::string("at or before ") + format_iso_ms(now) +
                                               "."));
    case HubspotOAuth::Lookup::kUnknown:
      break;
  }
  return std::unexpected(hubspot_error(
      401, "INVALID_AUTHENTICATION",
      "Authentication credentials not found. This API supports OAuth 2.0 authentication and you "
      "can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview"));
}

HttpResponse HubspotApi::crm(const HttpRequest& req, const std::string& path, RequestContext& ctx,
                             std::int64_t now) {
  auto segs = split(path, '/');  // "crm", "v3", "objects"|"owners", ...
  if (segs.size() < 3 || (segs[2] != "objects" && segs[2] != "owners")) {
    return hubspot_error(404, "OBJECT_NOT_FOUND", "No HubSpot API serves " + req.path);
  }
  auto principal = authenticate(req, now);
  if (!principal) {
    return principal.error();
  }
  ctx.principal = principal->label;

  // Scope check before the rate limit, as HubSpot answers 403 without counting.
  std::string scope;
  bool is_search = false;
  if (segs[2] == "owners") {
    scope = "crm.objects.owners.read";
  } else if (segs.size() >= 4) {
    const ObjectType* type = find_object_type(segs[3]);
    if (type == nullptr) {
      return validation_error("Unable to infer object type from: " + segs[3]);
    }
    is_search = segs.size() == 5 && segs[4] == "search";
    bool read = req.method == "GET" || is_search ||
                (segs.size() == 6 && segs[4] == "batch" && segs[5] == "read");
    scope = read ? type->read_scope : type->write_scope;
  }
  if (!scope.empty() && !principal->all_scopes && !has_scope(principal->scopes, scope)) {
    return hubspot_error(403, "MISSING_SCOPES",
                         "This app hasn't been granted all required scopes to make this call. "
                         "Read more about required scopes here: "
                         "https://developers.hubspot.com/scopes.",
                         {},
                         {{"One or more of the following scopes are required.",
                           "",
                           {{"requiredGranularScopes", {scope}}}}});
  }
  std::vector<std::pair<std::string, std::string>> limit_headers;
  if (ctx.rate_limits_on) {
    auto decision = limiter_.check(principal->key, principal->oauth, is_search, now);
    if (!decision.allowed) {
      return decision.rejection;
    }
    limit_headers = std::move(decision.headers);
  }
  HttpResponse r = segs[2] == "owners" ? owners(req, segs, ctx) : objects(req, segs, ctx, now);
  for (auto& h : limit_headers) {
    r.headers.push_back(std::move(h));
  }
  return r;
}

HttpResponse HubspotApi::objects(const HttpRequest& req, const std::vector<std::string>& segs,
                                 RequestContext& ctx, std::int64_t now) {
  if (segs.size() < 4) {
    return hubspot_error(404, "OBJECT_NOT_FOUND", "No HubSpot API serves " + req.path);
  }
  const ObjectType& type = *find_object_type(segs[3]);
  if (segs.size() == 4) {
    if (req.method == "GET") {
      return list(type, req, ctx);
    }
    if (req.method == "POST") {
      return create(type, req, ctx, now);
    }
    return method_not_allowed(req);
  }
  if (segs.size() == 5 && segs[4] == "search") {
    return req.method == "POST" ? search(type, req) : method_not_allowed(req);
  }
  if (segs.size() == 6 && segs[4] == "batch") {
    return req.method == "POST" ? batch(type, segs[5], req, ctx, now) : method_not_allowed(req);
  }
  if (segs.size() == 5) {
    if (req.method == "GET") {
      return get_one(type, segs[4], req);
    }
    if (req.method == "PATCH") {
      return update(type, segs[4], req, ctx, now);
    }
    if (req.method == "DELETE") {
      return archive(type, segs[4], req, now);
    }
    return method_not_allowed(req);
  }
  return hubspot_error(404, "OBJECT_NOT_FOUND", "No HubSpot API serves " + req.path);
}

Record* HubspotApi::find_record(const ObjectType& type, const std::string& id,
                                const std::string& id_property, bool archived) {
  auto& table = records_[type.name];
  if (id_property.empty() || id_property == "hs_object_id") {
    auto n = parse_id(id);
    if (!n) {
      return nullptr;
    }
    auto it = table.find(*n);
    if (it == table.end() || it->second.archived != archived) {
      return nullptr;
    }
    return &it->second;
  }
  for (auto& [rid, rec] : table) {
    auto it = rec.properties.find(id_property);
    if (rec.archived == archived && it != rec.properties.end() && iequals(it->second, id)) {
      return &rec;
    }
  }
  return nullptr;
}

HttpResponse HubspotApi::list(const ObjectType& type, const HttpRequest& req,
                              const RequestContext& ctx) {
  auto page = page_params(req, 10, settings_.max_list_limit, false);
  if (!page) {
    return page.error();
  }
  int limit = page->limit;
  std::uint64_t after = page->after;
  bool archived = req.query_param("archived").value_or("false") == "true";
  auto props = list_param(req, "properties");
  auto assocs = list_param(req, "associations").value_or(std::vector<std::string>{});
  const auto& table = records_[type.name];
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("results");
  w.StartArray();
  int count = 0;
  std::optional<std::uint64_t> next;
  // The cursor is the next id to return: stable under inserts and deletes.
  for (auto it = table.lower_bound(after); it != table.end(); ++it) {
    if (it->second.archived != archived) {
      continue;
    }
    if (count == limit) {
      next = it->first;
      break;
    }
    write_record(w, type, it->second, props, custom_properties_[type.name], assocs);
    ++count;
  }
  w.EndArray();
  if (next) {
    write_next_page(w, std::to_string(*next),
                    ctx.base_url + "/crm/v3/objects/" + type.name +
                        "?after=" + std::to_string(*next) + "&limit=" + std::to_string(limit));
  }
  w.EndObject();
  return json(200, buf.GetString());
}

HttpResponse HubspotApi::get_one(const ObjectType& type, const std::string& id,
                                 const HttpRequest& req) {
  std::string id_property = req.query_param("idProperty").value_or("");
  if (!id_property.empty() && id_property != "hs_object_id" &&
      id_property != type.unique_property) {
    return validation_error("idProperty: " + id_property + " is not a unique property of " +
                            type.name);
  }
  bool archived = req.query_param("archived").value_or("false") == "true";
  Record* r = find_record(type, id, id_property, archived);
  if (r == nullptr) {
    return not_found(id);
  }
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  write_record(w, type, *r, list_param(req, "properties"), custom_properties_[type.name],
               list_param(req, "associations").value_or(std::vector<std::string>{}));
  return json(200, buf.GetString());
}

std::expected<HubspotApi::PreparedCreate, HttpResponse> HubspotApi::prepare_create(
    const ObjectType& type, const rapidjson::Value& input,
    const std::set<std::string>& emails_in_batch) const {
  if (!input.IsObject()) {
    return std::unexpected(validation_error("Invalid input JSON: each input must be an object"));
  }
  auto props = input.FindMember("properties");
  if (props == input.MemberEnd() || !props->value.IsObject()) {
    return std::unexpected(
        validation_error("Invalid input JSON: \"properties\" is required and must be an object"));
  }
  PreparedCreate out;
  Record empty;
  auto changes = prepare_update(type, empty, props->value);
  if (!changes) {
    return std::unexpected(changes.error());
  }
  for (auto& [k, v] : *changes) {
    if (!v.empty()) {
      out.properties[k] = v;
    }
  }
  if (type.name == "tasks" && !out.properties.contains("hs_timestamp")) {
    return std::unexpected(property_errors(
        {{"hs_timestamp", "REQUIRED_PROPERTY", "Property \"hs_timestamp\" is required"}}));
  }
  if (type.name == "contacts") {
    if (auto it = out.properties.find("email"); it != out.properties.end()) {
      std::string email = lower(it->second);
      for (const auto& [id, rec] : records_.at(type.name)) {
        auto e = rec.properties.find("email");
        if (!rec.archived && e != rec.properties.end() && iequals(e->second, email)) {
          return std::unexpected(hubspot_error(
              409, "CONFLICT", "Contact already exists. Existing ID: " + std::to_string(id)));
        }
      }
      if (emails_in_batch.contains(email)) {
        return std::unexpected(
            validation_error("Duplicate email in the batch request: " + it->second));
      }
    }
  }
  if (auto assocs = input.FindMember("associations"); assocs != input.MemberEnd()) {
    if (!assocs->value.IsArray()) {
      return std::unexpected(validation_error("associations: expected an array"));
    }
    for (rapidjson::SizeType i = 0; i < assocs->value.Size(); ++i) {
      const auto& a = assocs->value[i];
      std::string where = "associations[" + std::to_string(i) + "]";
      auto to = a.IsObject() ? a.FindMember("to") : a.MemberEnd();
      auto types = a.IsObject() ? a.FindMember("types") : a.MemberEnd();
      if (!a.IsObject() || to == a.MemberEnd() || !to->value.IsObject() ||
          !to->value.HasMember("id") || types == a.MemberEnd() || !types->value.IsArray() ||
          types->value.Empty()) {
        return std::unexpected(
            validation_error(where + ": expected {\"to\":{\"id\":..},\"types\":[..]}"));
      }
      auto to_id = property_text(to->value["id"]);
      std::optional<std::uint64_t> target_id = to_id ? parse_id(*to_id) : std::nullopt;
      if (!target_id) {
        return std::unexpected(validation_error(where + ".to.id: expected a numeric record id"));
      }
      for (const auto& t : types->value.GetArray()) {
        if (!t.IsObject() || !t.HasMember("associationTypeId") || !t["associationTypeId"].IsInt()) {
          return std::unexpected(
              validation_error(where + ".types: each needs an integer associationTypeId"));
        }
        std::string category =
            t.HasMember("associationCategory") && t["associationCategory"].IsString()
                ? t["associationCategory"].GetString()
                : "";
        int type_id = t["associationTypeId"].GetInt();
        std::string target = association_target(type.name, type_id);
        if (category != "HUBSPOT_DEFINED" || target.empty()) {
          return std::unexpected(validation_error(where + ": association type " + category + "/" +
                                                  std::to_string(type_id) + " is not valid from " +
                                                  type.name));
        }
        const auto& table = records_.at(target);
        auto rec = table.find(*target_id);
        if (rec == table.end() || rec->second.archived) {
          return std::unexpected(
              validation_error(where + ": " + target + " " + *to_id + " does not exist"));
        }
        out.associations.emplace_back(target, *target_id);
      }
    }
  }
  return out;
}

std::expected<std::map<std::string, std::string>, HttpResponse> HubspotApi::prepare_update(
    const ObjectType& type, const Record& record, const rapidjson::Value& properties) const {
  std::vector<PropertyProblem> problems;
  std::map<std::string, std::string> out;
  const auto& custom = custom_properties_.at(type.name);
  for (auto it = properties.MemberBegin(); it != properties.MemberEnd(); ++it) {
    std::string name = it->name.GetString();
    auto text = property_text(it->value);
    if (!type.properties.contains(name) && !custom.contains(name)) {
      problems.push_back(
          {name, "PROPERTY_DOESNT_EXIST", "Property \"" + name + "\" does not exist"});
      continue;
    }
    if (type.read_only.contains(name)) {
      problems.push_back(
          {name, "READ_ONLY_VALUE", name + " is a read only property; its value cannot be set."});
      continue;
    }
    if (!text) {
      problems.push_back({name, "INVALID_TYPE", "Property \"" + name + "\" must be a string"});
      continue;
    }
    std::string value = *text;
    if (!value.empty()) {
      if (name == "hubspot_owner_id" &&
          std::none_of(owners_.begin(), owners_.end(),
                       [&](const Owner& o) { return o.id == value; })) {
        problems.push_back({name, "INVALID_OWNER_ID", value + " is not a valid owner id"});
        continue;
      }
      if (type.name == "tasks" && name == "hs_task_status" && !kTaskStatuses.contains(value)) {
        problems.push_back({name, "INVALID_OPTION",
                            value + " was not one of the allowed options: NOT_STARTED, "
                                    "IN_PROGRESS, WAITING, COMPLETED, DEFERRED"});
        continue;
      }
      if (type.name == "tasks" && name == "hs_task_priority" && !kTaskPriorities.contains(value)) {
        problems.push_back(
            {name, "INVALID_OPTION",
             value + " was not one of the allowed options: NONE, LOW, MEDIUM, HIGH"});
        continue;
      }
      if (type.name == "tasks" && name == "hs_task_type" && !kTaskTypes.contains(value)) {
        problems.push_back({name, "INVALID_OPTION",
                            value + " was not one of the allowed options: EMAIL, CALL, TODO, "
                                    "LINKED_IN, MEETING"});
        continue;
      }
      if (kDateProperties.contains(name)) {
        auto ms = parse_ms_or_iso(value);
        if (!ms) {
          problems.push_back({name, "INVALID_DATE",
                              value + " is not a valid date: use epoch milliseconds or ISO 8601"});
          continue;
        }
        value = format_iso_ms(*ms);
      }
    }
    out[name] = value;
  }
  if (!problems.empty()) {
    return std::unexpected(property_errors(problems));
  }
  if (type.name == "contacts") {
    if (auto it = out.find("email"); it != out.end() && !it->second.empty()) {
      std::string email = lower(it->second);
      for (const auto& [id, rec] : records_.at(type.name)) {
        auto e = rec.properties.find("email");
        if (id != record.id && record.id != 0 && !rec.archived && e != rec.properties.end() &&
            iequals(e->second, email)) {
          return std::unexpected(hubspot_error(
              409, "CONFLICT", "Contact already exists. Existing ID: " + std::to_string(id)));
        }
      }
    }
  }
  return out;
}

std::uint64_t HubspotApi::commit_create(const ObjectType& type, PreparedCreate prepared,
                                        RequestContext& ctx, std::int64_t now) {
  std::uint64_t id = next_id_[type.name]++;
  Record r;
  r.id = id;
  r.properties = std::move(prepared.properties);
  r.properties["hs_object_id"] = std::to_string(id);
  r.properties[type.created_property] = format_iso_ms(now);
  r.properties[type.modified_property] = format_iso_ms(now);
  if (type.name == "contacts") {
    r.properties["hs_lastmodifieddate"] = format_iso_ms(now);  // contacts carry both names
  }
  r.created_ms = now;
  r.updated_ms = now;
  for (const auto& [target, tid] : prepared.associations) {
    auto& mine = r.associations[target];
    if (std::find(mine.begin(), mine.end(), tid) == mine.end()) {
      mine.push_back(tid);
    }
    auto& theirs = records_[target][tid].associations[type.name];
    if (std::find(theirs.begin(), theirs.end(), id) == theirs.end()) {
      theirs.push_back(id);
    }
  }
  const Record& stored = records_[type.name][id] = std::move(r);
  if (type.name == "contacts") {
    emit("contact.creation", stored, "", "", ctx, now);
  }
  return id;
}

void HubspotApi::commit_update(const ObjectType& type, Record& record,
                               const std::map<std::string, std::string>& changes,
                               RequestContext& ctx, std::int64_t now) {
  std::vector<std::pair<std::string, std::string>> changed;
  for (const auto& [k, v] : changes) {
    auto it = record.properties.find(k);
    std::string before = it == record.properties.end() ? "" : it->second;
    if (before == v) {
      continue;
    }
    if (v.empty()) {
      record.properties.erase(k);  // "" clears the value
    } else {
      record.properties[k] = v;
    }
    changed.emplace_back(k, v);
  }
  // HubSpot stamps lastmodifieddate on every accepted write, changed or not.
  record.updated_ms = now;
  record.properties[type.modified_property] = format_iso_ms(now);
  if (type.name == "contacts") {
    record.properties["hs_lastmodifieddate"] = format_iso_ms(now);
  }
  if (type.name == "contacts") {
    for (const auto& [k, v] : changed) {
      emit("contact.propertyChange", record, k, v, ctx, now);
    }
  }
}

void HubspotApi::emit(const std::string& event_type, const Record& record,
                      const std::string& property, const std::string& value, RequestContext& ctx,
                      std::int64_t now) {
  for (const auto& target : webhooks_) {
    for (const auto& sub : target.subscriptions) {
      if (!sub.active || sub.event_type != event_type ||
          (event_type == "contact.propertyChange" && sub.property_name != property)) {
        continue;
      }
      WebhookEvent e;
      e.event_id = next_event_id_++;
      e.subscription_id = sub.id;
      e.portal_id = portal_id_;
      e.app_id = target.app_id;
      e.occurred_at = now;
      e.subscription_type = event_type;
      e.object_id = static_cast<std::int64_t>(record.id);
      e.change_source = "INTEGRATION";
      if (event_type == "contact.creation") {
        e.change_flag = "NEW";
      }
      if (event_type == "contact.propertyChange") {
        e.property_change = true;
        e.property_name = property;
        e.property_value = value;
      }
      std::string url = target.target_url;
      if (auto pos = url.find("{self}"); pos != std::string::npos) {
        url.replace(pos, 6, ctx.base_url);
      }
      dispatcher_.enqueue(url, target.client_secret, e, target.policy);
    }
  }
}

HttpResponse HubspotApi::create(const ObjectType& type, const HttpRequest& req, RequestContext& ctx,
                                std::int64_t now) {
  auto doc = parse_json_body(req);
  if (!doc) {
    return doc.error();
  }
  auto prepared = prepare_create(type, *doc, {});
  if (!prepared) {
    return prepared.error();
  }
  std::uint64_t id = commit_create(type, std::move(*prepared), ctx, now);
  const Record& r = records_[type.name][id];
  std::vector<std::string> props;
  for (const auto& [k, v] : r.properties) {
    props.push_back(k);
  }
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  write_record(w, type, r, props, custom_properties_[type.name], {});
  return json(201, buf.GetString());
}

HttpResponse HubspotApi::update(const ObjectType& type, const std::string& id,
                                const HttpRequest& req, RequestContext& ctx, std::int64_t now) {
  std::string id_property = req.query_param("idProperty").value_or("");
  if (!id_property.empty() && id_property != "hs_object_id" &&
      id_property != type.unique_property) {
    return validation_error("idProperty: " + id_property + " is not a unique property of " +
                            type.name);
  }
  Record* r = find_record(type, id, id_property, false);
  if (r == nullptr) {
    return not_found(id);
  }
  auto doc = parse_json_body(req);
  if (!doc) {
    return doc.error();
  }
  auto props = doc->FindMember("properties");
  if (props == doc->MemberEnd() || !props->value.IsObject()) {
    return validation_error("Invalid input JSON: \"properties\" is required and must be an object");
  }
  auto changes = prepare_update(type, *r, props->value);
  if (!changes) {
    return changes.error();
  }
  commit_update(type, *r, *changes, ctx, now);
  std::vector<std::string> names;
  for (const auto& [k, v] : r->properties) {
    names.push_back(k);
  }
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  write_record(w, type, *r, names, custom_properties_[type.name], {});
  return json(200, buf.GetString());
}

HttpResponse HubspotApi::archive(const ObjectType& type, const std::string& id,
                                 const HttpRequest& req, std::int64_t now) {
  (void)req;
  Record* r = find_record(type, id, "", false);
  if (r != nullptr) {
    r->archived = true;
    r->updated_ms = now;
  }
  // HubSpot answers 204 for an id that is already gone, too.
  return no_content();
}

HttpResponse HubspotApi::search(const ObjectType& type, const HttpRequest& req) {
  if (req.body.size() > settings_.search.max_body_chars) {
    return validation_error("The search request body exceeds the maximum of " +
                            std::to_string(settings_.search.max_body_chars) + " characters");
  }
  auto doc = parse_json_body(req);
  if (!doc) {
    return doc.error();
  }
  auto parsed = parse_search_request(*doc, settings_.search);
  if (!parsed) {
    return validation_error(parsed.error());
  }
  const SearchRequest& s = *parsed;
  if (s.after >= settings_.search_result_cap) {
    return validation_error("Paging beyond " + std::to_string(settings_.search_result_cap) +
                            " results is not supported: narrow the filters instead (after=" +
                            std::to_string(s.after) + ")");
  }
  std::vector<const Record*> hits;
  for (const auto& [id, rec] : records_[type.name]) {
    if (search_matches(rec, s, type)) {
      hits.push_back(&rec);
    }
  }
  sort_results(hits, s, type);
  std::int64_t total = static_cast<std::int64_t>(hits.size());
  std::int64_t reachable = std::min(total, settings_.search_result_cap);
  std::int64_t begin = std::min(s.after, reachable);
  std::int64_t end = std::min(begin + s.limit, reachable);
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("total");
  w.Int64(total);
  w.Key("results");
  w.StartArray();
  for (std::int64_t i = begin; i < end; ++i) {
    write_record(w, type, *hits[static_cast<std::size_t>(i)], s.properties,
                 custom_properties_[type.name], {});
  }
  w.EndArray();
  if (end < reachable) {
    w.Key("paging");
    w.StartObject();
    w.Key("next");
    w.StartObject();
    w.Key("after");
    w.String(std::to_string(end).c_str());
    w.EndObject();
    w.EndObject();
  }
  w.EndObject();
  return json(200, buf.GetString());
}

HttpResponse HubspotApi::batch(const ObjectType& type, const std::string& op,
                               const HttpRequest& req, RequestContext& ctx, std::int64_t now) {
  if (op != "read" && op != "create" && op != "update" && op != "archive") {
    return hubspot_error(404, "OBJECT_NOT_FOUND", "No HubSpot API serves " + req.path);
  }
  auto doc = parse_json_body(req);
  if (!doc) {
    return doc.error();
  }
  auto inputs_it = doc->FindMember("inputs");
  if (inputs_it == doc->MemberEnd() || !inputs_it->value.IsArray()) {
    return validation_error("Invalid input JSON: \"inputs\" is required and must be an array");
  }
  const auto& inputs = inputs_it->value;
  if (static_cast<int>(inputs.Size()) > settings_.max_batch_inputs) {
    return validation_error("The maximum number of inputs supported in a batch request is " +
                            std::to_string(settings_.max_batch_inputs) + ", got " +
                            std::to_string(inputs.Size()));
  }
  std::vector<BatchError> errors;
  std::vector<const Record*> results;
  std::optional<std::vector<std::string>> props;
  bool full_properties = false;

  if (op == "read") {
    if (auto p = doc->FindMember("properties");
        p != doc->MemberEnd() && p->value.IsArray() && !p->value.Empty()) {
      std::vector<std::string> names;
      for (const auto& n : p->value.GetArray()) {
        if (n.IsString()) {
          names.emplace_back(n.GetString());
        }
      }
      props = names;
    }
    std::string id_property;
    if (auto ip = doc->FindMember("idProperty"); ip != doc->MemberEnd() && ip->value.IsString()) {
      id_property = ip->value.GetString();
      if (id_property != "hs_object_id" && id_property != type.unique_property) {
        return validation_error("idProperty: " + id_property + " is not a unique property of " +
                                type.name);
      }
    }
    bool archived = req.query_param("archived").value_or("false") == "true";
    std::vector<std::string> missing;
    for (const auto& in : inputs.GetArray()) {
      auto id = in.IsObject() && in.HasMember("id") ? property_text(in["id"]) : std::nullopt;
      if (!id) {
        return validation_error("Invalid input JSON: each input needs an \"id\"");
      }
      Record* r = find_record(type, *id, id_property, archived);
      if (r == nullptr) {
        missing.push_back(*id);
      } else {
        results.push_back(r);
      }
    }
    if (!missing.empty()) {
      errors.push_back({"OBJECT_NOT_FOUND",
                        "Could not get some " + upper_singular(type) +
                            " objects, they may be deleted or not exist. Check that ids are valid.",
                        {{"ids", missing}}});
    }
  } else if (op == "create") {
    // Per-input failures (207) only when every input carries an objectWriteTraceId;
    // otherwise one bad input fails the whole request (reference A.5.6).
    bool traced = true;
    for (const auto& in : inputs.GetArray()) {
      traced = traced && in.IsObject() && in.HasMember("objectWriteTraceId");
    }
    std::vector<std::pair<std::string, PreparedCreate>> ok;
    std::set<std::string> emails;
    for (rapidjson::SizeType i = 0; i < inputs.Size(); ++i) {
      auto prepared = prepare_create(type, inputs[i], emails);
      std::string trace = traced && inputs[i]["objectWriteTraceId"].IsString()
                              ? inputs[i]["objectWriteTraceId"].GetString()
                              : std::to_string(i);
      if (!prepared) {
        if (!traced) {
          return prepared.error();
        }
        errors.push_back({category_of(prepared.error()),
                          message_of(prepared.error()),
                          {{"objectWriteTraceId", {trace}}}});
        continue;
      }
      if (auto e = prepared->properties.find("email"); e != prepared->properties.end()) {
        emails.insert(lower(e->second));
      }
      ok.emplace_back(trace, std::move(*prepared));
    }
    for (auto& [trace, prepared] : ok) {
      std::uint64_t id = commit_create(type, std::move(prepared), ctx, now);
      results.push_back(&records_[type.name][id]);
    }
    full_properties = true;
  } else if (op == "update") {
    std::vector<std::string> missing;
    std::vector<std::pair<Record*, std::map<std::string, std::string>>> ok;
    for (const auto& in : inputs.GetArray()) {
      auto id = in.IsObject() && in.HasMember("id") ? property_text(in["id"]) : std::nullopt;
      if (!id || !in.HasMember("properties") || !in["properties"].IsObject()) {
        return validation_error(
            "Invalid input JSON: each input needs an \"id\" and a \"properties\" object");
      }
      std::string id_property = in.HasMember("idProperty") && in["idProperty"].IsString()
                                    ? in["idProperty"].GetString()
                                    : "";
      Record* r = find_record(type, *id, id_property, false);
      if (r == nullptr) {
        missing.push_back(*id);
        continue;
      }
      auto changes = prepare_update(type, *r, in["properties"]);
      if (!changes) {
        errors.push_back(
            {category_of(changes.error()), message_of(changes.error()), {{"id", {*id}}}});
        continue;
      }
      ok.emplace_back(r, std::move(*changes));
    }
    for (auto& [r, changes] : ok) {
      commit_update(type, *r, changes, ctx, now);
      results.push_back(r);
    }
    if (!missing.empty()) {
      errors.push_back({"OBJECT_NOT_FOUND",
                        "Could not get some " + upper_singular(type) +
                            " objects, they may be deleted or not exist. Check that ids are valid.",
                        {{"ids", missing}}});
    }
    full_properties = true;
  } else {
    for (const auto& in : inputs.GetArray()) {
      auto id = in.IsObject() && in.HasMember("id") ? property_text(in["id"]) : std::nullopt;
      if (!id) {
        return validation_error("Invalid input JSON: each input needs an \"id\"");
      }
      if (Record* r = find_record(type, *id, "", false)) {
        r->archived = true;
        r->updated_ms = now;
      }
    }
    return no_content();
  }

  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("status");
  w.String("COMPLETE");
  w.Key("results");
  w.StartArray();
  for (const Record* r : results) {
    if (full_properties) {
      std::vector<std::string> names;
      for (const auto& [k, v] : r->properties) {
        names.push_back(k);
      }
      write_record(w, type, *r, names, custom_properties_[type.name], {});
    } else {
      write_record(w, type, *r, props, custom_properties_[type.name], {});
    }
  }
  w.EndArray();
  if (!errors.empty()) {
    write_batch_errors(w, errors);
  }
  write_batch_times(w, now);
  w.EndObject();
  int status = !errors.empty() ? 207 : (op == "create" ? 201 : 200);
  return json(status, buf.GetString());
}

HttpResponse HubspotApi::owners(const HttpRequest& req, const std::vector<std::string>& segs,
                                const RequestContext& ctx) {
  if (req.method != "GET") {
    return method_not_allowed(req);
  }
  bool archived = req.query_param("archived").value_or("false") == "true";
  if (segs.size() == 4) {
    std::string id_property = req.query_param("idProperty").value_or("id");
    if (id_property != "id" && id_property != "userId") {
      return validation_error("idProperty: expected id or userId");
    }
    for (const auto& o : owners_) {
      bool hit = id_property == "id" ? o.id == segs[3]
                                     : o.user_id != 0 && std::to_string(o.user_id) == segs[3];
      if (hit && o.archived == archived) {
        rapidjson::StringBuffer buf;
        JsonWriter w(buf);
        write_owner(w, o, OwnerJson::kApi);
        return json(200, buf.GetString());
      }
    }
    return not_found(segs[3]);
  }
  if (segs.size() != 3) {
    return hubspot_error(404, "OBJECT_NOT_FOUND", "No HubSpot API serves " + req.path);
  }
  auto page = page_params(req, 100, settings_.max_owner_limit, true);
  if (!page) {
    return page.error();
  }
  int limit = page->limit;
  std::size_t offset = page->after;
  std::string email = lower(req.query_param("email").value_or(""));
  std::vector<const Owner*> matching;
  for (const auto& o : owners_) {
    if (o.archived == archived && (email.empty() || lower(o.email) == email)) {
      matching.push_back(&o);
    }
  }
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("results");
  w.StartArray();
  std::size_t end = std::min(matching.size(), offset + static_cast<std::size_t>(limit));
  for (std::size_t i = offset; i < end; ++i) {
    write_owner(w, *matching[i], OwnerJson::kApi);
  }
  w.EndArray();
  if (end < matching.size()) {
    // Owners use an opaque base64 cursor, unlike the numeric ids of objects.
    std::string cursor = b64(std::to_string(end));
    write_next_page(w, cursor, ctx.base_url + "/crm/v3/owners?after=" + cursor);
  }
  w.EndObject();
  return json(200, buf.GetString());
}

HttpResponse HubspotApi::webhook_settings(const HttpRequest& req,
                                          const std::vector<std::string>& segs) {
  // /webhooks/v3/{appId}/settings, authenticated with the developer key.
  if (segs.size() != 4 || segs[3] != "settings") {
    return hubspot_error(404, "OBJECT_NOT_FOUND", "No HubSpot API serves " + req.path);
  }
  if (developer_api_key_.empty() || req.query_param("hapikey").value_or("") != developer_api_key_) {
    return hubspot_error(401, "INVALID_AUTHENTICATION",
                         "The developer API key (hapikey) is missing or invalid");
  }
  auto app_id = parse_id(segs[2]);
  if (!app_id) {
    return validation_error("appId: expected a number");
  }
  auto it = std::find_if(webhooks_.begin(), webhooks_.end(), [&](const WebhookTarget& t) {
    return t.app_id == static_cast<std::int64_t>(*app_id);
  });
  if (req.method == "PUT") {
    auto doc = parse_json_body(req);
    if (!doc) {
      return doc.error();
    }
    auto url = doc->FindMember("targetUrl");
    if (url == doc->MemberEnd() || !url->value.IsString() ||
        !(std::string_view(url->value.GetString()).starts_with("http://") ||
          std::string_view(url->value.GetString()).starts_with("https://"))) {
      return validation_error("targetUrl: expected an http(s) URL");
    }
    if (it == webhooks_.end()) {
      auto app = std::find_if(apps_.begin(), apps_.end(), [&](const OAuthApp& a) {
        return a.app_id == static_cast<std::int64_t>(*app_id);
      });
      if (app == apps_.end()) {
        return not_found(segs[2]);
      }
      WebhookTarget t;
      t.app_id = app->app_id;
      t.client_secret = app->client_secret;
      webhooks_.push_back(t);
      it = webhooks_.end() - 1;
    }
    it->target_url = url->value.GetString();
  } else if (req.method != "GET") {
    return method_not_allowed(req);
  }
  if (it == webhooks_.end()) {
    return not_found(segs[2]);
  }
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("targetUrl");
  w.String(it->target_url.c_str());
  w.Key("throttling");
  w.StartObject();
  w.Key("period");
  w.String("SECONDLY");
  w.Key("maxConcurrentRequests");
  w.Int(10);
  w.EndObject();
  w.EndObject();
  return json(200, buf.GetString());
}

void HubspotApi::expire_access_tokens() {
  oauth_.expire_access_tokens(
      to_epoch_ms(clock_ != nullptr ? clock_->now() : std::chrono::system_clock::now()));
}

bool HubspotApi::revoke_refresh_token(std::string_view refresh_token) {
  return oauth_.revoke_refresh_token(refresh_token);
}

}  // namespace leadrouter::mock_crm::hubspot

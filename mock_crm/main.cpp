// mock-crm: serves imitations of the HubSpot and Salesforce APIs on one port.
//   mock-crm --listen 127.0.0.1:0 --seed examples/mock_crm/seed.json
// The first stdout line is "listening on http://127.0.0.1:PORT".
// Boost.Program_options and Asio inline into code that trips GCC 12's
// -Wnull-dereference at -O2 (false positives in library code).
#pragma GCC diagnostic ignored "-Wnull-dereference"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "mock_crm/hubspot/hubspot_api.hpp"
#include "mock_crm/server.hpp"
#if __has_include("mock_crm/salesforce/salesforce_api.hpp")
#include "mock_crm/salesforce/salesforce_api.hpp"
#define LEADROUTER_MOCK_CRM_HAS_SALESFORCE 1
#endif

namespace po = boost::program_options;
using namespace leadrouter::mock_crm;

namespace {

std::optional<rapidjson::Document> read_json_file(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = path + ": cannot open file";
    return std::nullopt;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  rapidjson::Document doc;
  doc.Parse(text.c_str(), text.size());
  if (doc.HasParseError()) {
    error = path + ": invalid JSON at offset " + std::to_string(doc.GetErrorOffset()) + ": " +
            rapidjson::GetParseError_En(doc.GetParseError());
    return std::nullopt;
  }
  return doc;
}

bool parse_listen(const std::string& text, ServerOptions& options) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return false;
  }
  options.host = text.substr(0, colon);
  std::string port = text.substr(colon + 1);
  if (port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  int value = std::stoi(port);
  if (value > 65535) {
    return false;
  }
  options.port = static_cast<unsigned short>(value);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:0";
  std::string seed_path;
  std::string state_file;
  std::string rate_limits = "off";
  int latency_ms = 0;
  std::size_t body_limit = 1024 * 1024;
  ServerOptions options;

  po::options_description desc("mock-crm options");
  desc.add_options()("help,h", "show this help")("listen",
                                                 po::value(&listen)->default_value(listen),
                                                 "address:port to listen on (port 0: any)")(
      "seed", po::value(&seed_path), "seed JSON file (see docs/mock_crm.md)")(
      "tls-cert", po::value(&options.tls_cert_file), "PEM certificate chain: serve HTTPS")(
      "tls-key", po::value(&options.tls_key_file), "PEM private key for --tls-cert")(
      "rate-limits", po::value(&rate_limits)->default_value(rate_limits), "on|off")(
      "latency-ms", po::value(&latency_ms)->default_value(0), "added delay for every CRM response")(
      "body-limit-bytes", po::value(&body_limit)->default_value(body_limit),
      "largest request body accepted (413 beyond)")(
      "state-file", po::value(&state_file),
      "restore state from this file if it exists, write it back on exit");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "mock-crm: " << e.what() << "\n" << desc;
    return 2;
  }
  if (vm.count("help") != 0U) {
    std::cout << desc;
    return 0;
  }
  if (!parse_listen(listen, options)) {
    std::cerr << "mock-crm: --listen: expected ADDRESS:PORT such as 127.0.0.1:0, got '" << listen
              << "'\n";
    return 2;
  }
  if (rate_limits != "on" && rate_limits != "off") {
    std::cerr << "mock-crm: --rate-limits: expected on or off, got '" << rate_limits << "'\n";
    return 2;
  }
  if (latency_ms < 0) {
    std::cerr << "mock-crm: --latency-ms: expected a non-negative number\n";
    return 2;
  }
  options.rate_limits_on = rate_limits == "on";
  options.latency = std::chrono::milliseconds(latency_ms);
  options.body_limit = body_limit;

  rapidjson::Document seed;
  seed.SetObject();
  std::string error;
  bool restored = false;
  if (!state_file.empty() && std::ifstream(state_file).good()) {
    auto doc = read_json_file(state_file, error);
    if (!doc) {
      std::cerr << "mock-crm: --state-file " << error << "\n";
      return 2;
    }
    seed = std::move(*doc);
    restored = true;
  } else if (!seed_path.empty()) {
    auto doc = read_json_file(seed_path, error);
    if (!doc) {
      std::cerr << "mock-crm: --seed " << error << "\n";
      return 2;
    }
    seed = std::move(*doc);
  }

  std::vector<CrmEntry> apis;
  apis.push_back({"hubspot", make_hubspot_api()});
#ifdef LEADROUTER_MOCK_CRM_HAS_SALESFORCE
  apis.push_back({"salesforce", make_salesforce_api()});
#endif
  Server server(options, std::move(apis), std::move(seed));
  if (auto errors = server.load_seed(); !errors.empty()) {
    std::cerr << "mock-crm: " << (restored ? "--state-file " + state_file : "--seed " + seed_path)
              << " is invalid:\n";
    for (const auto& e : errors) {
      std::cerr << "  " << e << "\n";
    }
    return 2;
  }
  auto port = server.listen();
  if (!port) {
    std::cerr << "mock-crm: " << port.error() << "\n";
    return 2;
  }
  server.catch_signals();
  std::cout << "listening on " << server.base_url() << std::endl;
  server.run();
  if (!state_file.empty()) {
    std::ofstream out(state_file, std::ios::binary | std::ios::trunc);
    out << server.state_json();
    if (!out) {
      std::cerr << "mock-crm: --state-file " << state_file << ": cannot write\n";
      return 1;
    }
  }
  return 0;
}

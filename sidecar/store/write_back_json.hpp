// connectors::WriteBack <-> JSON: the payload of an outbox row, and what
// `leadrouter outbox list --format json` prints.
#pragma once

#include <expected>
#include <string>
#include <string_view>

#include "connectors/crm_types.hpp"
#include "core/error.hpp"

namespace leadrouter::sidecar {

std::string write_back_to_json(const connectors::WriteBack& write);
std::expected<connectors::WriteBack, Error> write_back_from_json(std::string_view json);

}  // namespace leadrouter::sidecar

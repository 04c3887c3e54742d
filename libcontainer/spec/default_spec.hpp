// The config.json that `docklock spec` writes (runc's template, optionally rootless).
#pragma once
#include <nlohmann/json.hpp>

namespace docklock::spec {
nlohmann::json default_config(bool rootless);
}

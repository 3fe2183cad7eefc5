// Small helpers shared by the benchmarks: medians, machine description, JSON output.
#pragma once
#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace audiostyle::bench {

// Runs `body` `warmup` times, then `repeats` times; returns each repeat's milliseconds.
// `sync` is called before reading the clock (a backend synchronise for device work).
std::vector<double> time_ms(const std::function<void()>& body, int warmup, int repeats,
                            const std::function<void()>& sync = {});
double median(std::vector<double> values);
// CPU model, core count, OpenBLAS configuration, git commit (if known), date.
nlohmann::json machine_description();
void write_json(const std::string& path, const nlohmann::json& value);

}  // namespace audiostyle::bench

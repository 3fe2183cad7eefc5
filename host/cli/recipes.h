// Named presets of run flags (--recipe NAME). A preset is a list of flags inserted before the ones
// the user typed; a repeated flag's last value wins, so explicit flags override the preset.
// Adding a preset is one entry in the table in recipes.cpp.
#pragma once
#include <string>
#include <vector>

namespace audiostyle::cli {

struct Recipe {
  std::string name;
  std::string summary;             // one line, for `info` and --list-recipes
  std::vector<std::string> flags;  // e.g. {"--filters", "2048", ...}
};

const std::vector<Recipe>& recipes();
const Recipe* find_recipe(const std::string& name);  // null when unknown
std::string recipe_names();                          // "ulyanov, cpu-fast, vgg16"
// Prints the table (name, summary, flags) to stdout.
void print_recipes();

// Expands `--recipe NAME` (or --recipe=NAME; the last one wins) of the subcommand starting at
// args[first]: the preset's flags are inserted right after the subcommand's name. Throws
// UsageError for an unknown name. For a texture the preset's content flags (--content-layers,
// --alpha) are left out: a texture has no content.
void expand_recipe(std::vector<std::string>& args, size_t first, bool texture);

}  // namespace audiostyle::cli

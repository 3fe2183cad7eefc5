#include "host/cli/recipes.h"

#include <cstdio>

#include "audiostyle/errors.h"

namespace audiostyle::cli {

const std::vector<Recipe>& recipes() {
  static const std::vector<Recipe> table = {
      {"ulyanov",
       "the reference (Ulyanov & Lebedev 2016): 4096 filters, 300 L-BFGS, 500 Griffin-Lim; the "
       "default",
       {"--filters", "4096", "--kernel-width", "11", "--optimizer", "lbfgs", "--iterations", "300",
        "--gl-iterations", "500"}},
      {"cpu-fast",
       "the demo's CPU recipe, about 6x lighter: 2048 filters, 150 L-BFGS, 300 Griffin-Lim",
       {"--filters", "2048", "--kernel-width", "11", "--optimizer", "lbfgs", "--iterations", "150",
        "--gl-iterations", "300"}},
      {"vgg16",
       "method 2 (Wang & Chu): ImageNet VGG16 on the spectrogram, content conv3_1, style conv1_1.."
       "conv2_2, 60 L-BFGS, low-pass 8 kHz, mid boost 3 dB; needs --weights",
       {"--extractor", "vgg16", "--content-layers", "conv3_1", "--style-layers",
        "conv1_1,conv1_2,conv2_1,conv2_2", "--optimizer", "lbfgs", "--iterations", "60",
        "--lowpass", "8000", "--mid-boost", "3"}},
      {"vggish",
       "method 2 (Wang & Chu): AudioSet VGGish on its log-mel of the full-band spectrogram, "
       "content relu5 (weight 10), style relu1 (1.5), 60 L-BFGS; the bins it does not see "
       "(<125 Hz, >7.5 kHz) follow the content at the style's balance; needs --weights",
       {"--extractor", "vggish", "--content-layers", "relu5:1000", "--style-layers", "relu1:1.5",
        "--unseen-bins", "follow", "--optimizer", "lbfgs", "--iterations", "60"}},
  };
  return table;
}

const Recipe* find_recipe(const std::string& name) {
  for (const Recipe& r : recipes())
    if (r.name == name) return &r;
  return nullptr;
}

std::string recipe_names() {
  std::string names;
  for (const Recipe& r : recipes()) names += (names.empty() ? "" : ", ") + r.name;
  return names;
}

void print_recipes() {
  std::printf("recipes (--recipe NAME; flags given on the command line override them):\n");
  for (const Recipe& r : recipes()) {
    std::string flags;
    for (const std::string& f : r.flags) flags += " " + f;
    std::printf("  %-10s %s\n  %-10s%s\n", r.name.c_str(), r.summary.c_str(), "", flags.c_str());
  }
}

void expand_recipe(std::vector<std::string>& args, size_t first, bool texture) {
  std::string name;
  for (size_t i = first; i < args.size(); ++i) {
    if (args[i] == "--") break;
    if (args[i] == "--recipe" && i + 1 < args.size())
      name = args[i + 1];
    else if (args[i].rfind("--recipe=", 0) == 0)
      name = args[i].substr(9);
  }
  if (name.empty()) return;
  const Recipe* recipe = find_recipe(name);
  if (!recipe)
    throw UsageError("--recipe: unknown recipe '" + name + "' (known: " + recipe_names() + ")");
  // A texture has no content: a preset's content flags (and their values) do not apply to it.
  std::vector<std::string> flags;
  for (size_t i = 0; i < recipe->flags.size(); ++i) {
    const std::string& flag = recipe->flags[i];
    if (texture && (flag == "--content-layers" || flag == "--alpha")) {
      ++i;
      continue;
    }
    flags.push_back(flag);
  }
  args.insert(args.begin() + long(first), flags.begin(), flags.end());
}

}  // namespace audiostyle::cli

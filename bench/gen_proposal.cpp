// gen_proposal N_TOP_LEVEL SEED > file.json
// Writes a synthetic allocation proposal (format fundcheck/allocation@1) shaped like seed 000:
// N top-level items with 0-5 block-grant sub-items each, columns national/region, one year,
// totals, recipients and transfers. Region amounts are round(national * 0.3117, 1) except for a
// few deliberate errors (about 1 in 500 rows). Deterministic for a seed; no dependencies.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

// splitmix64: small, fast and identical on every platform.
struct rng {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::uint64_t below(std::uint64_t n) { return next() % n; }
};

// Amounts are handled in tenths (one decimal), as integers.
std::string tenths(std::int64_t v) {
  std::string s = v < 0 ? "-" : "";
  const std::int64_t a = v < 0 ? -v : v;
  s += std::to_string(a / 10);
  s += '.';
  s += static_cast<char>('0' + a % 10);
  return s;
}

// round(national * 0.3117, 1), half away from zero, in tenths.
std::int64_t region_share(std::int64_t national) { return (national * 3117 + 5000) / 10000; }

const char* const words[] = {"Palliation", "Screening", "Senfølger", "Kapacitet", "Forskning", "Data",
                             "Patientinddragelse", "Kølehætter", "Information", "Symptomer", "Rådgivning",
                             "Tandpleje", "Rehabilitering", "Diagnostik", "Behandling", "Uddannelse"};
constexpr std::size_t word_count = sizeof words / sizeof words[0];

struct writer {
  std::string out;
  void flush() {
    std::fwrite(out.data(), 1, out.size(), stdout);
    out.clear();
  }
  void maybe_flush() {
    if (out.size() > (1u << 20)) flush();
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: gen_proposal N_TOP_LEVEL SEED > file.json\n");
    return 2;
  }
  const long n = std::strtol(argv[1], nullptr, 10);
  const unsigned long long seed = std::strtoull(argv[2], nullptr, 10);
  if (n < 1) {
    std::fprintf(stderr, "gen_proposal: N_TOP_LEVEL must be at least 1\n");
    return 2;
  }
  rng r{seed * 0x2545F4914F6CDD1DULL + 1};
  writer w;
  w.out.reserve(2u << 20);

  w.out += "{\n";
  w.out += "  \"format\": \"fundcheck/allocation@1\",\n";
  w.out += "  \"title\": \"Synthetic allocation, " + std::to_string(n) + " items, seed " + std::to_string(seed) + "\",\n";
  w.out += "  \"source\": \"bench/gen_proposal\",\n";
  w.out += "  \"unit\": \"mio. kr.\",\n";
  w.out += "  \"price_level\": \"2025 pl\",\n";
  w.out += "  \"decimals\": 1,\n";
  w.out += "  \"locale\": \"da\",\n";
  w.out += "  \"years\": [2026],\n";
  w.out += "  \"columns\": [{\"id\": \"national\", \"label\": \"Nationalt\"}, {\"id\": \"region\", \"label\": \"Region Hovedstaden\"}],\n";

  const int recipient_count = 8;
  std::int64_t block_national = 0, block_region = 0, direct_national = 0;
  struct earmark {
    std::string item;
    std::string recipient;
    std::int64_t region;
  };
  std::vector<earmark> earmarked;

  w.out += "  \"items\": [\n";
  for (long i = 0; i < n; ++i) {
    const std::string id = "i" + std::to_string(i);
    const bool direct = r.below(40) == 0;
    const int subs = direct ? 0 : static_cast<int>(r.below(6));
    std::vector<std::int64_t> sub_national(static_cast<std::size_t>(subs));
    std::int64_t national = 0;
    for (auto& s : sub_national) {
      s = 1 + static_cast<std::int64_t>(r.below(999));
      national += s;
    }
    if (subs == 0) national = 1 + static_cast<std::int64_t>(r.below(9999));
    std::int64_t region = region_share(national);
    if (r.below(500) == 0) region += r.below(2) == 0 ? 1 : -2;  // a deliberate error

    w.out += "  {\"id\":\"" + id + "\",\"name\":\"" + words[r.below(word_count)] + " " + std::to_string(i) + "\"";
    if (direct) {
      w.out += ",\"channel\":\"direct\",\"recipient\":\"r" + std::to_string(r.below(recipient_count)) + "\"";
      w.out += ",\"amounts\":{\"national\":" + tenths(national) + ",\"region\":null}";
      direct_national += national;
    } else {
      w.out += ",\"channel\":\"block\"";
      const auto duration = r.below(4);
      if (duration == 0) w.out += ",\"duration\":\"permanent\",\"from\":2026";
      if (duration == 1) w.out += ",\"duration\":\"one-off\"";
      w.out += ",\"amounts\":{\"national\":" + tenths(national) + ",\"region\":" + tenths(region) + "}";
      block_national += national;
      block_region += region;
      if (r.below(50) == 0) {
        const std::string rec = "r" + std::to_string(r.below(recipient_count));
        w.out += ",\"earmark\":\"" + rec + "\"";
        earmarked.push_back({id, rec, region});
      }
    }
    if (subs > 0) {
      w.out += ",\n   \"subitems\":[\n";
      for (int k = 0; k < subs; ++k) {
        const std::int64_t sn = sub_national[static_cast<std::size_t>(k)];
        std::int64_t sr = region_share(sn);
        if (r.below(500) == 0) sr += 1;  // a deliberate error
        w.out += "   {\"id\":\"" + id + "-" + std::to_string(k) + "\",\"name\":\"" + words[r.below(word_count)] +
                 " " + std::to_string(i) + "." + std::to_string(k) + "\",\"channel\":\"block\",\"amounts\":{\"national\":" +
                 tenths(sn) + ",\"region\":" + tenths(sr) + "}}";
        w.out += k + 1 < subs ? ",\n" : "\n";
      }
      w.out += "   ]";
    }
    w.out += i + 1 < n ? "},\n" : "}\n";
    w.maybe_flush();
  }
  w.out += "  ],\n";

  w.out += "  \"totals\": [\n";
  w.out += "    {\"id\": \"block\", \"name\": \"Blok\", \"kind\": \"block\", \"amounts\": {\"national\": " +
           tenths(block_national) + ", \"region\": " + tenths(region_share(block_national)) + "}},\n";
  w.out += "    {\"id\": \"direct\", \"name\": \"Direkte tilskud\", \"kind\": \"direct\", \"amounts\": {\"national\": " +
           tenths(direct_national) + "}},\n";
  w.out += "    {\"id\": \"total\", \"name\": \"I alt\", \"kind\": \"total\", \"amounts\": {\"national\": " +
           tenths(block_national + direct_national) + ", \"region\": " + tenths(region_share(block_national)) + "}},\n";
  w.out += "    {\"id\": \"grand_total\", \"name\": \"I alt\", \"section\": \"all\", \"kind\": \"grand_total\", \"amounts\": {\"national\": " +
           tenths(block_national + direct_national) + ", \"region\": " + tenths(region_share(block_national)) + "}}\n";
  w.out += "  ],\n";

  w.out += "  \"recipients\": [\n";
  for (int k = 0; k < recipient_count; ++k) {
    w.out += "    {\"id\": \"r" + std::to_string(k) + "\", \"name\": \"Recipient " + std::to_string(k) + "\", \"kind\": \"" +
             (k % 2 == 0 ? "body" : "hospital") + "\"}";
    w.out += k + 1 < recipient_count ? ",\n" : "\n";
  }
  w.out += "  ],\n";

  w.out += "  \"transfers\": [";
  for (std::size_t k = 0; k < earmarked.size(); ++k) {
    w.out += k == 0 ? "\n" : ",\n";
    w.out += "    {\"id\": \"t" + std::to_string(k) + "\", \"from\": \"" + earmarked[k].item + "\", \"to\": \"" +
             earmarked[k].recipient + "\", \"amount\": " + tenths(earmarked[k].region) + "}";
    w.maybe_flush();
  }
  w.out += earmarked.empty() ? "]\n" : "\n  ]\n";
  w.out += "}\n";
  w.flush();
  return 0;
}

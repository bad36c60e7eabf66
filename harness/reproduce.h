// `ddc reproduce`: every claim of the paper, measured in both modes with fixed seeds, into one
// results directory with a report.
//
// It reads the claims table (specs/claims.textproto, ClaimList in harness/spec.proto), runs each
// distinct spec once (a claim's spec, or its quick_spec with --quick; in full mode also its
// sensitivity sweeps) into OUT/<spec name>/ exactly as `ddc run SPEC` would, and then writes
//
//   OUT/summary.json   per claim: statement, command, output directory, headline, findings
//                      (transparent and exposed values, ratio, holds, why), verdict, context
//   OUT/plots/*.png|svg and OUT/REPORT.md, drawn by harness/report.py from the CSVs and the
//                      summary, with Debian's python3 and matplotlib
//   OUT/timing.txt     wall time per spec (the only file that differs between two runs)
//
// Every file but timing.txt is a function of the claims table, the specs and the code: a second
// run rewrites the same bytes. Progress goes to `progress`: a line that updates in place on a
// terminal (spec i of n, elapsed, estimated time left), plain lines otherwise.
#ifndef DDC_HARNESS_REPRODUCE_H_
#define DDC_HARNESS_REPRODUCE_H_

#include <ostream>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "harness/sweep.h"

namespace ddc::harness {

struct ReproduceOptions {
  bool quick = false;
  std::set<std::string> only;  // claim ids; empty: every claim
  std::string out_dir = "results";
  int jobs = 1;
  std::string specs_dir;      // where claims.textproto and the specs are
  std::string report_script;  // harness/report.py; empty: no plots or REPORT.md
  std::string python = "/usr/bin/python3";
  bool terminal = false;  // progress updates one line in place
};

absl::Status Reproduce(const ReproduceOptions& options, const ExperimentFactory& make,
                       std::ostream& progress);

}  // namespace ddc::harness

#endif  // DDC_HARNESS_REPRODUCE_H_

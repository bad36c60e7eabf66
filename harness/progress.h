// ProgressLine shows how a long command is getting on, the one way every `ddc` command does it:
// on a terminal, one line redrawn in place every second; otherwise (a log, a CI job) plain lines,
// every `plain_every` (none when zero) plus the lines the command prints itself.
//
//   ProgressLine line(std::cout, /*terminal=*/isatty(1), [&] { return Status(); }, Seconds(5));
//   line.Print("seed 17 failed");  // a line that must stay: clears the status line first
//
// `describe` is called from the ticker thread and from Print; it must take its own lock, and the
// caller must not hold that lock while calling Print or Redraw.
#ifndef DDC_HARNESS_PROGRESS_H_
#define DDC_HARNESS_PROGRESS_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>

namespace ddc::harness {

// MinutesSeconds formats a wall time as "mm:ss" (minutes grow past 99 when they must).
std::string MinutesSeconds(double seconds);

class ProgressLine {
 public:
  ProgressLine(std::ostream& out, bool terminal, std::function<std::string()> describe,
               std::chrono::seconds plain_every = std::chrono::seconds(0));
  ~ProgressLine();  // stops the ticker; on a terminal ends the status line
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  // Print writes `line` (no trailing newline) so that it stays; on a terminal the status line is
  // cleared first and redrawn after.
  void Print(const std::string& line);
  // Redraw redraws the status line now (a terminal only).
  void Redraw();

 private:
  void Tick();
  void DrawLocked();

  std::ostream& out_;
  const bool terminal_;
  const std::function<std::string()> describe_;
  const std::chrono::seconds plain_every_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread ticker_;
};

}  // namespace ddc::harness

#endif  // DDC_HARNESS_PROGRESS_H_

#include "harness/progress.h"

#include <utility>

#include "absl/strings/str_format.h"

namespace ddc::harness {

std::string MinutesSeconds(double seconds) {
  const int s = static_cast<int>(seconds + 0.5);
  return absl::StrFormat("%02d:%02d", s / 60, s % 60);
}

ProgressLine::ProgressLine(std::ostream& out, bool terminal, std::function<std::string()> describe,
                           std::chrono::seconds plain_every)
    : out_(out), terminal_(terminal), describe_(std::move(describe)), plain_every_(plain_every) {
  if (terminal_ || plain_every_.count() > 0) ticker_ = std::thread([this] { Tick(); });
}

ProgressLine::~ProgressLine() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (ticker_.joinable()) ticker_.join();
  if (terminal_) out_ << "\n" << std::flush;
}

void ProgressLine::Print(const std::string& line) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (terminal_) out_ << "\r\033[K";
  out_ << line << "\n";
  if (terminal_) DrawLocked();
  out_ << std::flush;
}

void ProgressLine::Redraw() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (terminal_) DrawLocked();
}

void ProgressLine::DrawLocked() { out_ << "\r\033[K" << describe_() << std::flush; }

void ProgressLine::Tick() {
  const std::chrono::seconds every = terminal_ ? std::chrono::seconds(1) : plain_every_;
  std::unique_lock<std::mutex> lock(mutex_);
  while (!wake_.wait_for(lock, every, [this] { return stop_; })) {
    if (terminal_) {
      DrawLocked();
    } else {
      out_ << describe_() << std::endl;
    }
  }
}

}  // namespace ddc::harness

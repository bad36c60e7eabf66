// Status helpers. Abseil 20220623 ships no status macros, so the project defines its two here,
// in one place, and every module uses these.
//
//   DDC_RETURN_IF_ERROR(expr);            // returns expr's status when it is not OK
//   DDC_ASSIGN_OR_RETURN(auto x, expr);   // x = *expr, or returns expr's status
//
// Coroutines use the DDC_CO_ variants, which co_return instead of return.
#ifndef DDC_PLATFORM_STATUS_MACROS_H_
#define DDC_PLATFORM_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define DDC_STATUS_CONCAT_INNER_(a, b) a##b
#define DDC_STATUS_CONCAT_(a, b) DDC_STATUS_CONCAT_INNER_(a, b)

#define DDC_RETURN_IF_ERROR(expr)              \
  do {                                         \
    ::absl::Status ddc_status_ = (expr);       \
    if (!ddc_status_.ok()) return ddc_status_; \
  } while (0)

#define DDC_ASSIGN_OR_RETURN(lhs, expr) \
  DDC_ASSIGN_OR_RETURN_IMPL_(DDC_STATUS_CONCAT_(ddc_statusor_, __LINE__), lhs, expr, return )

#define DDC_CO_RETURN_IF_ERROR(expr)              \
  do {                                            \
    ::absl::Status ddc_status_ = (expr);          \
    if (!ddc_status_.ok()) co_return ddc_status_; \
  } while (0)

#define DDC_CO_ASSIGN_OR_RETURN(lhs, expr) \
  DDC_ASSIGN_OR_RETURN_IMPL_(DDC_STATUS_CONCAT_(ddc_statusor_, __LINE__), lhs, expr, co_return )

#define DDC_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr, ret) \
  auto statusor = (expr);                                    \
  if (!statusor.ok()) ret std::move(statusor).status();      \
  lhs = *std::move(statusor)

#endif  // DDC_PLATFORM_STATUS_MACROS_H_

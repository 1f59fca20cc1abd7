/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Whether this build runs under AddressSanitizer (and so LeakSanitizer):
 * AO_ASAN is 1 then.  gcc says so with __SANITIZE_ADDRESS__, clang through
 * __has_feature.
 */
#ifndef AO_SANITIZE_H
#define AO_SANITIZE_H

#if defined(__SANITIZE_ADDRESS__)
#define AO_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AO_ASAN 1
#endif
#endif
#ifndef AO_ASAN
#define AO_ASAN 0
#endif

#endif

/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Incremental Internet checksum updates (RFC 1624) on 16-bit words as they sit in the packet.
 * One's complement sums do not depend on byte order, so no conversion is needed. */
#ifndef SLUICE_CSUM_H
#define SLUICE_CSUM_H

#include "common.h"

static __always_inline __u16 csum_fold32(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
}

/* Adds to a running sum the change of one 16-bit word from old to new. */
static __always_inline __u32 csum_delta16(__u32 sum, __u16 old, __u16 new)
{
	return sum + (__u16)~old + new;
}

static __always_inline __u32 csum_delta_address(__u32 sum, const union address *old,
						const union address *new, int words)
{
	const __u16 *o = (const __u16 *)old;
	const __u16 *n = (const __u16 *)new;

#pragma unroll
	for (int i = 0; i < 8; i++) {
		if (i < words)
			sum = csum_delta16(sum, o[i], n[i]);
	}
	return sum;
}

/* Applies an accumulated delta to a stored checksum field. */
static __always_inline __u16 csum_apply(__u16 check, __u32 delta)
{
	return ~csum_fold32((__u16)~check + csum_fold32(delta));
}

/* A stored UDP checksum of zero means "none" over IPv4 and must stay zero; a real one that
 * computes to zero is sent as 0xffff. */
static __always_inline __u16 csum_apply_udp(__u16 check, __u32 delta)
{
	__u16 updated;

	if (check == 0)
		return 0;
	updated = csum_apply(check, delta);
	return updated ? updated : 0xffff;
}

#endif

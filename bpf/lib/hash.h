/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The flow hash: Bob Jenkins' lookup3 "hashword" over 32-bit words with the configured seed.
 * The control plane's tests recompute it independently to predict which Maglev slot, and so which
 * backend, a flow must reach. Only the client side of the flow is hashed (address, port unless
 * ClientIP affinity, protocol), so a flow reaching any node or frontend of a service picks the
 * same backend.
 */
#ifndef SLUICE_HASH_H
#define SLUICE_HASH_H

#include "common.h"

static __always_inline __u32 rol32(__u32 word, unsigned int shift)
{
	return (word << shift) | (word >> ((-shift) & 31));
}

#define JHASH_MIX(a, b, c)                      \
	{                                       \
		a -= c; a ^= rol32(c, 4);  c += b; \
		b -= a; b ^= rol32(a, 6);  a += c; \
		c -= b; c ^= rol32(b, 8);  b += a; \
		a -= c; a ^= rol32(c, 16); c += b; \
		b -= a; b ^= rol32(a, 19); a += c; \
		c -= b; c ^= rol32(b, 4);  b += a; \
	}

#define JHASH_FINAL(a, b, c)            \
	{                               \
		c ^= b; c -= rol32(b, 14); \
		a ^= c; a -= rol32(c, 11); \
		b ^= a; b -= rol32(a, 25); \
		c ^= b; c -= rol32(b, 16); \
		a ^= c; a -= rol32(c, 4);  \
		b ^= a; b -= rol32(a, 14); \
		c ^= b; c -= rol32(b, 24); \
	}

/* lookup3 hashword() over exactly six words. */
static __always_inline __u32 jhash_6words(const __u32 *k, __u32 seed)
{
	__u32 a, b, c;

	a = b = c = 0xdeadbeef + (6 << 2) + seed;
	a += k[0];
	b += k[1];
	c += k[2];
	JHASH_MIX(a, b, c);
	a += k[3];
	b += k[4];
	c += k[5];
	JHASH_FINAL(a, b, c);
	return c;
}

/* Words: the four address words (network order as stored), then port << 16 | protocol (host
 * order), then the family. */
static __always_inline __u32 flow_hash(const struct tuple *t, int with_port, __u32 seed)
{
	__u32 words[6];

	words[0] = t->src.v6[0];
	words[1] = t->src.v6[1];
	words[2] = t->src.v6[2];
	words[3] = t->src.v6[3];
	words[4] = ((with_port ? (__u32)bpf_ntohs(t->sport) : 0) << 16) | t->protocol;
	words[5] = t->family;
	return jhash_6words(words, seed);
}

#endif

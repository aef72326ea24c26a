/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Types every part of the datapath shares. Layouts here are mirrored in Java (control module,
 * dev.sluice.control.datapath) and checked against this object's BTF by a test. */
#ifndef SLUICE_COMMON_H
#define SLUICE_COMMON_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* linux/icmp.h and linux/icmpv6.h pull in libc socket headers that do not build for BPF, so the
 * few ICMP definitions the datapath needs live here. */
struct icmphdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be32 rest;
};

struct icmp6hdr {
	__u8 icmp6_type;
	__u8 icmp6_code;
	__sum16 icmp6_cksum;
	__be32 rest;
};

#define ICMP_DEST_UNREACH 3
#define ICMP_PORT_UNREACH 3
#define ICMP_FRAG_NEEDED 4
#define ICMP_TIME_EXCEEDED 11
#define ICMP_PARAMETERPROB 12
#define ICMPV6_DEST_UNREACH 1
#define ICMPV6_PORT_UNREACH 4
#define ICMPV6_PKT_TOOBIG 2
#define ICMPV6_TIME_EXCEED 3
#define ICMPV6_PARAMPROB 4

#ifndef offsetof
#define offsetof(type, member) __builtin_offsetof(type, member)
#endif

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define FAMILY_IPV4 4
#define FAMILY_IPV6 6

/* An IPv4 address lives in v4 with the other 12 bytes zero, so one key type serves both families. */
union address {
	__be32 v4;
	__be32 v6[4];
	__u8 bytes[16];
};

/* A connection as the packet carries it. ICMP echo uses the identifier as both ports. */
struct tuple {
	union address src;
	union address dst;
	__be16 sport;
	__be16 dport;
	__u8 protocol;
	__u8 family;
	__u16 pad;
};

/* Bounds a packet offset for the verifier. Behind the asm barrier the compiler cannot prove the
 * mask redundant and drop it, so the verifier always sees an offset below 1024. */
static __always_inline __u32 bounded_offset(__u32 offset)
{
	asm volatile("" : "+r"(offset));
	return offset & 0x3ff;
}

/*
 * Whether more than `limit` nanoseconds passed from `then` to `now`. Another CPU may stamp an
 * entry after this packet read its clock: the difference is then negative, and compared
 * unsigned it would wrap to centuries and a live connection would look long expired.
 */
static __always_inline int ns_older_than(__u64 then, __u64 now, __u64 limit)
{
	return (__s64)(now - then) > (__s64)limit;
}

static __always_inline int address_equal(const union address *a, const union address *b)
{
	return a->v6[0] == b->v6[0] && a->v6[1] == b->v6[1] && a->v6[2] == b->v6[2] &&
	       a->v6[3] == b->v6[3];
}

static __always_inline void address_copy(union address *to, const union address *from)
{
	to->v6[0] = from->v6[0];
	to->v6[1] = from->v6[1];
	to->v6[2] = from->v6[2];
	to->v6[3] = from->v6[3];
}

#endif

/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Per-service traffic and per-reason drops, per CPU so the hot path never shares a cache line. */
#ifndef SLUICE_STATS_H
#define SLUICE_STATS_H

#include "common.h"

enum drop_reason {
	DROP_NO_BACKEND = 0,        /* dropped: service has no backend (or none local under ETP=Local) */
	REJECT_NO_BACKEND = 1,      /* answered with TCP RST / ICMP unreachable: no backend */
	DROP_SOURCE_RANGE = 2,      /* source outside loadBalancerSourceRanges */
	DROP_SNAT_PORTS_EXHAUSTED = 3,
	DROP_CONNTRACK_FULL = 4,
	DROP_BACKEND_MISSING = 5,   /* a table slot named a backend that is not programmed */
	DROP_FIB_FAILED = 6,        /* tc could not route a translated packet, for a reason not below */
	DROP_REWRITE_FAILED = 7,    /* the packet could not be rewritten (helper error, headers out of reach) */
	DROP_REPLY_RATE_LIMITED = 8, /* a refusal left unanswered: over the reply budget (reply_budget.h) */
	DROP_NO_CONNECTION = 9,     /* a TCP segment other than a SYN for a service, of no connection: stray,
				     * forged, or its connection's state is gone */
	DROP_PACKET_TOO_BIG = 10,   /* over the egress MTU: answered with ICMP fragmentation needed (IPv4 with
				     * DF) or packet too big (IPv6), so path MTU discovery works through NAT */
	DROP_NEEDS_FRAGMENTING = 11, /* IPv4 without DF over the egress MTU: a router would fragment it, BPF cannot */
	DROP_TTL_EXPIRED = 12,      /* TTL or hop limit spent on a packet tc forwards */
	/* bpf_fib_lookup's failures, each its own, the first six in BPF_FIB_LKUP_RET_ order: */
	DROP_FIB_BLACKHOLE = 13,
	DROP_FIB_UNREACHABLE = 14,
	DROP_FIB_PROHIBIT = 15,
	DROP_FIB_NOT_FORWARDED = 16,
	DROP_FIB_FORWARDING_DISABLED = 17,
	DROP_FIB_UNSUPPORTED_LWT = 18,
	DROP_FIB_NO_SOURCE_ADDRESS = 19,
	DROP_REASON_MAX,
};

struct traffic_counter {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct traffic_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} svc_traffic SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DROP_REASON_MAX);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} datapath_drops SEC(".maps");

/* Counts a packet of the service; id 0 (masquerade, no service) is not counted. Not inlined: the
 * attach points call it beside lb_decide, whose stack theirs must leave room for. */
static __attribute__((noinline, unused)) void count_service(__u32 service_id, __u64 bytes)
{
	struct traffic_counter *counter;

	if (!service_id)
		return;
	counter = bpf_map_lookup_elem(&svc_traffic, &service_id);
	if (counter) {
		counter->packets++;
		counter->bytes += bytes;
	} else {
		struct traffic_counter first = { .packets = 1, .bytes = bytes };

		bpf_map_update_elem(&svc_traffic, &service_id, &first, BPF_NOEXIST);
	}
}

static __always_inline void count_drop(enum drop_reason reason)
{
	__u32 key = reason;
	__u64 *count = bpf_map_lookup_elem(&datapath_drops, &key);

	if (count)
		(*count)++;
}

/* A route lookup's failure by its BPF_FIB_LKUP_RET_ code; FRAG_NEEDED is the caller's to handle. */
static __always_inline void count_fib_failure(int rc)
{
	if (rc >= BPF_FIB_LKUP_RET_BLACKHOLE && rc <= BPF_FIB_LKUP_RET_UNSUPP_LWT)
		count_drop(DROP_FIB_BLACKHOLE + rc - BPF_FIB_LKUP_RET_BLACKHOLE);
	else if (rc == BPF_FIB_LKUP_RET_NO_SRC_ADDR)
		count_drop(DROP_FIB_NO_SOURCE_ADDRESS);
	else
		count_drop(DROP_FIB_FAILED);
}

#endif

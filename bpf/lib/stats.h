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
	DROP_FIB_FAILED = 6,        /* no route for a translated packet (or TTL spent): tc could not send it */
	DROP_REWRITE_FAILED = 7,    /* the packet could not be rewritten (helper error, headers out of reach) */
	DROP_REPLY_RATE_LIMITED = 8, /* a refusal left unanswered: over the reply budget (reply_budget.h) */
	DROP_NO_CONNECTION = 9,     /* a TCP segment other than a SYN for a service, of no connection: stray,
				     * forged, or its connection's state is gone */
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

#endif

/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The budget for replies the datapath makes up itself: the TCP RSTs and ICMP port unreachables
 * that refuse connections to services without backends (reject.h). Each answers one packet whose
 * source anyone can forge, so without a limit the node reflects a flood at its victim. A token
 * bucket per CPU (no shared cache line, no atomics; the node's limit is the budget times its CPUs)
 * holds at most one second's worth of replies and refills at that rate by the clock. A refusal
 * over budget is dropped unanswered and counted: the client times out instead of failing fast.
 */
#ifndef SLUICE_REPLY_BUDGET_H
#define SLUICE_REPLY_BUDGET_H

#include "common.h"
#include "config.h"
#include "stats.h"

/* Replies per second per CPU where the config leaves it 0; the kernel allows ICMP errors at
 * 1000 per second for the whole node (net.ipv4.icmp_msgs_per_sec). */
#define REPLY_BUDGET_DEFAULT 1000
#define REPLY_BUDGET_NSEC_PER_SEC 1000000000ULL

struct reply_tokens {
	__u64 refilled_ns; /* when the tokens were last brought up to date */
	__u32 tokens;
	__u32 pad;
};

/* Pinned, so that XDP and tc, loaded from different objects, draw on the same buckets. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct reply_tokens);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} reply_tokens SEC(".maps");

/*
 * Whether a refusal may be answered: takes a token, counting the refusal as answered
 * (REJECT_NO_BACKEND) or, with none left, as unanswered (DROP_REPLY_RATE_LIMITED). Called only
 * where the reply is then sent, so a refusal XDP leaves to tc is counted once. Not inlined: it
 * sits beside lb_decide in the attach points' stack.
 */
static __attribute__((noinline, unused)) int reply_admitted(void)
{
	struct datapath_config *cfg = config_get();
	__u32 zero = 0, budget = REPLY_BUDGET_DEFAULT;
	struct reply_tokens *bucket = bpf_map_lookup_elem(&reply_tokens, &zero);
	__u64 now = bpf_ktime_get_ns(), elapsed, earned;

	if (cfg && cfg->reply_budget)
		budget = cfg->reply_budget;
	if (!bucket)
		return 0;
	elapsed = now - bucket->refilled_ns;
	if (elapsed >= REPLY_BUDGET_NSEC_PER_SEC || bucket->tokens > budget) {
		/* A full second (or the first reply ever), or a budget lowered since: a full bucket. */
		bucket->tokens = budget;
		bucket->refilled_ns = now;
	} else {
		/* Below a second and a 32-bit budget, the product stays far from overflow. Only whole
		 * tokens are added, and the clock advances by what they cost, so no fraction is lost. */
		earned = elapsed * budget / REPLY_BUDGET_NSEC_PER_SEC;
		if (earned) {
			bucket->tokens = bucket->tokens + earned > budget ? budget : bucket->tokens + earned;
			bucket->refilled_ns += earned * REPLY_BUDGET_NSEC_PER_SEC / budget;
		}
	}
	if (!bucket->tokens) {
		count_drop(DROP_REPLY_RATE_LIMITED);
		return 0;
	}
	bucket->tokens--;
	count_drop(REJECT_NO_BACKEND);
	return 1;
}

#endif

// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * tc ingress on the node's external interfaces: finishes what xdp_node passed on untouched because
 * it could not send it itself (an unresolved neighbour, another outgoing interface). The
 * connection exists already, so this is a conntrack hit, a rewrite and a redirect that resolves the
 * neighbour. Without XDP (a driver that cannot run it) this program does all the work alone.
 */
#include "common.h"
#include "parse.h"
#include "lb.h"
#include "forward.h"
#include "icmp_error.h"
#include <linux/pkt_cls.h>

#define PULL_LENGTH 256

SEC("tc")
int tc_node_ingress(struct __sk_buff *skb)
{
	struct rewrite rw = {};
	struct packet p;

	bpf_skb_pull_data(skb, skb->len < PULL_LENGTH ? skb->len : PULL_LENGTH);
	switch (parse_frame((void *)(long)skb->data, (void *)(long)skb->data_end, &p)) {
	case PARSE_OK:
		break;
	case PARSE_ICMP_ERROR:
		icmp_error_translate((void *)(long)skb->data, (void *)(long)skb->data_end, &p);
		return TC_ACT_OK;
	default:
		return TC_ACT_OK;
	}
	if (p.tuple.protocol != IPPROTO_TCP && p.tuple.protocol != IPPROTO_UDP)
		return TC_ACT_OK;
	p.length = skb->len;

	switch (lb_decide(&p, ORIGIN_EXTERNAL, &rw)) {
	case LB_DROP:
	case LB_REJECT:
		return TC_ACT_SHOT;
	case LB_LOCAL:
		return rewrite_skb(skb, &p, &rw) ? TC_ACT_SHOT : TC_ACT_OK;
	case LB_FORWARD:
		if (rewrite_skb(skb, &p, &rw))
			return TC_ACT_SHOT;
		if (!address_equal(&rw.src, &p.tuple.src))
			return forward_skb(skb, &p, &rw);
		return TC_ACT_OK;
	default:
		return TC_ACT_OK;
	}
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The tc side of the datapath, the same on pod veths and node interfaces but for where traffic
 * enters: parse, translate ICMP errors, decide, rewrite through the skb helpers, and send on
 * whatever now carries one of the node's own addresses as its source (the stack would drop it).
 */
#ifndef SLUICE_TC_H
#define SLUICE_TC_H

#include "common.h"
#include "parse.h"
#include "lb.h"
#include "forward.h"
#include "icmp_error.h"
#include <linux/pkt_cls.h>

/* Enough linear bytes for Ethernet, IPv6 with extension headers and a TCP header. */
#define TC_PULL_LENGTH 256

static __always_inline int tc_service(struct __sk_buff *skb, enum lb_origin origin)
{
	struct rewrite rw = {};
	struct packet p;

	bpf_skb_pull_data(skb, skb->len < TC_PULL_LENGTH ? skb->len : TC_PULL_LENGTH);
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

	switch (lb_decide(&p, origin, &rw)) {
	case LB_DROP:
	case LB_REJECT:
		return TC_ACT_SHOT;
	case LB_LOCAL:
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

#endif

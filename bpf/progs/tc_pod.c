// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * tc ingress on the host side of each pod's veth, i.e. traffic leaving a pod: services reached
 * from pods (ClusterIP and every other frontend, hairpin included) and the replies of local
 * backends. Translated packets keep going into the host stack, unless their source became one of
 * the node's addresses: those are redirected to their next hop directly.
 */
#include "common.h"
#include "parse.h"
#include "lb.h"
#include "forward.h"
#include "icmp_error.h"
#include <linux/pkt_cls.h>

/* Enough linear bytes for Ethernet, IPv6 with extension headers and a TCP header. */
#define PULL_LENGTH 256

SEC("tc")
int tc_pod_ingress(struct __sk_buff *skb)
{
	struct rewrite rw = {};
	struct packet p;
	enum lb_verdict verdict;

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

	verdict = lb_decide(&p, ORIGIN_POD, &rw);
	switch (verdict) {
	case LB_DROP:
	case LB_REJECT:
		return TC_ACT_SHOT;
	case LB_LOCAL:
	case LB_FORWARD:
		if (rewrite_skb(skb, &p, &rw))
			return TC_ACT_SHOT;
		/* A new source is one of this node's addresses (SNAT, a service address answering):
		 * the stack would drop that as martian, so the packet leaves from here. */
		if (!address_equal(&rw.src, &p.tuple.src))
			return forward_skb(skb, &p, &rw);
		return TC_ACT_OK;
	default:
		return TC_ACT_OK;
	}
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

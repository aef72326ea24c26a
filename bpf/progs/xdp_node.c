// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * XDP on the node's external interfaces: north-south service traffic (NodePort, LoadBalancer,
 * externalIPs, and ClusterIPs routed to the node) and the replies of connections this node
 * translated. Everything else passes to the stack untouched.
 */
#include "common.h"
#include "parse.h"
#include "lb.h"
#include "forward.h"
#include "reject.h"
#include "icmp_error.h"

SEC("xdp")
int xdp_node(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct rewrite rw = {};
	struct packet p;
	enum lb_verdict verdict;

	switch (parse_frame(data, data_end, &p)) {
	case PARSE_OK:
		break;
	case PARSE_ICMP_ERROR:
		if (icmp_error_translate(data, data_end, &p) != 1)
			return XDP_PASS;
		return forward_xdp(ctx, p.tuple.family);
	default:
		return XDP_PASS;
	}
	if (p.tuple.protocol != IPPROTO_TCP && p.tuple.protocol != IPPROTO_UDP)
		return XDP_PASS;

	verdict = lb_decide(&p, ORIGIN_EXTERNAL, &rw);
	switch (verdict) {
	case LB_DROP:
		return XDP_DROP;
	case LB_REJECT:
		return p.tuple.protocol == IPPROTO_TCP ? reject_tcp(ctx, &p) : reject_icmp(ctx, &p);
	case LB_LOCAL:
	case LB_FORWARD:
		data = (void *)(long)ctx->data;
		data_end = (void *)(long)ctx->data_end;
		if (rewrite_xdp(data, data_end, &p, &rw))
			return XDP_DROP;
		return verdict == LB_LOCAL ? XDP_PASS : forward_xdp(ctx, p.tuple.family);
	default:
		return XDP_PASS;
	}
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

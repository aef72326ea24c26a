// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * XDP on the node's external interfaces: north-south service traffic (NodePort, LoadBalancer,
 * externalIPs, and ClusterIPs routed to the node) and the replies of connections this node
 * translated. Everything else passes to the stack untouched; what XDP cannot send on itself passes
 * untouched to tc_node_ingress on the same interface, which finishes it.
 */
#define SLUICE_XDP
#include "common.h"
#include "parse.h"
#include "lb.h"
#include "forward.h"
#include "fragment.h"
#include "reject.h"
#include "reply_budget.h"
#include "icmp_error.h"

/* XDP: turns the TCP segment into the RST that refuses it, headers only. */
static __attribute__((noinline)) int reject_tcp(struct xdp_md *ctx, const struct packet *p)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct tcphdr *in = data + (p->l4_offset & 0x1ff), out;

	if ((void *)(in + 1) > data_end)
		return XDP_DROP;
	reject_tcp_header(p, in, &out);
	if (reject_tcp_write(data, data_end, p, &out))
		return XDP_DROP;
	if (bpf_xdp_adjust_tail(ctx, (int)reject_tcp_frame_length(p) - (int)p->length))
		return XDP_DROP;
	return XDP_TX;
}

/* XDP: prepends IP + ICMP headers that quote the offending packet and sends the result back. */
static __attribute__((noinline)) int reject_icmp(struct xdp_md *ctx, const struct packet *p)
{
	__u32 outer = reject_icmp_outer_length(p);
	int quoted = reject_quote_length(p);
	__u8 quote[ICMP_QUOTE_MAX] = {};
	struct ethhdr eth;

	if (quoted < 0 || REJECT_LOAD_QUOTE(bpf_xdp_load_bytes, ctx, p, quote, (__u32)quoted) ||
	    bpf_xdp_load_bytes(ctx, 0, &eth, sizeof(eth)) || bpf_xdp_adjust_head(ctx, -(int)outer))
		return XDP_DROP;
	if (reject_icmp_write((void *)(long)ctx->data, (void *)(long)ctx->data_end, p, &eth, quote,
			      quoted, 0))
		return XDP_DROP;
	/* The quote already sits where it belongs: the original packet follows the new headers. */
	if (bpf_xdp_adjust_tail(ctx, (int)(sizeof(struct ethhdr) + outer + quoted) -
					     (int)(p->length + outer)))
		return XDP_DROP;
	return XDP_TX;
}

/*
 * Multi-buffer aware: headers sit in the first buffer, lengths are checked against the whole
 * frame, and only headers are rewritten, so a frame whose payload spans fragments (jumbo MTU, a
 * veth passing GSO packets to XDP) translates like any other. A program that could not take
 * fragments would make a veth turn GSO off on its peer.
 */
SEC("xdp.frags")
int xdp_node(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct rewrite rw = {};
	struct packet p;
	enum lb_verdict verdict;
	int action;

	switch (parse_frame(data, data_end, bpf_xdp_get_buff_len(ctx), &p)) {
	case PARSE_OK:
		break;
	case PARSE_ICMP_ERROR:
		if (icmp_error_translate(data, data_end, &p) != 1)
			return XDP_PASS;
		data = (void *)(long)ctx->data;
		data_end = (void *)(long)ctx->data_end;
		if (parse_frame(data, data_end, bpf_xdp_get_buff_len(ctx), &p) != PARSE_ICMP_ERROR)
			return XDP_PASS;
		address_copy(&rw.src, &p.tuple.src);
		address_copy(&rw.dst, &p.tuple.dst);
		return transmit_xdp(ctx, &p, &rw, 0);
	default:
		return XDP_PASS;
	}
	if ((p.tuple.protocol != IPPROTO_TCP && p.tuple.protocol != IPPROTO_UDP) || fragment_resolve(&p))
		return XDP_PASS;

	/*
	 * A packet passed on untouched goes through tc_node on the same interface, which decides it
	 * again (a conntrack hit by then) and counts it: it is counted here only when XDP finishes it.
	 */
	verdict = lb_decide(ctx, &p, ORIGIN_EXTERNAL, &rw);
	switch (verdict) {
	case LB_DROP:
		count_service(rw.service_id, p.length);
		return XDP_DROP;
	case LB_REJECT:
		/* Where XDP cannot send, tc_node refuses the packet the same way. */
		if (!xdp_may_transmit(ctx))
			return XDP_PASS;
		count_service(rw.service_id, p.length);
		if (!reply_admitted())
			return XDP_DROP;
		return p.tuple.protocol == IPPROTO_TCP ? reject_tcp(ctx, &p) : reject_icmp(ctx, &p);
	case LB_LOCAL:
		/* Towards a local pod, keeping the client's address: the stack delivers it, and tc_node
		 * finds no service in the translated packet. */
		count_service(rw.service_id, p.length);
		data = (void *)(long)ctx->data;
		data_end = (void *)(long)ctx->data_end;
		if (rewrite_xdp(data, data_end, &p, &rw)) {
			count_drop(DROP_REWRITE_FAILED);
			return XDP_DROP;
		}
		return XDP_PASS;
	case LB_FORWARD:
		action = transmit_xdp(ctx, &p, &rw, 1);
		if (action != XDP_PASS)
			count_service(rw.service_id, p.length);
		return action;
	default:
		return XDP_PASS;
	}
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

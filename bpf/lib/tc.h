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
#include "fragment.h"
#include "icmp_error.h"
#include "reject.h"
#include "reply_budget.h"
#include <linux/pkt_cls.h>

/* Pulls per packet: the IP header, then extension headers or the transport header. */
#define TC_PARSE_ATTEMPTS 3
/* What an ICMP error's translation reads past its own header: the quoted IP header (IPv4 with
 * options at most) and the quoted transport header with its checksum. */
#define ICMP_ERROR_QUOTE_HEADERS (60 + sizeof(struct tcphdr))

/*
 * Parses the skb, pulling into the linear area exactly the headers parsing needs and never the
 * payload: GSO and GRO packets of any size keep their data in fragments, where the skb helpers
 * rewrite and checksum them. Not inlined: its unrolled parses would share the caller's stack.
 */
static __attribute__((noinline)) int tc_parse(struct __sk_buff *skb, struct packet *p)
{
	int result = PARSE_MALFORMED;

	for (int i = 0; i < TC_PARSE_ATTEMPTS; i++) {
		result = parse_frame((void *)(long)skb->data, (void *)(long)skb->data_end, skb->len, p);
		if (result != PARSE_NEED_MORE)
			return result;
		if (bpf_skb_pull_data(skb, p->pull_length))
			return PARSE_MALFORMED;
	}
	return PARSE_MALFORMED;
}

/*
 * Translates an ICMP error about a tracked connection. One that now speaks for a service address
 * (the backend itself sent it) carries a node address as its source and leaves like any such
 * packet; a router's error keeps its source and the stack forwards it. Not inlined, to keep its
 * locals off the stack of the call into lb_decide.
 */
static __attribute__((noinline)) int tc_icmp_error(struct __sk_buff *skb, struct packet *p)
{
	__u32 quote_end = p->l4_offset + sizeof(struct icmphdr) + ICMP_ERROR_QUOTE_HEADERS;
	struct rewrite rw = {};
	union address sender;

	if (bpf_skb_pull_data(skb, quote_end < skb->len ? quote_end : skb->len))
		return TC_ACT_OK;
	address_copy(&sender, &p->tuple.src);
	if (icmp_error_translate((void *)(long)skb->data, (void *)(long)skb->data_end, p) != 1 ||
	    tc_parse(skb, p) != PARSE_ICMP_ERROR || address_equal(&sender, &p->tuple.src))
		return TC_ACT_OK;
	address_copy(&rw.src, &p->tuple.src);
	address_copy(&rw.dst, &p->tuple.dst);
	return forward_skb(skb, p, &rw);
}

/*
 * Refusals (kube-proxy's REJECT) leave by the interface the refused packet came in on, towards its
 * sender: a pod's veth sends them to the pod, a node interface to the client.
 */
static __attribute__((noinline)) int tc_reject_tcp(struct __sk_buff *skb, const struct packet *p)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct tcphdr *in = data + (p->l4_offset & 0x1ff), out;

	if ((void *)(in + 1) > data_end)
		return TC_ACT_SHOT;
	reject_tcp_header(p, in, &out);
	if (reject_tcp_write(data, data_end, p, &out) ||
	    bpf_skb_change_tail(skb, reject_tcp_frame_length(p), 0))
		return TC_ACT_SHOT;
	return bpf_redirect(skb->ifindex, 0);
}

/* ICMP back to the sender: port unreachable (`mtu` 0), or too big for `mtu` (path MTU discovery). */
static __attribute__((noinline)) int tc_reply_icmp(struct __sk_buff *skb, const struct packet *p, __u32 mtu)
{
	__u32 outer = reject_icmp_outer_length(p);
	int quoted = reject_quote_length(p);
	__u8 quote[ICMP_QUOTE_MAX] = {};
	struct ethhdr eth;
	__u32 length;

	if (quoted < 0 || REJECT_LOAD_QUOTE(bpf_skb_load_bytes, skb, p, quote, (__u32)quoted) ||
	    bpf_skb_load_bytes(skb, 0, &eth, sizeof(eth)) ||
	    bpf_skb_adjust_room(skb, outer, BPF_ADJ_ROOM_MAC, 0))
		return TC_ACT_SHOT;
	/* The quote now follows the room made for the new headers; the rest goes. */
	length = sizeof(struct ethhdr) + outer + quoted;
	if (bpf_skb_change_tail(skb, length, 0) || bpf_skb_pull_data(skb, length))
		return TC_ACT_SHOT;
	if (reject_icmp_write((void *)(long)skb->data, (void *)(long)skb->data_end, p, &eth, quote,
			      quoted, mtu))
		return TC_ACT_SHOT;
	return bpf_redirect(skb->ifindex, 0);
}

/*
 * Sends on a packet whose translation gives it one of the node's addresses as its source, so the
 * stack cannot. The route is looked up before the rewrite: a packet over the egress MTU is
 * answered as its sender sent it (to the service address), which is what the sender's path MTU
 * discovery can match. IPv4 without DF would be fragmented by a router; BPF cannot, so it is
 * dropped and counted. Not inlined: its FIB query would otherwise add to the stack of the call
 * into lb_decide.
 */
static __attribute__((noinline)) int tc_forward(struct __sk_buff *skb, const struct packet *p, const struct rewrite *rw)
{
	struct bpf_fib_lookup fib;
	int rc = route_skb(skb, p, rw, &fib);

	if (rc == BPF_FIB_LKUP_RET_FRAG_NEEDED) {
		__be16 frag_off = 0;

		if (p->tuple.family == FAMILY_IPV4 &&
		    (bpf_skb_load_bytes(skb, p->l3_offset + offsetof(struct iphdr, frag_off), &frag_off, 2) ||
		     !(frag_off & bpf_htons(IPV4_DF)))) {
			count_drop(DROP_NEEDS_FRAGMENTING);
			return TC_ACT_SHOT;
		}
		count_drop(DROP_PACKET_TOO_BIG);
		if (!reply_admitted())
			return TC_ACT_SHOT;
		return tc_reply_icmp(skb, p, fib.mtu_result);
	}
	if (rc != BPF_FIB_LKUP_RET_SUCCESS && rc != BPF_FIB_LKUP_RET_NO_NEIGH) {
		count_fib_failure(rc);
		return TC_ACT_SHOT;
	}
	if (rewrite_skb(skb, p, rw)) {
		count_drop(DROP_REWRITE_FAILED);
		return TC_ACT_SHOT;
	}
	return send_skb(skb, p, &fib);
}

static __always_inline int tc_service(struct __sk_buff *skb, enum lb_origin origin)
{
	struct rewrite rw = {};
	struct packet p;
	enum lb_verdict verdict;

	switch (tc_parse(skb, &p)) {
	case PARSE_OK:
		break;
	case PARSE_ICMP_ERROR:
		return tc_icmp_error(skb, &p);
	default:
		return TC_ACT_OK;
	}
	if ((p.tuple.protocol != IPPROTO_TCP && p.tuple.protocol != IPPROTO_UDP) || fragment_resolve(&p))
		return TC_ACT_OK;

	verdict = lb_decide(skb, &p, origin, &rw);
	/* tc acts on every verdict itself (what XDP passed on untouched, it did not count). */
	count_service(rw.service_id, p.length);
	switch (verdict) {
	case LB_DROP:
		return TC_ACT_SHOT;
	case LB_REJECT:
		if (!reply_admitted())
			return TC_ACT_SHOT;
		return p.tuple.protocol == IPPROTO_TCP ? tc_reject_tcp(skb, &p) : tc_reply_icmp(skb, &p, 0);
	case LB_LOCAL:
	case LB_FORWARD:
		if (!address_equal(&rw.src, &p.tuple.src))
			return tc_forward(skb, &p, &rw);
		if (rewrite_skb(skb, &p, &rw)) {
			count_drop(DROP_REWRITE_FAILED);
			return TC_ACT_SHOT;
		}
		return TC_ACT_OK;
	default:
		return TC_ACT_OK;
	}
}

#endif

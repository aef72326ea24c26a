/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Sending a translated frame on from XDP. A FIB lookup finds the next hop; when it leaves by the
 * interface it came in on, XDP transmits it straight back out. Everything else (another
 * interface, an unresolved neighbour, a local destination) goes up the stack already translated,
 * and the kernel routes it.
 */
#ifndef SLUICE_FORWARD_H
#define SLUICE_FORWARD_H

#include "common.h"
#include "csum.h"

#ifndef AF_INET
#define AF_INET 2
#endif
#ifndef AF_INET6
#define AF_INET6 10
#endif

static __always_inline int forward_xdp(struct xdp_md *ctx, __u8 family)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct bpf_fib_lookup fib = {};
	struct ethhdr *eth = data;
	int rc;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	fib.ifindex = ctx->ingress_ifindex;
	if (family == FAMILY_IPV4) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > data_end)
			return XDP_PASS;
		if (ip->ttl <= 1)
			return XDP_PASS; /* the stack sends Time Exceeded */
		fib.family = AF_INET;
		fib.tos = ip->tos;
		fib.l4_protocol = ip->protocol;
		fib.tot_len = bpf_ntohs(ip->tot_len);
		fib.ipv4_src = ip->saddr;
		fib.ipv4_dst = ip->daddr;
	} else {
		struct ipv6hdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > data_end)
			return XDP_PASS;
		if (ip->hop_limit <= 1)
			return XDP_PASS;
		fib.family = AF_INET6;
		fib.l4_protocol = ip->nexthdr;
		fib.tot_len = bpf_ntohs(ip->payload_len);
		__builtin_memcpy(fib.ipv6_src, &ip->saddr, 16);
		__builtin_memcpy(fib.ipv6_dst, &ip->daddr, 16);
	}
	rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), 0);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS || fib.ifindex != ctx->ingress_ifindex)
		return XDP_PASS;

	if (family == FAMILY_IPV4) {
		struct iphdr *ip = (void *)(eth + 1);
		__u16 old = *(__u16 *)&ip->ttl, new;

		if ((void *)(ip + 1) > data_end)
			return XDP_PASS;
		ip->ttl--;
		new = *(__u16 *)&ip->ttl;
		ip->check = csum_apply(ip->check, csum_delta16(0, old, new));
	} else {
		struct ipv6hdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > data_end)
			return XDP_PASS;
		ip->hop_limit--;
	}
	__builtin_memcpy(eth->h_dest, fib.dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, fib.smac, ETH_ALEN);
	return XDP_TX;
}

#endif

/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Sending a translated packet on. A translated packet often carries one of this node's own
 * addresses as its source (SNAT, a reply from a service address), which the stack would drop as
 * martian, so it must leave from BPF, never go up the stack:
 *  - XDP looks up the next hop of the translated packet first; when it leaves by the interface it
 *    came in on with a known neighbour, and XDP may transmit there (xdp_tx_interfaces), XDP rewrites
 *    it and transmits it (XDP_TX). Otherwise XDP passes it on untouched and tc on the same
 *    interface finishes the job.
 *  - tc rewrites through the skb helpers and redirects with bpf_redirect_neigh, which resolves
 *    the neighbour when it is not known yet.
 */
#ifndef SLUICE_FORWARD_H
#define SLUICE_FORWARD_H

#include "common.h"
#include "csum.h"
#include "nat.h"
#include "stats.h"
#include <linux/pkt_cls.h>

#ifndef AF_INET
#define AF_INET 2
#endif
#ifndef AF_INET6
#define AF_INET6 10
#endif

/*
 * Interfaces where XDP may send a packet itself (XDP_TX). The agent lists the physical devices it
 * attached natively, and every device in generic mode. A veth's native XDP_TX only works while its
 * peer runs XDP or GRO, which this node can neither see nor ensure, and fails silently otherwise:
 * on an unlisted interface XDP passes translated traffic to tc, whose redirect always works.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);  /* ifindex */
	__type(value, __u8); /* 1 */
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xdp_tx_interfaces SEC(".maps");

static __always_inline int xdp_may_transmit(struct xdp_md *ctx)
{
	__u32 ifindex = ctx->ingress_ifindex;

	return bpf_map_lookup_elem(&xdp_tx_interfaces, &ifindex) != NULL;
}

/*
 * Fills a FIB query for the packet as it will be once translated. `ip_length` is checked against
 * the egress MTU; tc passes 0, so the kernel checks the skb itself and lets GSO packets through
 * (their segments fit), where an IP length of 64 KiB would fail as "fragmentation needed".
 */
static __always_inline void fib_query(struct bpf_fib_lookup *fib, const struct packet *p,
				      const struct rewrite *rw, __u32 ifindex, __u16 ip_length)
{
	__builtin_memset(fib, 0, sizeof(*fib));
	fib->ifindex = ifindex;
	fib->l4_protocol = p->tuple.protocol;
	fib->tot_len = ip_length;
	if (p->tuple.family == FAMILY_IPV4) {
		fib->family = AF_INET;
		fib->ipv4_src = rw->src.v4;
		fib->ipv4_dst = rw->dst.v4;
	} else {
		fib->family = AF_INET6;
		__builtin_memcpy(fib->ipv6_src, &rw->src, 16);
		__builtin_memcpy(fib->ipv6_dst, &rw->dst, 16);
	}
}

/* Decrements TTL / hop limit in place; returns -1 when the packet must not be forwarded. */
static __always_inline int hop_xdp(void *data, void *data_end, __u8 family)
{
	if (family == FAMILY_IPV4) {
		struct iphdr *ip = data + sizeof(struct ethhdr);
		__u16 old, new;

		if ((void *)(ip + 1) > data_end || ip->ttl <= 1)
			return -1;
		old = *(__u16 *)&ip->ttl;
		ip->ttl--;
		new = *(__u16 *)&ip->ttl;
		ip->check = csum_apply(ip->check, csum_delta16(0, old, new));
	} else {
		struct ipv6hdr *ip = data + sizeof(struct ethhdr);

		if ((void *)(ip + 1) > data_end || ip->hop_limit <= 1)
			return -1;
		ip->hop_limit--;
	}
	return 0;
}

/*
 * XDP: sends the packet, as `rw` makes it, back out the interface it came in on when that is where
 * its next hop is and the neighbour is known; `translate` says whether the packet still has to be
 * rewritten. Returns XDP_PASS, with the packet untouched, when XDP cannot send it: tc finishes.
 * Not inlined: its FIB query would otherwise add to the stack of the call into lb_decide.
 */
static __attribute__((noinline, unused)) int transmit_xdp(struct xdp_md *ctx, const struct packet *p, const struct rewrite *rw,
					int translate)
{
	struct bpf_fib_lookup fib;
	void *data, *data_end;
	struct ethhdr *eth;

	if (!xdp_may_transmit(ctx))
		return XDP_PASS;
	fib_query(&fib, p, rw, ctx->ingress_ifindex, p->ip_length);
	if (bpf_fib_lookup(ctx, &fib, sizeof(fib), 0) != BPF_FIB_LKUP_RET_SUCCESS ||
	    fib.ifindex != ctx->ingress_ifindex)
		return XDP_PASS;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if ((translate && rewrite_xdp(data, data_end, p, rw)) || hop_xdp(data, data_end, p->tuple.family))
		return XDP_PASS;
	eth = data;
	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	__builtin_memcpy(eth->h_dest, fib.dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, fib.smac, ETH_ALEN);
	return XDP_TX;
}

/*
 * tc: looks up where the packet, as `rw` makes it, goes. The kernel checks it against the egress
 * MTU as it is (a GSO packet's segments fit): BPF_FIB_LKUP_RET_FRAG_NEEDED, with the MTU in
 * fib->mtu_result, is the caller's to answer. A test run has no ingress device; its skb's own
 * device stands in.
 */
static __always_inline int route_skb(struct __sk_buff *skb, const struct packet *p, const struct rewrite *rw,
				     struct bpf_fib_lookup *fib)
{
	fib_query(fib, p, rw, skb->ingress_ifindex ? skb->ingress_ifindex : skb->ifindex, 0);
	return bpf_fib_lookup(skb, fib, sizeof(*fib), 0);
}

/* tc: sends the translated packet to the next hop `fib` found, resolving the neighbour. */
static __always_inline int send_skb(struct __sk_buff *skb, const struct packet *p, const struct bpf_fib_lookup *fib)
{
	struct bpf_redir_neigh next_hop = {};

	if (p->tuple.family == FAMILY_IPV4) {
		__u8 ttl;

		if (bpf_skb_load_bytes(skb, p->l3_offset + offsetof(struct iphdr, ttl), &ttl, 1) || ttl <= 1) {
			count_drop(DROP_TTL_EXPIRED);
			return TC_ACT_SHOT;
		}
		/* TTL shares its 16-bit checksum word with the protocol byte; fix the checksum for the TTL byte. */
		bpf_l3_csum_replace(skb, p->l3_offset + offsetof(struct iphdr, check), bpf_htons(ttl << 8),
				    bpf_htons((ttl - 1) << 8), 2);
		ttl--;
		bpf_skb_store_bytes(skb, p->l3_offset + offsetof(struct iphdr, ttl), &ttl, 1, 0);
		next_hop.nh_family = AF_INET;
		next_hop.ipv4_nh = fib->ipv4_dst;
	} else {
		__u8 hops;

		if (bpf_skb_load_bytes(skb, p->l3_offset + offsetof(struct ipv6hdr, hop_limit), &hops, 1) || hops <= 1) {
			count_drop(DROP_TTL_EXPIRED);
			return TC_ACT_SHOT;
		}
		hops--;
		bpf_skb_store_bytes(skb, p->l3_offset + offsetof(struct ipv6hdr, hop_limit), &hops, 1, 0);
		next_hop.nh_family = AF_INET6;
		__builtin_memcpy(next_hop.ipv6_nh, fib->ipv6_dst, 16);
	}
	return bpf_redirect_neigh(fib->ifindex, &next_hop, sizeof(next_hop), 0);
}

/* tc: the packet is translated already (an ICMP error about a connection); sends it on. Not
 * inlined: its FIB query would otherwise add to the stack of the call into lb_decide. */
static __attribute__((noinline, unused)) int forward_skb(struct __sk_buff *skb, const struct packet *p, const struct rewrite *rw)
{
	struct bpf_fib_lookup fib;
	int rc = route_skb(skb, p, rw, &fib);

	if (rc != BPF_FIB_LKUP_RET_SUCCESS && rc != BPF_FIB_LKUP_RET_NO_NEIGH) {
		count_fib_failure(rc);
		return TC_ACT_SHOT;
	}
	return send_skb(skb, p, &fib);
}

#endif

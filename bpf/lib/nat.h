/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Address and port translation of a parsed packet. XDP writes the packet and updates checksums
 * itself (RFC 1624); tc goes through the skb helpers, which also keep checksum offload state
 * (CHECKSUM_PARTIAL from local pods) right.
 */
#ifndef SLUICE_NAT_H
#define SLUICE_NAT_H

#include "common.h"
#include "csum.h"
#include "parse.h"

struct rewrite {
	union address src;
	union address dst;
	__be16 sport;
	__be16 dport;
	/* Not part of the rewrite: the service whose traffic the packet is (0: none), for the attach
	 * point to count once it has acted on the packet. Here because it fills the struct's padding
	 * and so costs no stack, where every byte is spoken for (see lb_decide). */
	__u32 service_id;
};

static __always_inline __u32 l4_checksum_offset(__u8 protocol)
{
	return protocol == IPPROTO_TCP ? offsetof(struct tcphdr, check)
				       : offsetof(struct udphdr, check);
}

/* Rewrites an XDP frame in place; returns 0, or -1 when the headers are no longer in bounds. */
static __always_inline int rewrite_xdp(void *data, void *data_end, const struct packet *p,
				       const struct rewrite *rw)
{
	const struct tuple *t = &p->tuple;
	int words = t->family == FAMILY_IPV4 ? 2 : 8;
	__u32 address_delta = 0, port_delta = 0;
	__u16 *ports, *check;

	address_delta = csum_delta_address(address_delta, &t->src, &rw->src, words);
	address_delta = csum_delta_address(address_delta, &t->dst, &rw->dst, words);
	port_delta = csum_delta16(port_delta, t->sport, rw->sport);
	port_delta = csum_delta16(port_delta, t->dport, rw->dport);

	if (t->family == FAMILY_IPV4) {
		struct iphdr *ip = data + sizeof(struct ethhdr);

		if ((void *)(ip + 1) > data_end)
			return -1;
		ip->saddr = rw->src.v4;
		ip->daddr = rw->dst.v4;
		ip->check = csum_apply(ip->check, address_delta);
	} else {
		struct ipv6hdr *ip = data + sizeof(struct ethhdr);

		if ((void *)(ip + 1) > data_end)
			return -1;
		__builtin_memcpy(&ip->saddr, &rw->src, 16);
		__builtin_memcpy(&ip->daddr, &rw->dst, 16);
	}
	/* A later fragment has no transport header: its first fragment's checksum covers it. */
	if (p->fragment == FRAGMENT_LATER)
		return 0;
	if (p->l4_offset > 512)
		return -1;
	ports = data + p->l4_offset;
	check = data + p->l4_offset + l4_checksum_offset(t->protocol);
	if ((void *)(ports + 2) > data_end || (void *)(check + 1) > data_end)
		return -1;
	ports[0] = rw->sport;
	ports[1] = rw->dport;
	if (t->protocol == IPPROTO_UDP && t->family == FAMILY_IPV4)
		*check = csum_apply_udp(*check, address_delta + port_delta);
	else
		*check = csum_apply(*check, address_delta + port_delta);
	return 0;
}

static __always_inline int store_address_skb(struct __sk_buff *skb, const struct packet *p,
					     __u32 offset, const union address *old,
					     const union address *new)
{
	__u32 l4_check = p->l4_offset + l4_checksum_offset(p->tuple.protocol);
	__u64 mangled = p->tuple.protocol == IPPROTO_UDP ? BPF_F_MARK_MANGLED_0 : 0;

	if (p->tuple.family == FAMILY_IPV4) {
		if (p->fragment != FRAGMENT_LATER &&
		    bpf_l4_csum_replace(skb, l4_check, old->v4, new->v4,
					BPF_F_PSEUDO_HDR | mangled | sizeof(__u32)))
			return -1;
		if (bpf_l3_csum_replace(skb, p->l3_offset + offsetof(struct iphdr, check), old->v4,
					new->v4, sizeof(__u32)))
			return -1;
		return bpf_skb_store_bytes(skb, offset, &new->v4, sizeof(__u32), 0);
	}
	{
		__s64 diff = bpf_csum_diff((__be32 *)old->v6, 16, (__be32 *)new->v6, 16, 0);

		if (diff < 0)
			return -1;
		if (p->fragment != FRAGMENT_LATER &&
		    bpf_l4_csum_replace(skb, l4_check, 0, diff, BPF_F_PSEUDO_HDR | mangled))
			return -1;
		return bpf_skb_store_bytes(skb, offset, new->v6, 16, 0);
	}
}

static __always_inline int store_port_skb(struct __sk_buff *skb, const struct packet *p,
					  __u32 offset, __be16 old, __be16 new)
{
	__u32 l4_check = p->l4_offset + l4_checksum_offset(p->tuple.protocol);
	__u64 mangled = p->tuple.protocol == IPPROTO_UDP ? BPF_F_MARK_MANGLED_0 : 0;

	if (old == new)
		return 0;
	if (bpf_l4_csum_replace(skb, l4_check, old, new, mangled | sizeof(__u16)))
		return -1;
	return bpf_skb_store_bytes(skb, offset, &new, sizeof(__u16), 0);
}

/* Rewrites an skb through the helpers; returns 0 or a negative error. */
static __always_inline int rewrite_skb(struct __sk_buff *skb, const struct packet *p,
				       const struct rewrite *rw)
{
	const struct tuple *t = &p->tuple;
	__u32 src_offset, dst_offset;

	if (t->family == FAMILY_IPV4) {
		src_offset = p->l3_offset + offsetof(struct iphdr, saddr);
		dst_offset = p->l3_offset + offsetof(struct iphdr, daddr);
	} else {
		src_offset = p->l3_offset + offsetof(struct ipv6hdr, saddr);
		dst_offset = p->l3_offset + offsetof(struct ipv6hdr, daddr);
	}
	if (!address_equal(&t->src, &rw->src) &&
	    store_address_skb(skb, p, src_offset, &t->src, &rw->src))
		return -1;
	if (!address_equal(&t->dst, &rw->dst) &&
	    store_address_skb(skb, p, dst_offset, &t->dst, &rw->dst))
		return -1;
	if (p->fragment == FRAGMENT_LATER)
		return 0;
	if (store_port_skb(skb, p, p->l4_offset, t->sport, rw->sport))
		return -1;
	return store_port_skb(skb, p, p->l4_offset + 2, t->dport, rw->dport);
}

#endif

/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Rejecting a connection to a service without backends, so clients fail fast as kube-proxy's
 * REJECT makes them: a TCP segment is answered with a RST, anything else with ICMP port unreachable
 * quoting the offending packet's IP header and first 8 payload bytes. The answer leaves by the
 * interface it came in on. The frames are built here; XDP (xdp_node.c) and tc (tc.h) resize and send them.
 */
#ifndef SLUICE_REJECT_H
#define SLUICE_REJECT_H

#include "common.h"
#include "csum.h"
#include "parse.h"

#define REJECT_TTL 64
#define ICMP_QUOTE_MAX 128

static __always_inline __u16 csum_finish(__s64 sum)
{
	return ~csum_fold32((__u32)sum);
}

static __always_inline __u32 pseudo_header_sum(const union address *src, const union address *dst,
					       __u8 family, __u8 protocol, __u32 length)
{
	__u32 sum = 0;
	int words = family == FAMILY_IPV4 ? 2 : 8;
	const __u16 *s = (const __u16 *)src, *d = (const __u16 *)dst;

#pragma unroll
	for (int i = 0; i < 8; i++) {
		if (i < words)
			sum += s[i] + d[i];
	}
	sum += bpf_htons(protocol);
	sum += bpf_htons(length & 0xffff);
	sum += bpf_htons(length >> 16);
	return sum;
}

static __always_inline void swap_macs(struct ethhdr *eth)
{
	unsigned char mac[ETH_ALEN];

	__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);
}

static __always_inline void fill_ipv4(struct iphdr *ip, __be32 src, __be32 dst, __u8 protocol,
				      __u16 total_length)
{
	__builtin_memset(ip, 0, sizeof(*ip));
	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = bpf_htons(total_length);
	ip->frag_off = bpf_htons(IPV4_DF);
	ip->ttl = REJECT_TTL;
	ip->protocol = protocol;
	ip->saddr = src;
	ip->daddr = dst;
	ip->check = csum_finish(bpf_csum_diff(0, 0, (__be32 *)ip, sizeof(*ip), 0));
}

static __always_inline void fill_ipv6(struct ipv6hdr *ip, const union address *src,
				      const union address *dst, __u8 protocol, __u16 payload_length)
{
	__builtin_memset(ip, 0, sizeof(*ip));
	ip->version = 6;
	ip->payload_len = bpf_htons(payload_length);
	ip->nexthdr = protocol;
	ip->hop_limit = REJECT_TTL;
	__builtin_memcpy(&ip->saddr, src, 16);
	__builtin_memcpy(&ip->daddr, dst, 16);
}

/* The RST that refuses the TCP segment `in`, checksum included. */
static __always_inline void reject_tcp_header(const struct packet *p, const struct tcphdr *in,
					      struct tcphdr *out)
{
	const struct tuple *t = &p->tuple;
	__u32 payload = p->l3_offset + p->ip_length - p->l4_offset - in->doff * 4;
	__u32 sum;

	__builtin_memset(out, 0, sizeof(*out));
	out->source = in->dest;
	out->dest = in->source;
	out->doff = 5;
	out->rst = 1;
	if (in->ack) {
		out->seq = in->ack_seq;
	} else {
		out->ack = 1;
		out->ack_seq = bpf_htonl(bpf_ntohl(in->seq) + payload + in->syn + in->fin);
	}
	sum = pseudo_header_sum(&t->dst, &t->src, t->family, IPPROTO_TCP, sizeof(*out));
	out->check = csum_finish(bpf_csum_diff(0, 0, (__be32 *)out, sizeof(*out), sum));
}

static __always_inline __u32 reject_tcp_frame_length(const struct packet *p)
{
	return sizeof(struct ethhdr) + sizeof(struct tcphdr) +
	       (p->tuple.family == FAMILY_IPV4 ? sizeof(struct iphdr) : sizeof(struct ipv6hdr));
}

/* Writes Ethernet, IP and the RST over the start of the frame; returns -1 when out of bounds. */
static __always_inline int reject_tcp_write(void *data, void *data_end, const struct packet *p,
					    const struct tcphdr *out)
{
	const struct tuple *t = &p->tuple;
	__u32 l3_length = t->family == FAMILY_IPV4 ? sizeof(struct iphdr) : sizeof(struct ipv6hdr);
	struct ethhdr *eth = data;
	void *l3 = data + sizeof(struct ethhdr);
	struct tcphdr *l4 = l3 + l3_length;

	if ((void *)(l4 + 1) > data_end)
		return -1;
	swap_macs(eth);
	if (t->family == FAMILY_IPV4) {
		fill_ipv4(l3, t->dst.v4, t->src.v4, IPPROTO_TCP, l3_length + sizeof(*out));
	} else {
		eth->h_proto = bpf_htons(ETH_P_IPV6);
		fill_ipv6(l3, &t->dst, &t->src, IPPROTO_TCP, sizeof(*out));
	}
	__builtin_memcpy(l4, out, sizeof(*out));
	return 0;
}

/* The bytes an ICMP error quotes: the offending IP header and 8 bytes of what follows. */
static __always_inline int reject_quote_length(const struct packet *p)
{
	__u32 quoted = p->l4_offset - p->l3_offset + 8;

	if (quoted > ICMP_QUOTE_MAX)
		quoted = ICMP_QUOTE_MAX;
	return quoted > p->ip_length ? -1 : (int)quoted;
}

static __always_inline __u32 reject_icmp_outer_length(const struct packet *p)
{
	return p->tuple.family == FAMILY_IPV4 ? sizeof(struct iphdr) + sizeof(struct icmphdr)
					      : sizeof(struct ipv6hdr) + sizeof(struct icmp6hdr);
}

/*
 * Writes Ethernet (addressed back to `eth`'s sender), IP and ICMP at the start of the frame, in
 * front of the quote already in place after them: port unreachable when `mtu` is 0, else
 * fragmentation needed (IPv4) or packet too big (IPv6) naming that MTU. The error comes from the
 * address the sender addressed, so it matches the sender's socket. `quote` holds the same bytes,
 * zero-padded, for the checksum.
 */
static __always_inline int reject_icmp_write(void *data, void *data_end, const struct packet *p,
					     const struct ethhdr *eth, const __u8 *quote, __u32 quoted, __u32 mtu)
{
	const struct tuple *t = &p->tuple;
	__u32 outer = reject_icmp_outer_length(p);
	struct ethhdr *out_eth = data;
	void *l3 = data + sizeof(struct ethhdr);
	__u32 sum;

	if ((void *)(out_eth + 1) > data_end)
		return -1;
	__builtin_memcpy(out_eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(out_eth->h_source, eth->h_dest, ETH_ALEN);
	out_eth->h_proto = eth->h_proto;
	if (t->family == FAMILY_IPV4) {
		struct iphdr *ip = l3;
		struct icmphdr *icmp = l3 + sizeof(struct iphdr);

		if ((void *)(icmp + 1) > data_end)
			return -1;
		fill_ipv4(ip, t->dst.v4, t->src.v4, IPPROTO_ICMP, outer + quoted);
		__builtin_memset(icmp, 0, sizeof(*icmp));
		icmp->type = ICMP_DEST_UNREACH;
		icmp->code = mtu ? ICMP_FRAG_NEEDED : ICMP_PORT_UNREACH;
		icmp->rest = bpf_htonl(mtu & 0xffff); /* 16 unused bits, then the next-hop MTU */
		sum = bpf_csum_diff(0, 0, (__be32 *)icmp, sizeof(*icmp), 0);
		sum = bpf_csum_diff(0, 0, (__be32 *)quote, ICMP_QUOTE_MAX, sum);
		icmp->checksum = csum_finish(sum);
	} else {
		struct ipv6hdr *ip = l3;
		struct icmp6hdr *icmp = l3 + sizeof(struct ipv6hdr);

		if ((void *)(icmp + 1) > data_end)
			return -1;
		fill_ipv6(ip, &t->dst, &t->src, IPPROTO_ICMPV6, sizeof(*icmp) + quoted);
		__builtin_memset(icmp, 0, sizeof(*icmp));
		icmp->icmp6_type = mtu ? ICMPV6_PKT_TOOBIG : ICMPV6_DEST_UNREACH;
		icmp->icmp6_code = mtu ? 0 : ICMPV6_PORT_UNREACH;
		icmp->rest = bpf_htonl(mtu);
		sum = pseudo_header_sum(&t->dst, &t->src, FAMILY_IPV6, IPPROTO_ICMPV6,
					sizeof(*icmp) + quoted);
		sum = bpf_csum_diff(0, 0, (__be32 *)icmp, sizeof(*icmp), sum);
		sum = bpf_csum_diff(0, 0, (__be32 *)quote, ICMP_QUOTE_MAX, sum);
		icmp->icmp6_cksum = csum_finish(sum);
	}
	return 0;
}

/*
 * Header lengths are multiples of 4, and so is the quote: it is copied word by word, each load of
 * constant size, which keeps the verifier's bounds simple. `load` is the attach point's helper.
 */
#define REJECT_LOAD_QUOTE(load, ctx, p, quote, quoted)                                   \
	({                                                                               \
		int __err = 0;                                                           \
		for (__u32 __i = 0; __i < ICMP_QUOTE_MAX / 4; __i++) {                   \
			if (__i * 4 >= (quoted))                                         \
				break;                                                   \
			if (load(ctx, (p)->l3_offset + __i * 4, &(quote)[__i * 4], 4)) { \
				__err = -1;                                              \
				break;                                                   \
			}                                                                \
		}                                                                        \
		__err;                                                                   \
	})

#endif

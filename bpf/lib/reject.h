/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Rejecting a connection to a service without backends, from XDP, so clients fail fast: a TCP
 * segment is answered with a RST, anything else with ICMP port unreachable quoting the offending
 * packet's IP header and first 8 payload bytes. The answer leaves by the interface it came in on.
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
	ip->frag_off = bpf_htons(0x4000);
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

/* Turns the TCP segment into the RST that refuses it, headers only. */
static __attribute__((noinline)) int reject_tcp(struct xdp_md *ctx, const struct packet *p)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	const struct tuple *t = &p->tuple;
	struct tcphdr *in = data + (p->l4_offset & 0x1ff), out = {};
	__u32 l3_length = t->family == FAMILY_IPV4 ? sizeof(struct iphdr) : sizeof(struct ipv6hdr);
	__u32 frame_length = sizeof(struct ethhdr) + l3_length + sizeof(struct tcphdr);
	__u32 segment_length, payload;
	__u32 sum;

	if ((void *)(in + 1) > data_end)
		return XDP_DROP;
	segment_length = p->l3_offset + p->ip_length - p->l4_offset;
	payload = segment_length - in->doff * 4;
	out.source = in->dest;
	out.dest = in->source;
	out.doff = 5;
	out.rst = 1;
	if (in->ack) {
		out.seq = in->ack_seq;
	} else {
		out.ack = 1;
		out.ack_seq = bpf_htonl(bpf_ntohl(in->seq) + payload + in->syn + in->fin);
	}
	sum = pseudo_header_sum(&t->dst, &t->src, t->family, IPPROTO_TCP, sizeof(out));
	out.check = csum_finish(bpf_csum_diff(0, 0, (__be32 *)&out, sizeof(out), sum));

	{
		struct ethhdr *eth = data;
		void *l3 = data + sizeof(struct ethhdr);
		struct tcphdr *l4 = l3 + l3_length;

		if ((void *)(l4 + 1) > data_end)
			return XDP_DROP;
		swap_macs(eth);
		if (t->family == FAMILY_IPV4) {
			fill_ipv4(l3, t->dst.v4, t->src.v4, IPPROTO_TCP, l3_length + sizeof(out));
		} else {
			eth->h_proto = bpf_htons(ETH_P_IPV6);
			fill_ipv6(l3, &t->dst, &t->src, IPPROTO_TCP, sizeof(out));
		}
		__builtin_memcpy(l4, &out, sizeof(out));
	}
	if (bpf_xdp_adjust_tail(ctx, (int)frame_length - (int)p->length))
		return XDP_DROP;
	return XDP_TX;
}

/* Prepends IP + ICMP headers that quote the offending packet and sends the result back. */
static __attribute__((noinline)) int reject_icmp(struct xdp_md *ctx, const struct packet *p)
{
	const struct tuple *t = &p->tuple;
	int ipv4 = t->family == FAMILY_IPV4;
	__u32 outer = ipv4 ? sizeof(struct iphdr) + sizeof(struct icmphdr)
			   : sizeof(struct ipv6hdr) + sizeof(struct icmp6hdr);
	__u32 quoted = p->l4_offset - p->l3_offset + 8;
	__u8 quote[ICMP_QUOTE_MAX] = {};
	struct ethhdr eth;
	void *data, *data_end;
	__u32 sum;

	if (quoted > ICMP_QUOTE_MAX)
		quoted = ICMP_QUOTE_MAX;
	if (quoted > p->ip_length)
		return XDP_DROP;
	/* Header lengths are multiples of 4, and so is the quote: copy it word by word, each load of
	 * constant size, which keeps the verifier's bounds simple. */
	for (__u32 i = 0; i < ICMP_QUOTE_MAX / 4; i++) {
		if (i * 4 >= quoted)
			break;
		if (bpf_xdp_load_bytes(ctx, p->l3_offset + i * 4, &quote[i * 4], 4))
			return XDP_DROP;
	}
	if (bpf_xdp_load_bytes(ctx, 0, &eth, sizeof(eth)))
		return XDP_DROP;
	if (bpf_xdp_adjust_head(ctx, -(int)outer))
		return XDP_DROP;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	{
		struct ethhdr *out_eth = data;
		void *l3 = data + sizeof(struct ethhdr);

		if ((void *)(out_eth + 1) > data_end)
			return XDP_DROP;
		__builtin_memcpy(out_eth->h_dest, eth.h_source, ETH_ALEN);
		__builtin_memcpy(out_eth->h_source, eth.h_dest, ETH_ALEN);
		out_eth->h_proto = eth.h_proto;
		if (ipv4) {
			struct iphdr *ip = l3;
			struct icmphdr *icmp = l3 + sizeof(struct iphdr);

			if ((void *)(icmp + 1) > data_end)
				return XDP_DROP;
			fill_ipv4(ip, t->dst.v4, t->src.v4, IPPROTO_ICMP, outer + quoted);
			__builtin_memset(icmp, 0, sizeof(*icmp));
			icmp->type = ICMP_DEST_UNREACH;
			icmp->code = ICMP_PORT_UNREACH;
			sum = bpf_csum_diff(0, 0, (__be32 *)icmp, sizeof(*icmp), 0);
			sum = bpf_csum_diff(0, 0, (__be32 *)quote, ICMP_QUOTE_MAX, sum);
			icmp->checksum = csum_finish(sum);
		} else {
			struct ipv6hdr *ip = l3;
			struct icmp6hdr *icmp = l3 + sizeof(struct ipv6hdr);

			if ((void *)(icmp + 1) > data_end)
				return XDP_DROP;
			fill_ipv6(ip, &t->dst, &t->src, IPPROTO_ICMPV6, sizeof(*icmp) + quoted);
			__builtin_memset(icmp, 0, sizeof(*icmp));
			icmp->icmp6_type = ICMPV6_DEST_UNREACH;
			icmp->icmp6_code = ICMPV6_PORT_UNREACH;
			sum = pseudo_header_sum(&t->dst, &t->src, FAMILY_IPV6, IPPROTO_ICMPV6,
						sizeof(*icmp) + quoted);
			sum = bpf_csum_diff(0, 0, (__be32 *)icmp, sizeof(*icmp), sum);
			sum = bpf_csum_diff(0, 0, (__be32 *)quote, ICMP_QUOTE_MAX, sum);
			icmp->icmp6_cksum = csum_finish(sum);
		}
	}
	/* The quote already sits where it belongs: the original packet follows the new headers. */
	if (bpf_xdp_adjust_tail(ctx, (int)(sizeof(struct ethhdr) + outer + quoted) -
					     (int)(p->length + outer)))
		return XDP_DROP;
	return XDP_TX;
}

#endif

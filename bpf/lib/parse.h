/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Header parsing shared by XDP and tc: one pass that yields the tuple and the header offsets. */
#ifndef SLUICE_PARSE_H
#define SLUICE_PARSE_H

#include "common.h"

#define IPV4_DF 0x4000
#define IPV4_MF 0x2000
#define IPV4_OFFSET_MASK 0x1fff
#define IPV6_MAX_EXTENSION_HEADERS 4
#define IPV6_OFFSET_MASK 0xfff8

/* linux/ipv6.h has no fragment header outside the kernel. */
struct frag_hdr {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off; /* offset in 8-octet units << 3, then two reserved bits and M */
	__be32 identification;
};

enum parse_result {
	PARSE_OK = 0,
	PARSE_NEED_MORE,     /* headers go past the linear data: pull p->pull_length bytes, parse again */
	PARSE_NOT_IP,        /* not IPv4/IPv6: never ours */
	PARSE_MALFORMED,     /* truncated or inconsistent headers: left untouched */
	PARSE_OTHER_L4,      /* an L4 protocol the datapath does not translate */
	PARSE_ICMP_ERROR,    /* ICMP/ICMPv6 error about some connection: see icmp_error.h */
};

/*
 * IP fragments are translated too (a DNS answer of 4 KiB over UDP arrives in three): the first
 * carries the transport header, later ones only the addresses; fragment.h remembers the first's
 * ports for the rest.
 */
enum fragment_kind {
	FRAGMENT_NONE = 0,
	FRAGMENT_FIRST,  /* offset 0, more to come: transport header present, its length is the datagram's */
	FRAGMENT_LATER,  /* no transport header: ports come from the first fragment */
};

struct packet {
	struct tuple tuple;
	__u32 l3_offset;
	__u32 l4_offset;
	__u32 length;      /* whole frame, linear or not */
	__u32 ip_length;   /* the IP datagram as its header says, without link padding */
	__u32 pull_length; /* with PARSE_NEED_MORE: the linear bytes the headers need */
	__be32 fragment_id; /* IPv4 identification (in the low 16 bits) or IPv6 fragment identification */
	__u8 tcp_flags;
	__u8 fragment;      /* enum fragment_kind */
	__u8 pad[2];
};

/*
 * Headers are read from the linear data only, lengths are checked against the whole frame: a TCP
 * segment of 64 KiB (GSO, GRO) keeps its payload in fragments, and that is fine. A header that the
 * frame holds but the linear data does not asks the caller to pull up to its end and parse again.
 */
static __always_inline int header_missing(__u32 end_offset, struct packet *p)
{
	if (end_offset > p->length)
		return PARSE_MALFORMED;
	p->pull_length = end_offset;
	return PARSE_NEED_MORE;
}

/* The comparison stays on the header's own pointer, so the verifier learns its range. */
#define REQUIRE_HEADER(data_end, header, offset, p)                              \
	do {                                                                     \
		if ((void *)((header) + 1) > (data_end))                         \
			return header_missing((offset) + sizeof(*(header)), p);  \
	} while (0)

static __always_inline int parse_ipv4(void *data, void *data_end, struct packet *p)
{
	struct iphdr *ip = data + p->l3_offset;
	__u32 header_length;

	REQUIRE_HEADER(data_end, ip, p->l3_offset, p);
	header_length = ip->ihl * 4;
	if (ip->version != 4 || header_length < sizeof(*ip) ||
	    bpf_ntohs(ip->tot_len) < header_length ||
	    p->l3_offset + bpf_ntohs(ip->tot_len) > p->length)
		return PARSE_MALFORMED;
	if (ip->frag_off & bpf_htons(IPV4_MF | IPV4_OFFSET_MASK)) {
		p->fragment = ip->frag_off & bpf_htons(IPV4_OFFSET_MASK) ? FRAGMENT_LATER : FRAGMENT_FIRST;
		p->fragment_id = ip->id;
	}
	p->tuple.family = FAMILY_IPV4;
	p->tuple.protocol = ip->protocol;
	p->ip_length = bpf_ntohs(ip->tot_len);
	p->tuple.src.v4 = ip->saddr;
	p->tuple.dst.v4 = ip->daddr;
	p->l4_offset = p->l3_offset + header_length;
	return PARSE_OK;
}

static __always_inline int parse_ipv6(void *data, void *data_end, struct packet *p)
{
	struct ipv6hdr *ip = data + p->l3_offset;
	__u32 offset = p->l3_offset + sizeof(*ip);
	__u8 next;

	REQUIRE_HEADER(data_end, ip, p->l3_offset, p);
	if (ip->version != 6 || offset + bpf_ntohs(ip->payload_len) > p->length)
		return PARSE_MALFORMED;
	p->ip_length = sizeof(*ip) + bpf_ntohs(ip->payload_len);
	next = ip->nexthdr;
#pragma unroll
	for (int i = 0; i < IPV6_MAX_EXTENSION_HEADERS; i++) {
		struct ipv6_opt_hdr *ext = data + offset;

		if (next == IPPROTO_FRAGMENT) {
			struct frag_hdr *frag = data + offset;

			/* A second fragment header is no valid packet. */
			if (p->fragment)
				return PARSE_MALFORMED;
			REQUIRE_HEADER(data_end, frag, offset, p);
			p->fragment = frag->frag_off & bpf_htons(IPV6_OFFSET_MASK) ? FRAGMENT_LATER
										      : FRAGMENT_FIRST;
			p->fragment_id = frag->identification;
			next = frag->nexthdr;
			offset += sizeof(*frag);
			if (p->fragment == FRAGMENT_LATER)
				break;
			continue;
		}
		if (next != IPPROTO_HOPOPTS && next != IPPROTO_ROUTING && next != IPPROTO_DSTOPTS)
			break;
		REQUIRE_HEADER(data_end, ext, offset, p);
		next = ext->nexthdr;
		offset += (ext->hdrlen + 1) * 8;
	}
	if (p->fragment != FRAGMENT_LATER &&
	    (next == IPPROTO_HOPOPTS || next == IPPROTO_ROUTING || next == IPPROTO_DSTOPTS ||
	     next == IPPROTO_FRAGMENT))
		return PARSE_OTHER_L4;
	p->tuple.family = FAMILY_IPV6;
	p->tuple.protocol = next;
	__builtin_memcpy(&p->tuple.src, &ip->saddr, 16);
	__builtin_memcpy(&p->tuple.dst, &ip->daddr, 16);
	p->l4_offset = offset;
	return PARSE_OK;
}

/* Transport headers must lie inside the IP datagram, not merely inside the frame: a header that
 * runs past the IP length (into link padding or garbage) is malformed and never translated. */
static __always_inline int parse_l4(void *data, void *data_end, struct packet *p)
{
	void *l4 = data + p->l4_offset;
	__u32 segment;

	if (p->l3_offset + p->ip_length < p->l4_offset)
		return PARSE_MALFORMED;
	segment = p->l3_offset + p->ip_length - p->l4_offset;
	if (p->fragment == FRAGMENT_LATER)
		return p->tuple.protocol == IPPROTO_TCP || p->tuple.protocol == IPPROTO_UDP ? PARSE_OK
											     : PARSE_OTHER_L4;

	switch (p->tuple.protocol) {
	case IPPROTO_TCP: {
		struct tcphdr *tcp = l4;

		REQUIRE_HEADER(data_end, tcp, p->l4_offset, p);
		if (tcp->doff < 5 || tcp->doff * 4 > segment)
			return PARSE_MALFORMED;
		p->tuple.sport = tcp->source;
		p->tuple.dport = tcp->dest;
		p->tcp_flags = ((__u8 *)tcp)[13];
		return PARSE_OK;
	}
	case IPPROTO_UDP: {
		struct udphdr *udp = l4;

		if (segment < sizeof(*udp))
			return PARSE_MALFORMED;
		REQUIRE_HEADER(data_end, udp, p->l4_offset, p);
		/* A first fragment carries the whole datagram's length, more than it holds. */
		if (bpf_ntohs(udp->len) < sizeof(*udp) ||
		    (bpf_ntohs(udp->len) > segment && p->fragment != FRAGMENT_FIRST))
			return PARSE_MALFORMED;
		p->tuple.sport = udp->source;
		p->tuple.dport = udp->dest;
		return PARSE_OK;
	}
	case IPPROTO_ICMP: {
		struct icmphdr *icmp = l4;

		if (segment < sizeof(*icmp))
			return PARSE_MALFORMED;
		REQUIRE_HEADER(data_end, icmp, p->l4_offset, p);
		if (icmp->type == ICMP_DEST_UNREACH || icmp->type == ICMP_TIME_EXCEEDED ||
		    icmp->type == ICMP_PARAMETERPROB)
			return PARSE_ICMP_ERROR;
		return PARSE_OTHER_L4;
	}
	case IPPROTO_ICMPV6: {
		struct icmp6hdr *icmp = l4;

		if (segment < sizeof(*icmp))
			return PARSE_MALFORMED;
		REQUIRE_HEADER(data_end, icmp, p->l4_offset, p);
		if (icmp->icmp6_type == ICMPV6_DEST_UNREACH || icmp->icmp6_type == ICMPV6_PKT_TOOBIG ||
		    icmp->icmp6_type == ICMPV6_TIME_EXCEED || icmp->icmp6_type == ICMPV6_PARAMPROB)
			return PARSE_ICMP_ERROR;
		return PARSE_OTHER_L4;
	}
	default:
		return PARSE_OTHER_L4;
	}
}

/* Parses an Ethernet frame of `length` bytes whose linear part is [data, data_end). */
static __always_inline int parse_frame(void *data, void *data_end, __u32 length, struct packet *p)
{
	struct ethhdr *eth = data;
	int result;

	__builtin_memset(p, 0, sizeof(*p));
	if ((void *)(eth + 1) > data_end)
		return PARSE_NOT_IP;
	p->length = length;
	p->l3_offset = sizeof(*eth);
	if (eth->h_proto == bpf_htons(ETH_P_IP))
		result = parse_ipv4(data, data_end, p);
	else if (eth->h_proto == bpf_htons(ETH_P_IPV6))
		result = parse_ipv6(data, data_end, p);
	else
		return PARSE_NOT_IP;
	if (result != PARSE_OK)
		return result;
	return parse_l4(data, data_end, p);
}

#endif

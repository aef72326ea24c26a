/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * ICMP errors about translated connections (destination unreachable, fragmentation needed,
 * packet too big, time exceeded) are translated too, or path MTU discovery and fast failure
 * break. The error quotes a packet of the connection as it was sent after translation; the entry
 * for the opposite direction of that quoted packet says how to undo the translation:
 *   quoted src/sport <- entry's nat_dst/nat_dport    quoted dst/dport <- entry's nat_src/nat_sport
 *   outer dst <- entry's nat_dst; outer src <- entry's nat_src when the error came from the quoted
 *   packet's destination itself, otherwise (a router) unchanged.
 * Both XDP and tc call this on direct packet pointers: ICMP carries no offloaded checksums.
 */
#ifndef SLUICE_ICMP_ERROR_H
#define SLUICE_ICMP_ERROR_H

#include "common.h"
#include "conntrack.h"
#include "csum.h"
#include "parse.h"

struct quoted_packet {
	struct tuple tuple;     /* as quoted: a packet the receiver of this error once sent */
	__u32 ip_offset;        /* frame offset of the quoted IP header */
	__u32 l4_offset;        /* frame offset of the quoted transport header */
};

static __always_inline int parse_quoted(void *data, void *data_end, const struct packet *p,
					struct quoted_packet *q)
{
	__u32 offset = p->l4_offset + sizeof(struct icmphdr);
	struct udphdr *l4;

	if (offset > 512)
		return -1;
	q->ip_offset = offset;
	if (p->tuple.family == FAMILY_IPV4) {
		struct iphdr *ip = data + bounded_offset(offset);

		if ((void *)(ip + 1) > data_end || ip->ihl < 5 || ip->version != 4)
			return -1;
		q->tuple.family = FAMILY_IPV4;
		q->tuple.protocol = ip->protocol;
		q->tuple.src.v4 = ip->saddr;
		q->tuple.dst.v4 = ip->daddr;
		q->l4_offset = offset + ip->ihl * 4;
	} else {
		struct ipv6hdr *ip = data + bounded_offset(offset);

		if ((void *)(ip + 1) > data_end || ip->version != 6)
			return -1;
		q->tuple.family = FAMILY_IPV6;
		q->tuple.protocol = ip->nexthdr;
		__builtin_memcpy(&q->tuple.src, &ip->saddr, 16);
		__builtin_memcpy(&q->tuple.dst, &ip->daddr, 16);
		q->l4_offset = offset + sizeof(*ip);
	}
	if (q->tuple.protocol != IPPROTO_TCP && q->tuple.protocol != IPPROTO_UDP)
		return -1;
	if (q->l4_offset > 600)
		return -1;
	/* The first 8 bytes of TCP and UDP headers both start with the ports; udphdr is 8 bytes. */
	l4 = data + bounded_offset(q->l4_offset);
	if ((void *)(l4 + 1) > data_end)
		return -1;
	q->tuple.sport = l4->source;
	q->tuple.dport = l4->dest;
	return 0;
}

/*
 * Translates an ICMP error in place. Returns 1 when it was about a tracked connection and was
 * rewritten, 0 when it is none of ours, -1 on a packet that went out of bounds. Not inlined, and
 * working through pointers into the entry rather than copies, to keep its stack frame small.
 */
static __attribute__((noinline)) int icmp_error_translate(void *data, void *data_end,
							  const struct packet *p)
{
	struct quoted_packet q = {};
	struct tuple opposite = {};
	const union address *outer_src;
	struct ct_value *entry;
	int words = p->tuple.family == FAMILY_IPV4 ? 2 : 8;
	__u32 address_delta = 0, quoted_delta = 0, port_delta = 0, outer_delta = 0;
	__u64 now = bpf_ktime_get_ns();

	if (parse_quoted(data, data_end, p, &q))
		return 0;
	address_copy(&opposite.src, &q.tuple.dst);
	address_copy(&opposite.dst, &q.tuple.src);
	opposite.sport = q.tuple.dport;
	opposite.dport = q.tuple.sport;
	opposite.protocol = q.tuple.protocol;
	opposite.family = q.tuple.family;
	entry = ct_lookup(&opposite, now);
	if (!entry)
		return 0;

	/* An error from the quoted packet's destination itself speaks for the translated address. */
	outer_src = address_equal(&p->tuple.src, &q.tuple.dst) ? &entry->nat_src : &p->tuple.src;
	address_delta = csum_delta_address(address_delta, &q.tuple.src, &entry->nat_dst, words);
	address_delta = csum_delta_address(address_delta, &q.tuple.dst, &entry->nat_src, words);
	port_delta = csum_delta16(port_delta, q.tuple.sport, entry->nat_dport);
	port_delta = csum_delta16(port_delta, q.tuple.dport, entry->nat_sport);
	outer_delta = csum_delta_address(outer_delta, &p->tuple.src, outer_src, words);
	outer_delta = csum_delta_address(outer_delta, &p->tuple.dst, &entry->nat_dst, words);

	{
		struct udphdr *l4 = data + bounded_offset(q.l4_offset);
		struct tcphdr *tcp = (void *)l4;

		if ((void *)(l4 + 1) > data_end)
			return -1;
		/* RFC 792 quotes only 8 transport bytes, holding UDP's checksum but not TCP's; ICMPv6
		 * errors often quote more. Whatever checksum is quoted is kept consistent. */
		if (q.tuple.protocol == IPPROTO_UDP && l4->check) {
			__u16 old = l4->check;

			l4->check = csum_apply_udp(old, address_delta + port_delta);
			quoted_delta = csum_delta16(quoted_delta, old, l4->check);
		} else if (q.tuple.protocol == IPPROTO_TCP && (void *)(tcp + 1) <= data_end) {
			__u16 old = tcp->check;

			tcp->check = csum_apply(old, address_delta + port_delta);
			quoted_delta = csum_delta16(quoted_delta, old, tcp->check);
		}
		l4->source = entry->nat_dport;
		l4->dest = entry->nat_sport;
	}
	if (p->tuple.family == FAMILY_IPV4) {
		struct iphdr *inner = data + bounded_offset(q.ip_offset);
		struct iphdr *outer = data + bounded_offset(p->l3_offset);
		struct icmphdr *icmp = data + bounded_offset(p->l4_offset);
		__u16 old_check;

		if ((void *)(inner + 1) > data_end || (void *)(outer + 1) > data_end ||
		    (void *)(icmp + 1) > data_end)
			return -1;
		old_check = inner->check;
		inner->saddr = entry->nat_dst.v4;
		inner->daddr = entry->nat_src.v4;
		inner->check = csum_apply(old_check, address_delta);
		quoted_delta = csum_delta16(quoted_delta, old_check, inner->check);
		/* The ICMPv4 checksum covers the message only: the quote's addresses, ports, checksums. */
		icmp->checksum = csum_apply(icmp->checksum, address_delta + port_delta + quoted_delta);
		outer->saddr = outer_src->v4;
		outer->daddr = entry->nat_dst.v4;
		outer->check = csum_apply(outer->check, outer_delta);
	} else {
		struct ipv6hdr *inner = data + bounded_offset(q.ip_offset);
		struct ipv6hdr *outer = data + bounded_offset(p->l3_offset);
		struct icmp6hdr *icmp = data + bounded_offset(p->l4_offset);

		if ((void *)(inner + 1) > data_end || (void *)(outer + 1) > data_end ||
		    (void *)(icmp + 1) > data_end)
			return -1;
		__builtin_memcpy(&inner->saddr, &entry->nat_dst, 16);
		__builtin_memcpy(&inner->daddr, &entry->nat_src, 16);
		/* ICMPv6 also covers its own pseudo-header, i.e. the outer addresses. */
		icmp->icmp6_cksum = csum_apply(icmp->icmp6_cksum,
					       address_delta + port_delta + quoted_delta + outer_delta);
		__builtin_memcpy(&outer->saddr, outer_src, 16);
		__builtin_memcpy(&outer->daddr, &entry->nat_dst, 16);
	}
	entry->last_seen_ns = now;
	return 1;
}

#endif

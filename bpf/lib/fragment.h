/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * IP fragments of translated connections. Only the first fragment carries the ports, so its ports
 * are remembered under the datagram's identity (addresses, protocol, identification) and lent to
 * the fragments after it, which are then decided and translated like the first: addresses only,
 * since the transport header and its checksum (covering the whole datagram) are in the first.
 * A later fragment that overtook its first one cannot be placed and passes untouched.
 */
#ifndef SLUICE_FRAGMENT_H
#define SLUICE_FRAGMENT_H

#include "common.h"
#include "parse.h"

struct fragment_key {
	union address src;
	union address dst;
	__be32 id;
	__u8 protocol;
	__u8 family;
	__u16 pad;
};

struct fragment_ports {
	__be16 sport;
	__be16 dport;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct fragment_key);
	__type(value, struct fragment_ports);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ct_fragments SEC(".maps");

/*
 * Returns 0 when the packet can be decided: no fragment, a first fragment (its ports now
 * remembered), or a later one whose ports were found; -1 for a later fragment without its first.
 * Not inlined: its key would otherwise add to the stack of the call into lb_decide.
 */
static __attribute__((noinline)) int fragment_resolve(struct packet *p)
{
	struct fragment_key key = {
		.id = p->fragment_id,
		.protocol = p->tuple.protocol,
		.family = p->tuple.family,
	};
	struct fragment_ports *found;

	if (p->fragment == FRAGMENT_NONE)
		return 0;
	address_copy(&key.src, &p->tuple.src);
	address_copy(&key.dst, &p->tuple.dst);
	if (p->fragment == FRAGMENT_FIRST) {
		struct fragment_ports ports = { .sport = p->tuple.sport, .dport = p->tuple.dport };

		bpf_map_update_elem(&ct_fragments, &key, &ports, BPF_ANY);
		return 0;
	}
	found = bpf_map_lookup_elem(&ct_fragments, &key);
	if (!found)
		return -1;
	p->tuple.sport = found->sport;
	p->tuple.dport = found->dport;
	return 0;
}

#endif

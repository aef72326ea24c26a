/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Node-wide settings the control plane writes once: hash seed, SNAT source, port range, reply budget. */
#ifndef SLUICE_CONFIG_H
#define SLUICE_CONFIG_H

#include "common.h"

#define CONFIG_F_MASQUERADE (1U << 0) /* pod traffic leaving the cluster takes the node address */

struct datapath_config {
	__u32 hash_seed;
	__u16 snat_port_min; /* host order, inclusive */
	__u16 snat_port_max; /* host order, inclusive */
	union address node_ipv4; /* SNAT source for IPv4; all zero disables IPv4 SNAT */
	union address node_ipv6; /* SNAT source for IPv6 */
	__u32 flags;
	__u32 reply_budget; /* RSTs and ICMP errors sent per second per CPU; 0: the default (reply_budget.h) */
};

/* Destinations pod traffic reaches with its own address: the pod and service CIDRs, node
 * networks. Everything else is outside the cluster and masqueraded. */
struct masquerade_exempt_key {
	__u32 prefixlen; /* 32 (family word) + CIDR prefix length */
	__u8 family;
	__u8 pad[3];
	union address address;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1024);
	__type(key, struct masquerade_exempt_key);
	__type(value, __u8);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} masq_exempt SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct datapath_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sluice_config SEC(".maps");

static __always_inline struct datapath_config *config_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&sluice_config, &zero);
}

/* Whether the address is inside the cluster: pods, services, node networks. */
static __always_inline int inside_cluster(__u8 family, const union address *address)
{
	struct masquerade_exempt_key key = { .prefixlen = 32 + 128, .family = family };

	address_copy(&key.address, address);
	return bpf_map_lookup_elem(&masq_exempt, &key) != NULL;
}

#endif

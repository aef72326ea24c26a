/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Node-wide settings the control plane writes once: hash seed, SNAT source, port range. */
#ifndef SLUICE_CONFIG_H
#define SLUICE_CONFIG_H

#include "common.h"

struct datapath_config {
	__u32 hash_seed;
	__u16 snat_port_min; /* host order, inclusive */
	__u16 snat_port_max; /* host order, inclusive */
	union address node_ipv4; /* SNAT source for IPv4; all zero disables IPv4 SNAT */
	union address node_ipv6; /* SNAT source for IPv6 */
};

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

#endif

/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Frontends, services and backends: what the control plane programs for each Service port. */
#ifndef SLUICE_SERVICE_H
#define SLUICE_SERVICE_H

#include "common.h"

#define FRONTEND_CLUSTER_IP 1
#define FRONTEND_NODE_PORT 2
#define FRONTEND_LOAD_BALANCER 3
#define FRONTEND_EXTERNAL_IP 4

/* Service flags */
#define SERVICE_F_AFFINITY (1U << 0)      /* sessionAffinity ClientIP: source port left out of the hash */
#define SERVICE_F_RANDOM (1U << 1)        /* random slot instead of the flow hash */
#define SERVICE_F_NO_SNAT (1U << 2)       /* externalTrafficPolicy Local: keep the client address */
#define SERVICE_F_DROP_EMPTY (1U << 3)    /* no backend: drop silently instead of rejecting */
#define SERVICE_F_SOURCE_RANGES (1U << 4) /* only sources in svc_source_ranges may connect */

/* Backend flags */
#define BACKEND_F_LOCAL (1U << 0) /* on this node: the kernel delivers it, no FIB forwarding, no SNAT */
#define BACKEND_F_TERMINATING (1U << 1)

struct frontend_key {
	union address address;
	__be16 port;
	__u8 protocol;
	__u8 family;
};

struct frontend_value {
	__u32 service_id;
	__u8 kind;
	__u8 pad[3];
};

struct service_value {
	__u32 flags;
	__u32 affinity_timeout_s;
	__u32 maglev_size; /* slots in this service's table; 0 when it has no backend */
	__u32 backend_count;
	/* New whenever the control plane gives this id to another service: an affinity entry made
	 * under an older generation is not this service's (lib/select.h). Never 0. */
	__u32 generation;
	__u32 pad;
};

struct backend_value {
	union address address;
	__be16 port;
	__u8 family;
	__u8 flags;
	__u32 generation; /* as service_value's: new whenever the id names another backend */
};

struct source_range_key {
	__u32 prefixlen; /* 64 (service id, family word) + address prefix length */
	__u32 service_id;
	__u8 family;
	__u8 pad[3];
	union address address;
};

#define SERVICE_SCOPE_CLUSTER 0 /* all usable backends */
#define SERVICE_SCOPE_LOCAL 1   /* node-local backends only: the target of Local traffic policies */

/* Which Kubernetes service port a service id stands for. The datapath never reads it; it lets the
 * CLI and the agent name what they find in the pinned maps, even while the agent is down. */
struct service_name {
	char namespace[64];
	char name[64];
	char port[16];
	__u8 scope;
	__u8 family;
	__u8 protocol;
	__u8 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct service_name);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} svc_names SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct frontend_key);
	__type(value, struct frontend_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} svc_frontends SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct service_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} svc_services SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 262144);
	__type(key, __u32);
	__type(value, struct backend_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} svc_backends SEC(".maps");

/* One Maglev table per service, so the control plane replaces a table with one map update.
 * BPF_F_INNER_MAP lets tables of any prime size share the one template. */
struct maglev_table {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16381);
	__uint(map_flags, BPF_F_INNER_MAP);
	__type(key, __u32);
	__type(value, __u32);
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct maglev_table);
} svc_maglev SEC(".maps");

/* Control plane only, never read by the datapath: a digest of each installed svc_maglev table,
 * written after the table and deleted before it is replaced, so a restarted agent can keep a
 * table that is already right instead of rewriting it. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} svc_table_digests SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 16384);
	__type(key, struct source_range_key);
	__type(value, __u8);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} svc_source_ranges SEC(".maps");

static __always_inline struct frontend_value *frontend_lookup(const struct tuple *t)
{
	struct frontend_key key = {
		.port = t->dport,
		.protocol = t->protocol,
		.family = t->family,
	};

	address_copy(&key.address, &t->dst);
	return bpf_map_lookup_elem(&svc_frontends, &key);
}

static __always_inline int source_allowed(__u32 service_id, const struct tuple *t)
{
	struct source_range_key key = {
		.prefixlen = 64 + 128,
		.service_id = service_id,
		.family = t->family,
	};

	address_copy(&key.address, &t->src);
	return bpf_map_lookup_elem(&svc_source_ranges, &key) != NULL;
}

#endif

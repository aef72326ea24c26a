/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Backend choice for a new flow: ClientIP affinity first, then the service's Maglev table. */
#ifndef SLUICE_SELECT_H
#define SLUICE_SELECT_H

#include "common.h"
#include "hash.h"
#include "service.h"
#include "conntrack.h"

struct affinity_key {
	union address client;
	__u32 service_id;
	__u8 family;
	__u8 pad[3];
};

/* Ids are reused, so an entry names its service and backend by id and generation: one made for
 * an id's previous owner, or written by a packet in flight while the control plane forgot the id,
 * must not send the client to whatever the id names now. */
struct affinity_value {
	__u64 last_used_ns;
	__u32 backend_id;
	__u32 backend_generation;
	__u32 service_generation;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 131072);
	__type(key, struct affinity_key);
	__type(value, struct affinity_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} svc_affinity SEC(".maps");

static __always_inline __u32 maglev_backend(__u32 service_id, const struct service_value *svc,
					    const struct tuple *t, __u32 seed)
{
	__u32 slot, *backend_id;
	void *table;

	if (svc->maglev_size == 0)
		return 0;
	if (svc->flags & SERVICE_F_RANDOM)
		slot = bpf_get_prandom_u32() % svc->maglev_size;
	else
		slot = flow_hash(t, !(svc->flags & SERVICE_F_AFFINITY), seed) % svc->maglev_size;
	table = bpf_map_lookup_elem(&svc_maglev, &service_id);
	if (!table)
		return 0;
	backend_id = bpf_map_lookup_elem(table, &slot);
	return backend_id ? *backend_id : 0;
}

/*
 * Returns the backend id for a new flow of `t` to the service, or 0 when there is none, with that
 * backend's entry in *backend (NULL when it has none). A live affinity entry made for this service
 * and this backend, still serving, wins; otherwise the table decides and the choice is remembered
 * for the affinity timeout, unless `may_remember` is 0 (no new connection: a stray TCP segment must
 * leave no state). The control plane fills a table with ready backends only, falling back
 * to terminating ones when no backend is ready.
 */
static __always_inline __u32 select_backend(__u32 service_id, const struct service_value *svc,
					    const struct tuple *t, __u32 seed, __u64 now, int may_remember,
					    struct backend_value **backend)
{
	struct affinity_key key = { .service_id = service_id, .family = t->family };
	struct affinity_value *remembered, fresh = {};
	__u32 backend_id;

	if (!(svc->flags & SERVICE_F_AFFINITY)) {
		backend_id = maglev_backend(service_id, svc, t, seed);
		*backend = backend_id ? bpf_map_lookup_elem(&svc_backends, &backend_id) : NULL;
		return backend_id;
	}

	address_copy(&key.client, &t->src);
	remembered = bpf_map_lookup_elem(&svc_affinity, &key);
	if (remembered && remembered->service_generation == svc->generation &&
	    !ns_older_than(remembered->last_used_ns, now, svc->affinity_timeout_s * NSEC_PER_SEC)) {
		/* Read once: another CPU may replace the entry while this one decides. */
		__u32 remembered_id = remembered->backend_id;
		__u32 remembered_generation = remembered->backend_generation;

		*backend = bpf_map_lookup_elem(&svc_backends, &remembered_id);
		/* A terminating backend keeps its flows but takes no new ones, affinity or not. */
		if (*backend && (*backend)->generation == remembered_generation &&
		    !((*backend)->flags & BACKEND_F_TERMINATING)) {
			remembered->last_used_ns = now;
			return remembered_id;
		}
	}
	backend_id = maglev_backend(service_id, svc, t, seed);
	*backend = backend_id ? bpf_map_lookup_elem(&svc_backends, &backend_id) : NULL;
	/* Without its backend's entry there is no generation to vouch for the choice: nothing to remember. */
	if (*backend && may_remember) {
		fresh.last_used_ns = now;
		fresh.backend_id = backend_id;
		fresh.backend_generation = (*backend)->generation;
		fresh.service_generation = svc->generation;
		bpf_map_update_elem(&svc_affinity, &key, &fresh, BPF_ANY);
	}
	return backend_id;
}

#endif

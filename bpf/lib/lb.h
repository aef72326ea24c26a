/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The service decision every attach point shares: given a parsed packet, find the connection it
 * belongs to or start one, and say how to rewrite it and where it goes next. Attach points only
 * add their own way of writing packets and of sending them on.
 */
#ifndef SLUICE_LB_H
#define SLUICE_LB_H

#include "common.h"
#include "config.h"
#include "conntrack.h"
#include "kernel_ct.h"
#include "nat.h"
#include "select.h"
#include "service.h"
#include "stats.h"

#define SNAT_PORT_ATTEMPTS 16

enum lb_verdict {
	LB_PASS = 0,     /* not service traffic (or not translatable): leave it alone */
	LB_LOCAL,        /* translated; the kernel delivers it (local backend, or reply for the stack) */
	LB_FORWARD,      /* translated; send it on towards another host */
	LB_DROP,
	LB_REJECT,       /* no backend: tell the client (TCP RST / ICMP port unreachable) */
};

/* Where the packet entered: decides whether external-traffic rules (SNAT) apply. */
enum lb_origin {
	ORIGIN_EXTERNAL = 0, /* XDP on a node interface */
	ORIGIN_POD = 1,      /* tc on a pod's veth */
};

static __always_inline void rewrite_from_ct(struct rewrite *rw, const struct ct_value *ct)
{
	address_copy(&rw->src, &ct->nat_src);
	address_copy(&rw->dst, &ct->nat_dst);
	rw->sport = ct->nat_sport;
	rw->dport = ct->nat_dport;
}

static __always_inline int snat_source(const struct datapath_config *cfg, __u8 family,
				       union address *out)
{
	const union address *node = family == FAMILY_IPV4 ? &cfg->node_ipv4 : &cfg->node_ipv6;

	if (!node->v6[0] && !node->v6[1] && !node->v6[2] && !node->v6[3])
		return -1;
	address_copy(out, node);
	return 0;
}

/*
 * Creates the connection with a source port from the configured range, probing from a
 * flow-derived start so concurrent flows spread out; a port whose reply tuple is taken by a live
 * connection is skipped. The first half of the probes wants a port nobody holds; the second half
 * also takes a closed connection's port, one the backend has been quiet on but for the last two
 * (see bpf/README.md for the capacity this gives). The offset advances at the end of the body so
 * that clang enters the loop at its top: the verifier of Linux 6.1 rejects a fall-through edge
 * back into a loop entered in its middle (found by the kernel matrix, lab/kernel).
 */
static __always_inline int ct_create_snat(const struct tuple *t, struct ct_value *fwd,
					  const struct datapath_config *cfg, __u64 now, int restore_only)
{
	__u32 range = (__u32)cfg->snat_port_max - cfg->snat_port_min + 1;
	__u32 offset;

	if (cfg->snat_port_max < cfg->snat_port_min)
		return -1;
	offset = flow_hash(t, 1, cfg->hash_seed ^ 0x5a5a5a5a) % range;
	for (int i = 0; i < SNAT_PORT_ATTEMPTS; i++) {
		enum ct_take take = restore_only ? CT_RESTORE_ONLY
				    : i < SNAT_PORT_ATTEMPTS / 2 ? CT_TAKE_NONE
				    : i < SNAT_PORT_ATTEMPTS - 2 ? CT_TAKE_QUIET : CT_TAKE_ANY;

		fwd->nat_sport = bpf_htons(cfg->snat_port_min + offset);
		if (ct_create(t, fwd, now, take) == 0)
			return 0;
		offset = (offset + 7919) % range;
	}
	return -1;
}

/*
 * Pod traffic leaving the cluster: the source becomes the node address and a free port; the
 * reply entry brings answers back to the pod. Service id 0 marks such connections. Only a
 * connection's first packet is masqueraded: a later TCP segment without a connection is most
 * likely a pod's answer on an inbound connection whose tracking is gone, and a new mapping would
 * hide its address from the client for good. It leaves untranslated and creates no state.
 */
static __always_inline enum lb_verdict masquerade(void *ctx, const struct packet *p,
						  const struct datapath_config *cfg, __u64 now, struct rewrite *rw,
						  struct ct_value *fwd)
{
	const struct tuple *t = &p->tuple;

	if (t->protocol == IPPROTO_TCP) {
		if (!tcp_flags_open(p->tcp_flags))
			return LB_PASS;
		kernel_ct_retire(ctx, t);
	}
	if (snat_source(cfg, t->family, &fwd->nat_src))
		return LB_PASS;
	address_copy(&fwd->nat_dst, &t->dst);
	fwd->nat_dport = t->dport;
	fwd->flags = CT_F_SNAT;
	if (ct_create_snat(t, fwd, cfg, now, 0)) {
		count_drop(DROP_SNAT_PORTS_EXHAUSTED);
		return LB_DROP;
	}
	rewrite_from_ct(rw, fwd);
	return LB_FORWARD;
}

/*
 * With masquerading on, a connection from outside the cluster to a pod is tracked as it comes in,
 * untranslated, so the pod's replies are recognised as replies: they keep the pod's address
 * instead of leaving as a new, masqueraded flow. Only a connection's first packet is tracked (a
 * TCP SYN, any UDP datagram), so stray segments create no state.
 */
static __always_inline enum lb_verdict track_inbound(const struct packet *p, __u64 now, struct ct_value *fwd)
{
	const struct tuple *t = &p->tuple;
	int err;

	if (t->protocol == IPPROTO_TCP && !tcp_flags_open(p->tcp_flags))
		return LB_PASS;
	if (!inside_cluster(t->family, &t->dst) || inside_cluster(t->family, &t->src))
		return LB_PASS;
	address_copy(&fwd->nat_src, &t->src);
	address_copy(&fwd->nat_dst, &t->dst);
	fwd->nat_sport = t->sport;
	fwd->nat_dport = t->dport;
	fwd->flags = CT_F_TRACK_ONLY;
	/* The reply tuple is taken when this is a service connection that XDP already translated to
	 * its local backend and tc_node now sees: the service's own entries recognise its replies. */
	err = ct_create(t, fwd, now, CT_TAKE_ANY);
	if (err && err != -17 /* EEXIST */)
		count_drop(DROP_CONNTRACK_FULL);
	return LB_PASS;
}

/*
 * A packet that is not a connection's first, of a connection sluice does not track but the
 * kernel's conntrack does: one NATed before sluice took over (kube-proxy's rules, a CNI's
 * masquerade), in either direction. It goes on there, to the backend and with the source it has.
 * A TCP connection's opening SYN is sluice's instead, and retires what the kernel still holds of an
 * earlier connection on the same tuple.
 */
static __always_inline int kernel_keeps(void *ctx, const struct packet *p)
{
	const struct tuple *t = &p->tuple;

	if (t->protocol == IPPROTO_TCP && tcp_flags_open(p->tcp_flags)) {
		kernel_ct_retire(ctx, t);
		return 0;
	}
	return kernel_ct_owns(ctx, t);
}

/*
 * Decides a parsed TCP/UDP packet (ctx: the program's, for the kernel conntrack lookup). On
 * LB_LOCAL and LB_FORWARD, *rw holds the translated addresses and ports. rw->service_id names the
 * service whose traffic this is (0: none) whatever the verdict; the attach point counts it once it
 * has acted on the packet, because XDP may pass a packet on untouched to tc, which decides it
 * again. Not inlined, so its stack frame and the callers' do not add up.
 */
static __attribute__((noinline)) enum lb_verdict lb_decide(void *ctx, const struct packet *p,
							   enum lb_origin origin,
							   struct rewrite *rw)
{
	const struct tuple *t = &p->tuple;
	struct datapath_config *cfg = config_get();
	struct frontend_value *frontend;
	struct service_value *svc;
	struct backend_value *backend;
	struct ct_value *ct;
	__u64 now = bpf_ktime_get_ns();
	__u32 backend_id, previous_backend = 0;
	__be16 previous_port = 0;
	int local, snat, restore_only;

	rw->service_id = 0;
	if (!cfg)
		return LB_PASS;

	ct = ct_lookup(t, now);
	if (ct && ct_starts_over(ct, t, p->tcp_flags)) {
		previous_backend = ct->backend_id;
		previous_port = ct->nat_sport;
		ct_delete_pair(t, ct);
		ct = NULL;
	}
	if (ct) {
		ct_restore_pair(ct, t, p->tcp_flags, now);
		ct_touch(ct, t, p->tcp_flags, now);
		rewrite_from_ct(rw, ct);
		if (ct->flags & CT_F_TRACK_ONLY)
			return LB_PASS;
		rw->service_id = ct->service_id;
		if (ct->direction == CT_DIRECTION_FORWARD)
			return (ct->flags & CT_F_LOCAL_BACKEND) ? LB_LOCAL : LB_FORWARD;
		return origin == ORIGIN_POD ? LB_LOCAL : LB_FORWARD;
	}

	/* Connections start with their first packet, never with a later fragment. */
	if (p->fragment == FRAGMENT_LATER)
		return LB_PASS;
	frontend = frontend_lookup(t);
	if (!frontend) {
		struct ct_value fwd = {};

		if (!(cfg->flags & CONFIG_F_MASQUERADE))
			return LB_PASS;
		if (origin == ORIGIN_EXTERNAL)
			return track_inbound(p, now, &fwd);
		/* masquerade() never starts on a TCP segment after the SYN; every datagram could start a
		 * UDP flow, so one the kernel already masquerades is asked about. */
		if (inside_cluster(t->family, &t->dst) || (t->protocol == IPPROTO_UDP && kernel_ct_owns(ctx, t)))
			return LB_PASS;
		return masquerade(ctx, p, cfg, now, rw, &fwd);
	}
	if (kernel_keeps(ctx, p))
		return LB_PASS;
	svc = bpf_map_lookup_elem(&svc_services, &frontend->service_id);
	if (!svc)
		return LB_PASS;
	rw->service_id = frontend->service_id;

	if ((svc->flags & SERVICE_F_SOURCE_RANGES) && !source_allowed(frontend->service_id, t)) {
		count_drop(DROP_SOURCE_RANGE);
		return LB_DROP;
	}
	/* A TCP segment after the SYN starts nothing: at most it restores its evicted forward entry
	 * (ct_create's CT_RESTORE_ONLY), so a flood of stray ACKs or RSTs creates no state at all. */
	restore_only = t->protocol == IPPROTO_TCP && !tcp_flags_open(p->tcp_flags);
	backend_id = select_backend(frontend->service_id, svc, t, cfg->hash_seed, now, !restore_only, &backend);
	if (!backend_id) {
		if (svc->flags & SERVICE_F_DROP_EMPTY) {
			count_drop(DROP_NO_BACKEND);
			return LB_DROP;
		}
		/* Counted where the refusal is answered (reply_admitted), or XDP and tc would both count it. */
		return LB_REJECT;
	}
	if (!backend || backend->family != t->family) {
		count_drop(DROP_BACKEND_MISSING);
		return LB_DROP;
	}

	/* Declared this late so that the backend choice's scratch and this entry can share stack: the
	 * caller, this and ct_create() together stay within the verifier's 512 bytes. */
	struct ct_value fwd = {};

	local = backend->flags & BACKEND_F_LOCAL;
	/* External clients reaching a remote backend are SNATed so the reply comes back through this
	 * node; a pod reaching itself (hairpin) is SNATed so it does not see its own address. */
	snat = (origin == ORIGIN_EXTERNAL && !local && !(svc->flags & SERVICE_F_NO_SNAT)) ||
	       (origin == ORIGIN_POD && address_equal(&backend->address, &t->src));

	address_copy(&fwd.nat_dst, &backend->address);
	fwd.nat_dport = backend->port;
	fwd.backend_id = backend_id;
	fwd.service_id = frontend->service_id;
	fwd.flags = local ? CT_F_LOCAL_BACKEND : 0;
	if (snat && snat_source(cfg, t->family, &fwd.nat_src) == 0) {
		fwd.flags |= CT_F_SNAT;
		/* A client reusing its port towards the same backend keeps its SNAT port: the backend
		 * knows that tuple as this client's (its TIME_WAIT accepts the client's next SYN, or the
		 * client's RST just cleared it), where another client's tuple may be refused. */
		fwd.nat_sport = previous_port;
		if ((backend_id != previous_backend || ct_create(t, &fwd, now, CT_TAKE_ANY)) &&
		    ct_create_snat(t, &fwd, cfg, now, restore_only)) {
			count_drop(restore_only ? DROP_NO_CONNECTION : DROP_SNAT_PORTS_EXHAUSTED);
			return LB_DROP;
		}
	} else {
		address_copy(&fwd.nat_src, &t->src);
		fwd.nat_sport = t->sport;
		if (ct_create(t, &fwd, now, restore_only ? CT_RESTORE_ONLY : CT_TAKE_ANY)) {
			count_drop(restore_only ? DROP_NO_CONNECTION : DROP_CONNTRACK_FULL);
			return LB_DROP;
		}
	}
	rewrite_from_ct(rw, &fwd);
	return local ? LB_LOCAL : LB_FORWARD;
}

#endif

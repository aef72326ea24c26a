/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Connections the kernel's own conntrack NATed before sluice took over the node (kube-proxy's
 * iptables, nftables or IPVS rules): their packets carry the service address, but their backend
 * was chosen by those rules, and their NAT lives in nf_conntrack. Such a connection's later packets
 * are left to the kernel instead of being picked up, so a node switched from kube-proxy to sluice
 * keeps its established connections until they end.
 *
 * Built twice (see the Makefile): with SLUICE_KERNEL_CT the programs ask nf_conntrack through its
 * kfuncs (kernel 5.19+, nf_conntrack present); without it they cannot, and the loader falls back to
 * that build where the kfuncs do not load.
 */
#ifndef SLUICE_KERNEL_CT_H
#define SLUICE_KERNEL_CT_H

#include "common.h"

#ifdef SLUICE_KERNEL_CT

/* The 12-byte layout every kernel since 5.19 accepts (newer ones also take a 16-byte one). */
struct sluice_ct_opts {
	__s32 netns_id;
	__s32 error;
	__u8 l4proto;
	__u8 dir;
	__u8 reserved[2];
};

/* Opaque here; libbpf matches a struct, not a forward declaration, against the kernel's. */
struct nf_conn {
	__u64 opaque;
};

extern struct nf_conn *bpf_xdp_ct_lookup(struct xdp_md *ctx, struct bpf_sock_tuple *tuple, __u32 tuple_size,
					 struct sluice_ct_opts *opts, __u32 opts_size) __ksym;
extern struct nf_conn *bpf_skb_ct_lookup(struct __sk_buff *ctx, struct bpf_sock_tuple *tuple, __u32 tuple_size,
					 struct sluice_ct_opts *opts, __u32 opts_size) __ksym;
extern void bpf_ct_release(struct nf_conn *ct) __ksym;
/* Kernel 6.0+; where it is missing, the kfunc build does not load and the loader falls back. */
extern int bpf_ct_change_timeout(struct nf_conn *nfct, __u32 timeout) __ksym;

#define BPF_CT_CURRENT_NETNS (-1)

/* Fills the lookup key; returns its size. */
static __always_inline __u32 kernel_ct_tuple(const struct tuple *t, struct bpf_sock_tuple *key)
{
	if (t->family == FAMILY_IPV4) {
		key->ipv4.saddr = t->src.v4;
		key->ipv4.daddr = t->dst.v4;
		key->ipv4.sport = t->sport;
		key->ipv4.dport = t->dport;
		return sizeof(key->ipv4);
	}
	__builtin_memcpy(key->ipv6.saddr, t->src.v6, sizeof(key->ipv6.saddr));
	__builtin_memcpy(key->ipv6.daddr, t->dst.v6, sizeof(key->ipv6.daddr));
	key->ipv6.sport = t->sport;
	key->ipv6.dport = t->dport;
	return sizeof(key->ipv6);
}

static __always_inline struct nf_conn *kernel_ct_lookup(void *ctx, struct bpf_sock_tuple *key, __u32 size,
						       struct sluice_ct_opts *opts)
{
#ifdef SLUICE_XDP
	return bpf_xdp_ct_lookup(ctx, key, size, opts, sizeof(*opts));
#else
	return bpf_skb_ct_lookup(ctx, key, size, opts, sizeof(*opts));
#endif
}

/*
 * Whether nf_conntrack holds this exact (untranslated) flow; with expire, its entry also leaves the
 * table. XDP and tc have a kfunc each; the program's source says which it is (SLUICE_XDP). Not
 * inlined: its frame stays its own.
 */
static __attribute__((noinline)) int kernel_ct_find(void *ctx, const struct tuple *t, int expire)
{
	struct bpf_sock_tuple key = {};
	struct sluice_ct_opts opts = { .netns_id = BPF_CT_CURRENT_NETNS, .l4proto = t->protocol };
	__u32 size = kernel_ct_tuple(t, &key);
	struct nf_conn *ct;

	ct = kernel_ct_lookup(ctx, &key, size, &opts);
	if (!ct)
		return 0;
	if (expire)
		bpf_ct_change_timeout(ct, 0);
	bpf_ct_release(ct);
	if (expire) {
		/* An expired entry is only unlinked by a lookup that walks its hash bucket (or by the
		 * periodic gc, seconds later); the kernel's own lookups for the new connection hash
		 * other tuples, so this one does it now. */
		ct = kernel_ct_lookup(ctx, &key, size, &opts);
		if (ct)
			bpf_ct_release(ct);
	}
	return 1;
}

static __always_inline int kernel_ct_owns(void *ctx, const struct tuple *t)
{
	return kernel_ct_find(ctx, t, 0);
}

/*
 * A connection opening on a tuple nf_conntrack still holds from before sluice: a client port reused
 * while kube-proxy's entry lingers in CLOSE or TIME_WAIT. Left there, that entry's tuples clash with
 * the entry the kernel makes for the new connection's translated packets where they cross the
 * stack, and the kernel drops them. An opening SYN
 * means the old connection is over for the client, as nf_conntrack would itself decide.
 */
static __always_inline void kernel_ct_retire(void *ctx, const struct tuple *t)
{
	kernel_ct_find(ctx, t, 1);
}

#else

static __always_inline int kernel_ct_owns(void *ctx, const struct tuple *t)
{
	return 0;
}

static __always_inline void kernel_ct_retire(void *ctx, const struct tuple *t)
{
}

#endif /* SLUICE_KERNEL_CT */

#endif

/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The datapath's own connection tracking. A translated connection has two entries in one LRU
 * map, keyed by the tuple each direction carries on the wire:
 *   forward: client -> frontend       value: rewrite to (nat_src -> backend)
 *   reply:   backend -> nat_src       value: rewrite to (frontend -> client)
 * so either direction is one lookup and one rewrite, and the reply entry is the reverse NAT
 * mapping (SNAT included). Each entry names its pair: swapping (nat_dst, nat_dport) and
 * (nat_src, nat_sport) of one entry gives the other's key. Entries stay put when the control
 * plane swaps a Maglev table, which is what keeps established flows on their backend.
 *
 * A connection has one lifecycle, seen from both directions as the kernel's conntrack sees it: a
 * TCP state change (a reply, a FIN, a RST) is written to both entries of the pair, so neither can
 * outlive the connection as ESTABLISHED. A SYN on a closing or closed connection starts a new one.
 *
 * Stale entries go away three ways: a lookup that finds an entry idle for longer than its state's
 * timeout treats it as absent (and a new flow replaces it); the LRU evicts the least recently used
 * entries when the map is full; the agent's periodic sweep deletes expired pairs.
 */
#ifndef SLUICE_CONNTRACK_H
#define SLUICE_CONNTRACK_H

#include "common.h"

#define CT_DIRECTION_FORWARD 0
#define CT_DIRECTION_REPLY 1

enum ct_state {
	CT_STATE_NEW = 0,         /* TCP: SYN seen; UDP/ICMP: one direction seen */
	CT_STATE_ESTABLISHED = 1, /* TCP: both directions seen; UDP/ICMP: a reply seen */
	CT_STATE_CLOSING = 2,     /* TCP: a FIN from one side; the other may still send (half-close) */
	CT_STATE_CLOSED = 3,      /* TCP: FIN from both sides, or a RST */
};

#define TCP_FLAG_FIN 0x01
#define TCP_FLAG_SYN 0x02
#define TCP_FLAG_RST 0x04
#define TCP_FLAG_ACK 0x10

#define CT_F_SNAT (1U << 0)          /* source rewritten too (remote backend, hairpin, masquerade) */
#define CT_F_LOCAL_BACKEND (1U << 1) /* backend on this node */
#define CT_F_FIN_FORWARD (1U << 2)   /* the client sent a FIN */
#define CT_F_FIN_REPLY (1U << 3)     /* the backend sent a FIN */
#define CT_F_PAIR_STATE (CT_F_FIN_FORWARD | CT_F_FIN_REPLY)
#define CT_F_TRACK_ONLY (1U << 4)    /* untranslated: a connection from outside to a pod, tracked so
				      * that the pod's replies are not masqueraded */

/* Idle timeouts in seconds, by protocol and state. */
#define CT_TIMEOUT_TCP_NEW 60
#define CT_TIMEOUT_TCP_ESTABLISHED 21600
#define CT_TIMEOUT_TCP_CLOSING 120
#define CT_TIMEOUT_TCP_CLOSED 10
#define CT_TIMEOUT_UDP_NEW 30
#define CT_TIMEOUT_UDP_ESTABLISHED 180
#define CT_TIMEOUT_OTHER 30

#define NSEC_PER_SEC 1000000000ULL

struct ct_value {
	union address nat_src;
	union address nat_dst;
	__be16 nat_sport;
	__be16 nat_dport;
	__u32 backend_id;
	__u32 service_id;
	__u8 state;
	__u8 direction;
	__u8 flags;
	__u8 pad;
	__u64 last_seen_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 524288);
	__type(key, struct tuple);
	__type(value, struct ct_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ct_entries SEC(".maps");

static __always_inline __u64 ct_timeout_ns(__u8 protocol, __u8 state)
{
	__u64 seconds;

	if (protocol == IPPROTO_TCP)
		seconds = state == CT_STATE_ESTABLISHED ? CT_TIMEOUT_TCP_ESTABLISHED
			: state == CT_STATE_CLOSING ? CT_TIMEOUT_TCP_CLOSING
			: state == CT_STATE_CLOSED ? CT_TIMEOUT_TCP_CLOSED : CT_TIMEOUT_TCP_NEW;
	else if (protocol == IPPROTO_UDP)
		seconds = state == CT_STATE_ESTABLISHED ? CT_TIMEOUT_UDP_ESTABLISHED : CT_TIMEOUT_UDP_NEW;
	else
		seconds = CT_TIMEOUT_OTHER;
	return seconds * NSEC_PER_SEC;
}

/* The key of the other entry of the pair `entry` (found under `t`) belongs to: for a forward entry,
 * the tuple its replies carry once translated. */
static __always_inline void ct_pair_tuple(struct tuple *pair, const struct tuple *t,
					  const struct ct_value *entry)
{
	address_copy(&pair->src, &entry->nat_dst);
	address_copy(&pair->dst, &entry->nat_src);
	pair->sport = entry->nat_dport;
	pair->dport = entry->nat_sport;
	pair->protocol = t->protocol;
	pair->family = t->family;
	pair->pad = 0;
}

static __always_inline int ct_expired(const struct ct_value *entry, __u8 protocol, __u64 now)
{
	return ns_older_than(entry->last_seen_ns, now, ct_timeout_ns(protocol, entry->state));
}

/*
 * Whether `pair` (found under the pair key of the entry at `t`) is that entry's own pair: its
 * rewrite leads back to `t`. A key alone does not say so: once a connection is closed its reply
 * tuple (a SNAT port) passes to the next one, and a stale entry of the first must then neither
 * live on, nor be closed or deleted, through the second's entries.
 */
static __always_inline int ct_mirrors(const struct ct_value *pair, const struct tuple *t)
{
	return address_equal(&pair->nat_src, &t->dst) && address_equal(&pair->nat_dst, &t->src) &&
	       pair->nat_sport == t->dport && pair->nat_dport == t->sport;
}

/* The pair of the entry at `t`, or NULL when its pair key holds nothing or another connection's
 * entry; `pair_key` is left holding that key. */
static __always_inline struct ct_value *ct_pair_of(const struct tuple *t, const struct ct_value *entry,
						   struct tuple *pair_key)
{
	struct ct_value *pair;

	ct_pair_tuple(pair_key, t, entry);
	pair = bpf_map_lookup_elem(&ct_entries, pair_key);
	return pair && ct_mirrors(pair, t) ? pair : NULL;
}

/* A TCP segment that can open a connection: a SYN without ACK. */
static __always_inline int tcp_flags_open(__u8 tcp_flags)
{
	return (tcp_flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) == TCP_FLAG_SYN;
}

/*
 * The live entry for this tuple, or NULL when there is none or it has expired. A connection lives
 * while either direction does: an entry idle past its timeout (the reply side of a one-way UDP
 * flow, say) still counts while its pair is live. Costs a second lookup only then.
 */
static __always_inline struct ct_value *ct_lookup(const struct tuple *t, __u64 now)
{
	struct ct_value *entry = bpf_map_lookup_elem(&ct_entries, t);
	struct ct_value *pair;
	struct tuple pair_key;

	if (!entry)
		return NULL;
	if (!ct_expired(entry, t->protocol, now))
		return entry;
	pair = ct_pair_of(t, entry, &pair_key);
	if (!pair || ct_expired(pair, t->protocol, now))
		return NULL;
	return entry;
}

/* Where a TCP segment with these flags takes the connection. */
static __always_inline void ct_tcp_next(const struct ct_value *entry, __u8 tcp_flags, __u8 *state,
					__u8 *flags)
{
	*state = entry->state;
	*flags = entry->flags;
	if (tcp_flags & TCP_FLAG_RST) {
		/* Before the backend accepted the connection, a client's RST answers a stale segment:
		 * the challenge ACK of the backend's TIME_WAIT for a reused tuple. The client stays in
		 * SYN_SENT and sends its SYN again, which must find the same tuple, now cleared. */
		if (entry->state != CT_STATE_NEW || entry->direction != CT_DIRECTION_FORWARD)
			*state = CT_STATE_CLOSED;
		return;
	}
	if (tcp_flags & TCP_FLAG_FIN) {
		*flags |= entry->direction == CT_DIRECTION_FORWARD ? CT_F_FIN_FORWARD : CT_F_FIN_REPLY;
		*state = (*flags & CT_F_PAIR_STATE) == CT_F_PAIR_STATE ? CT_STATE_CLOSED : CT_STATE_CLOSING;
		return;
	}
	/* Only the backend's SYN-ACK accepts a connection that began with a SYN; a bare ACK is
	 * the challenge of a TIME_WAIT. (A connection picked up mid-stream starts established.) */
	if (entry->state == CT_STATE_NEW && entry->direction == CT_DIRECTION_REPLY && (tcp_flags & TCP_FLAG_SYN))
		*state = CT_STATE_ESTABLISHED;
}

/*
 * Refreshes the entry and moves the connection's state. A change is written to both entries of
 * the pair: that costs a second lookup, but only on the few packets that change the state.
 */
static __always_inline void ct_touch(struct ct_value *entry, const struct tuple *t, __u8 tcp_flags,
				     __u64 now)
{
	struct ct_value *pair;
	struct tuple pair_key;
	__u8 state, flags;

	entry->last_seen_ns = now;
	if (t->protocol == IPPROTO_TCP) {
		ct_tcp_next(entry, tcp_flags, &state, &flags);
	} else {
		flags = entry->flags;
		state = entry->direction == CT_DIRECTION_REPLY ? CT_STATE_ESTABLISHED : entry->state;
	}
	if (state == entry->state && flags == entry->flags)
		return;
	entry->state = state;
	entry->flags = flags;
	pair = ct_pair_of(t, entry, &pair_key);
	if (pair) {
		pair->state = state;
		pair->flags = (pair->flags & ~CT_F_PAIR_STATE) | (flags & CT_F_PAIR_STATE);
		pair->last_seen_ns = now;
	}
}

/* A SYN without ACK from the client on a connection that is over: the client reuses its port. */
static __always_inline int ct_starts_over(const struct ct_value *entry, const struct tuple *t,
					  __u8 tcp_flags)
{
	return t->protocol == IPPROTO_TCP && entry->direction == CT_DIRECTION_FORWARD &&
	       tcp_flags_open(tcp_flags) &&
	       (entry->state == CT_STATE_CLOSING || entry->state == CT_STATE_CLOSED);
}

/* Removes the entry under `t` and its pair, if its pair key still holds its pair. */
static __always_inline void ct_delete_pair(const struct tuple *t, const struct ct_value *entry)
{
	struct tuple pair_key;

	if (ct_pair_of(t, entry, &pair_key))
		bpf_map_delete_elem(&ct_entries, &pair_key);
	bpf_map_delete_elem(&ct_entries, t);
}

/*
 * Whether a new connection may take over a closed one's reply tuple. The backend may still hold
 * that tuple in TIME_WAIT, which answers the new SYN with a challenge ACK that the client resets
 * (clearing it) before sending its SYN again. But a TIME_WAIT sends at most one such ACK per
 * half second (tcp_invalid_ratelimit) and silently drops a SYN in between: the client then waits a
 * whole SYN timeout. So a tuple the backend spoke on in the last second is taken only as a last
 * resort.
 */
enum ct_take {
	CT_TAKE_NONE,
	CT_TAKE_QUIET,
	CT_TAKE_ANY,
	/* Not a new connection: a TCP segment after the SYN. It only puts back the forward entry of
	 * a connection whose reply entry is still there (the forward one was evicted), in that
	 * entry's state; with no such connection it creates nothing, so stray or forged segments
	 * cannot fill the table. */
	CT_RESTORE_ONLY,
};

#define CT_TAKE_QUIET_NS NSEC_PER_SEC

/*
 * Creates both entries of a new translated connection, in the state the caller set in `fwd`
 * (NEW), or restores one (CT_RESTORE_ONLY). The reply entry goes first: when its tuple
 * (for SNAT: the chosen source port) belongs to another live connection this returns -EEXIST and
 * the caller tries another port or gives up. `take_closed` says when a closed TCP connection's
 * reply tuple is taken over instead (the client reuses its port, as TIME_WAIT reuse allows): never,
 * once the backend has been quiet on it for a while, or at once. SNAT takes closed ports only once
 * free ones are hard to find, quiet ones first: see CT_TAKE_QUIET.
 */
static __attribute__((noinline)) int ct_create(const struct tuple *forward, struct ct_value *fwd, __u64 now,
				     enum ct_take take_closed)
{
	struct tuple reply = {};
	struct ct_value rev = {};
	struct ct_value *existing;
	int err;

	ct_pair_tuple(&reply, forward, fwd);
	if (take_closed == CT_RESTORE_ONLY) {
		existing = ct_lookup(&reply, now);
		if (!existing || !ct_mirrors(existing, forward))
			return -2 /* ENOENT */;
		fwd->state = existing->state;
		fwd->flags = existing->flags;
	}
	address_copy(&rev.nat_src, &forward->dst);
	address_copy(&rev.nat_dst, &forward->src);
	rev.nat_sport = forward->dport;
	rev.nat_dport = forward->sport;
	rev.backend_id = fwd->backend_id;
	rev.service_id = fwd->service_id;
	rev.state = fwd->state;
	rev.direction = CT_DIRECTION_REPLY;
	rev.flags = fwd->flags;
	rev.last_seen_ns = now;
	err = bpf_map_update_elem(&ct_entries, &reply, &rev, BPF_NOEXIST);
	if (err == -17 /* EEXIST */) {
		existing = ct_lookup(&reply, now);
		if (existing && !ct_mirrors(existing, forward)) {
			/* Another connection holds the reply tuple; once it is closed, its tuple is
			 * free again, as the kernel's TIME_WAIT reuse allows: its forward entry goes too. */
			if (take_closed == CT_TAKE_NONE || existing->state != CT_STATE_CLOSED ||
			    forward->protocol != IPPROTO_TCP)
				return err;
			if (take_closed == CT_TAKE_QUIET &&
			    !ns_older_than(existing->last_seen_ns, now, CT_TAKE_QUIET_NS))
				return err;
			ct_delete_pair(&reply, existing);
		}
		err = bpf_map_update_elem(&ct_entries, &reply, &rev, BPF_ANY);
	}
	if (err)
		return err;

	fwd->direction = CT_DIRECTION_FORWARD;
	fwd->last_seen_ns = now;
	err = bpf_map_update_elem(&ct_entries, forward, fwd, BPF_ANY);
	if (err)
		bpf_map_delete_elem(&ct_entries, &reply);
	return err;
}

/*
 * A retransmitted SYN of a live connection whose reply entry is gone (evicted under pressure)
 * puts it back, so the connection can still complete. Costs a lookup on SYNs only.
 */
static __always_inline void ct_restore_pair(struct ct_value *entry, const struct tuple *t,
					    __u8 tcp_flags, __u64 now)
{
	struct tuple pair_key;

	if (t->protocol != IPPROTO_TCP || entry->direction != CT_DIRECTION_FORWARD ||
	    !tcp_flags_open(tcp_flags))
		return;
	ct_pair_tuple(&pair_key, t, entry);
	if (!bpf_map_lookup_elem(&ct_entries, &pair_key))
		ct_create(t, entry, now, CT_TAKE_ANY);
}

#endif

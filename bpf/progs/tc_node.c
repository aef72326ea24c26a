// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * tc ingress on the node's external interfaces: finishes what xdp_node passed on untouched because
 * it could not send it itself (an unresolved neighbour, another outgoing interface). The
 * connection exists already, so this is a conntrack hit, a rewrite and a redirect that resolves the
 * neighbour. Without XDP (a driver that cannot run it) this program does all the work alone.
 */
#include "tc.h"

SEC("tc")
int tc_node_ingress(struct __sk_buff *skb)
{
	return tc_service(skb, ORIGIN_EXTERNAL);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * tc ingress on the host side of each pod's veth, i.e. traffic leaving a pod: services reached
 * from pods (ClusterIP and every other frontend, hairpin included), the replies of local backends,
 * and pod traffic leaving the cluster (masquerade).
 */
#include "tc.h"

SEC("tc")
int tc_pod_ingress(struct __sk_buff *skb)
{
	return tc_service(skb, ORIGIN_POD);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

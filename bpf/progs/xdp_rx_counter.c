// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Counts received frames per L3 class. It is the loader's first customer: small enough to
 * reason about, real enough to prove that objects load, maps read back and XDP attaches.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

enum rx_class {
	RX_CLASS_IPV4 = 0,
	RX_CLASS_IPV6 = 1,
	RX_CLASS_ARP = 2,
	RX_CLASS_OTHER = 3,
	RX_CLASS_MAX,
};

struct rx_counter {
	__u64 packets;
	__u64 bytes;
};

/* Per-CPU so the hot path never contends on a cache line; readers sum the CPUs. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, RX_CLASS_MAX);
	__type(key, __u32);
	__type(value, struct rx_counter);
} rx_counters SEC(".maps");

static __always_inline __u32 classify(void *data, void *data_end)
{
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return RX_CLASS_OTHER;
	switch (eth->h_proto) {
	case bpf_htons(ETH_P_IP):
		return RX_CLASS_IPV4;
	case bpf_htons(ETH_P_IPV6):
		return RX_CLASS_IPV6;
	case bpf_htons(ETH_P_ARP):
		return RX_CLASS_ARP;
	default:
		return RX_CLASS_OTHER;
	}
}

SEC("xdp")
int xdp_rx_counter(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 class = classify(data, data_end);
	struct rx_counter *counter = bpf_map_lookup_elem(&rx_counters, &class);

	if (counter) {
		counter->packets++;
		counter->bytes += data_end - data;
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

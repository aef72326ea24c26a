// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Programs and maps that exercise every part of the Java loader API: typed and per-CPU maps,
 * a map small enough to fill, a packet rewrite to compare byte for byte under BPF_PROG_RUN,
 * tc programs for both directions and a cgroup connect4 hook.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* Four entries: tests fill it and expect the fifth insert to be refused. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} fixture_small_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} fixture_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} fixture_percpu_hash SEC(".maps");

enum tc_direction_slot { TC_SLOT_INGRESS = 0, TC_SLOT_EGRESS = 1, TC_SLOT_MAX };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, TC_SLOT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} fixture_tc_packets SEC(".maps");

struct ipv4_socket_address {
	__u32 address; /* network order */
	__u16 port;    /* network order */
	__u16 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, struct ipv4_socket_address);
	__type(value, struct ipv4_socket_address);
} fixture_connect_rewrites SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} fixture_connect_rewrite_count SEC(".maps");

/* RFC 1624 incremental update of a 16-bit one's complement checksum. */
static __always_inline __u16 csum_replace2(__u16 check, __u16 old, __u16 new)
{
	__u32 sum = (__u16)~check + (__u16)~old + new;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

/*
 * Sends an IPv4 frame back where it came from: MACs and addresses swapped, TTL decremented with
 * an incremental header checksum update. Everything else passes unchanged.
 */
SEC("xdp")
int xdp_reflect_ipv4(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	unsigned char mac[ETH_ALEN];
	__u32 address;
	__u16 old_ttl_word, new_ttl_word;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl < 5)
		return XDP_PASS;
	if (ip->ttl <= 1)
		return XDP_DROP;

	__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);

	/* Swapping the addresses leaves their one's complement sum, and so the checksum, unchanged. */
	address = ip->saddr;
	ip->saddr = ip->daddr;
	ip->daddr = address;

	old_ttl_word = *(__u16 *)&ip->ttl;
	ip->ttl--;
	new_ttl_word = *(__u16 *)&ip->ttl;
	ip->check = csum_replace2(ip->check, old_ttl_word, new_ttl_word);
	return XDP_TX;
}

static __always_inline int count_tc(__u32 slot)
{
	__u64 *packets = bpf_map_lookup_elem(&fixture_tc_packets, &slot);

	if (packets)
		__sync_fetch_and_add(packets, 1);
	return TC_ACT_OK;
}

SEC("tc")
int tc_count_ingress(struct __sk_buff *skb)
{
	return count_tc(TC_SLOT_INGRESS);
}

SEC("tc")
int tc_count_egress(struct __sk_buff *skb)
{
	return count_tc(TC_SLOT_EGRESS);
}

SEC("cgroup/connect4")
int connect4_rewrite(struct bpf_sock_addr *ctx)
{
	struct ipv4_socket_address original = {
		.address = ctx->user_ip4,
		.port = (__u16)ctx->user_port,
	};
	struct ipv4_socket_address *target = bpf_map_lookup_elem(&fixture_connect_rewrites, &original);
	__u32 zero = 0;
	__u64 *count;

	if (!target)
		return 1;
	ctx->user_ip4 = target->address;
	ctx->user_port = target->port;
	count = bpf_map_lookup_elem(&fixture_connect_rewrite_count, &zero);
	if (count)
		__sync_fetch_and_add(count, 1);
	return 1;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

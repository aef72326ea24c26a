// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Reads a packet byte without a bounds check, which the verifier must refuse: tests use it to
 * prove that a load failure reaches Java with the errno name and the verifier's own log. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_unchecked_read(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;

	return data[20] == 0xff ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

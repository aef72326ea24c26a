package dev.sluice.control.datapath;

/** {@code enum drop_reason} of bpf/lib/stats.h, in order: the index into datapath_drops. */
public enum DropReason {
    NO_BACKEND("no_backend"),
    REJECT_NO_BACKEND("rejected_no_backend"),
    SOURCE_RANGE("source_range"),
    SNAT_PORTS_EXHAUSTED("snat_ports_exhausted"),
    CONNTRACK_FULL("conntrack_full"),
    BACKEND_MISSING("backend_missing"),
    FIB_FAILED("fib_failed"),
    REWRITE_FAILED("rewrite_failed"),
    /** A refusal dropped unanswered: the reply budget (RSTs, ICMP errors per second) was spent. */
    REPLY_RATE_LIMITED("reply_rate_limited"),
    /** A TCP segment other than a SYN for a service, of no connection: stray, forged, or its state is gone. */
    NO_CONNECTION("no_connection");

    private final String label;

    DropReason(String label) {
        this.label = label;
    }

    /** The value of the {@code reason} label in metrics and the CLI. */
    public String label() {
        return label;
    }
}

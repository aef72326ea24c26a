package dev.sluice.ffm.netlink;

/** A network interface as rtnetlink reports it; {@code kind} is "" for links without a driver kind (lo, NICs). */
public record Link(int index, String name, String kind, boolean up) {
}

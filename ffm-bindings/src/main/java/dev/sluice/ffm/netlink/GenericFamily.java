package dev.sluice.ffm.netlink;

/** A generic netlink family as the controller describes it: its runtime id and version. */
public record GenericFamily(String name, int id, int version, int maxAttribute) {
}

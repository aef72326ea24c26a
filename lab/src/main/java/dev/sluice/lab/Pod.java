package dev.sluice.lab;

import dev.sluice.ffm.sys.NetworkNamespace;

/** A pod of the lab: a namespace behind a veth of its node, with one IPv4 and one IPv6 address. */
record Pod(String name, String node, NetworkNamespace namespace, String address, String address6, String hostInterface) {
}

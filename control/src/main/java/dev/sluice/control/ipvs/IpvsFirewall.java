package dev.sluice.control.ipvs;

/** Where the IPVS datapath's masquerade, reject and source-range rules go (nftables in production). */
public interface IpvsFirewall {
    IpvsFirewall NONE = plan -> { };

    /** Makes the rules exactly {@code plan}'s; throws a RuntimeException saying why when it cannot. */
    void apply(FirewallPlan plan);
}

package dev.sluice.control.ipvs;

import dev.sluice.ffm.ipvs.IpvsDestination;
import dev.sluice.ffm.ipvs.IpvsService;
import dev.sluice.ffm.ipvs.IpvsServiceKey;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The kernel state the IPVS reconciler reads and writes: the IPVS table and the VIPs on the
 * dummy interface. An interface so the reconciler's diffing is tested without IPVS; every method
 * throws a RuntimeException naming the object when the kernel refuses.
 */
public interface IpvsKernel {
    List<IpvsService> services();

    Optional<IpvsService> service(IpvsServiceKey key);

    /** Configuration only (no stats); empty when there is no such service. */
    List<IpvsDestination> destinations(IpvsServiceKey key);

    void addService(IpvsService service);

    void updateService(IpvsService service);

    void deleteService(IpvsServiceKey key);

    void addDestination(IpvsServiceKey key, IpvsDestination destination);

    void updateDestination(IpvsServiceKey key, IpvsDestination destination);

    void deleteDestination(IpvsServiceKey key, IpvsDestination destination);

    /** The addresses on the dummy interface, link-local ones left out (the kernel adds those itself). */
    Set<InetAddress> vips();

    void addVip(InetAddress address);

    void removeVip(InetAddress address);
}

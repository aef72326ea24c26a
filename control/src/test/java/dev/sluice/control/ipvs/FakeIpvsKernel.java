package dev.sluice.control.ipvs;

import dev.sluice.ffm.ipvs.IpvsDestination;
import dev.sluice.ffm.ipvs.IpvsService;
import dev.sluice.ffm.ipvs.IpvsServiceKey;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** An IPVS table and dummy link in memory, counting writes, with writes that can be made to fail. */
final class FakeIpvsKernel implements IpvsKernel {
    final Map<IpvsServiceKey, IpvsService> services = new LinkedHashMap<>();
    final Map<IpvsServiceKey, Map<String, IpvsDestination>> destinations = new LinkedHashMap<>();
    final Set<InetAddress> vips = new LinkedHashSet<>();
    final List<String> calls = new ArrayList<>();
    /** Substrings of call descriptions that fail while present. */
    final Set<String> failing = new HashSet<>();

    private void call(String description) {
        calls.add(description);
        for (String failure : failing) {
            if (description.contains(failure)) {
                throw new IllegalStateException("injected failure of " + description);
            }
        }
    }

    @Override
    public List<IpvsService> services() {
        return List.copyOf(services.values());
    }

    @Override
    public Optional<IpvsService> service(IpvsServiceKey key) {
        return Optional.ofNullable(services.get(key));
    }

    @Override
    public List<IpvsDestination> destinations(IpvsServiceKey key) {
        return List.copyOf(destinations.getOrDefault(key, Map.of()).values());
    }

    @Override
    public void addService(IpvsService service) {
        call("add service " + service.key());
        if (services.putIfAbsent(service.key(), service) != null) {
            throw new IllegalStateException("EEXIST " + service.key());
        }
        destinations.put(service.key(), new LinkedHashMap<>());
    }

    @Override
    public void updateService(IpvsService service) {
        call("update service " + service.key());
        services.replace(service.key(), service);
    }

    @Override
    public void deleteService(IpvsServiceKey key) {
        call("delete service " + key);
        services.remove(key);
        destinations.remove(key);
    }

    @Override
    public void addDestination(IpvsServiceKey key, IpvsDestination destination) {
        call("add destination " + key + " " + destination.endpoint());
        if (destinations.get(key).putIfAbsent(destination.endpoint(), destination) != null) {
            throw new IllegalStateException("EEXIST " + destination.endpoint());
        }
    }

    @Override
    public void updateDestination(IpvsServiceKey key, IpvsDestination destination) {
        call("update destination " + key + " " + destination.endpoint() + " weight " + destination.weight());
        destinations.get(key).replace(destination.endpoint(), destination);
    }

    @Override
    public void deleteDestination(IpvsServiceKey key, IpvsDestination destination) {
        call("delete destination " + key + " " + destination.endpoint());
        destinations.get(key).remove(destination.endpoint());
    }

    @Override
    public Set<InetAddress> vips() {
        return Set.copyOf(vips);
    }

    @Override
    public void addVip(InetAddress address) {
        call("add vip " + address.getHostAddress());
        vips.add(address);
    }

    @Override
    public void removeVip(InetAddress address) {
        call("remove vip " + address.getHostAddress());
        vips.remove(address);
    }
}

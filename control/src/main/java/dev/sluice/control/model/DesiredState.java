package dev.sluice.control.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the datapath should implement, computed from Kubernetes objects.
 *
 * @param ports every programmable Service port, iterated in key order
 * @param errors what could not be used, in input order
 */
public record DesiredState(Map<ServicePortKey, ServicePort> ports, List<ValidationError> errors) {

    public DesiredState {
        ports = Collections.unmodifiableMap(new LinkedHashMap<>(ports));
        errors = List.copyOf(errors);
    }

    public Optional<ServicePort> port(String namespace, String name, String port, IpFamily family) {
        return Optional.ofNullable(ports.get(new ServicePortKey(new ServicePortName(namespace, name, port), family)));
    }
}

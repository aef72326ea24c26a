package dev.sluice.control.observe;

/**
 * What one externalTrafficPolicy=Local Service needs on this node: its
 * {@code spec.healthCheckNodePort} and how many of its ready endpoints run here.
 */
public record HealthCheck(int nodePort, int localEndpoints) {
    public HealthCheck {
        if (nodePort < 1 || nodePort > 65535) {
            throw new IllegalArgumentException("nodePort out of range: " + nodePort);
        }
        if (localEndpoints < 0) {
            throw new IllegalArgumentException("localEndpoints must not be negative: " + localEndpoints);
        }
    }
}

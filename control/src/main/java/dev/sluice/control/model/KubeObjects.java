package dev.sluice.control.model;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** Small helpers over fabric8 objects. */
final class KubeObjects {

    private KubeObjects() {}

    /** helper.IsServiceIPSet: neither empty nor "None". */
    static boolean isServiceIpSet(String clusterIp) {
        return clusterIp != null && !clusterIp.isEmpty() && !clusterIp.equals("None");
    }

    /** "ns/name" for messages, tolerating missing metadata. */
    static String describe(HasMetadata object) {
        if (object == null || object.getMetadata() == null) {
            return "?/?";
        }
        String namespace = object.getMetadata().getNamespace() == null ? "default" : object.getMetadata().getNamespace();
        String name = object.getMetadata().getName() == null ? "?" : object.getMetadata().getName();
        return namespace + "/" + name;
    }

    /** metadata.creationTimestamp, or null when absent or unreadable. */
    static java.time.Instant created(HasMetadata object) {
        if (object == null || object.getMetadata() == null || object.getMetadata().getCreationTimestamp() == null) {
            return null;
        }
        try {
            return java.time.OffsetDateTime.parse(object.getMetadata().getCreationTimestamp()).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }
}

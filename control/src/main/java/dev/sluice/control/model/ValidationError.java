package dev.sluice.control.model;

import java.util.Objects;

/**
 * Something in the input that compute() could not use; the message says what was dropped.
 *
 * @param object "Service ns/name" or "EndpointSlice ns/name"
 * @param field the offending field's path, e.g. "spec.ports[1].port"
 */
public record ValidationError(String object, String field, String message) {

    public ValidationError {
        Objects.requireNonNull(object, "object");
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(message, "message");
    }

    static ValidationError service(String namespace, String name, String field, String message) {
        return new ValidationError("Service " + namespace + "/" + name, field, message);
    }

    static ValidationError slice(String namespace, String name, String field, String message) {
        return new ValidationError("EndpointSlice " + namespace + "/" + name, field, message);
    }

    @Override
    public String toString() {
        return object + ": " + field + ": " + message;
    }
}

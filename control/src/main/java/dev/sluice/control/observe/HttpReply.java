package dev.sluice.control.observe;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** A complete response, built before anything is written so a handler can never half-answer. */
record HttpReply(HttpResponseStatus status, String contentType, byte[] body, Map<String, String> headers) {
    static final String JSON = "application/json";
    static final String TEXT = "text/plain; charset=utf-8";

    HttpReply {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(body, "body");
        headers = Map.copyOf(headers);
    }

    static HttpReply text(HttpResponseStatus status, String body) {
        return new HttpReply(status, TEXT, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    static HttpReply json(HttpResponseStatus status, String body) {
        return new HttpReply(status, JSON, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    HttpReply withHeader(String name, String value) {
        var all = new LinkedHashMap<>(headers);
        all.put(name, value);
        return new HttpReply(status, contentType, body, all);
    }
}

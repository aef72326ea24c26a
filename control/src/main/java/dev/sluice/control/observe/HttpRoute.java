package dev.sluice.control.observe;

import io.netty.handler.codec.http.HttpRequest;

/** Answers one request. Runs on a Netty event loop: must not block. */
@FunctionalInterface
interface HttpRoute {
    HttpReply answer(HttpRequest request);
}

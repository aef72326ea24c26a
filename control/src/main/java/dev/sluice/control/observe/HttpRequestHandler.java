package dev.sluice.control.observe;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.timeout.IdleStateEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one aggregated request into one {@link HttpReply} on the wire. Owns the HTTP/1.1
 * bookkeeping every route would otherwise get wrong: HEAD without a body but with the GET length,
 * Content-Length always set (so keep-alive clients know where a response ends), Connection: close
 * honoured, and a route's exception turned into a 500 instead of a hung connection.
 */
final class HttpRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(HttpRequestHandler.class);

    private final HttpRoute route;

    HttpRequestHandler(HttpRoute route) {
        this.route = route;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            write(ctx, request, HttpReply.text(HttpResponseStatus.BAD_REQUEST, "malformed request\n"), false);
            return;
        }
        HttpReply reply;
        try {
            reply = route.answer(request);
        } catch (RuntimeException e) {
            LOG.warn("{} {} failed", request.method(), request.uri(), e);
            reply = HttpReply.text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error\n");
        }
        write(ctx, request, reply, HttpUtil.isKeepAlive(request));
    }

    private static void write(ChannelHandlerContext ctx, FullHttpRequest request, HttpReply reply, boolean keepAlive) {
        boolean head = HttpMethod.HEAD.equals(request.method());
        ByteBuf content = head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(reply.body());
        FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(), reply.status(), content);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType());
        reply.headers().forEach(response.headers()::set);
        HttpUtil.setContentLength(response, reply.body().length);
        HttpUtil.setKeepAlive(response, keepAlive);
        var written = ctx.writeAndFlush(response);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent) {
            // Probers and scrapers that keep connections open forever must not pin sockets.
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Resets and half-closed probers are routine for health ports; not worth more than debug.
        LOG.debug("closing {} after error", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }
}

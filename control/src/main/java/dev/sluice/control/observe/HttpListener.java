package dev.sluice.control.observe;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One bound HTTP/1.1 listening socket on a shared event loop. Closing it stops accepting and drops
 * the connections it accepted, so a closed health-check port refuses and answers nothing at once —
 * a load balancer must not keep seeing a stale 200 on an idle keep-alive connection.
 */
final class HttpListener implements AutoCloseable {
    // Our routes take no bodies; anything larger is a mistake or an attack.
    private static final int MAX_REQUEST_BYTES = 16 * 1024;
    private static final int IDLE_SECONDS = 60;
    private static final int BIND_RETRIES = 20;
    private static final long BIND_RETRY_MILLIS = 10;

    private final Channel server;
    private final ChannelGroup accepted;

    private HttpListener(Channel server, ChannelGroup accepted) {
        this.server = server;
        this.accepted = accepted;
    }

    /** A small NIO event loop group for listeners; the caller shuts it down. */
    static EventLoopGroup eventLoops(String name, int threads) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true),
                NioIoHandler.newFactory());
    }

    static HttpListener bind(EventLoopGroup group, InetSocketAddress address, HttpRoute route) throws IOException {
        ChannelGroup accepted = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        accepted.add(ch);
                        ch.pipeline()
                                .addLast(new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS))
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES))
                                .addLast(new HttpRequestHandler(route));
                    }
                });
        ChannelFuture bound = bootstrap.bind(address).awaitUninterruptibly();
        // A listener this process just closed may still hold its port: NIO closes a channel
        // registered with a selector only when the event loop next deregisters it.
        for (int retry = 0; !bound.isSuccess() && bound.cause() instanceof BindException && retry < BIND_RETRIES; retry++) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(BIND_RETRY_MILLIS));
            bound = bootstrap.bind(address).awaitUninterruptibly();
        }
        if (!bound.isSuccess()) {
            throw new IOException("cannot listen on " + address + ": " + bound.cause().getMessage(), bound.cause());
        }
        return new HttpListener(bound.channel(), accepted);
    }

    InetSocketAddress localAddress() {
        return (InetSocketAddress) server.localAddress();
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly();
        accepted.close().awaitUninterruptibly();
    }
}

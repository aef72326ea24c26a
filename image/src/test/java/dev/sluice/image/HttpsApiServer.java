package dev.sluice.image;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * fabric8's mock API server in CRUD mode, over HTTPS on 127.0.0.1 only, and a kubeconfig that
 * trusts exactly its certificate: the agent in the container verifies TLS as it would in a cluster.
 */
final class HttpsApiServer implements AutoCloseable {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private final KubernetesMockServer server;
    private final KubernetesClient client;

    private HttpsApiServer(KubernetesMockServer server) {
        this.server = server;
        this.client = server.createClient();
    }

    static HttpsApiServer start() {
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), true);
        server.init(LOOPBACK, 0);
        return new HttpsApiServer(server);
    }

    KubernetesClient client() {
        return client;
    }

    /** Writes a kubeconfig for {@code host} (a name the certificate carries) and returns its path. */
    Path writeKubeconfig(Path directory, String host) {
        String ca = Base64.getEncoder().encodeToString(pem(serverCertificate()).getBytes());
        String kubeconfig = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: mock
                  cluster:
                    server: https://%s:%d
                    certificate-authority-data: %s
                users:
                - name: sluice
                  user:
                    token: not-checked-by-the-mock
                contexts:
                - name: mock
                  context:
                    cluster: mock
                    user: sluice
                current-context: mock
                """.formatted(host, server.getPort(), ca);
        try {
            Path file = directory.resolve("kubeconfig");
            Files.writeString(file, kubeconfig);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The certificate the server presents, read from a handshake that trusts anything once. */
    X509Certificate serverCertificate() {
        try {
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, new TrustManager[] {new AcceptAnything()}, new SecureRandom());
            try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(LOOPBACK, server.getPort())) {
                socket.startHandshake();
                Certificate[] chain = socket.getSession().getPeerCertificates();
                return (X509Certificate) chain[0];
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(X509Certificate certificate) {
        try {
            return "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(certificate.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            client.close();
        } finally {
            server.destroy();
        }
    }

    private static final class AcceptAnything implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}

package dev.sluice.control.observe;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Reads one HTTP/1.1 response off a raw socket, to see what happens on a single connection. */
final class RawHttp {
    private RawHttp() {
    }

    record Response(String statusLine, Map<String, String> headers, String body) {
    }

    static Response readResponse(BufferedReader in) throws IOException {
        String statusLine = in.readLine();
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        // ASCII bodies only, so characters equal bytes.
        char[] body = new char[Integer.parseInt(headers.getOrDefault("content-length", "0"))];
        int read = 0;
        while (read < body.length) {
            int n = in.read(body, read, body.length - read);
            if (n < 0) {
                throw new IOException("connection closed mid-body");
            }
            read += n;
        }
        return new Response(statusLine, headers, new String(body));
    }
}

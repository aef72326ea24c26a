package dev.sluice.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.cli.Sluice;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The sluice CLI on a node's pinned maps, as an operator would read them, with -o json. */
final class Cli {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Cli() {
    }

    static JsonNode json(Path bpffsRoot, String command, String... options) {
        List<String> args = new ArrayList<>(List.of(command, "--bpffs-root", bpffsRoot.toString(), "-o", "json"));
        args.addAll(List.of(options));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Sluice.execute(args.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err),
                System.getenv(), System::nanoTime);
        if (exit != 0) {
            throw new IllegalStateException("sluice " + args + " exited with " + exit + ": " + err);
        }
        try {
            return JSON.readTree(out.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("sluice " + args + " printed no JSON: " + out, e);
        }
    }

    /** Packets the datapath of a node dropped for {@code reason} (a drop reason label). */
    static long drops(Path bpffsRoot, String reason) {
        for (JsonNode drop : json(bpffsRoot, "stats").get("drops")) {
            if (drop.get("reason").asText().equals(reason)) {
                return drop.get("packets").asLong();
            }
        }
        throw new IllegalArgumentException("no drop reason " + reason);
    }
}

package dev.sluice.lab;

import dev.sluice.ffm.sys.Command;
import dev.sluice.ffm.sys.NetworkNamespace;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Debian's dig (bind9-dnsutils) run in a lab namespace: one TXT query, one try, bounded, over UDP or TCP. */
final class Dig {
    private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");
    private static final int TIMEOUT_SECONDS = 2;

    private Dig() {
    }

    /**
     * The TXT records of {@code name} as {@code server} answers them, each a list of strings.
     * Over UDP with a 4096-byte EDNS buffer and +ignore: a truncated answer stays truncated instead
     * of being retried over TCP, so UDP really carries the whole answer or the check fails.
     */
    static List<List<String>> txt(NetworkNamespace namespace, String server, String name, boolean tcp) {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace.name(), "dig", "@" + server,
                name, "TXT", "+short", "+tries=1", "+time=" + TIMEOUT_SECONDS));
        command.addAll(tcp ? List.of("+tcp") : List.of("+notcp", "+bufsize=4096", "+ignore"));
        Command.Result result = Command.execute(command.toArray(String[]::new));
        if (result.exitCode() != 0 || result.stdout().contains(";;")) {
            throw new AssertionError("dig " + name + " TXT @" + server + (tcp ? " over TCP" : " over UDP") + " from "
                    + namespace.name() + " exited " + result.exitCode() + ": " + (result.stdout() + result.stderr()).strip());
        }
        List<List<String>> records = new ArrayList<>();
        for (String line : result.stdout().strip().split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            List<String> strings = new ArrayList<>();
            Matcher quoted = QUOTED.matcher(line);
            while (quoted.find()) {
                strings.add(quoted.group(1));
            }
            records.add(strings);
        }
        return records;
    }
}

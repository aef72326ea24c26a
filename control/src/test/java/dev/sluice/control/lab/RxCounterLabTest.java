package dev.sluice.control.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.ffm.testing.KernelTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

@KernelTest
class RxCounterLabTest {

    @Test
    void runCommandCountsExactlyTheDatagramsItSentAndRemovesItsLab() {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        String lab = "sluice-t" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(2);
        int exit = new CommandLine(new RxCounterLab(new PrintStream(output, true, StandardCharsets.UTF_8)))
                .execute("--datagrams", "200", "--payload-bytes", "18", "--lab-name", lab);
        String printed = output.toString(StandardCharsets.UTF_8);

        assertThat(exit).as(printed).isZero();
        assertThat(printed).contains("sent 200 UDP datagrams, the node's socket received 200");
        Matcher ipv4 = Pattern.compile("(?m)^ipv4\\s+(\\d+)\\s+(\\d+)$").matcher(printed);
        assertThat(ipv4.find()).as(printed).isTrue();
        assertThat(Long.parseLong(ipv4.group(1))).isEqualTo(200);
        // 14 Ethernet + 20 IPv4 + 8 UDP + 18 payload = 60 bytes per frame.
        assertThat(Long.parseLong(ipv4.group(2))).isEqualTo(200L * 60);
        assertThat(dev.sluice.ffm.sys.Command.run("ip", "netns", "list")).doesNotContain(lab);
    }
}
